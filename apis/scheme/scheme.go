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

// Package scheme holds a runtime.Scheme with every API group of Strata installed:
// crd.antrea.io, the legacy security.antrea.tanzu.vmware.com and
// controlplane.antrea.io, each with its internal version, so that any served
// version decodes into the internal types, and system.antrea.io and stats.antrea.io
// (served version only).
package scheme

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"

	controlplaneinstall "github.com/strata-net/strata/apis/controlplane/install"
	crdinstall "github.com/strata-net/strata/apis/crd/install"
	securityinstall "github.com/strata-net/strata/apis/security/install"
	statsinstall "github.com/strata-net/strata/apis/stats/install"
	systeminstall "github.com/strata-net/strata/apis/system/install"
)

var (
	// Scheme knows every kind of every group and version of Strata.
	Scheme = runtime.NewScheme()
	// Codecs encodes and decodes the kinds of Scheme.
	Codecs = serializer.NewCodecFactory(Scheme)
	// ParameterCodec converts query parameters of Strata's API requests.
	ParameterCodec = runtime.NewParameterCodec(Scheme)
)

func init() {
	Install(Scheme)
}

// Install adds every group of Strata to a scheme, with the meta types an API server
// needs.
func Install(s *runtime.Scheme) {
	crdinstall.Install(s)
	securityinstall.Install(s)
	controlplaneinstall.Install(s)
	systeminstall.Install(s)
	statsinstall.Install(s)
	metav1.AddToGroupVersion(s, schema.GroupVersion{Version: "v1"})
	s.AddUnversionedTypes(schema.GroupVersion{Group: "", Version: "v1"},
		&metav1.Status{}, &metav1.APIVersions{}, &metav1.APIGroupList{}, &metav1.APIGroup{}, &metav1.APIResourceList{})
}
