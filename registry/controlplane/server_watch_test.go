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

package controlplane_test

import (
	"context"
	"encoding/json"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/utils/ptr"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/apiserver/computed"
	"github.com/strata-net/strata/registry/controlplane/store"
)

func member(name, ip string) *controlplane.GroupMember {
	return &controlplane.GroupMember{
		Pod: &controlplane.PodReference{Namespace: "ns", Name: name},
		IPs: []controlplane.IPAddress{controlplane.IPAddress(net.ParseIP(ip))},
	}
}

func wireMember(name, ip string) v1beta2.GroupMember {
	return v1beta2.GroupMember{
		Pod: &v1beta2.PodReference{Namespace: "ns", Name: name},
		IPs: []v1beta2.IPAddress{v1beta2.IPAddress(net.ParseIP(ip))},
	}
}

// next reads one event and clears its TypeMeta, which the wire sets.
func next(t *testing.T, w watch.Interface) watch.Event {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		require.True(t, ok, "watch ended")
		ev.Object.GetObjectKind().SetGroupVersionKind(schema.GroupVersionKind{})
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10s")
		return watch.Event{}
	}
}

// TestServeAgentWatch watches AddressGroups like a node agent, over HTTP and JSON:
// fieldSelector=nodeName, watch-list semantics, patches, span changes.
func TestServeAgentWatch(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	web1, web2 := member("web1", "10.0.0.1"), member("web2", "10.0.0.2")
	ags := s.stores.AddressGroups
	require.NoError(t, ags.Upsert(&computed.AddressGroup{Name: "ag1", UID: "uid1", Members: computed.MemberSet(web1), Span: sets.New("node1")}))
	require.NoError(t, ags.Upsert(&computed.AddressGroup{Name: "ag2", UID: "uid2", Members: computed.MemberSet(web2), Span: sets.New("node2")}))

	w, err := s.client.ControlplaneV1beta2().AddressGroups().Watch(ctx, metav1.ListOptions{
		FieldSelector:        "nodeName=node1",
		SendInitialEvents:    ptr.To(true),
		AllowWatchBookmarks:  true,
		ResourceVersionMatch: metav1.ResourceVersionMatchNotOlderThan,
	})
	require.NoError(t, err)
	defer w.Stop()
	meta := metav1.ObjectMeta{Name: "ag1", UID: "uid1"}
	assert.Equal(t, watch.Event{Type: watch.Added, Object: &v1beta2.AddressGroup{
		ObjectMeta: meta, GroupMembers: []v1beta2.GroupMember{wireMember("web1", "10.0.0.1")},
	}}, next(t, w))
	assert.Equal(t, watch.Event{Type: watch.Bookmark, Object: &v1beta2.AddressGroup{ObjectMeta: metav1.ObjectMeta{
		ResourceVersion: "2", Annotations: map[string]string{metav1.InitialEventsAnnotationKey: "true"},
	}}}, next(t, w))

	require.NoError(t, ags.Upsert(&computed.AddressGroup{Name: "ag1", UID: "uid1", Members: computed.MemberSet(web1, web2), Span: sets.New("node1")}))
	assert.Equal(t, watch.Event{Type: watch.Modified, Object: &v1beta2.AddressGroupPatch{
		ObjectMeta: meta, AddedGroupMembers: []v1beta2.GroupMember{wireMember("web2", "10.0.0.2")},
	}}, next(t, w))

	require.NoError(t, ags.Upsert(&computed.AddressGroup{Name: "ag1", UID: "uid1", Members: computed.MemberSet(web1, web2), Span: sets.New("node2")}))
	assert.Equal(t, watch.Event{Type: watch.Deleted, Object: &v1beta2.AddressGroup{ObjectMeta: meta}}, next(t, w))
}

func TestServeGetListAndSelectors(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	require.NoError(t, s.stores.AddressGroups.Upsert(&computed.AddressGroup{Name: "ag1", UID: "uid1", Members: computed.MemberSet(member("web1", "10.0.0.1")), Span: sets.New("node1")}))
	client := s.client.ControlplaneV1beta2().AddressGroups()

	got, err := client.Get(ctx, "ag1", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, []v1beta2.GroupMember{wireMember("web1", "10.0.0.1")}, got.GroupMembers)
	_, err = client.Get(ctx, "ag2", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "error %v", err)

	tests := []struct {
		name      string
		selector  string
		wantNames []string
		wantErr   func(error) bool
	}{
		{name: "the Node's groups", selector: "nodeName=node1", wantNames: []string{"ag1"}},
		{name: "another Node", selector: "nodeName=node2", wantNames: nil},
		{name: "by name", selector: "metadata.name=ag1", wantNames: []string{"ag1"}},
		{name: "unsupported field", selector: "spec.tier=x", wantErr: apierrors.IsBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, err := client.List(ctx, metav1.ListOptions{FieldSelector: tc.selector})
			if tc.wantErr != nil {
				assert.True(t, tc.wantErr(err), "error %v", err)
				return
			}
			require.NoError(t, err)
			var names []string
			for _, g := range list.Items {
				names = append(names, g.Name)
			}
			assert.Equal(t, tc.wantNames, names)
		})
	}
}

func TestServeStatus(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	client := s.client.ControlplaneV1beta2().NetworkPolicies()
	status := &v1beta2.NetworkPolicyStatus{
		ObjectMeta: metav1.ObjectMeta{Name: "uid-np1"},
		Nodes:      []v1beta2.NetworkPolicyNodeStatus{{NodeName: "node1", Generation: 3}},
	}
	_, err := client.UpdateStatus(ctx, "uid-np1", status, metav1.CreateOptions{})
	require.NoError(t, err)
	reports := s.reporter.all()
	require.Len(t, reports, 1)
	assert.Equal(t, "uid-np1", reports[0].Name)
	assert.Equal(t, []controlplane.NetworkPolicyNodeStatus{{NodeName: "node1", Generation: 3}}, reports[0].Nodes)

	_, err = client.UpdateStatus(ctx, "uid-other", status, metav1.CreateOptions{})
	assert.True(t, apierrors.IsInvalid(err), "name mismatch: %v", err)
	assert.Len(t, s.reporter.all(), 1)
}

func TestServeTable(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	p := &controlplane.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "uid-np1", UID: "uid-np1"},
		Rules:      []controlplane.NetworkPolicyRule{{Direction: controlplane.DirectionIn}, {Direction: controlplane.DirectionOut}},
		Priority:   ptr.To(5.5), TierPriority: ptr.To[int32](250),
		SourceRef: &controlplane.NetworkPolicyReference{Type: controlplane.AntreaClusterNetworkPolicy, Name: "acnp1"},
	}
	require.NoError(t, s.stores.NetworkPolicies.Upsert(&store.NetworkPolicy{Policy: p, Span: sets.New("node1", "node2")}))

	raw, err := s.client.ControlplaneV1beta2().RESTClient().Get().Resource("networkpolicies").
		SetHeader("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io").Do(ctx).Raw()
	require.NoError(t, err)
	var table metav1.Table
	require.NoError(t, json.Unmarshal(raw, &table))
	var columns []string
	for _, c := range table.ColumnDefinitions {
		columns = append(columns, c.Name)
	}
	assert.Equal(t, []string{"Name", "Source", "Tier-Priority", "Priority", "Rules", "Nodes", "Age"}, columns)
	require.Len(t, table.Rows, 1)
	assert.Equal(t, []any{"uid-np1", "AntreaClusterNetworkPolicy:acnp1", float64(250), 5.5, float64(2), float64(2), "<unknown>"}, table.Rows[0].Cells)
}
