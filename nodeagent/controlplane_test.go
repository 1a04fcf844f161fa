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
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/rest"
	clienttesting "k8s.io/client-go/testing"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/generated/clientset/versioned"
	"github.com/strata-net/strata/generated/clientset/versioned/fake"
	"github.com/strata-net/strata/generated/clientset/versioned/scheme"
)

// fakeControlplane serves the controlplane watches of one Node from objects the
// test sets: every watch starts with them as ADDED events and a BOOKMARK, and
// later changes go to every open watch.
type fakeControlplane struct {
	client  *fake.Clientset
	mu      sync.Mutex
	objects map[string][]runtime.Object // resource -> objects
	watches map[string][]*fakeWatch
}

var controlplaneResources = []string{"networkpolicies", "appliedtogroups", "addressgroups"}

func newFakeControlplane(t testing.TB) *fakeControlplane {
	t.Helper()
	f := &fakeControlplane{client: fake.NewSimpleClientset(), objects: map[string][]runtime.Object{},
		watches: map[string][]*fakeWatch{}}
	for _, r := range controlplaneResources {
		f.client.PrependWatchReactor(r, f.reactor(r))
	}
	// Status reports succeed, as on strata-apiserver; statusReports reads them
	// from the action log.
	f.client.PrependReactor("create", "networkpolicies", func(a clienttesting.Action) (bool, runtime.Object, error) {
		if c, ok := a.(clienttesting.CreateAction); ok && a.GetSubresource() == "status" {
			return true, c.GetObject(), nil
		}
		return false, nil, nil
	})
	return f
}

func (f *fakeControlplane) reactor(resource string) clienttesting.WatchReactionFunc {
	return func(clienttesting.Action) (bool, watch.Interface, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		objs := f.objects[resource]
		w := newFakeWatch(len(objs) + 1 + watchBuffer)
		for _, o := range objs {
			w.send(watch.Event{Type: watch.Added, Object: o.DeepCopyObject()})
		}
		w.send(watch.Event{Type: watch.Bookmark, Object: bookmarkOf(resource)})
		f.watches[resource] = append(f.watches[resource], w)
		return true, w, nil
	}
}

// watchBuffer is how many events past the initial state a watch buffers before
// send waits for the agent to read.
const watchBuffer = 1024

// fakeWatch is a watch.Interface whose channel holds the whole initial state
// (the fake clientset's watchers hold 100 events). send waits while the
// channel is full, and returns at once once the watch is stopped.
type fakeWatch struct {
	ch       chan watch.Event
	done     chan struct{}
	stopOnce sync.Once
	mu       sync.Mutex // send and closing ch
	stopped  bool
}

func newFakeWatch(size int) *fakeWatch {
	return &fakeWatch{ch: make(chan watch.Event, size), done: make(chan struct{})}
}

func (w *fakeWatch) ResultChan() <-chan watch.Event { return w.ch }

func (w *fakeWatch) Stop() {
	w.stopOnce.Do(func() {
		close(w.done) // releases a waiting send before the lock is taken
		w.mu.Lock()
		defer w.mu.Unlock()
		w.stopped = true
		close(w.ch)
	})
}

func (w *fakeWatch) send(ev watch.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	select {
	case w.ch <- ev:
	case <-w.done:
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
		w.send(watch.Event{Type: typ, Object: obj.DeepCopyObject()})
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

// update replaces an object of a resource for future watches and sends it to
// the open ones as MODIFIED (ADDED when it is new).
func (f *fakeControlplane) update(resource string, obj runtime.Object) {
	name := objectName(obj)
	f.mu.Lock()
	typ := watch.Added
	objs := f.objects[resource]
	for i, o := range objs {
		if objectName(o) == name {
			objs[i], typ = obj, watch.Modified
		}
	}
	if typ == watch.Added {
		f.objects[resource] = append(objs, obj)
	}
	f.mu.Unlock()
	f.send(resource, typ, obj)
}

func objectName(obj runtime.Object) string {
	if o, ok := obj.(metav1.Object); ok {
		return o.GetName()
	}
	return ""
}

// controlplanePrefix is the path of the controlplane API.
const controlplanePrefix = "/apis/controlplane.antrea.io/v1beta2/"

// serveHTTP serves the fake controlplane on l, the way strata-apiserver does
// for the agent's REST client: the watches of the three resources (JSON
// watch events, objects with their kind) and the status reports. Both go
// through the fake clientset, so its reactors apply and statusReports sees the
// reports. The server stops when the test ends.
func (f *fakeControlplane) serveHTTP(t *testing.T, l net.Listener) {
	t.Helper()
	srv := &http.Server{Handler: http.HandlerFunc(f.handleHTTP), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Close()
		select {
		case err := <-done:
			if !errors.Is(err, http.ErrServerClosed) {
				t.Errorf("fake controlplane server: %v", err)
			}
		case <-ctx.Done():
			t.Error("the fake controlplane server did not stop within 10s")
		}
	})
}

// restClient is a real controlplane clientset for the server at addr.
func restClient(t *testing.T, addr string) versioned.Interface {
	t.Helper()
	c, err := versioned.NewForConfig(&rest.Config{Host: "http://" + addr, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fakeControlplane) handleHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, controlplanePrefix)
	if !ok {
		http.NotFound(w, r)
		return
	}
	parts := strings.Split(rest, "/")
	switch {
	case r.Method == http.MethodGet && len(parts) == 1 && r.URL.Query().Get("watch") == "true":
		f.serveWatch(w, r, parts[0])
	case r.Method == http.MethodPost && len(parts) == 3 && parts[0] == "networkpolicies" && parts[2] == "status":
		f.serveStatus(w, r, parts[1])
	default:
		http.Error(w, fmt.Sprintf("fake controlplane: %s %s is not served", r.Method, r.URL.Path), http.StatusNotFound)
	}
}

func (f *fakeControlplane) serveWatch(w http.ResponseWriter, r *http.Request, resource string) {
	opts := metav1.ListOptions{FieldSelector: r.URL.Query().Get("fieldSelector"), AllowWatchBookmarks: true}
	wi, err := f.client.InvokesWatch(clienttesting.NewRootWatchAction(v1beta2.SchemeGroupVersion.WithResource(resource), opts))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer wi.Stop()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	enc := json.NewEncoder(w)
	for {
		select {
		case <-r.Context().Done():
			return
		case ev, ok := <-wi.ResultChan():
			if !ok {
				return
			}
			raw, err := encodeWithKind(ev.Object)
			if err != nil {
				return
			}
			if err := enc.Encode(metav1.WatchEvent{Type: string(ev.Type), Object: runtime.RawExtension{Raw: raw}}); err != nil {
				return
			}
			if flusher != nil {
				flusher.Flush()
			}
		}
	}
}

// encodeWithKind encodes a copy of obj with its apiVersion and kind, which the
// client's watch decoder needs.
func encodeWithKind(obj runtime.Object) ([]byte, error) {
	gvks, _, err := scheme.Scheme.ObjectKinds(obj)
	if err != nil {
		return nil, err
	}
	obj = obj.DeepCopyObject()
	obj.GetObjectKind().SetGroupVersionKind(gvks[0])
	return json.Marshal(obj)
}

func (f *fakeControlplane) serveStatus(w http.ResponseWriter, r *http.Request, name string) {
	var st v1beta2.NetworkPolicyStatus
	if err := json.NewDecoder(r.Body).Decode(&st); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	out, err := f.client.ControlplaneV1beta2().NetworkPolicies().UpdateStatus(r.Context(), name, &st, metav1.CreateOptions{})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	raw, err := encodeWithKind(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_, _ = w.Write(raw)
}
