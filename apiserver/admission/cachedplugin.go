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
	"errors"
	"fmt"

	"k8s.io/apiserver/pkg/admission"
	"k8s.io/client-go/tools/cache"
)

// errNotReady is returned while the informers have not synced.
var errNotReady = errors.New("not yet ready to handle requests: the policy caches are syncing, retry shortly")

// cachedPlugin is what the validating plugins of one resource that read Strata's
// caches share: which requests they validate, the wait for the caches, and the
// check of their setup.
type cachedPlugin struct {
	*admission.Handler
	// name is the plugin's name, in errors.
	name string
	// resource is the resource validated, in crd.antrea.io and the legacy group.
	resource string
	// initErr is the error of adding the plugin's indexers.
	initErr error
}

func newCachedPlugin(name, resource string, ops ...admission.Operation) cachedPlugin {
	return cachedPlugin{Handler: admission.NewHandler(ops...), name: name, resource: resource}
}

// validates tells whether the plugin validates a request: one for its resource,
// refused with a 403 while the caches sync.
func (p *cachedPlugin) validates(a admission.Attributes) (bool, error) {
	if !isResource(a, p.resource) {
		return false, nil
	}
	if !p.WaitForReady() {
		return false, admission.NewForbidden(a, errNotReady)
	}
	return true, nil
}

// initialized is the result of ValidateInitialization: an error when the caches
// were not set (cachesSet false), or the error of adding the indexers.
func (p *cachedPlugin) initialized(cachesSet bool) error {
	if !cachesSet {
		return fmt.Errorf("%s: missing listers", p.name)
	}
	return p.initErr
}

// readyWhenSynced makes the plugin ready once every informer has synced.
func (p *cachedPlugin) readyWhenSynced(synced ...cache.InformerSynced) {
	p.SetReadyFunc(func() bool {
		for _, s := range synced {
			if !s() {
				return false
			}
		}
		return true
	})
}
