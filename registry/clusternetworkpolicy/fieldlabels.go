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
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/registry/storageutil"
)

// AddFieldLabelConversions lets the API server accept ?fieldSelector=spec.tier=<name>
// on ClusterNetworkPolicies (crd.antrea.io/v1beta1 and v1alpha1,
// security.antrea.tanzu.vmware.com/v1alpha1) and Antrea NetworkPolicies
// (crd.antrea.io/v1beta1), besides metadata.name (and metadata.namespace for
// NetworkPolicies). Without it the server rejects the selector with
// "field label not supported". strata-apiserver calls it once on its scheme
// (apis/scheme.Scheme) before installing the API groups; calling it again is harmless.
func AddFieldLabelConversions(s *runtime.Scheme) error {
	for _, gv := range servedVersions {
		if err := addFieldLabelConversion(s, gv.WithKind("ClusterNetworkPolicy"), "metadata.name"); err != nil {
			return err
		}
	}
	return addFieldLabelConversion(s, crdv1beta1.SchemeGroupVersion.WithKind("NetworkPolicy"), "metadata.name", "metadata.namespace")
}

func addFieldLabelConversion(s *runtime.Scheme, gvk schema.GroupVersionKind, metaLabels ...string) error {
	supported := append([]string{storageutil.SpecTierField}, metaLabels...)
	convert := func(label, value string) (string, string, error) {
		for _, l := range supported {
			if label == l {
				return label, value, nil
			}
		}
		return "", "", fmt.Errorf("field label %q is not supported for %s: use one of %v", label, gvk.Kind, supported)
	}
	if err := s.AddFieldLabelConversionFunc(gvk, convert); err != nil {
		return fmt.Errorf("registering the field label conversion of %s: %w", gvk, err)
	}
	return nil
}
