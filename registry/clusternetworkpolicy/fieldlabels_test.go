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

package clusternetworkpolicy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/strata-net/strata/apis/scheme"
)

func TestAddFieldLabelConversions(t *testing.T) {
	acnp := func(group, version string) schema.GroupVersionKind {
		return schema.GroupVersionKind{Group: group, Version: version, Kind: "ClusterNetworkPolicy"}
	}
	annp := schema.GroupVersionKind{Group: "crd.antrea.io", Version: "v1beta1", Kind: "NetworkPolicy"}
	tests := []struct {
		name    string
		gvk     schema.GroupVersionKind
		label   string
		wantErr bool
	}{
		{name: "acnp v1beta1 tier", gvk: acnp("crd.antrea.io", "v1beta1"), label: "spec.tier"},
		{name: "acnp v1alpha1 tier", gvk: acnp("crd.antrea.io", "v1alpha1"), label: "spec.tier"},
		{name: "legacy acnp tier", gvk: acnp("security.antrea.tanzu.vmware.com", "v1alpha1"), label: "spec.tier"},
		{name: "acnp name", gvk: acnp("crd.antrea.io", "v1beta1"), label: "metadata.name"},
		{name: "acnp namespace", gvk: acnp("crd.antrea.io", "v1beta1"), label: "metadata.namespace", wantErr: true},
		{name: "acnp priority", gvk: acnp("crd.antrea.io", "v1beta1"), label: "spec.priority", wantErr: true},
		{name: "annp tier", gvk: annp, label: "spec.tier"},
		{name: "annp namespace", gvk: annp, label: "metadata.namespace"},
		{name: "annp name", gvk: annp, label: "metadata.name"},
		{name: "annp priority", gvk: annp, label: "spec.priority", wantErr: true},
	}
	s := runtime.NewScheme()
	scheme.Install(s)
	_, _, err := s.ConvertFieldLabel(acnp("crd.antrea.io", "v1beta1"), "spec.tier", "x")
	require.Error(t, err, "spec.tier is refused before the conversions are added")
	require.NoError(t, AddFieldLabelConversions(s))
	require.NoError(t, AddFieldLabelConversions(s), "a second call is harmless")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			label, value, err := s.ConvertFieldLabel(tc.gvk, tc.label, "x")
			if tc.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.label, label)
			assert.Equal(t, "x", value)
		})
	}
}
