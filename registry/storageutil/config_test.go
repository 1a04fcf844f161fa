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
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/security"
)

func TestConfigComplete(t *testing.T) {
	def, legacy := crd.Resource("tiers"), security.Resource("tiers")
	tests := []struct {
		name         string
		cfg          Config
		wantResource schema.GroupResource
		wantErr      bool
	}{
		{name: "default resource", cfg: Config{RESTOptionsGetter: prefixGetter{}}, wantResource: def},
		{name: "explicit default", cfg: Config{RESTOptionsGetter: prefixGetter{}, Resource: def}, wantResource: def},
		{name: "alternative", cfg: Config{RESTOptionsGetter: prefixGetter{}, Resource: legacy}, wantResource: legacy},
		{name: "no getter", cfg: Config{Resource: def}, wantErr: true},
		{name: "unknown resource", cfg: Config{RESTOptionsGetter: prefixGetter{}, Resource: crd.Resource("groups")}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.cfg.Complete(def, legacy)
			if tc.wantErr {
				assert.Error(t, err)
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, tc.wantResource, got.Resource)
			assert.Equal(t, schema.GroupResource{Group: tc.wantResource.Group, Resource: "tier"}, got.Singular("tier"))
		})
	}
}
