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
)

// BenchmarkEncodeFlowMod encodes the conj_id action flow (set_field + ct
// with nested set_field) into a reused buffer: the per-flow cost of the
// wire encoding, which must not allocate.
func BenchmarkEncodeFlowMod(b *testing.B) {
	fm := AddFlow(conjActionFlow)
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = Append(buf[:0], 1, fm)
	}
	b.SetBytes(int64(len(buf)))
}

// BenchmarkEncodeBundleAdd is the same flow wrapped in BUNDLE_ADD_MESSAGE,
// as streamed by Bundle.AddFlowMods.
func BenchmarkEncodeBundleAdd(b *testing.B) {
	fm := AddFlow(conjActionFlow)
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = appendBundleAdd(buf[:0], 1, 7, BundleAtomic|BundleOrdered, fm)
	}
	b.SetBytes(int64(len(buf)))
}

// BenchmarkBuildFlow is the one-time cost of building a typed flow value
// (canonical match + encoded instructions), paid when a flow is computed,
// not when it is (re)sent.
func BenchmarkBuildFlow(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = Flow{Table: 13, Priority: 14500, Match: MustMatch(ConjID(1), EthType(EthTypeIPv4)),
			Instructions: Apply(SetFieldUint(Reg(6), 1), CT{Commit: true, Zone: ctZone, Recirc: true, Table: 16, Actions: []Action{ctLabel1}})}
	}
}

// BenchmarkDecodeFlowDesc decodes a FLOW_DESC reply part of 100 flows.
func BenchmarkDecodeFlowDesc(b *testing.B) {
	r := FlowDescReply{}
	for i := 0; i < 100; i++ {
		r.Flows = append(r.Flows, FlowStats{Flow: conjActionFlow, PacketCount: uint64(i)})
	}
	msg := AppendMessage(nil, 1, r)
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, _, err := DecodeMessage(msg); err != nil {
			b.Fatal(err)
		}
	}
}
