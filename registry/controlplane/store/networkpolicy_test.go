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
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/utils/ptr"

	"github.com/strata-net/strata/apis/controlplane"
)

var npSource = &controlplane.NetworkPolicyReference{
	Type: controlplane.AntreaClusterNetworkPolicy, Name: "acnp1", UID: "uid-np1",
}

// npObject is the internal NetworkPolicy np1 at generation gen with n rules.
func npObject(gen int64, rules int) *controlplane.NetworkPolicy {
	p := &controlplane.NetworkPolicy{
		ObjectMeta:      metav1.ObjectMeta{Name: "uid-np1", UID: "uid-np1", Generation: gen, Labels: map[string]string{"tier": "app"}},
		AppliedToGroups: []string{"atg1"},
		Priority:        ptr.To(1.5),
		TierPriority:    ptr.To[int32](250),
		SourceRef:       npSource,
	}
	for i := range rules {
		p.Rules = append(p.Rules, controlplane.NetworkPolicyRule{Direction: controlplane.DirectionIn, Priority: int32(i)})
	}
	return p
}

func networkPolicy(p *controlplane.NetworkPolicy, span sets.Set[string]) *NetworkPolicy {
	return &NetworkPolicy{Policy: p, Span: span}
}

func networkPolicySentinel(nodeNames []string) *NetworkPolicy {
	return &NetworkPolicy{Policy: &controlplane.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: sentinelName}}, Span: nodes(nodeNames...)}
}

func npBookmark(rv string) watch.Event {
	return bookmark(&controlplane.NetworkPolicy{}, rv, false)
}

// npDeleted is the object of the DELETED event of np1 at generation gen.
func npDeleted(gen int64) *controlplane.NetworkPolicy {
	return &controlplane.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "uid-np1", UID: "uid-np1", Generation: gen},
		SourceRef:  npSource,
	}
}

func TestNetworkPolicyWatch(t *testing.T) {
	v1, v2 := npObject(1, 1), npObject(2, 2)
	tests := []watchCase[*NetworkPolicy]{
		{
			name:    "nodeName selecting nothing",
			initial: []*NetworkPolicy{networkPolicy(v1, nodes("node1"))},
			ops:     []op[*NetworkPolicy]{{upsert: networkPolicy(v2, nodes("node1"))}},
			want:    map[string][]watch.Event{"node3": {npBookmark("1")}},
		},
		{
			name:    "nodeName provided",
			initial: []*NetworkPolicy{networkPolicy(v1, nodes("node1"))},
			ops:     []op[*NetworkPolicy]{{upsert: networkPolicy(v2, nodes("node1"))}, {delete: "uid-np1"}},
			want: map[string][]watch.Event{
				"node1": {
					{Type: watch.Added, Object: v1}, npBookmark("1"),
					{Type: watch.Modified, Object: v2},
					{Type: watch.Deleted, Object: npDeleted(2)},
				},
			},
		},
		{
			name:    "nodeName not provided sees policies with no span",
			initial: []*NetworkPolicy{networkPolicy(v1, nil)},
			ops:     []op[*NetworkPolicy]{{upsert: networkPolicy(v2, nodes())}},
			want: map[string][]watch.Event{
				"":      {{Type: watch.Added, Object: v1}, npBookmark("1"), {Type: watch.Modified, Object: v2}},
				"node1": {npBookmark("1")},
			},
		},
		{
			name:    "span growth and shrink",
			initial: []*NetworkPolicy{networkPolicy(v1, nodes("node1"))},
			ops:     []op[*NetworkPolicy]{{upsert: networkPolicy(v1, nodes("node2"))}},
			want: map[string][]watch.Event{
				"node1": {{Type: watch.Added, Object: v1}, npBookmark("1"), {Type: watch.Deleted, Object: npDeleted(1)}},
				"node2": {npBookmark("1"), {Type: watch.Added, Object: v1}},
				"":      {{Type: watch.Added, Object: v1}, npBookmark("1"), {Type: watch.Modified, Object: v1}},
			},
		},
		{
			name:    "no-op upsert of an equal policy",
			initial: []*NetworkPolicy{networkPolicy(v1, nodes("node1"))},
			ops:     []op[*NetworkPolicy]{{upsert: networkPolicy(npObject(1, 1), nodes("node1"))}},
			want:    map[string][]watch.Event{"node1": {{Type: watch.Added, Object: v1}, npBookmark("1")}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			runWatchCase(t, tc, NewNetworkPolicyStore, networkPolicySentinel)
		})
	}
}

func TestNetworkPolicyEventFuncRejectsMissingPolicy(t *testing.T) {
	_, err := NetworkPolicyEventFunc("np", nil, &NetworkPolicy{}, 1)
	require.Error(t, err)

	s := started(t, NewNetworkPolicyStore, Options{})
	assert.Error(t, s.Upsert(&NetworkPolicy{}), "no policy, so no name")
}
