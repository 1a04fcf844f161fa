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

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/computed"
)

func TestDiffMembers(t *testing.T) {
	changed := podMember("ns1", "pod1", "10.0.0.1")
	changed.Ports = []controlplane.NamedPort{{Name: "dns", Port: 53}}
	tests := []struct {
		name                   string
		prev, curr             map[string]*controlplane.GroupMember
		wantAdded, wantRemoved []controlplane.GroupMember
	}{
		{name: "same pointers", prev: computed.MemberSet(agPod1, agPod2), curr: computed.MemberSet(agPod1, agPod2)},
		{name: "equal copies", prev: computed.MemberSet(agPod1), curr: computed.MemberSet(podMember("ns1", "pod1", "10.0.0.1"))},
		{name: "added and removed, sorted", prev: computed.MemberSet(agPod3, agPod1), curr: computed.MemberSet(agPod2, agPod1),
			wantAdded: members(agPod2), wantRemoved: members(agPod3)},
		{name: "content changed under the same key", prev: computed.MemberSet(agPod1), curr: computed.MemberSet(changed), wantAdded: members(changed)},
		{name: "from nothing", curr: computed.MemberSet(agPod2, agPod1), wantAdded: members(agPod1, agPod2)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			added, removed := diffMembers(tc.prev, tc.curr)
			assert.Equal(t, tc.wantAdded, added)
			assert.Equal(t, tc.wantRemoved, removed)
		})
	}
}
