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
	"errors"

	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/strata-net/strata/apis/controlplane"
)

// NetworkPolicy is a computed NetworkPolicy and the Nodes that need it.
type NetworkPolicy struct {
	// Policy is the internal API object; treated as immutable once stored.
	Policy *controlplane.NetworkPolicy
	// Span is the set of Nodes that need the policy (the union of the spans of its
	// AppliedToGroups); nil means not computed yet.
	Span sets.Set[string]
}

// Key implements Object: the policy's name.
func (p *NetworkPolicy) Key() string {
	if p.Policy == nil {
		return ""
	}
	return p.Policy.Name
}

// Labels implements Object.
func (p *NetworkPolicy) Labels() labels.Set {
	return p.Policy.Labels
}

// InSpan implements Object.
func (p *NetworkPolicy) InSpan(nodeName string) bool {
	return p.Span.Has(nodeName)
}

// NewNetworkPolicyStore returns a running store of NetworkPolicies.
func NewNetworkPolicyStore(opts Options) (*Store[*NetworkPolicy], error) {
	return New(Config[*NetworkPolicy]{
		Options:   opts,
		Resource:  "networkpolicies",
		EventFunc: NetworkPolicyEventFunc,
		NewObject: func() runtime.Object { return &controlplane.NetworkPolicy{} },
	})
}

// networkPolicyEvent is a change of a NetworkPolicy. Every watcher that sees the
// policy gets the same full object; the stored object is shared, not copied.
type networkPolicyEvent struct {
	prev, curr presence
	added      *watch.Event
	modified   *watch.Event
	deleted    *watch.Event
}

// NetworkPolicyEventFunc is the EventFunc of NetworkPolicies.
func NetworkPolicyEventFunc(_ string, prev, curr *NetworkPolicy, _ uint64) (Event, error) {
	if curr != nil && curr.Policy == nil {
		return nil, errors.New("networkpolicy without policy")
	}
	if prev != nil && curr != nil && networkPolicyEqual(prev, curr) {
		return nil, nil
	}
	ev := &networkPolicyEvent{}
	if prev != nil {
		ev.prev = presence{exists: true, span: prev.Span}
		ev.deleted = &watch.Event{Type: watch.Deleted, Object: networkPolicyStub(prev.Policy)}
	}
	if curr != nil {
		ev.curr = presence{exists: true, span: curr.Span}
		ev.added = &watch.Event{Type: watch.Added, Object: curr.Policy}
		ev.modified = &watch.Event{Type: watch.Modified, Object: curr.Policy}
	}
	return ev, nil
}

// ToWatchEvent implements Event.
func (e *networkPolicyEvent) ToWatchEvent(nodeName string, isInitial bool) *watch.Event {
	eventType := transition(e.prev.selects(nodeName), e.curr.selects(nodeName), isInitial)
	switch eventType {
	case watch.Added:
		return e.added
	case watch.Modified:
		return e.modified
	case watch.Deleted:
		return e.deleted
	default:
		return nil
	}
}

func networkPolicyEqual(a, b *NetworkPolicy) bool {
	return a.Span.Equal(b.Span) && (a.Policy == b.Policy || equality.Semantic.DeepEqual(a.Policy, b.Policy))
}

// networkPolicyStub is the object of a DELETED event: name, uid, generation and
// sourceRef.
func networkPolicyStub(p *controlplane.NetworkPolicy) *controlplane.NetworkPolicy {
	return &controlplane.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: p.Name, UID: p.UID, Generation: p.Generation},
		SourceRef:  p.SourceRef,
	}
}
