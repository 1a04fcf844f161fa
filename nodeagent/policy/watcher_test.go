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
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
)

// step is one scripted event of a fake watch; closeWatch ends the watch.
type step struct {
	ev         watch.Event
	closeWatch bool
}

func added(name string) step { return step{ev: watch.Event{Type: watch.Added, Object: ag(name)}} }
func modified(name string) step {
	return step{ev: watch.Event{Type: watch.Modified, Object: &v1beta2.AddressGroupPatch{
		ObjectMeta: metav1.ObjectMeta{Name: name}}}}
}
func deleted(name string) step { return step{ev: watch.Event{Type: watch.Deleted, Object: ag(name)}} }
func bookmarkStep() step {
	return step{ev: watch.Event{Type: watch.Bookmark, Object: bookmark(kindAddressGroups)}}
}
func closeStep() step { return step{closeWatch: true} }
func errorStep(code int32) step {
	return step{ev: watch.Event{Type: watch.Error, Object: &metav1.Status{Status: metav1.StatusFailure,
		Code: code, Reason: metav1.StatusReasonExpired, Message: "too old"}}}
}

// scriptedWatches hands out one fake watch per call, fed with the next script;
// a nil script makes the call fail. When the scripts are exhausted, watches stay
// silent.
type scriptedWatches struct {
	mu      sync.Mutex
	scripts [][]step
	opts    []metav1.ListOptions
}

func (s *scriptedWatches) watch(_ context.Context, opts metav1.ListOptions) (watch.Interface, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opts = append(s.opts, opts)
	w := watch.NewRaceFreeFake()
	if len(s.scripts) == 0 {
		return w, nil
	}
	script := s.scripts[0]
	s.scripts = s.scripts[1:]
	if script == nil {
		return nil, errors.New("connection refused")
	}
	for _, st := range script {
		if st.closeWatch {
			w.Stop()
			break
		}
		w.Action(st.ev.Type, st.ev.Object)
	}
	return w, nil
}

// opRecorder records what a watcher does to the cache, as strings.
type opRecorder struct {
	mu  sync.Mutex
	ops []string
	// failApply makes applying an event on this object fail.
	failApply string
}

func (r *opRecorder) replace(objs []runtime.Object) error {
	names := make([]string, 0, len(objs))
	for _, o := range objs {
		names = append(names, objectName(o))
	}
	r.record("replace[" + strings.Join(names, ",") + "]")
	return nil
}

func (r *opRecorder) apply(ev watch.Event) error {
	if objectName(ev.Object) == r.failApply {
		return fmt.Errorf("cannot apply %s", r.failApply)
	}
	r.record(string(ev.Type) + " " + objectName(ev.Object))
	return nil
}

func (r *opRecorder) record(op string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ops = append(r.ops, op)
}

func (r *opRecorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ops...)
}

func TestWatcherRun(t *testing.T) {
	tests := []struct {
		name      string
		scripts   [][]step
		failApply string
		want      []string
	}{
		{
			name:    "initial ADDED buffered until the BOOKMARK, then events one by one",
			scripts: [][]step{{added("a"), added("b"), bookmarkStep(), added("c"), modified("a"), deleted("b")}},
			want:    []string{"replace[a,b]", "ADDED c", "MODIFIED a", "DELETED b"},
		},
		{
			name:    "empty initial state",
			scripts: [][]step{{bookmarkStep(), added("a")}},
			want:    []string{"replace[]", "ADDED a"},
		},
		{
			name:    "later BOOKMARKs are ignored",
			scripts: [][]step{{bookmarkStep(), bookmarkStep(), added("a")}},
			want:    []string{"replace[]", "ADDED a"},
		},
		{
			name: "error event after sync: watch again, full replace",
			scripts: [][]step{{added("a"), bookmarkStep(), added("b"), errorStep(410), added("lost")},
				{added("b"), added("c"), bookmarkStep()}},
			want: []string{"replace[a]", "ADDED b", "replace[b,c]"},
		},
		{
			name:    "closed channel: watch again",
			scripts: [][]step{{added("a"), bookmarkStep(), closeStep()}, {bookmarkStep()}},
			want:    []string{"replace[a]", "replace[]"},
		},
		{
			name:    "closed before the BOOKMARK: nothing applied",
			scripts: [][]step{{added("a"), closeStep()}, {added("b"), bookmarkStep()}},
			want:    []string{"replace[b]"},
		},
		{
			name:    "error before the BOOKMARK",
			scripts: [][]step{{added("a"), errorStep(500)}, {added("b"), bookmarkStep()}},
			want:    []string{"replace[b]"},
		},
		{
			name:    "unexpected event type before the BOOKMARK",
			scripts: [][]step{{added("a"), modified("a")}, {added("a"), bookmarkStep()}},
			want:    []string{"replace[a]"},
		},
		{
			name:    "watch cannot start: retried",
			scripts: [][]step{nil, nil, {added("a"), bookmarkStep()}},
			want:    []string{"replace[a]"},
		},
		{
			name:      "an event that cannot be applied ends the watch",
			scripts:   [][]step{{bookmarkStep(), added("bad"), added("after")}, {added("bad"), bookmarkStep()}},
			failApply: "bad",
			want:      []string{"replace[]", "replace[bad]"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := &scriptedWatches{scripts: tc.scripts}
			rec := &opRecorder{failApply: tc.failApply}
			w := &watcher{kind: kindAddressGroups, node: testNode, timeout: time.Hour,
				backoff: Backoff{Initial: time.Millisecond, Max: 2 * time.Millisecond},
				watch:   src.watch, replace: rec.replace, apply: rec.apply, afterAny: func() {}}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { defer close(done); w.run(ctx) }()
			defer func() { cancel(); <-done }()

			eventually(t, func(c *assert.CollectT) { assert.Equal(c, tc.want, rec.get()) })
			eventually(t, func(c *assert.CollectT) { assert.Len(c, src.scriptsLeft(), 0) }, "all watches made")
			src.mu.Lock()
			defer src.mu.Unlock()
			for _, o := range src.opts {
				assert.Equal(t, "nodeName="+testNode, o.FieldSelector)
				assert.True(t, o.AllowWatchBookmarks)
			}
		})
	}
}

func (s *scriptedWatches) scriptsLeft() [][]step {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.scripts
}

func TestWatcherBookmarkTimeout(t *testing.T) {
	src := &scriptedWatches{scripts: [][]step{{added("a")}}}
	rec := &opRecorder{}
	w := &watcher{kind: kindAddressGroups, node: testNode, timeout: 20 * time.Millisecond,
		watch: src.watch, replace: rec.replace, apply: rec.apply, afterAny: func() {}}
	listed, err := w.watchOnce(context.Background())
	assert.False(t, listed)
	require.EqualError(t, err, "timed out after 20ms waiting for the BOOKMARK ending the initial "+
		"AddressGroups of Node node-a (1 ADDED received)")
	assert.Empty(t, rec.get())
}

func TestWatcherErrors(t *testing.T) {
	tests := []struct {
		name    string
		script  []step
		listed  bool
		wantErr string
	}{
		{name: "closed", script: []step{added("a"), closeStep()},
			wantErr: "before the initial BOOKMARK (1 ADDED received): watch channel closed"},
		{name: "expired", script: []step{bookmarkStep(), errorStep(410)}, listed: true, wantErr: "too old"},
		{name: "unexpected type", script: []step{{ev: watch.Event{Type: "WEIRD", Object: ag("a")}}},
			wantErr: "unexpected WEIRD event before the initial BOOKMARK"},
		{name: "unexpected object", script: []step{{ev: watch.Event{Type: watch.Added, Object: atg("a")}}, bookmarkStep()},
			wantErr: "replacing AddressGroups: unexpected object type *v1beta2.AppliedToGroup in the watch of AddressGroups"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := &scriptedWatches{scripts: [][]step{tc.script}}
			ops := groupWriter(addressGroups, src.watch, newRuleCache(cacheHooks{}))
			w := &watcher{kind: kindAddressGroups, node: testNode, timeout: time.Hour,
				watch: src.watch, replace: ops.replace, apply: ops.apply, afterAny: func() {}}
			listed, err := w.watchOnce(context.Background())
			assert.Equal(t, tc.listed, listed)
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}
