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
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"
)

// ResetFields returns, for every group-version in versions, the set of the one
// top-level field path (e.g. "status") that a strategy resets, in the shape of
// rest.ResetFieldsStrategy.GetResetFields.
func ResetFields(path string, versions ...schema.GroupVersion) map[fieldpath.APIVersion]*fieldpath.Set {
	fields := make(map[fieldpath.APIVersion]*fieldpath.Set, len(versions))
	for _, gv := range versions {
		fields[fieldpath.APIVersion(gv.String())] = fieldpath.NewSet(fieldpath.MakePathOrDie(path))
	}
	return fields
}
