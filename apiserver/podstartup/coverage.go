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

	"github.com/strata-net/strata/apis/controlplane"
)

// Kind bits of a Coverage entry, in Kinds order.
const (
	networkPoliciesBit uint8 = 1 << iota
	addressGroupsBit
	appliedToGroupsBit
	allKinds = networkPoliciesBit | addressGroupsBit | appliedToGroupsBit
)

// Coverage is, per Node, the kinds (bits in Kinds order) whose watch a replica
// serves and whose acknowledgement reached that replica's target for a Pod start.
type Coverage map[string]uint8

// Add merges other into c.
func (c Coverage) Add(other Coverage) {
	for n, kinds := range other {
		c[n] |= kinds
	}
}

// Missing returns, sorted, the nodes of which some kind is not covered.
func (c Coverage) Missing(nodes []string) []string {
	var out []string
	for _, n := range nodes {
		if c[n] != allKinds {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// Peers are the other strata-apiserver replicas: each runs its part of a Pod
// start (the Pod's addresses into its computation, its watchers' acknowledgements)
// and confirms the Nodes it covers. replicas.Coordinator implements it.
type Peers interface {
	// Announce tells the other replicas that the Pod starts.
	Announce(ctx context.Context, s *controlplane.PodStartup) (Pending, error)
}

// Pending is an announced Pod start.
type Pending interface {
	// Wait blocks until every other live replica confirmed its part and, with
	// local, every node of nodes and of the other replicas' spans is covered of
	// every kind; it returns what is missing when ctx ends first.
	Wait(ctx context.Context, local Coverage, nodes []string) *Shortfall
	// Close withdraws the announcement.
	Close()
}

// Shortfall is what a Pod start still waits for: Nodes not covered, and the
// replicas (epochs) that did not confirm.
type Shortfall struct {
	Nodes    []string
	Replicas []string
}
