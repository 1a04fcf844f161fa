/*
Copyright The Strata Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package apiserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/strata-net/strata/apis/crd/support"
)

// refusedNamespace holds the namespaced objects of these tests.
const refusedNamespace = "it-refused"

// servedKind is a kind of a served group-version, as a client sends it.
type servedKind struct {
	apiVersion, kind, resource string
	namespaced                 bool
}

func (k servedKind) collection() string {
	if k.namespaced {
		return fmt.Sprintf("/apis/%s/namespaces/%s/%s", k.apiVersion, refusedNamespace, k.resource)
	}
	return fmt.Sprintf("/apis/%s/%s", k.apiVersion, k.resource)
}

func (k servedKind) manifest(name, spec string) string {
	meta := "{name: " + name + "}"
	if k.namespaced {
		meta = "{name: " + name + ", namespace: " + refusedNamespace + "}"
	}
	return fmt.Sprintf("apiVersion: %s\nkind: %s\nmetadata: %s\nspec:\n  %s\n", k.apiVersion, k.kind, meta,
		strings.ReplaceAll(strings.TrimSpace(spec), "\n", "\n  "))
}

// The kinds that have refused fields, in every served group-version.
var (
	refusedPolicyKinds = []servedKind{
		{"crd.antrea.io/v1beta1", "ClusterNetworkPolicy", "clusternetworkpolicies", false},
		{"crd.antrea.io/v1alpha1", "ClusterNetworkPolicy", "clusternetworkpolicies", false},
		{"security.antrea.tanzu.vmware.com/v1alpha1", "ClusterNetworkPolicy", "clusternetworkpolicies", false},
		{"crd.antrea.io/v1beta1", "NetworkPolicy", "networkpolicies", true},
	}
	refusedGroupKinds = []servedKind{
		{"crd.antrea.io/v1beta1", "ClusterGroup", "clustergroups", false},
		{"crd.antrea.io/v1alpha2", "ClusterGroup", "clustergroups", false},
		{"crd.antrea.io/v1beta1", "Group", "groups", true},
	}
)

// refusal is a spec with one field this Strata version refuses, at path.
type refusal struct {
	name, path, spec string
}

// policyRefusals are the refused fields and values of ClusterNetworkPolicies and
// Antrea NetworkPolicies (one spec for both), each in a spec that is valid without
// it where Antrea allows it there.
var policyRefusals = []refusal{
	{"appliedTo externalEntitySelector", "spec.appliedTo[0].externalEntitySelector", `
tier: application
priority: 5
appliedTo: [{externalEntitySelector: {matchLabels: {vm: db}}}]
ingress: [{action: Drop, from: [{podSelector: {matchLabels: {app: web}}}]}]`},
	{"appliedTo service", "spec.appliedTo[0].service", `
tier: application
priority: 5
appliedTo: [{service: {name: web, namespace: default}}]
ingress: [{action: Drop, from: [{ipBlock: {cidr: 10.0.0.0/8}}]}]`},
	{"appliedTo nodeSelector", "spec.appliedTo[0].nodeSelector", `
tier: application
priority: 5
appliedTo: [{nodeSelector: {matchLabels: {role: db}}}]
ingress: [{action: Drop, from: [{podSelector: {matchLabels: {app: web}}}]}]`},
	{"ingress rule appliedTo externalEntitySelector", "spec.ingress[0].appliedTo[0].externalEntitySelector", `
tier: application
priority: 5
ingress: [{action: Drop, from: [{podSelector: {}}], appliedTo: [{externalEntitySelector: {matchLabels: {vm: db}}}]}]`},
	{"ingress rule appliedTo service", "spec.ingress[0].appliedTo[0].service", `
tier: application
priority: 5
ingress: [{action: Drop, from: [{ipBlock: {cidr: 10.0.0.0/8}}], appliedTo: [{service: {name: web, namespace: default}}]}]`},
	{"ingress rule appliedTo nodeSelector", "spec.ingress[0].appliedTo[0].nodeSelector", `
tier: application
priority: 5
ingress: [{action: Drop, from: [{podSelector: {}}], appliedTo: [{nodeSelector: {matchLabels: {role: db}}}]}]`},
	{"egress rule appliedTo externalEntitySelector", "spec.egress[0].appliedTo[0].externalEntitySelector", `
tier: application
priority: 5
egress: [{action: Drop, to: [{podSelector: {}}], appliedTo: [{externalEntitySelector: {matchLabels: {vm: db}}}]}]`},
	{"egress rule appliedTo service", "spec.egress[0].appliedTo[0].service", `
tier: application
priority: 5
egress: [{action: Drop, to: [{ipBlock: {cidr: 10.0.0.0/8}}], appliedTo: [{service: {name: web, namespace: default}}]}]`},
	{"egress rule appliedTo nodeSelector", "spec.egress[0].appliedTo[0].nodeSelector", `
tier: application
priority: 5
egress: [{action: Drop, to: [{podSelector: {}}], appliedTo: [{nodeSelector: {matchLabels: {role: db}}}]}]`},
	{"ingress IGMP", "spec.ingress[0].protocols[0].igmp", `
tier: application
priority: 5
appliedTo: [{podSelector: {matchLabels: {app: db}}}]
ingress: [{action: Drop, protocols: [{igmp: {igmpType: 17, groupAddress: 224.0.0.1}}]}]`},
	{"ingress SCTP port", "spec.ingress[0].ports[0].protocol", `
tier: application
priority: 5
appliedTo: [{podSelector: {matchLabels: {app: db}}}]
ingress: [{action: Allow, from: [{podSelector: {matchLabels: {app: web}}}], ports: [{protocol: SCTP, port: 9000}]}]`},
	{"egress SCTP port", "spec.egress[0].ports[0].protocol", `
tier: application
priority: 5
appliedTo: [{podSelector: {matchLabels: {app: db}}}]
egress: [{action: Drop, to: [{podSelector: {matchLabels: {app: web}}}], ports: [{protocol: SCTP, port: 9000}]}]`},
	{"egress IGMP", "spec.egress[0].protocols[0].igmp", `
tier: application
priority: 5
appliedTo: [{podSelector: {matchLabels: {app: db}}}]
egress: [{action: Drop, protocols: [{igmp: {igmpType: 22, groupAddress: 225.1.2.3}}]}]`},
	{"ingress l7Protocols", "spec.ingress[0].l7Protocols", `
tier: application
priority: 5
appliedTo: [{podSelector: {matchLabels: {app: db}}}]
ingress: [{action: Allow, from: [{podSelector: {matchLabels: {app: web}}}], ports: [{protocol: TCP, port: 8080}], l7Protocols: [{http: {path: /api, method: GET}}]}]`},
	{"egress l7Protocols", "spec.egress[0].l7Protocols", `
tier: application
priority: 5
appliedTo: [{podSelector: {matchLabels: {app: db}}}]
egress: [{action: Allow, to: [{podSelector: {matchLabels: {app: web}}}], l7Protocols: [{tls: {sni: example.com}}]}]`},
	{"ingress toServices", "spec.ingress[0].toServices", `
tier: application
priority: 5
appliedTo: [{podSelector: {matchLabels: {app: db}}}]
ingress: [{action: Drop, toServices: [{name: web, namespace: default}]}]`},
	{"egress toServices scope ClusterSet", "spec.egress[0].toServices[0].scope", `
tier: application
priority: 5
appliedTo: [{podSelector: {matchLabels: {app: db}}}]
egress: [{action: Drop, toServices: [{name: web, namespace: default, scope: ClusterSet}]}]`},
	{"ingress peer externalEntitySelector", "spec.ingress[0].from[0].externalEntitySelector", `
tier: application
priority: 5
appliedTo: [{podSelector: {matchLabels: {app: db}}}]
ingress: [{action: Drop, from: [{externalEntitySelector: {matchLabels: {vm: web}}}]}]`},
	{"egress peer externalEntitySelector", "spec.egress[0].to[0].externalEntitySelector", `
tier: application
priority: 5
appliedTo: [{podSelector: {matchLabels: {app: db}}}]
egress: [{action: Drop, to: [{externalEntitySelector: {matchLabels: {vm: web}}}]}]`},
	{"ingress peer scope ClusterSet", "spec.ingress[0].from[0].scope", `
tier: application
priority: 5
appliedTo: [{podSelector: {matchLabels: {app: db}}}]
ingress: [{action: Drop, from: [{podSelector: {matchLabels: {app: web}}, scope: ClusterSet}]}]`},
	{"egress peer scope ClusterSet", "spec.egress[0].to[0].scope", `
tier: application
priority: 5
appliedTo: [{podSelector: {matchLabels: {app: db}}}]
egress: [{action: Drop, to: [{podSelector: {matchLabels: {app: web}}, scope: ClusterSet}]}]`},
}

// groupRefusals are the refused fields of ClusterGroups and Groups.
var groupRefusals = []refusal{
	{"externalEntitySelector", "spec.externalEntitySelector", `externalEntitySelector: {matchLabels: {vm: db}}`},
}

// TestRefusedFieldsAdmission posts, in every served group-version, a manifest with
// each field (or value of a field) this Strata version refuses: the answer is 422
// with a cause at the field's path saying it is not supported by this Strata
// version, and nothing is stored. The cases cover every field of support.Refused
// and of support.RefusedValues in every version that has it.
func TestRefusedFieldsAdmission(t *testing.T) {
	ctx, c := ctxT(t), rawClient(t)
	waitSystemTiers(ctx, t, shared.Client)
	covered := sets.New[string]()
	run := func(kinds []servedKind, refusals []refusal) {
		for _, k := range kinds {
			for i, r := range refusals {
				covered.Insert(refusedKey(k.apiVersion, k.kind, r.path))
				t.Run(k.apiVersion+" "+k.kind+"/"+r.name, func(t *testing.T) {
					name := fmt.Sprintf("refused-%s-%d", strings.ToLower(k.kind), i)
					if k.apiVersion != "crd.antrea.io/v1beta1" {
						name += "-" + strings.NewReplacer(".", "-", "/", "-").Replace(k.apiVersion)
					}
					err := c.Post().AbsPath(k.collection()).SetHeader("Content-Type", "application/yaml").
						Body([]byte(k.manifest(name, r.spec))).Do(ctx).Error()
					wantRefusal(t, err, r.path)
					err = c.Get().AbsPath(k.collection(), name).Do(ctx).Error()
					if !apierrors.IsNotFound(err) {
						t.Fatalf("GET %s/%s after the refusal: %v, want 404 (nothing stored)", k.collection(), name, err)
					}
				})
			}
		}
	}
	run(refusedPolicyKinds, policyRefusals)
	run(refusedGroupKinds, groupRefusals)

	// Every refused field of support.Refused and every field with a refused value
	// (support.RefusedValues), in every served version that has it.
	want := sets.New[string]()
	for _, f := range support.Fields() {
		_, refused := support.Refused[f.Path]
		_, refusedValue := support.RefusedValues[f.Path]
		if !refused && !refusedValue {
			continue
		}
		kind, rest, _ := strings.Cut(f.Path, ".")
		for _, v := range f.Versions {
			want.Insert(refusedKey(v, kind, strings.ReplaceAll(rest, "[]", "[0]")))
		}
	}
	if missing := sets.List(want.Difference(covered)); len(missing) > 0 {
		t.Errorf("no case for the refused fields %s", strings.Join(missing, "\n"))
	}
	if extra := sets.List(covered.Difference(want)); len(extra) > 0 {
		t.Errorf("cases for fields that neither support.Refused nor support.RefusedValues lists: %s", strings.Join(extra, "\n"))
	}
}

func refusedKey(apiVersion, kind, path string) string {
	return apiVersion + " " + kind + " " + path
}

// wantRefusal requires a 422 with a cause at path saying that the field is not
// supported by this Strata version.
func wantRefusal(t *testing.T, err error, path string) {
	t.Helper()
	st := statusOf(t, err)
	if st.Code != http.StatusUnprocessableEntity || st.Reason != metav1.StatusReasonInvalid {
		t.Fatalf("got HTTP %d (%s), want 422 Invalid: %s", st.Code, st.Reason, st.Message)
	}
	if st.Details != nil {
		for _, cause := range st.Details.Causes {
			if cause.Field == path && strings.Contains(cause.Message, support.Detail) {
				return
			}
		}
	}
	t.Fatalf("no cause at %s saying %q in %s", path, support.Detail, st.Message)
}

// TestRefusedFieldsUpdate: an update that adds a refused field to a stored object,
// in every served group-version, is refused with 422 at the field, and the stored
// object is unchanged.
func TestRefusedFieldsUpdate(t *testing.T) {
	ctx, c := ctxT(t), rawClient(t)
	waitSystemTiers(ctx, t, shared.Client)
	policy := `
tier: application
priority: 5
appliedTo: [{podSelector: {matchLabels: {app: db}}}]
ingress: [{action: Allow, name: from-web, from: [{podSelector: {matchLabels: {app: web}}}]}]`
	group := `podSelector: {matchLabels: {app: web}}`
	addL7 := func(spec map[string]any) {
		spec["egress"] = []any{map[string]any{"action": "Allow", "to": []any{map[string]any{"podSelector": map[string]any{}}},
			"l7Protocols": []any{map[string]any{"tls": map[string]any{"sni": "example.com"}}}}}
	}
	addExternalEntities := func(spec map[string]any) {
		delete(spec, "podSelector")
		spec["externalEntitySelector"] = map[string]any{"matchLabels": map[string]any{"vm": "db"}}
	}
	type updateCase struct {
		kind  servedKind
		valid string                    // the spec of the stored object
		add   func(spec map[string]any) // adds the refused field
		path  string
	}
	var cases []updateCase
	for _, k := range refusedPolicyKinds {
		cases = append(cases, updateCase{k, policy, addL7, "spec.egress[0].l7Protocols"})
	}
	for _, k := range refusedGroupKinds {
		cases = append(cases, updateCase{k, group, addExternalEntities, "spec.externalEntitySelector"})
	}
	for i, tc := range cases {
		k := tc.kind
		t.Run(k.apiVersion+" "+k.kind, func(t *testing.T) {
			name := fmt.Sprintf("refused-update-%s-%d", strings.ToLower(k.kind), i)
			err := c.Post().AbsPath(k.collection()).SetHeader("Content-Type", "application/yaml").
				Body([]byte(k.manifest(name, tc.valid))).Do(ctx).Error()
			if err != nil {
				t.Fatalf("creating %s: %v", name, err)
			}
			get := func() map[string]any {
				raw, err := c.Get().AbsPath(k.collection(), name).DoRaw(ctx)
				if err != nil {
					t.Fatalf("GET %s: %v", name, err)
				}
				var obj map[string]any
				if err := json.Unmarshal(raw, &obj); err != nil {
					t.Fatal(err)
				}
				return obj
			}
			stored := get()
			updated := get()
			tc.add(updated["spec"].(map[string]any))
			body, err := json.Marshal(updated)
			if err != nil {
				t.Fatal(err)
			}
			err = c.Put().AbsPath(k.collection(), name).SetHeader("Content-Type", "application/json").
				Body(body).Do(ctx).Error()
			wantRefusal(t, err, tc.path)
			if after := get(); !reflect.DeepEqual(after, stored) {
				t.Fatalf("the refused update changed the stored object:\nbefore %v\nafter  %v", stored, after)
			}
			if err := c.Delete().AbsPath(k.collection(), name).Do(ctx).Error(); err != nil {
				t.Fatalf("deleting %s: %v", name, err)
			}
		})
	}
}
