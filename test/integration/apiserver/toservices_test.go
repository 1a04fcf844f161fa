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
	"reflect"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// toServicesPolicy is a policy spec with the egress rule rule.
func toServicesPolicy(rule string) string {
	return `
tier: application
priority: 5
appliedTo: [{podSelector: {matchLabels: {app: client}}}]
egress: [` + rule + `]`
}

// TestToServicesAdmission: in every served group-version, an egress rule's
// toServices are accepted with any action and stored as sent (an Antrea
// NetworkPolicy's entry may leave the namespace out: its own); as in Antrea,
// toServices cannot be combined with to, ports or protocols, need a name (and a
// ClusterNetworkPolicy's a namespace), and are not allowed in ingress rules
// (refused besides): each refusal is a 422 with a cause at the field.
func TestToServicesAdmission(t *testing.T) {
	ctx, c := ctxT(t), rawClient(t)
	waitSystemTiers(ctx, t, shared.Client)
	accepted := []struct{ name, rule, want string }{
		{"drop", `{action: Drop, toServices: [{name: web, namespace: default}]}`, `[{"name":"web","namespace":"default"}]`},
		{"allow two", `{action: Allow, toServices: [{name: web, namespace: default}, {name: dns, namespace: kube-system}]}`,
			`[{"name":"web","namespace":"default"},{"name":"dns","namespace":"kube-system"}]`},
		{"reject", `{action: Reject, toServices: [{name: web, namespace: default, scope: Cluster}]}`,
			`[{"name":"web","namespace":"default","scope":"Cluster"}]`},
		{"pass", `{action: Pass, toServices: [{name: web, namespace: default}]}`, `[{"name":"web","namespace":"default"}]`},
	}
	refused := []struct{ name, rule, field, msg string }{
		{"with to", `{action: Drop, to: [{podSelector: {}}], toServices: [{name: web, namespace: default}]}`,
			"spec.egress[0].toServices", "cannot be used with to, ports or protocols (found to)"},
		{"with ports", `{action: Drop, ports: [{protocol: TCP, port: 80}], toServices: [{name: web, namespace: default}]}`,
			"spec.egress[0].toServices", "cannot be used with to, ports or protocols (found ports)"},
		{"with protocols", `{action: Drop, protocols: [{icmp: {}}], toServices: [{name: web, namespace: default}]}`,
			"spec.egress[0].toServices", "cannot be used with to, ports or protocols (found protocols)"},
		{"without a name", `{action: Drop, toServices: [{namespace: default}]}`,
			"spec.egress[0].toServices[0].name", "the name of the Service is required"},
	}
	for _, k := range refusedPolicyKinds {
		for i, tc := range accepted {
			t.Run(k.apiVersion+" "+k.kind+"/accepted "+tc.name, func(t *testing.T) {
				name := toServicesName(k, "ok", i)
				rule := tc.rule
				want := tc.want
				if k.namespaced && i == 0 { // an ANNP's entry without a namespace
					rule = `{action: Drop, toServices: [{name: web}]}`
					want = `[{"name":"web"}]`
				}
				if err := c.Post().AbsPath(k.collection()).SetHeader("Content-Type", "application/yaml").
					Body([]byte(k.manifest(name, toServicesPolicy(rule)))).Do(ctx).Error(); err != nil {
					t.Fatalf("creating %s: %v", name, err)
				}
				raw, err := c.Get().AbsPath(k.collection(), name).DoRaw(ctx)
				if err != nil {
					t.Fatalf("GET %s: %v", name, err)
				}
				var obj struct {
					Spec struct {
						Egress []struct {
							ToServices json.RawMessage `json:"toServices"`
						} `json:"egress"`
					} `json:"spec"`
				}
				if err := json.Unmarshal(raw, &obj); err != nil {
					t.Fatal(err)
				}
				var got, exp any
				_ = json.Unmarshal(obj.Spec.Egress[0].ToServices, &got)
				_ = json.Unmarshal([]byte(want), &exp)
				if !reflect.DeepEqual(got, exp) {
					t.Fatalf("stored toServices %s, want %s", obj.Spec.Egress[0].ToServices, want)
				}
			})
		}
		cases := refused
		if !k.namespaced {
			cases = append(cases, struct{ name, rule, field, msg string }{"without a namespace",
				`{action: Drop, toServices: [{name: web}]}`, "spec.egress[0].toServices[0].namespace", "the namespace of the Service is required"})
		}
		for i, tc := range cases {
			t.Run(k.apiVersion+" "+k.kind+"/refused "+tc.name, func(t *testing.T) {
				name := toServicesName(k, "bad", i)
				err := c.Post().AbsPath(k.collection()).SetHeader("Content-Type", "application/yaml").
					Body([]byte(k.manifest(name, toServicesPolicy(tc.rule)))).Do(ctx).Error()
				wantCauseSaying(t, err, tc.field, tc.msg)
				if err := c.Get().AbsPath(k.collection(), name).Do(ctx).Error(); !apierrors.IsNotFound(err) {
					t.Fatalf("GET %s after the refusal: %v, want 404", name, err)
				}
			})
		}
		t.Run(k.apiVersion+" "+k.kind+"/refused ingress", func(t *testing.T) {
			name := toServicesName(k, "ingress", 0)
			spec := `
tier: application
priority: 5
appliedTo: [{podSelector: {matchLabels: {app: client}}}]
ingress: [{action: Drop, toServices: [{name: web, namespace: default}]}]`
			err := c.Post().AbsPath(k.collection()).SetHeader("Content-Type", "application/yaml").
				Body([]byte(k.manifest(name, spec))).Do(ctx).Error()
			wantCauseSaying(t, err, "spec.ingress[0].toServices", "toServices is only allowed in egress rules")
		})
	}
}

func toServicesName(k servedKind, what string, i int) string {
	name := fmt.Sprintf("tosvc-%s-%s-%d", strings.ToLower(k.kind), what, i)
	if k.apiVersion != "crd.antrea.io/v1beta1" {
		name += "-" + strings.NewReplacer(".", "-", "/", "-").Replace(k.apiVersion)
	}
	return name
}

// wantCauseSaying requires a 422 with a cause at field whose message has msg.
func wantCauseSaying(t *testing.T, err error, field, msg string) {
	t.Helper()
	wantCause(t, err, 422, field)
	for _, cause := range statusOf(t, err).Details.Causes {
		if cause.Field == field && strings.Contains(cause.Message, msg) {
			return
		}
	}
	t.Fatalf("no cause at %s saying %q in %v", field, msg, err)
}
