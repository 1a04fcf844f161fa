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
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
)

func TestResetFields(t *testing.T) {
	got := ResetFields("status",
		schema.GroupVersion{Group: "crd.antrea.io", Version: "v1beta1"},
		schema.GroupVersion{Group: "security.antrea.tanzu.vmware.com", Version: "v1alpha1"})
	want := fieldpath.NewSet(fieldpath.MakePathOrDie("status"))
	assert.Len(t, got, 2)
	for _, v := range []fieldpath.APIVersion{"crd.antrea.io/v1beta1", "security.antrea.tanzu.vmware.com/v1alpha1"} {
		if assert.Contains(t, got, v) {
			assert.True(t, want.Equals(got[v]), "%s: %s", v, got[v])
		}
	}
}
