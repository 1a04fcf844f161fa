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

package localcluster

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/strata-net/strata/test/e2e/framework"
)

// TestAPIResources checks that kubectl discovers the policy resources through
// kube-apiserver, with their short names.
func TestAPIResources(t *testing.T) {
	ctx := ctxT(t)
	rows := map[string][]string{} // "name apiVersion" -> row
	for _, group := range []string{"crd.antrea.io", "security.antrea.tanzu.vmware.com"} {
		table := framework.Table(kubectl(ctx, t, "api-resources", "--api-group="+group))
		if len(table) < 2 || !reflect.DeepEqual(table[0], []string{"NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"}) {
			t.Fatalf("kubectl api-resources --api-group=%s:\n%v", group, table)
		}
		for _, r := range table[1:] {
			if len(r) == 5 { // rows without a short name have 4 cells
				rows[r[0]+" "+r[2]] = r
			}
		}
	}
	for _, tc := range []struct {
		name, shortName, apiVersion, namespaced, kind string
	}{
		{"tiers", "tr", "crd.antrea.io/v1beta1", "false", "Tier"},
		{"clusternetworkpolicies", "acnp", "crd.antrea.io/v1beta1", "false", "ClusterNetworkPolicy"},
		{"clustergroups", "cg", "crd.antrea.io/v1beta1", "false", "ClusterGroup"},
		{"networkpolicies", "annp,anp", "crd.antrea.io/v1beta1", "true", "NetworkPolicy"},
		{"groups", "grp", "crd.antrea.io/v1beta1", "true", "Group"},
		{"tiers", "ltr", "security.antrea.tanzu.vmware.com/v1alpha1", "false", "Tier"},
		{"clusternetworkpolicies", "lacnp", "security.antrea.tanzu.vmware.com/v1alpha1", "false", "ClusterNetworkPolicy"},
	} {
		t.Run(tc.shortName, func(t *testing.T) {
			want := []string{tc.name, tc.shortName, tc.apiVersion, tc.namespaced, tc.kind}
			if got := rows[tc.name+" "+tc.apiVersion]; !reflect.DeepEqual(got, want) {
				t.Fatalf("api-resources row %v, want %v", got, want)
			}
		})
	}
}

type apiServiceList struct {
	Items []struct {
		Metadata struct {
			Name   string            `json:"name"`
			Labels map[string]string `json:"labels"`
		} `json:"metadata"`
		Spec struct {
			Group   string `json:"group"`
			Version string `json:"version"`
			Service *struct {
				Name      string `json:"name"`
				Namespace string `json:"namespace"`
				Port      int    `json:"port"`
			} `json:"service"`
		} `json:"spec"`
		Status struct {
			Conditions []struct {
				Type, Status, Reason, Message string
			} `json:"conditions"`
		} `json:"status"`
	} `json:"items"`
}

// TestAPIServices checks that every APIService of the cluster is Available, that the
// cluster registered exactly the APIServices of artifacts/base/apiservices.yaml, routed
// to strata-apiserver, and that these are exactly the group-versions the server
// serves.
func TestAPIServices(t *testing.T) {
	ctx := ctxT(t)
	var all apiServiceList
	getJSON(ctx, t, &all, "get", "apiservices")
	registered := map[string]bool{}
	for _, s := range all.Items {
		t.Run(s.Metadata.Name, func(t *testing.T) {
			available := false
			for _, c := range s.Status.Conditions {
				if c.Type == "Available" {
					available = c.Status == "True"
					if !available {
						t.Fatalf("APIService %s is not Available: %s %s", s.Metadata.Name, c.Reason, c.Message)
					}
				}
			}
			if !available {
				t.Fatalf("APIService %s has no Available condition", s.Metadata.Name)
			}
		})
		if s.Spec.Service != nil && s.Spec.Service.Name == "strata-apiserver" {
			registered[s.Spec.Version+"."+s.Spec.Group] = true
			if s.Spec.Service.Namespace != "kube-system" || s.Spec.Service.Port != lc.StrataPort() {
				t.Errorf("APIService %s routes to %+v, want kube-system/strata-apiserver:%d", s.Metadata.Name, *s.Spec.Service, lc.StrataPort())
			}
		}
	}

	// The artifacts' list.
	out := kubectl(ctx, t, "create", "--dry-run=client", "-o", "name", "-f", filepath.Join(lc.Root, "artifacts", "base", "apiservices.yaml"))
	var artifacts []string
	for _, name := range strings.Fields(out) {
		artifacts = append(artifacts, strings.TrimPrefix(name, "apiservice.apiregistration.k8s.io/"))
	}

	// What strata-apiserver serves, asked directly (not through the aggregator).
	raw := kubectl(ctx, t, "--server=https://127.0.0.1:"+strconv.Itoa(lc.StrataPort()), "get", "--raw", "/apis")
	var groups struct {
		Groups []struct {
			Versions []struct{ GroupVersion string } `json:"versions"`
		} `json:"groups"`
	}
	if err := json.Unmarshal([]byte(raw), &groups); err != nil {
		t.Fatalf("strata-apiserver /apis: %v\n%s", err, raw)
	}
	var served []string
	for _, g := range groups.Groups {
		for _, v := range g.Versions {
			group, version, _ := strings.Cut(v.GroupVersion, "/")
			served = append(served, version+"."+group)
		}
	}

	var live []string
	for name := range registered {
		live = append(live, name)
	}
	for _, list := range [][]string{artifacts, served, live} {
		sort.Strings(list)
	}
	if len(served) < 4 || !reflect.DeepEqual(artifacts, served) || !reflect.DeepEqual(live, served) {
		t.Fatalf("APIServices in artifacts/base/apiservices.yaml %v, registered %v, group-versions served by strata-apiserver %v: want all three equal",
			artifacts, live, served)
	}
}
