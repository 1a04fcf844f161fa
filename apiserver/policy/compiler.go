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
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/apiserver/policy/grouping"
)

// dirtySets is the work the next pass must do.
type dirtySets struct {
	policies       sets.Set[string] // source keys to compile again
	clusterGroups  sets.Set[string] // ClusterGroup names to compile again
	groups         []*group         // groups whose members to recompute (group.dirty)
	spans          sets.Set[string] // policy keys whose span to recompute
	addressSpans   sets.Set[string] // AddressGroup names whose span to recompute
	addressPublish sets.Set[string] // AddressGroup names to publish
}

func newDirtySets() dirtySets {
	return dirtySets{
		policies: sets.New[string](), clusterGroups: sets.New[string](),
		spans: sets.New[string](), addressSpans: sets.New[string](), addressPublish: sets.New[string](),
	}
}

// resetSet empties a dirty set. A set that held many keys (a full sync's) is
// replaced, not cleared: a Go map keeps its capacity, and clearing or ranging over
// it would cost that capacity on every later pass.
func resetSet[T comparable](s *sets.Set[T]) {
	switch n := s.Len(); {
	case n == 0:
	case n > 1024:
		*s = sets.New[T]()
	default:
		s.Clear()
	}
}

func (d dirtySets) empty() bool {
	return d.policies.Len()+d.clusterGroups.Len()+len(d.groups)+d.spans.Len()+d.addressSpans.Len()+d.addressPublish.Len() == 0
}

// Compiler compiles the policy objects (ClusterNetworkPolicies, Antrea and
// Kubernetes NetworkPolicies, upstream ClusterNetworkPolicies) with the
// ClusterGroups and Groups they use into controlplane NetworkPolicies,
// AddressGroups and AppliedToGroups with their spans, incrementally. It holds the
// state of the computation: the grouping index, the compiled policies, the groups
// they use (groupState), and the work still to do. Its methods run with mu held; a
// pass (Process) drains the dirty sets in dependency order:
//
//	ClusterGroups ─► policies (compile, acquire/release groups)
//	             ─► groups (members; AppliedToGroup spans)
//	             ─► policy spans ─► AddressGroup spans ─► publish
type Compiler struct {
	mu            sync.Mutex
	sink          Sink
	sources       Sources
	index         *grouping.Index
	groups        *groupState
	policies      map[string]*policy
	clusterGroups clusterGroupSet
	// clusterGroupUsers maps a ClusterGroup to the policies that reference it.
	clusterGroupUsers map[string]sets.Set[string]
	// waitingForTier maps Antrea-native policies waiting for their Tier to the Tier's name.
	waitingForTier map[string]string
	// waitingForTierUIDs are the UIDs of the policies waiting for their Tier the
	// IssueSink was told of, by key.
	waitingForTierUIDs map[string]types.UID
	// perNamespace are the policies compiled per Namespace (namespaces: match Self).
	perNamespace sets.Set[string]
	// nodes are the Nodes, for node selectors.
	nodes map[string]*nodeEntry
	// loggingNamespaces are the Namespaces whose K8s NetworkPolicies log
	// (NamespaceLoggingAnnotation).
	loggingNamespaces sets.Set[string]
	dirty             dirtySets
	// selectors interns the selectors compiled in one Process.
	selectors selectorInterner
	wake      chan struct{}
}

// NewCompiler returns an empty computation publishing to sink and reading source
// objects from sources.
func NewCompiler(sink Sink, sources Sources) *Compiler {
	registerMetrics()
	c := &Compiler{
		sink:               sink,
		sources:            sources,
		index:              grouping.New(),
		policies:           map[string]*policy{},
		clusterGroups:      clusterGroupSet{},
		clusterGroupUsers:  map[string]sets.Set[string]{},
		waitingForTier:     map[string]string{},
		waitingForTierUIDs: map[string]types.UID{},
		perNamespace:       sets.New[string](),
		nodes:              map[string]*nodeEntry{},
		loggingNamespaces:  sets.New[string](),
		dirty:              newDirtySets(),
		wake:               make(chan struct{}, 1),
	}
	c.groups = newGroupState(c.index, c.clusterGroups, c)
	return c
}

// signal wakes the processing loop; it never blocks.
func (c *Compiler) signal() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Pending tells whether work is waiting.
func (c *Compiler) Pending() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.dirty.empty()
}

// Process runs passes until no work is left.
func (c *Compiler) Process() {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.selectors.reset()
	for !c.dirty.empty() {
		c.pass()
	}
}

func (c *Compiler) pass() {
	start := time.Now()
	passSize.Observe(float64(c.dirty.policies.Len() + c.dirty.clusterGroups.Len() + len(c.dirty.groups) +
		c.dirty.spans.Len() + c.dirty.addressSpans.Len() + c.dirty.addressPublish.Len()))
	defer func() { passDuration.Observe(time.Since(start).Seconds()) }()
	for name := range c.dirty.clusterGroups {
		c.syncClusterGroup(name)
	}
	resetSet(&c.dirty.clusterGroups)
	c.syncDirtyPolicies()
	resetSet(&c.dirty.policies)
	c.recomputeDirtyGroups()
	c.syncDirtySpans()
	resetSet(&c.dirty.spans)
	for name := range c.dirty.addressSpans {
		c.syncAddressSpan(name)
	}
	resetSet(&c.dirty.addressSpans)
	for name := range c.dirty.addressPublish {
		if g := c.groups.get(groupID{addressKind, name}); g != nil {
			c.publishAddressGroup(g)
		}
	}
	resetSet(&c.dirty.addressPublish)
}

func (c *Compiler) reportSinkError(kind, name string, err error) {
	klog.ErrorS(err, "Publishing a computed object failed", "kind", kind, "name", name)
}
