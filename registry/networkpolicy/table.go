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

package networkpolicy

import (
	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/registry/storageutil"
)

// tableConvertor renders Antrea NetworkPolicies as
// NAME TIER PRIORITY DESIRED NODES CURRENT NODES AGE.
var tableConvertor = storageutil.TableConvertor[*crd.NetworkPolicy]{
	Columns: storageutil.PolicyColumns,
	Cells: func(p *crd.NetworkPolicy) []any {
		return storageutil.PolicyCells(&p.ObjectMeta, p.Spec.Tier, p.Spec.Priority, &p.Status)
	},
}
