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
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/security"
)

// equivalentResources declares that a resource of the legacy group
// security.antrea.tanzu.vmware.com is the same resource as crd.antrea.io's of
// the same name: both groups read and write one set of objects (one storage). A
// ValidatingAdmissionPolicy, MutatingAdmissionPolicy or admission webhook written
// for crd.antrea.io with matchPolicy Equivalent then also sees writes through the
// legacy group (and the other way round), as kube-apiserver's do for the
// resources it serves in several groups.
func equivalentResources() runtime.EquivalentResourceRegistry {
	return runtime.NewEquivalentResourceRegistryWithIdentity(policyResourceIdentity)
}

// policyResourceIdentity is the identity of a resource: the crd.antrea.io name
// of a policy resource of either group; "" (the group and resource themselves)
// for everything else.
func policyResourceIdentity(gr schema.GroupResource) string {
	if gr.Group == crd.GroupName || gr.Group == security.GroupName {
		return schema.GroupResource{Group: crd.GroupName, Resource: gr.Resource}.String()
	}
	return ""
}
