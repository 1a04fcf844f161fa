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

package options

import (
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestEquivalentResources(t *testing.T) {
	gvr := func(g, v, r string) schema.GroupVersionResource {
		return schema.GroupVersionResource{Group: g, Version: v, Resource: r}
	}
	served := []schema.GroupVersionResource{
		gvr("crd.antrea.io", "v1beta1", "tiers"), gvr("crd.antrea.io", "v1alpha1", "tiers"),
		gvr("security.antrea.tanzu.vmware.com", "v1alpha1", "tiers"),
		gvr("crd.antrea.io", "v1beta1", "clusternetworkpolicies"),
		gvr("security.antrea.tanzu.vmware.com", "v1alpha1", "clusternetworkpolicies"),
		gvr("controlplane.antrea.io", "v1beta2", "networkpolicies"),
		gvr("crd.antrea.io", "v1beta1", "networkpolicies"),
	}
	r := equivalentResources()
	for _, res := range served {
		r.RegisterKindFor(res, "", schema.GroupVersionKind{Group: res.Group, Version: res.Version, Kind: res.Resource})
	}
	tests := []struct {
		name string
		of   schema.GroupVersionResource
		want []schema.GroupVersionResource
	}{
		{"legacy tiers are crd.antrea.io's", served[2], served[0:3]},
		{"crd.antrea.io tiers are the legacy group's", served[0], served[0:3]},
		{"legacy ClusterNetworkPolicies", served[4], served[3:5]},
		{"the controlplane's networkpolicies stand alone", served[5], served[5:6]},
		{"crd.antrea.io networkpolicies are not the controlplane's", served[6], served[6:7]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.EquivalentResourcesFor(tt.of, "")
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("EquivalentResourcesFor(%s) = %v, lacks %s", tt.of, got, w)
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("EquivalentResourcesFor(%s) = %v, want exactly %v", tt.of, got, tt.want)
			}
		})
	}
}
