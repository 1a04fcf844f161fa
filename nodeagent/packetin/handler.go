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

package packetin

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"k8s.io/klog/v2"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
)

// The pipeline's packet-in layout, as Antrea's: the userdata nodeagent/pipeline
// sets (category, then operations) and the registers it fills (fields.go there).
const (
	categoryNetworkPolicy = 1
	opLog                 = 1
	opReject              = 2
	opAudit               = 8

	regMarks          = 0  // reg0
	apDenyBit         = 10 // reg0[10]
	dispositionShift  = 11 // reg0[11..12]
	generatedRejectBt = 13 // reg0[13], set on reject packet-outs
	regTable          = 2  // reg2[0..7]
	regDenyConj       = 3
	regEgressConj     = 5
	regIngressConj    = 6
)

var dispositions = [...]string{"Allow", "Drop", "Reject", "Pass"}

// RuleInfo is what the log says of the rule behind a conjunction.
type RuleInfo struct {
	PolicyRef string
	RuleName  string
	Direction string // Ingress | Egress
	Priority  uint16
	LogLabel  string
}

// RuleLookup resolves a conjunction id to its rule (the pipeline implements it).
type RuleLookup interface {
	RuleByConjID(id uint32) (RuleInfo, bool)
}

// PodPort is a local Pod and its OpenFlow port.
type PodPort struct {
	Namespace, Name string
	OFPort          uint32
}

// PodLookup finds the local Pod of an IP.
type PodLookup interface {
	PodByIP(ip net.IP) (PodPort, bool)
}

// PacketSender sends packet-outs.
type PacketSender interface {
	SendPacketOut(ctx context.Context, po openflow.PacketOut) error
}

// Config configures a Handler.
type Config struct {
	Rules  RuleLookup
	Pods   PodLookup
	Sender PacketSender
	Log    *AuditLog
	// TableName names a table by id for the log.
	TableName func(id uint8) string
	// RemoteRejectTable is where a reject for a source that is not a local Pod is
	// resubmitted (the pipeline's L3 forwarding table).
	RemoteRejectTable uint8
	// TranslatedRejectTable is where a reject of a packet whose destination
	// conntrack translated (a connection to a Service, DNATed to an
	// endpoint) is resubmitted: the pipeline's conntrack table, which
	// translates the reply back, so the client sees it come from the
	// Service's address. 0: such rejects take the other paths.
	TranslatedRejectTable uint8
	// DNS, when set, gets the paused DNS responses (userdata [2]) of the
	// FQDN rules; Run runs its worker.
	DNS *DNSHandler
}

// Handler handles policy packet-ins.
type Handler struct {
	cfg Config
}

// NewHandler returns a handler.
func NewHandler(cfg Config) (*Handler, error) {
	if cfg.Rules == nil || cfg.Pods == nil || cfg.Sender == nil || cfg.Log == nil || cfg.TableName == nil {
		return nil, errors.New("packetin: Rules, Pods, Sender, Log and TableName are required")
	}
	registerMetrics()
	return &Handler{cfg: cfg}, nil
}

// Run handles packet-ins until ctx ends or in closes.
func (h *Handler) Run(ctx context.Context, in <-chan *openflow.PacketIn2) {
	logger := klog.FromContext(ctx)
	if h.cfg.DNS != nil {
		go h.cfg.DNS.Run(ctx)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case pi, ok := <-in:
			if !ok {
				return
			}
			if len(pi.Userdata) > 0 && pi.Userdata[0] == categoryDNS && h.cfg.DNS != nil {
				h.cfg.DNS.Enqueue(ctx, *pi)
				continue
			}
			if err := h.Handle(ctx, *pi); err != nil {
				packetIns.WithLabelValues("ignored").Inc()
				logger.V(2).Info("Ignoring a packet-in", "err", err)
			} else {
				packetIns.WithLabelValues("handled").Inc()
			}
		}
	}
}

// Handle logs and/or rejects one packet-in.
func (h *Handler) Handle(ctx context.Context, pi openflow.PacketIn2) error {
	if len(pi.Userdata) < 2 || pi.Userdata[0] != categoryNetworkPolicy {
		return fmt.Errorf("not a policy packet-in (userdata %x)", pi.Userdata)
	}
	pkt, err := Parse(pi.Packet)
	if err != nil {
		return fmt.Errorf("parsing the packet-in: %w", err)
	}
	ops := pi.Userdata[1]
	if ops&opAudit != 0 { // an audit rule's copy: log, never reject
		h.cfg.Log.Log(h.auditEntry(pi, pkt))
		return nil
	}
	if ops&opLog != 0 {
		h.cfg.Log.Log(h.entry(pi, pkt))
	}
	if ops&opReject != 0 {
		return h.reject(ctx, pi, pkt)
	}
	return nil
}

// entry builds the np.log entry of a packet-in.
func (h *Handler) entry(pi openflow.PacketIn2, pkt *Packet) Entry {
	e := h.baseEntry(pi, pkt)
	marks, action, table := pi.Reg(regMarks), e.Action, e.Table
	conj := pi.Reg(regDenyConj)
	if action == "Allow" || action == "Pass" {
		conj = pi.Reg(regIngressConj) | pi.Reg(regEgressConj)
	}
	isolation := marks&(1<<apDenyBit) == 0 && (action == "Drop" || action == "Reject")
	if info, ok := h.cfg.Rules.RuleByConjID(conj); ok && !isolation {
		e.PolicyRef, e.RuleName, e.Direction, e.LogLabel = info.PolicyRef, info.RuleName, info.Direction, info.LogLabel
		e.Priority = strconv.Itoa(int(info.Priority))
	} else {
		e.PolicyRef, e.Direction = "K8sNetworkPolicy", directionOfTable(table)
	}
	e.Pod = h.podOf(e.Direction, pkt)
	return e
}

// baseEntry is the part of an entry the packet and the registers give: the
// deciding table, the disposition and the packet's addresses.
func (h *Handler) baseEntry(pi openflow.PacketIn2, pkt *Packet) Entry {
	action := dispositions[(pi.Reg(regMarks)>>dispositionShift)&3]
	e := Entry{Time: time.Now(), Table: h.cfg.TableName(uint8(pi.Reg(regTable))), Action: action,
		SrcIP: pkt.SrcIP.String(), DstIP: pkt.DstIP.String(), Protocol: pkt.ProtocolName(), Length: pkt.IPLength}
	if pkt.SrcPort != 0 || pkt.DstPort != 0 {
		e.SrcPort, e.DstPort = strconv.Itoa(int(pkt.SrcPort)), strconv.Itoa(int(pkt.DstPort))
	}
	return e
}

// podOf is the local Pod a rule of direction dir guards: the source of an
// egress packet, the destination of an ingress one.
func (h *Handler) podOf(dir string, pkt *Packet) string {
	podIP := pkt.DstIP
	if dir == "Egress" {
		podIP = pkt.SrcIP
	}
	if pod, ok := h.cfg.Pods.PodByIP(podIP); ok {
		return pod.Namespace + "/" + pod.Name
	}
	return ""
}

// auditEntry is the np.log entry of an audit rule's packet-in: its Action is
// "AUDIT:<would-be action>" and it names the audit rule (conjunction id in
// reg3).
func (h *Handler) auditEntry(pi openflow.PacketIn2, pkt *Packet) Entry {
	e := h.baseEntry(pi, pkt)
	e.Action = AuditActionPrefix + e.Action
	if info, ok := h.cfg.Rules.RuleByConjID(pi.Reg(regDenyConj)); ok {
		e.PolicyRef, e.RuleName, e.Direction, e.LogLabel = info.PolicyRef, info.RuleName, info.Direction, info.LogLabel
		e.Priority = strconv.Itoa(int(info.Priority))
	} else {
		e.Direction = directionOfTable(e.Table)
	}
	e.Pod = h.podOf(e.Direction, pkt)
	return e
}

func directionOfTable(table string) string {
	if strings.HasPrefix(table, "Egress") || strings.HasPrefix(table, "AntreaPolicyEgress") || strings.HasPrefix(table, "AuditEgress") {
		return "Egress"
	}
	return "Ingress"
}

// reject sends the reply back to the source: straight out of the source Pod's port
// when it is local (bypassing the pipeline, so no conntrack entry is made), else
// through the pipeline's forwarding (marked, so the pipeline neither applies
// ingress policy to it nor commits it). A TCP reset is not answered.
func (h *Handler) reject(ctx context.Context, pi openflow.PacketIn2, pkt *Packet) error {
	frame := RejectFrame(pkt)
	if frame == nil {
		return nil
	}
	mark := openflow.LoadReg(regMarks, 1, generatedRejectBt, 1)
	po := openflow.PacketOut{InPort: openflow.PortController, Data: frame}
	if dst, ok := h.cfg.Pods.PodByIP(pkt.DstIP); ok {
		po.InPort = dst.OFPort
	}
	switch src, ok := h.cfg.Pods.PodByIP(pkt.SrcIP); {
	case translated(pi) && h.cfg.TranslatedRejectTable != 0:
		po.Actions = []openflow.Action{mark, openflow.ResubmitTable(h.cfg.TranslatedRejectTable)}
	case ok:
		po.Actions = []openflow.Action{mark, openflow.Output{Port: src.OFPort}}
	default:
		po.Actions = []openflow.Action{mark, openflow.ResubmitTable(h.cfg.RemoteRejectTable)}
	}
	if err := h.cfg.Sender.SendPacketOut(ctx, po); err != nil {
		return fmt.Errorf("sending the reject of %s→%s: %w", pkt.SrcIP, pkt.DstIP, err)
	}
	return nil
}

// translated reports a packet whose destination conntrack translated (its
// connection was DNATed to a Service endpoint on this node).
func translated(pi openflow.PacketIn2) bool {
	st, ok := pi.Metadata.Get(openflow.FieldCTState)
	return ok && uint32(st.Uint())&openflow.CTStateDNAT != 0
}
