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
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecode checks that DecodeMessage never panics and that whatever it
// accepts re-encodes to a message that decodes to the same value.
//
//	go test -run '^$' -fuzz FuzzDecode -fuzztime 60s ./nodeagent/ovs/openflow
func FuzzDecode(f *testing.F) {
	for i, mc := range sweepMessages() {
		f.Add(AppendMessage(nil, uint32(i), mc.msg))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, m, err := DecodeMessage(data)
		if err != nil {
			return
		}
		b, err := Encode(1, m)
		if err != nil {
			return // canonical form may be longer than 64 KiB
		}
		_, m2, err := DecodeMessage(b)
		if err != nil {
			t.Fatalf("re-encoded %T does not decode: %v\n%x", m, err, b)
		}
		if d := cmp.Diff(m, m2, cmpOpts...); d != "" {
			t.Fatalf("decode(encode(decode(x))) != decode(x):\n%s", d)
		}
	})
}
