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

package storageutil

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/security"
)

// prefixGetter answers with the resource prefix of the resource it is asked for, like
// the server's SimpleStorageFactory.
type prefixGetter struct{}

func (prefixGetter) GetRESTOptions(r schema.GroupResource, _ runtime.Object) (generic.RESTOptions, error) {
	return generic.RESTOptions{ResourcePrefix: r.Group + "/" + r.Resource}, nil
}

func TestLegacyRESTOptionsGetter(t *testing.T) {
	getter := NewLegacyRESTOptionsGetter(prefixGetter{})
	tests := []struct {
		name       string
		resource   schema.GroupResource
		wantPrefix string
	}{
		{name: "legacy tiers", resource: security.Resource("tiers"), wantPrefix: "crd.antrea.io/tiers"},
		{name: "legacy policies", resource: security.Resource("clusternetworkpolicies"), wantPrefix: "crd.antrea.io/clusternetworkpolicies"},
		{name: "crd tiers unchanged", resource: crd.Resource("tiers"), wantPrefix: "crd.antrea.io/tiers"},
		{name: "other resources unchanged", resource: crd.Resource("clustergroups"), wantPrefix: "crd.antrea.io/clustergroups"},
		{name: "unknown legacy resource unchanged", resource: security.Resource("networkpolicies"), wantPrefix: "security.antrea.tanzu.vmware.com/networkpolicies"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts, err := getter.GetRESTOptions(tc.resource, &crd.Tier{})
			require.NoError(t, err)
			assert.Equal(t, tc.wantPrefix, opts.ResourcePrefix)
		})
	}
}

func TestAliasRESTOptionsGetterCopiesAliases(t *testing.T) {
	aliases := map[schema.GroupResource]schema.GroupResource{{Group: "a", Resource: "x"}: {Group: "b", Resource: "x"}}
	getter := NewAliasRESTOptionsGetter(prefixGetter{}, aliases)
	delete(aliases, schema.GroupResource{Group: "a", Resource: "x"})
	opts, err := getter.GetRESTOptions(schema.GroupResource{Group: "a", Resource: "x"}, nil)
	require.NoError(t, err)
	assert.Equal(t, "b/x", opts.ResourcePrefix)
}
