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

package v1beta2

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
)

// NodeNameField is the field label agents use to watch only their Node's objects:
// ?fieldSelector=nodeName=<node>.
const NodeNameField = "nodeName"

// addFieldLabelConversions allows the metadata.name and nodeName field selectors on
// the three watchable kinds; without it the apiserver rejects ?fieldSelector=nodeName.
func addFieldLabelConversions(scheme *runtime.Scheme) error {
	for _, kind := range []string{"NetworkPolicy", "AddressGroup", "AppliedToGroup"} {
		gvk := SchemeGroupVersion.WithKind(kind)
		if err := scheme.AddFieldLabelConversionFunc(gvk, convertFieldLabel(kind)); err != nil {
			return fmt.Errorf("registering field label conversion for %s: %w", kind, err)
		}
	}
	return nil
}

func convertFieldLabel(kind string) runtime.FieldLabelConversionFunc {
	return func(label, value string) (string, string, error) {
		switch label {
		case "metadata.name", NodeNameField:
			return label, value, nil
		default:
			return "", "", fmt.Errorf("field label %q is not supported for %s: use metadata.name or %s", label, kind, NodeNameField)
		}
	}
}
