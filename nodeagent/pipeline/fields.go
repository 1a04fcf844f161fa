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

package pipeline

import (
	"net/netip"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
)

// RegField is a bit range [Ofs, Ofs+NBits) of an NXM register (reg0..reg15).
type RegField struct {
	Reg   int
	Ofs   uint
	NBits uint
}

// Mask is the field's mask within its register.
func (f RegField) Mask() uint32 { return uint32((uint64(1)<<f.NBits)-1) << f.Ofs }

// Load is the set_field action writing v into the field.
func (f RegField) Load(v uint32) openflow.SetField { return openflow.LoadReg(f.Reg, v, f.Ofs, f.NBits) }

// Match matches packets whose field holds v.
func (f RegField) Match(v uint32) openflow.MatchField {
	if f.NBits == 32 {
		return openflow.RegField(f.Reg, v)
	}
	return openflow.RegFieldMasked(f.Reg, v<<f.Ofs, f.Mask())
}

func (f RegField) field() openflow.Field { return openflow.Reg(f.Reg) }

// Get extracts the field from the register's value (e.g. PacketIn2.Reg(f.Reg)).
func (f RegField) Get(reg uint32) uint32 { return (reg & f.Mask()) >> f.Ofs }

// Register layout (Antrea's, pkg/agent/openflow/fields.go). The packet-in handler
// (nodeagent/packetin) reads the same bits.
var (
	// PktSourceField (reg0[0..3]) says where the packet entered; copied to
	// ct_mark[0..3] at commit.
	PktSourceField = RegField{Reg: 0, Ofs: 0, NBits: 4}
	// APDenyField (reg0[10]) is set by Antrea-native Drop and Reject rules;
	// unset with a Drop disposition it means a K8s isolation drop.
	APDenyField = RegField{Reg: 0, Ofs: 10, NBits: 1}
	// APDispositionField (reg0[11..12]) is the logged verdict.
	APDispositionField = RegField{Reg: 0, Ofs: 11, NBits: 2}
	// GeneratedRejectField (reg0[13]) marks the packet-outs of Reject replies.
	GeneratedRejectField = RegField{Reg: 0, Ofs: 13, NBits: 1}
	// OutputField (reg0[21..22]) is what the Output table does.
	OutputField = RegField{Reg: 0, Ofs: 21, NBits: 2}
	// PacketInOperationField (reg0[25..31]) is the packet-in operation bitmap.
	PacketInOperationField = RegField{Reg: 0, Ofs: 25, NBits: 7}
	// TargetOFPortField (reg1) is the output port, set by L2 forwarding;
	// ingress rules match it.
	TargetOFPortField = RegField{Reg: 1, Ofs: 0, NBits: 32}
	// PacketInTableField (reg2[0..7]) is the table that decided a packet-in
	// (the packet-in's own table_id is the Output table).
	PacketInTableField = RegField{Reg: 2, Ofs: 0, NBits: 8}
	// APConjIDField (reg3) is the conjunction id of the Drop/Reject rule hit.
	APConjIDField = RegField{Reg: 3, Ofs: 0, NBits: 32}
	// EgressConjIDField (reg5) and IngressConjIDField (reg6) hold the
	// conjunction id of the Allow or Pass rule hit.
	EgressConjIDField  = RegField{Reg: 5, Ofs: 0, NBits: 32}
	IngressConjIDField = RegField{Reg: 6, Ofs: 0, NBits: 32}
)

// PktSourceField values.
const PktSourcePod uint32 = 3

// APDispositionField values.
const (
	DispositionAllow  uint32 = 0
	DispositionDrop   uint32 = 1
	DispositionReject uint32 = 2
	DispositionPass   uint32 = 3
)

// OutputField values.
const (
	OutputToPort       uint32 = 1
	OutputToController uint32 = 2
)

// PacketInOperationField bits and the packet-in userdata category: userdata
// is [PacketInCategoryNetworkPolicy, operations].
const (
	PacketInOpLog       uint32 = 1
	PacketInOpReject    uint32 = 2
	PacketInOpStoreDeny uint32 = 4
	// PacketInOpAudit marks the copy of a packet an audit rule matched: the
	// handler writes an AUDIT line (never a reject).
	PacketInOpAudit uint32 = 8

	PacketInCategoryNetworkPolicy byte = 1
)

// Conntrack: zones per IP family, ct_mark[0..3] = PktSource of committed
// connections, and the rule conjunction ids in ct_label (ingress in bits
// 0..31, egress in bits 32..63).
const (
	CTZoneIPv4 uint16 = 0xfff0
	CTZoneIPv6 uint16 = 0xffe6

	ctMarkSourceBits = 4
)

// PacketInMeterID rate-limits policy packet-ins.
const PacketInMeterID uint32 = 256

// ctLabelMask returns the ct_label value and mask holding the conjunction
// id of a rule of direction dir.
func ctLabel(dir direction, id uint32) (value, mask openflow.Uint128) {
	if dir == egress {
		return openflow.Uint128{Lo: uint64(id) << 32}, openflow.Uint128{Lo: 0xffffffff << 32}
	}
	return openflow.Uint128{Lo: uint64(id)}, openflow.Uint128{Lo: 0xffffffff}
}

// The Service proxy's registers and conntrack marks (proxy_flows.go).
var (
	// EndpointIPField (reg3) is the endpoint a Service's group chose, from
	// ServiceLB to EndpointDNAT (the policy tables reuse reg3 after it).
	EndpointIPField = RegField{Reg: 3, Ofs: 0, NBits: 32}
	// EndpointPortField (reg4[0..15]) is the chosen endpoint's port.
	EndpointPortField = RegField{Reg: 4, Ofs: 0, NBits: 16}
	// HairpinField (reg4[16]) marks a Pod's connection to itself through
	// a Service: it leaves through the port it came in by.
	HairpinField = RegField{Reg: 4, Ofs: 16, NBits: 1}
	// AffinityHitField (reg4[17]) says SessionAffinity chose the endpoint.
	AffinityHitField = RegField{Reg: 4, Ofs: 17, NBits: 1}
	// NodePortField (reg4[18]) marks a new connection from the gateway to
	// one of the node's addresses (Gateway.NodeIPs): ServiceLB's NodePort
	// frontends match it instead of a ClusterIP.
	NodePortField = RegField{Reg: 4, Ofs: 18, NBits: 1}
	// NodePortSNATField (reg4[19]) asks for the connection's source to be
	// SNATed to the gateway IP (externalTrafficPolicy Cluster); the
	// EndpointDNAT commit copies it to ct_mark bit 5.
	NodePortSNATField = RegField{Reg: 4, Ofs: 19, NBits: 1}
	// ServiceIDField (reg7) is the id of the Service port a new connection
	// was sent to (before DNAT), for toServices rules; restored from
	// ct_label[64..95] for later packets of the connection.
	ServiceIDField = RegField{Reg: 7, Ofs: 0, NBits: 32}
)

// Conntrack of Services: ct_mark bit 4 marks connections DNATed to a
// Service endpoint, ct_label[64..95] holds their Service port's id, and
// hairpin connections are SNATed to HairpinIPv4 in their own zone.
const (
	ctMarkService   uint32 = 1 << 4
	ctMarkSNAT      uint32 = 1 << 5
	ctMarkSNATShift        = 5
	ctLabelSvcShift        = 64
	CTZoneSNATv4    uint16 = 0xfff1
	CTZoneSNATv6    uint16 = 0xffe7
)

// HairpinIPv4 is the source a Pod sees on its own connections through a
// Service: link-local, never a Pod's or a Node's address.
var HairpinIPv4 = netip.MustParseAddr("169.254.0.253")
