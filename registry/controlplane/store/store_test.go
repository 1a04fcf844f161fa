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
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/computed"
)

func namedGroup(name string, ms ...*controlplane.GroupMember) *computed.AddressGroup {
	return &computed.AddressGroup{Name: name, UID: types.UID("uid-" + name), Members: computed.MemberSet(ms...), Span: nodes("node1")}
}

func TestStoreWrites(t *testing.T) {
	a1, b1 := namedGroup("a", agPod1), namedGroup("b", agPod1)
	a2 := namedGroup("a", agPod2)
	tests := []struct {
		name     string
		ops      []op[*computed.AddressGroup]
		wantErr  error // of the last op; nil for none
		wantList []*computed.AddressGroup
		wantRV   uint64
	}{
		{name: "create", ops: []op[*computed.AddressGroup]{{upsert: a1}, {upsert: b1}}, wantList: []*computed.AddressGroup{a1, b1}, wantRV: 2},
		{name: "update", ops: []op[*computed.AddressGroup]{{upsert: a1}, {upsert: a2}}, wantList: []*computed.AddressGroup{a2}, wantRV: 2},
		{name: "same object again", ops: []op[*computed.AddressGroup]{{upsert: a1}, {upsert: a1}}, wantList: []*computed.AddressGroup{a1}, wantRV: 1},
		{name: "delete", ops: []op[*computed.AddressGroup]{{upsert: a1}, {upsert: b1}, {delete: "a"}}, wantList: []*computed.AddressGroup{b1}, wantRV: 3},
		{name: "delete a missing key", ops: []op[*computed.AddressGroup]{{upsert: a1}, {delete: "b"}}, wantErr: ErrNotFound, wantList: []*computed.AddressGroup{a1}, wantRV: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := started(t, NewAddressGroupStore, Options{})
			var err error
			for _, o := range tc.ops {
				if o.delete != "" {
					err = s.Delete(o.delete)
				} else {
					err = s.Upsert(o.upsert)
				}
			}
			if tc.wantErr != nil {
				assert.ErrorIs(t, err, tc.wantErr)
			} else {
				assert.NoError(t, err)
			}
			assert.Equal(t, tc.wantList, s.List())
			assert.Equal(t, tc.wantRV, s.ResourceVersion())
		})
	}
}

func TestStoreRejectsInvalidObjects(t *testing.T) {
	s := started(t, NewAddressGroupStore, Options{})
	assert.Error(t, s.Upsert(nil), "nil")
	assert.Error(t, s.Upsert(&computed.AddressGroup{}), "no name")
	assert.Empty(t, s.List())
}

func TestStoreNoOpKeepsLatestObject(t *testing.T) {
	s := started(t, NewAddressGroupStore, Options{})
	notComputed := &computed.AddressGroup{Name: "a", Members: computed.MemberSet(agPod1)}
	require.NoError(t, s.Upsert(notComputed))
	computed := &computed.AddressGroup{Name: "a", Members: notComputed.Members, Span: nodes()}
	require.NoError(t, s.Upsert(computed))

	got, ok := s.Get("a")
	require.True(t, ok)
	assert.Same(t, computed, got, "readers see the computed (empty) span")
	assert.Equal(t, uint64(1), s.ResourceVersion(), "no event, no new resourceVersion")
}

func TestStoreGetAndSelect(t *testing.T) {
	s := started(t, NewAddressGroupStore, Options{})
	a, b := namedGroup("a", agPod1), &computed.AddressGroup{Name: "b", Span: nodes("node2")}
	require.NoError(t, s.Upsert(a))
	require.NoError(t, s.Upsert(b))

	got, ok := s.Get("b")
	assert.True(t, ok)
	assert.Same(t, b, got)
	_, ok = s.Get("c")
	assert.False(t, ok)

	tests := []struct {
		name string
		sel  Selector
		want []*computed.AddressGroup
	}{
		{name: "everything", sel: Selector{}, want: []*computed.AddressGroup{a, b}},
		{name: "by Node", sel: Selector{NodeName: "node2"}, want: []*computed.AddressGroup{b}},
		{name: "by name", sel: Selector{Name: "a"}, want: []*computed.AddressGroup{a}},
		{name: "by name and another Node", sel: Selector{Name: "a", NodeName: "node2"}, want: nil},
		{name: "missing name", sel: Selector{Name: "c"}, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			items, rv := s.Select(tc.sel)
			assert.Equal(t, tc.want, items)
			assert.Equal(t, uint64(2), rv)
		})
	}
}

func TestStoreEventFuncError(t *testing.T) {
	boom := errors.New("boom")
	s, err := New(Config[*computed.AddressGroup]{
		Resource:  "addressgroups",
		EventFunc: func(string, *computed.AddressGroup, *computed.AddressGroup, uint64) (Event, error) { return nil, boom },
		NewObject: func() runtime.Object { return &controlplane.AddressGroup{} },
	})
	require.NoError(t, err)
	t.Cleanup(s.Stop)
	assert.ErrorIs(t, s.Upsert(namedGroup("a")), boom)
	assert.Empty(t, s.List(), "a failed write stores nothing")
}

func TestNewValidatesConfig(t *testing.T) {
	_, err := New(Config[*computed.AddressGroup]{Options: Options{WatcherBufferSize: -1}})
	require.Error(t, err)
	for _, want := range []string{"resource", "eventFunc", "newObject", "watcherBufferSize"} {
		assert.ErrorContains(t, err, want)
	}
}

func TestStop(t *testing.T) {
	s, err := NewAddressGroupStore(Options{})
	require.NoError(t, err)
	require.NoError(t, s.Upsert(namedGroup("a")))
	w, err := s.Watch(context.Background(), WatchOptions{})
	require.NoError(t, err)

	s.Stop()
	s.Stop() // idempotent
	assertClosed(t, w)
	assert.Equal(t, 0, s.WatchersNum())
	assert.ErrorIs(t, s.Upsert(namedGroup("b")), ErrStopped)
	assert.ErrorIs(t, s.Delete("a"), ErrStopped)
	_, err = s.Watch(context.Background(), WatchOptions{})
	assert.ErrorIs(t, err, ErrStopped)
}
