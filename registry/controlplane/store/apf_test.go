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

package store

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/watch"
	utilflowcontrol "k8s.io/apiserver/pkg/util/flowcontrol"
)

// initSignal records API Priority and Fairness' watch-initialization signal.
type initSignal chan struct{}

func (s initSignal) Signal() { close(s) }

// Wait is the dispatcher's side, unused here.
func (s initSignal) Wait() { <-s }

func signalled(s initSignal) bool {
	select {
	case <-s:
		return true
	default:
		return false
	}
}

// TestWatchSignalsInitialization checks that a watch tells API Priority and
// Fairness when its initial state (the ADDED events and the BOOKMARK) is
// delivered, and not before: the request's seat is released then, not when the
// watch ends.
func TestWatchSignalsInitialization(t *testing.T) {
	s := started(t, NewAddressGroupStore, Options{})
	require.NoError(t, s.Upsert(addressGroup(nodes("node1"), agPod1)))
	sig := make(initSignal)
	ctx := utilflowcontrol.WithInitializationSignal(context.Background(), sig)
	w, err := s.Watch(ctx, WatchOptions{Selector: Selector{NodeName: "node1"}})
	require.NoError(t, err)
	t.Cleanup(w.Stop)

	timeout := time.NewTimer(10 * time.Second)
	defer timeout.Stop()
	for _, want := range []watch.EventType{watch.Added, watch.Bookmark} {
		require.False(t, signalled(sig), "signalled before the %s event was read", want)
		select {
		case ev := <-w.ResultChan():
			require.Equal(t, want, ev.Type)
		case <-timeout.C:
			t.Fatalf("waited 10s for the %s event", want)
		}
	}
	select {
	case <-sig:
	case <-timeout.C:
		t.Fatal("waited 10s for the initialization signal after the BOOKMARK")
	}
}
