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

package proxy

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
)

// serviceIndex indexes EndpointSlices by their Service's "namespace/name".
const serviceIndex = "service"

// sliceSelector is the EndpointSlices worth watching: those of a Service,
// less those of headless Services (kube-proxy's selector).
const sliceSelector = discoveryv1.LabelServiceName + ",!" + corev1.IsHeadlessService

// setUpInformers creates the Service and EndpointSlice informers, indexes
// the slices by Service and queues the Service of every event.
func (t *Tracker) setUpInformers() error {
	trim := informers.WithTransform(trimManagedFields)
	svcFactory := informers.NewSharedInformerFactoryWithOptions(t.cfg.Kube, t.cfg.Resync, trim)
	sliceFactory := informers.NewSharedInformerFactoryWithOptions(t.cfg.Kube, t.cfg.Resync, trim,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = sliceSelector }))
	t.factories = []informers.SharedInformerFactory{svcFactory, sliceFactory}
	t.services = svcFactory.Core().V1().Services().Informer()
	t.slices = sliceFactory.Discovery().V1().EndpointSlices().Informer()
	if err := t.slices.AddIndexers(cache.Indexers{serviceIndex: sliceServiceIndex}); err != nil {
		return fmt.Errorf("proxy: indexing EndpointSlices by Service: %w", err)
	}
	svcReg, err := t.services.AddEventHandler(t.handler(serviceRefOf))
	if err != nil {
		return fmt.Errorf("proxy: watching Services: %w", err)
	}
	sliceReg, err := t.slices.AddEventHandler(t.handler(sliceServiceRef))
	if err != nil {
		return fmt.Errorf("proxy: watching EndpointSlices: %w", err)
	}
	t.handlers = []cache.ResourceEventHandlerRegistration{svcReg, sliceReg}
	return nil
}

// handler queues the Service that ref names for every event, both the old
// and the new one when an update moves an EndpointSlice to another Service.
func (t *Tracker) handler(ref func(any) (ServiceRef, bool)) cache.ResourceEventHandler {
	add := func(obj any) {
		if r, ok := ref(obj); ok {
			t.queue.Add(r)
		}
	}
	return cache.ResourceEventHandlerFuncs{
		AddFunc: add,
		UpdateFunc: func(oldObj, newObj any) {
			add(oldObj)
			add(newObj)
		},
		DeleteFunc: add,
	}
}

// serviceRefOf names a Service (or the tombstone of one).
func serviceRefOf(obj any) (ServiceRef, bool) {
	svc, ok := untombstone(obj).(*corev1.Service)
	if !ok {
		return ServiceRef{}, false
	}
	return ServiceRef{Namespace: svc.Namespace, Name: svc.Name}, true
}

// sliceServiceRef names the Service of an EndpointSlice (or of the
// tombstone of one); false for a slice without the label.
func sliceServiceRef(obj any) (ServiceRef, bool) {
	s, ok := untombstone(obj).(*discoveryv1.EndpointSlice)
	if !ok || s.Labels[discoveryv1.LabelServiceName] == "" {
		return ServiceRef{}, false
	}
	return ServiceRef{Namespace: s.Namespace, Name: s.Labels[discoveryv1.LabelServiceName]}, true
}

func sliceServiceIndex(obj any) ([]string, error) {
	if r, ok := sliceServiceRef(obj); ok {
		return []string{r.String()}, nil
	}
	return nil, nil
}

func untombstone(obj any) any {
	if t, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return t.Obj
	}
	return obj
}

// trimManagedFields drops metadata.managedFields, which the Tracker never
// reads, from the cached objects (as kube-proxy).
func trimManagedFields(obj any) (any, error) {
	if a, err := meta.Accessor(obj); err == nil {
		a.SetManagedFields(nil)
	}
	return obj, nil
}
