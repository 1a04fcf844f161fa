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

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGoldenOfctlVectors: our encoder reproduces the bytes ovs-ofctl sent
// (TestOVSOfctlGoldens re-captures them), the bytes decode back to the same
// value, and String() renders the actions as ovs-ofctl ofp-print does.
func TestGoldenOfctlVectors(t *testing.T) {
	for _, tc := range allOfctlGoldens() {
		t.Run(tc.name, func(t *testing.T) {
			got := AppendMessage(nil, 0, tc.msg)
			require.Equal(t, hex.EncodeToString(unhex(t, tc.want)), hex.EncodeToString(got))
			_, back, err := DecodeMessage(got)
			require.NoError(t, err)
			assert.Empty(t, cmp.Diff(tc.msg, back, cmpOpts...))
			if tc.str != "" {
				fm, ok := back.(FlowMod)
				require.True(t, ok, "%T", back)
				assert.Equal(t, tc.str, fm.Flow.Instructions.String())
			}
		})
	}
}
