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

package policy

import (
	"testing"

	"k8s.io/apimachinery/pkg/api/meta"
	kubeinformers "k8s.io/client-go/informers"
	kubefake "k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/cache"
)

func TestToCachedPod(t *testing.T) {
	api := apiPod("ns", "web", "n1", "10.0.0.1", map[string]string{"app": "web"})
	api.ResourceVersion = "7"
	api.Spec.ServiceAccountName = "sa"
	obj, err := toCachedPod(api)
	if err != nil {
		t.Fatal(err)
	}
	cp := obj.(*cachedPod)
	key, err := cache.MetaNamespaceKeyFunc(cp)
	if err != nil || key != "ns/web" {
		t.Fatalf("informer key %q, %v", key, err)
	}
	if m, err := meta.Accessor(cp); err != nil || m.GetResourceVersion() != "7" {
		t.Fatalf("the resourceVersion the informer tells updates by is lost: %v", err)
	}
	p := cp.pod
	if p.Namespace != "ns" || p.Name != "web" || p.NodeName != "n1" || len(p.IPs) != 1 || len(p.Ports) != 1 ||
		p.Labels["app"] != "web" || p.Labels[serviceAccountLabel] != "sa" {
		t.Fatalf("grouping Pod %+v", p)
	}
	if api.Labels[serviceAccountLabel] != "" {
		t.Fatal("the API object's labels were modified")
	}
	if again, _ := toCachedPod(cp); again != cp {
		t.Fatal("a cachedPod is transformed again")
	}
	if tomb := (cache.DeletedFinalStateUnknown{Key: "ns/web", Obj: cp}); mustTransform(t, tomb) != tomb {
		t.Fatal("a tombstone is transformed")
	}
	if c := cp.DeepCopyObject().(*cachedPod); c == cp || c.pod != p || c.Name != "web" {
		t.Fatalf("deep copy %+v", c)
	}
}

func mustTransform(t *testing.T, obj interface{}) interface{} {
	t.Helper()
	out, err := toCachedPod(obj)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPodInformerLeavesTheFactoryPodInformer(t *testing.T) {
	factory := kubeinformers.NewSharedInformerFactory(kubefake.NewSimpleClientset(), 0)
	ours, err := podInformer(factory)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := podInformer(factory); again != ours {
		t.Fatal("a second call made another informer")
	}
	if factory.Core().V1().Pods().Informer() == ours {
		t.Fatal("the factory's Pod informer is the computation's")
	}
}
