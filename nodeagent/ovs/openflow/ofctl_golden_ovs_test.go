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

package openflow

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOVSOfctlGoldens re-captures every golden vector from the installed
// ovs-ofctl through the transparent proxy and checks that the stored vector,
// our encoder and ovs-ofctl agree byte for byte.
func TestOVSOfctlGoldens(t *testing.T) {
	b := startBridge(t, Config{})
	p := startOfctlProxy(t, b.mgmt)
	for _, tc := range allOfctlGoldens() {
		t.Run(tc.name, func(t *testing.T) {
			typ := tc.msg.MsgType()
			msgs, err := p.run(b, typ, tc.cmd, "BR", tc.text)
			require.NoError(t, err)
			require.Len(t, msgs, 1)
			got := hex.EncodeToString(msgs[0])
			assert.Equal(t, hex.EncodeToString(unhex(t, tc.want)), got, "stored vector vs ovs-ofctl")
			assert.Equal(t, got, hex.EncodeToString(AppendMessage(nil, 0, tc.msg)), "ovs-ofctl vs our encoder")
		})
	}
}
