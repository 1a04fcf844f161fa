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

package v1alpha2

import (
	"k8s.io/apimachinery/pkg/conversion"

	"github.com/strata-net/strata/apis/crd"
)

// Convert_v1alpha2_GroupSpec_To_crd_GroupSpec converts the deprecated singular
// ipBlock into the first element of ipBlocks; nothing else differs.
func Convert_v1alpha2_GroupSpec_To_crd_GroupSpec(in *GroupSpec, out *crd.GroupSpec, s conversion.Scope) error { //nolint:revive // name required by conversion-gen
	if err := autoConvert_v1alpha2_GroupSpec_To_crd_GroupSpec(in, out, s); err != nil {
		return err
	}
	if in.IPBlock != nil {
		single := crd.IPBlock{CIDR: in.IPBlock.CIDR, Except: in.IPBlock.Except}
		out.IPBlocks = append([]crd.IPBlock{single}, out.IPBlocks...)
	}
	return nil
}
