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

package podstartup

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/strata-net/strata/apis/controlplane"
)

// Confirm is one replica's part of a Pod start, whichever replica it was posted
// to: the Pod's addresses into this replica's computation, a progress BOOKMARK on
// its stores, then a wait until every Node of its span whose watch of a kind this
// replica serves acknowledged that kind. It returns the span and the (Node, kind)
// of the span served here and acknowledged at least up to the BOOKMARKs: a Node
// outside this replica's span is never covered by it, since this replica's
// computation does not give that Node the Pod's address.
func (b *Barrier) Confirm(ctx context.Context, s *controlplane.PodStartup) ([]string, Coverage, error) {
	list, target, err := b.publish(ctx, s)
	if err != nil {
		return nil, nil, err
	}
	served := b.served()
	need := Coverage{}
	for _, n := range list {
		if kinds := served[n]; kinds != 0 {
			need[n] = kinds
		}
	}
	if missing := b.cfg.Tracker.WaitKinds(ctx, need, target); missing != nil {
		return list, nil, &unacknowledgedError{nodes: missing}
	}
	return list, b.cfg.Tracker.Cover(need, target), nil
}

// unacknowledgedError names the Nodes served here that did not acknowledge.
type unacknowledgedError struct{ nodes []string }

func (e *unacknowledgedError) Error() string {
	return "not acknowledged by Node(s) " + strings.Join(e.nodes, ", ")
}

// served returns, per Node, the kinds whose watch this replica serves.
func (b *Barrier) served() Coverage {
	out := Coverage{}
	for i, st := range b.cfg.Stores {
		for n := range st.WatcherNodes() {
			out[n] |= 1 << i
		}
	}
	return out
}

// awaitWithPeers is the barrier of one replica among several: the other replicas
// do their part (Announce), this one its own (Confirm), and the Pod starts once
// every live replica confirmed and every Node of the span is covered of every
// kind by the replica that serves that watch.
func (b *Barrier) awaitWithPeers(ctx context.Context, s *controlplane.PodStartup, notReady func([]string, error) error) ([]string, error) {
	pending, err := b.cfg.Peers.Announce(ctx, s)
	if err != nil {
		return nil, notReady(nil, fmt.Errorf("announcing the Pod start to the other strata-apiserver replicas: %w", err))
	}
	defer pending.Close()
	list, local, err := b.Confirm(ctx, s)
	if unacked := (*unacknowledgedError)(nil); errors.As(err, &unacked) {
		return nil, notReady(unacked.nodes, nil)
	}
	if err != nil {
		return nil, notReady(nil, err)
	}
	if short := pending.Wait(ctx, local, list); short != nil {
		if len(short.Replicas) > 0 && len(short.Nodes) == 0 {
			return nil, notReady(nil, fmt.Errorf("strata-apiserver replica(s) of epoch %s did not confirm", strings.Join(short.Replicas, ", ")))
		}
		return nil, notReady(short.Nodes, nil)
	}
	return list, nil
}
