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
	"slices"
	"sync"
)

// Kinds are the controlplane resources, in the order of a Versions.
var Kinds = [3]string{"networkpolicies", "addressgroups", "appliedtogroups"}

// Versions are resourceVersions of the three controlplane stores, in Kinds order.
type Versions [3]int64

// Tracker keeps, per Node, the resourceVersions up to which its agent installed
// what its watches delivered, in this process's numbering (its epoch).
type Tracker struct {
	epoch   string
	mu      sync.Mutex
	acked   map[string]Versions
	changed chan struct{} // closed and replaced at every report
	forward Forwarder     // nil: no other replica
}

// NewTracker returns an empty tracker of the stores numbered by epoch.
func NewTracker(epoch string) *Tracker {
	return &Tracker{epoch: epoch, acked: map[string]Versions{}, changed: make(chan struct{})}
}

// Report records node's acknowledgement; versions never go back (a report that
// arrives late changes nothing).
func (t *Tracker) Report(node string, v Versions) {
	t.mu.Lock()
	defer t.mu.Unlock()
	cur := t.acked[node]
	for i := range v {
		cur[i] = max(cur[i], v[i])
	}
	t.acked[node] = cur
	close(t.changed)
	t.changed = make(chan struct{})
}

// Acked returns what node acknowledged.
func (t *Tracker) Acked(node string) Versions {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.acked[node]
}

// Wait blocks until every node acknowledged at least target, and returns the
// nodes that had not when ctx ended (nil once all have).
func (t *Tracker) Wait(ctx context.Context, nodes []string, target Versions) []string {
	need := make(Coverage, len(nodes))
	for _, n := range nodes {
		need[n] = allKinds
	}
	return t.WaitKinds(ctx, need, target)
}

// Forwarder hands a sync report of another live replica's epoch to that
// replica (replicas.Coordinator implements it); taken tells whether such a
// replica runs.
type Forwarder interface {
	ForwardSync(ctx context.Context, node, epoch string, v Versions) (taken bool, err error)
}

// ForwardTo makes the tracker hand the reports of other epochs to f. It is set
// before the tracker serves.
func (t *Tracker) ForwardTo(f Forwarder) { t.forward = f }

// ReportSync implements the nodesyncreports storage's Reporter. A report of this
// epoch is recorded; one of another live replica's epoch is forwarded to it; any
// other (resourceVersions of a previous process) means nothing and is not taken.
func (t *Tracker) ReportSync(ctx context.Context, node, epoch string, networkPolicies, addressGroups, appliedToGroups int64) (bool, error) {
	v := Versions{networkPolicies, addressGroups, appliedToGroups}
	if epoch == t.epoch {
		t.Report(node, v)
		return true, nil
	}
	if t.forward == nil {
		return false, nil
	}
	return t.forward.ForwardSync(ctx, node, epoch, v)
}

// reached returns the kinds of kinds (bits) whose acknowledged version is at
// least the target's.
func (v Versions) reached(target Versions, kinds uint8) uint8 {
	var out uint8
	for i := range v {
		bit := uint8(1) << i
		if kinds&bit != 0 && v[i] >= target[i] {
			out |= bit
		}
	}
	return out
}

// WaitKinds blocks until every node acknowledged target on the kinds need names
// for it (bits in Kinds order), and returns the nodes that had not when ctx ended
// (nil once all have).
func (t *Tracker) WaitKinds(ctx context.Context, need Coverage, target Versions) []string {
	for {
		t.mu.Lock()
		var missing []string
		for n, kinds := range need {
			if t.acked[n].reached(target, kinds) != kinds {
				missing = append(missing, n)
			}
		}
		changed := t.changed
		t.mu.Unlock()
		if len(missing) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			slices.Sort(missing)
			return missing
		case <-changed:
		}
	}
}

// Cover returns, of served (the kinds whose watch each Node has here), what was
// acknowledged at least up to target.
func (t *Tracker) Cover(served Coverage, target Versions) Coverage {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(Coverage, len(served))
	for n, kinds := range served {
		if got := t.acked[n].reached(target, kinds); got != 0 {
			out[n] = got
		}
	}
	return out
}

// Epoch is the numbering this tracker's versions are in.
func (t *Tracker) Epoch() string { return t.epoch }
