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
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	clienttesting "k8s.io/client-go/testing"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/generated/clientset/versioned/fake"
)

var resources = [numKinds]string{"networkpolicies", "appliedtogroups", "addressgroups"}

// harness runs a Controller against a fake clientset whose watches are fake
// watchers handed to the test, one per watch call.
type harness struct {
	t        *testing.T
	client   *fake.Clientset
	rec      *fakeReconciler
	reporter *fakeReporter
	ctrl     *Controller
	watches  [numKinds]chan *watch.RaceFreeFakeWatcher

	mu        sync.Mutex
	down      bool     // watch calls fail: strata-apiserver unreachable
	selectors []string // field selectors of the watch calls
}

func newHarness(t *testing.T, configure func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, client: fake.NewSimpleClientset(), rec: newFakeReconciler(), reporter: &fakeReporter{}}
	for k := range numKinds {
		h.watches[k] = make(chan *watch.RaceFreeFakeWatcher, 100)
		h.client.PrependWatchReactor(resources[k], h.reactor(k))
	}
	cfg := Config{NodeName: testNode, Client: h.client, Reconciler: h.rec, StatusReporter: h.reporter,
		ResyncBackoff: Backoff{Initial: time.Millisecond, Max: 5 * time.Millisecond},
		RetryBackoff:  Backoff{Initial: time.Millisecond, Max: 5 * time.Millisecond},
		Timeouts:      Timeouts{InitialBookmark: time.Hour, Fallback: time.Hour},
	}
	if configure != nil {
		configure(&cfg)
	}
	ctrl, err := New(cfg)
	require.NoError(t, err)
	h.ctrl = ctrl
	return h
}

func (h *harness) reactor(k kind) clienttesting.WatchReactionFunc {
	return func(action clienttesting.Action) (bool, watch.Interface, error) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.selectors = append(h.selectors, action.(clienttesting.WatchAction).GetWatchRestrictions().Fields.String())
		if h.down {
			return true, nil, &unreachableError{}
		}
		w := watch.NewRaceFreeFake()
		h.watches[k] <- w
		return true, w, nil
	}
}

type unreachableError struct{}

func (*unreachableError) Error() string {
	return "dial tcp 10.96.0.10:443: connect: connection refused"
}

func (h *harness) setDown(down bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.down = down
}

// start runs the Controller until the test ends.
func (h *harness) start() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.ctrl.Run(ctx) }()
	h.t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(h.t, err)
		case <-time.After(10 * time.Second):
			h.t.Error("Run did not return")
		}
	})
}

// nextWatch returns the next watch of a kind.
func (h *harness) nextWatch(k kind) *watch.RaceFreeFakeWatcher {
	h.t.Helper()
	select {
	case w := <-h.watches[k]:
		return w
	case <-time.After(10 * time.Second):
		h.t.Fatalf("no watch of %s", k)
		return nil
	}
}

// bookmark is the event ending the initial state of a watch.
func bookmark(k kind) runtime.Object {
	meta := metav1.ObjectMeta{ResourceVersion: "7"}
	switch k {
	case kindPolicies:
		return &v1beta2.NetworkPolicy{ObjectMeta: meta}
	case kindAppliedToGroups:
		return &v1beta2.AppliedToGroup{ObjectMeta: meta}
	default:
		return &v1beta2.AddressGroup{ObjectMeta: meta}
	}
}

// initial sends objs as ADDED, then the BOOKMARK, on the next watch of k, and
// returns the watch.
func (h *harness) initial(k kind, objs ...runtime.Object) *watch.RaceFreeFakeWatcher {
	h.t.Helper()
	w := h.nextWatch(k)
	for _, o := range objs {
		w.Add(o)
	}
	w.Action(watch.Bookmark, bookmark(k))
	return w
}

// watchers are the current watches of the three kinds.
type watchers [numKinds]*watch.RaceFreeFakeWatcher

// syncAll syncs the three kinds and waits for the Controller to be synced.
func (h *harness) syncAll(nps []*v1beta2.NetworkPolicy, atgs []*v1beta2.AppliedToGroup, ags []*v1beta2.AddressGroup) watchers {
	h.t.Helper()
	var ws watchers
	ws[kindPolicies] = h.initial(kindPolicies, objects(nps)...)
	ws[kindAppliedToGroups] = h.initial(kindAppliedToGroups, objects(atgs)...)
	ws[kindAddressGroups] = h.initial(kindAddressGroups, objects(ags)...)
	eventually(h.t, func(c *assert.CollectT) { assert.True(c, h.ctrl.Synced()) }, "synced")
	return ws
}

func objects[T runtime.Object](in []T) []runtime.Object {
	out := make([]runtime.Object, 0, len(in))
	for _, o := range in {
		out = append(out, o)
	}
	return out
}
