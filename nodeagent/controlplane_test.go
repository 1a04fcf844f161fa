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

package nodeagent

import (
	"sync"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	clienttesting "k8s.io/client-go/testing"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/generated/clientset/versioned/fake"
)

// fakeControlplane serves the controlplane watches of one Node from objects the
// test sets: every watch starts with them as ADDED events and a BOOKMARK, and
// later changes go to every open watch.
type fakeControlplane struct {
	client  *fake.Clientset
	mu      sync.Mutex
	objects map[string][]runtime.Object // resource -> objects
	watches map[string][]*watch.RaceFreeFakeWatcher
}

var controlplaneResources = []string{"networkpolicies", "appliedtogroups", "addressgroups"}

func newFakeControlplane(t *testing.T) *fakeControlplane {
	t.Helper()
	f := &fakeControlplane{client: fake.NewSimpleClientset(), objects: map[string][]runtime.Object{},
		watches: map[string][]*watch.RaceFreeFakeWatcher{}}
	for _, r := range controlplaneResources {
		f.client.PrependWatchReactor(r, f.reactor(r))
	}
	return f
}

func (f *fakeControlplane) reactor(resource string) clienttesting.WatchReactionFunc {
	return func(clienttesting.Action) (bool, watch.Interface, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		w := watch.NewRaceFreeFake()
		for _, o := range f.objects[resource] {
			w.Add(o.DeepCopyObject())
		}
		w.Action(watch.Bookmark, bookmarkOf(resource))
		f.watches[resource] = append(f.watches[resource], w)
		return true, w, nil
	}
}

func bookmarkOf(resource string) runtime.Object {
	switch resource {
	case "networkpolicies":
		return &v1beta2.NetworkPolicy{}
	case "appliedtogroups":
		return &v1beta2.AppliedToGroup{}
	default:
		return &v1beta2.AddressGroup{}
	}
}

// set replaces the objects of a resource for future watches (before the agent
// starts).
func (f *fakeControlplane) set(resource string, objs ...runtime.Object) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.objects[resource] = objs
}

// send delivers an event to every open watch of a resource.
func (f *fakeControlplane) send(resource string, typ watch.EventType, obj runtime.Object) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, w := range f.watches[resource] {
		w.Action(typ, obj.DeepCopyObject())
	}
}

// statusReports returns the NetworkPolicyStatus reports the agent posted.
func (f *fakeControlplane) statusReports() []*v1beta2.NetworkPolicyStatus {
	var out []*v1beta2.NetworkPolicyStatus
	for _, a := range f.client.Actions() {
		if c, ok := a.(clienttesting.CreateAction); ok && a.GetSubresource() == "status" {
			if st, ok := c.GetObject().(*v1beta2.NetworkPolicyStatus); ok {
				out = append(out, st)
			}
		}
	}
	return out
}
