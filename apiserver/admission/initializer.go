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

package admission

import (
	"k8s.io/apiserver/pkg/admission"
	genericadmissioninit "k8s.io/apiserver/pkg/admission/initializer"
	"k8s.io/apiserver/pkg/authorization/authorizer"

	informers "github.com/strata-net/strata/generated/informers/externalversions"
)

// WantsInformerFactory is implemented by plugins that read Strata's own resources.
type WantsInformerFactory interface {
	SetInformerFactory(informers.SharedInformerFactory)
	admission.InitializationValidator
}

// Initializer hands the informer factory of Strata's resources to the plugins, and
// the authorizer when set. Behind kube-apiserver the generic admission initializer
// hands the authorizer; standalone mode, which runs Strata's plugins alone, sets it
// here.
type Initializer struct {
	Informers  informers.SharedInformerFactory
	Authorizer authorizer.Authorizer
}

var _ admission.PluginInitializer = Initializer{}

// Initialize hands the informer factory, and the authorizer when set, to a plugin
// that wants them.
func (i Initializer) Initialize(plugin admission.Interface) {
	if wants, ok := plugin.(WantsInformerFactory); ok {
		wants.SetInformerFactory(i.Informers)
	}
	if wants, ok := plugin.(genericadmissioninit.WantsAuthorizer); ok && i.Authorizer != nil {
		wants.SetAuthorizer(i.Authorizer)
	}
}
