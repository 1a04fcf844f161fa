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

package validation

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd"
)

// Validate validates any internal crd.antrea.io object as on create. It returns an
// error for a kind it does not know.
func Validate(obj runtime.Object) (field.ErrorList, error) {
	switch o := obj.(type) {
	case *crd.Tier:
		return ValidateTier(o), nil
	case *crd.ClusterNetworkPolicy:
		return ValidateClusterNetworkPolicy(o), nil
	case *crd.NetworkPolicy:
		return ValidateNetworkPolicy(o), nil
	case *crd.ClusterGroup:
		return ValidateClusterGroup(o), nil
	case *crd.Group:
		return ValidateGroup(o), nil
	default:
		return nil, fmt.Errorf("no validation for %T", obj)
	}
}
