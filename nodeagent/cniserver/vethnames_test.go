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

package cniserver

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestVethNames(t *testing.T) {
	cases := []struct {
		name string
		out  string
		want []string
	}{
		{name: "none", out: ""},
		{name: "two veths", out: "5: cycler-1@if2: <BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue\\    link/ether 1a:2b\n" +
			"7: other-2@if3: <BROADCAST,MULTICAST> mtu 1500\\    link/ether 3c:4d\n",
			want: []string{"cycler-1", "other-2"}},
		{name: "a note line before the links", out: "Warning: Peer netns reference is invalid.\n" +
			"5: cycler-1@if2: <BROADCAST,MULTICAST,UP> mtu 1500\\    link/ether 1a:2b\n",
			want: []string{"cycler-1"}},
		{name: "a veth without a peer index", out: "9: lone: <BROADCAST> mtu 1500\n", want: []string{"lone"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, vethNames(tc.out))
		})
	}
}
