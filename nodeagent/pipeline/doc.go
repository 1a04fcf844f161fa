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

// Package pipeline is strata-agent's OpenFlow pipeline for NetworkPolicy:
// the tables and their static flows, the flows of local Pods (PodFlows) and
// of policy rules (PolicyFlows), installed over nodeagent/ovs/openflow in
// atomic bundles and replayed after ovs-vswitchd restarts.
//
// # Tables
//
// Table ids are fixed; NameTables names them in OVSDB (ovs-ofctl --names).
//
//	 0 Classifier ──── in_port=<pod> → reg0[0..3]=3 (FromPod); miss: drop
//	 1 SpoofGuard ──── ip,in_port,dl_src,nw_src of the Pod → next
//	   │               arp,in_port,arp_spa,arp_sha of the Pod → NORMAL
//	   │               (ICMPv6 neighbor discovery → NORMAL); miss: drop
//	 2 ConntrackZone ─ ip: ct(zone=65520,nat) / ipv6: zone 65510 → 3
//	 3 ConntrackState  ct_state=+inv+trk: drop
//	   AuditEgressRule ── audit-mode rules (audit.go): count, log AUDIT via
//	   │   a group, continue in AntreaPolicyEgressRule; 64990 bypass
//	 4 AntreaPolicyEgressRule ── 64990 -new+est / -new+rel → 7 (bypass)
//	   │   Antrea-native egress rules, tiers < 253, priorities [100, 65000]
//	   │   Allow: ct commit, label[32..63]=id → 7   Pass → 5   Drop/Reject → 7
//	 5 EgressRule ───── K8s egress rules (match 200, conj_id 190) → 7
//	 6 EgressDefaultRule  200 nw_src=<isolated Pod IP>: drop (K8s isolation)
//	   │   baseline egress rules [10, 180]
//	 7 EgressMetric ─── per-rule counters; reg0[10]=1,reg3=<id>: drop
//	 8 L3Forwarding ─── nw_dst=<Pod IP> → eth_dst=<Pod MAC>
//	 9 L2ForwardingCalc dl_dst=<Pod MAC> → reg1=<ofport>, reg0[21..22]=1
//	10 IngressSecurityClassifier  generated reject packet-outs → 16
//	   AuditIngressRule ─ audit-mode ingress rules, like AuditEgressRule
//	11 AntreaPolicyIngressRule ─ 64990 bypass → 14; ingress rules, like 4
//	   │   (the "to" clause is reg1=<ofport>; ct_label[0..31]=id)
//	12 IngressRule ──── K8s ingress rules → 14
//	13 IngressDefaultRule  200 reg1=<isolated Pod port>: drop; baseline
//	14 IngressMetric ── per-rule counters, deny drops
//	15 ConntrackCommit  +new+trk: ct(commit, ct_mark[0..3]=reg0[0..3])
//	16 Output ───────── reg0[21..22]=1: output:reg1
//	                    reg0[21..22]=2, reg0[25..31]=op: meter 256,
//	                    controller(userdata=01.<op>); miss: drop
//
// With a Gateway (gateway.go; the node's strata-gw0 port to the host):
//
//	 0 Classifier ──── in_port=<gw> → reg0[0..3]=2 (FromGateway)
//	 1 SpoofGuard ──── ip/ipv6,in_port=<gw> → 2 (any source); ARP, ND → NORMAL
//	 3 ConntrackState  190 reg0[0..3]=2 → 8 (no egress policy: it was
//	   │               enforced where the packet left its Pod)
//	 8 L3Forwarding ─── 200 nw_dst=<gw IP>, 180 any other IP → eth_dst=<gw MAC>
//	   │               190 nw_dst=<local Pod CIDR> → 9 (switched by MAC)
//	 9 L2ForwardingCalc dl_dst=<gw MAC> → reg1=<gw>
//	10 IngressSecurityClassifier  reg1=<gw> → 15 (the destination node
//	                   enforces ingress); optionally from the node itself
//	                   (reg0[0..3]=2, nw_src=<gw IP>) → 15
//
// The Service proxy (proxy.go, proxy_flows.go, proxy_base.go,
// proxy_affinity.go) adds its tables between conntrack and the egress
// policy (table ids in tables.go; the numbers above are positions):
//
//	UnSNAT ────────── nw_dst=169.254.0.253: ct(zone 65521, nat) (hairpin replies)
//	ConntrackState ── -new+trk → egress policy (already NATed)
//	   │              +new+dnat, ct_mark Service bit → reg7 := ct_label[64..95]
//	   │              miss (new): resubmit(,SessionAffinity), resubmit(,ServiceLB)
//	SessionAffinity ─ learned: ip_src,ip_dst,proto,tp_dst of a client →
//	   │              reg3 := endpoint IP, reg4[0..15] := port, reg4[17] := 1
//	   │              (hard_timeout = sessionAffinity timeout); miss: stop
//	ServiceLB ─────── 210 +new, vip:port, reg3/reg4 = endpoint E, reg4[17]:
//	   │                  reg7 := id, learn(E), → EndpointDNAT  (affinity)
//	   │              200 +new, vip:port: reg7 := id, group (buckets:
//	   │                  reg3/reg4 := E → EndpointDNAT; with affinity also
//	   │                  reg4[17] := 1 → resubmit ServiceLB, i.e. the 210 flow)
//	   │              200 +new, vip:port without endpoints: reject
//	EndpointDNAT ──── reg3/reg4 = E: ct(commit, nat(dst=E), ct_mark Service
//	   │              bit, ct_label[64..95] := reg7) → egress policy
//	ServiceSNAT ───── a Pod to itself through a Service: ct(commit, zone
//	                  65521, nat(src=169.254.0.253)) → out its in_port
//
// sessionAffinity ClientIP: the learned flow lives hard_timeout seconds
// after the client's last new connection (each one relearns); the groups of
// affinity frontends select with selection_method=hash over the 5-tuple so
// that back-to-back connections see what the previous one learned; learned
// flows have cookie category 5 and are deleted, by cookie, in the bundle
// that removes their endpoint or frontend, and the 210 flows exist only for
// current endpoints, so a stale learned flow never reaches a removed one.
//
// NodePorts (gateway_nodeport.go; the host steers NodeIP:<range> and
// replies to the gateway IP into the gateway, nodeagent/nodenet):
//
//	UnSNAT ────────── nw_dst=<gw IP>: ct(zone 65521, nat) (SNAT replies)
//	ConntrackState ── 195 from gw, +new, nw_dst=<node IP>: reg4[18] := 1,
//	   │              resubmit(,SessionAffinity), resubmit(,ServiceLB)
//	ServiceLB ─────── 200 +new, reg4[18], tp_dst=<nodePort>: reg7 := id,
//	   │              eTP Cluster: reg4[19] := 1; group (external endpoints);
//	   │              eTP Local without local endpoints: drop
//	EndpointDNAT ──── also ct_mark[5] := reg4[19]
//	IngressSecurityClassifier  ct_mark[5] (AllowHostIngress) → 15: an
//	   │              eTP Cluster connection is the node's own traffic
//	ServiceSNAT ───── ct_mark[5], -rpl: ct(commit, zone 65521,
//	   │              nat(src=<gw IP>)) → Output
//	Output ────────── 210 in_port=gw, reg1=gw: IN_PORT
//
// The source the endpoint sees: the receiving node's gateway IP for
// externalTrafficPolicy Cluster (local and remote endpoints alike, so that
// replies return through the receiving node), the client's own address for
// Local. docs/services.md says what that means for NetworkPolicy.
//
// Traffic between nodes is routed by the hosts (see nodeagent/nodenet):
// egress policy applies at the source node, ingress policy at the
// destination node, conntrack on both.
//
// Every table without a listed miss goes on to the next one. The verdict
// order follows from it: Antrea-native rules decide first (Pass
// skips to the K8s table), then K8s allow rules, then the K8s isolation
// drop (above every baseline flow), then baseline rules, else allow.
// Established and related packets skip the policy tables, so a policy
// change never cuts an established connection.
//
// ARP: each Pod's ARP is checked against its IP and MAC (ARP spoof guard)
// and then switched with NORMAL. Pods share one L2 segment and resolve
// each other directly; the guard keeps a Pod from claiming another Pod's
// IP, which NORMAL's flooding would otherwise spread to every Pod. The
// check costs one flow per Pod IP, no extra table.
//
// # Rules
//
// A rule becomes a conjunction (conjunction.go): one clause per side that
// is restricted (from, to, services; "any IP" stands in so that there are
// at least two), one match flow per clause value, shared by every rule at
// the same table and priority, and one conj_id action flow (actions.go) per
// action: Allow commits with the id in ct_label, Drop sets reg3 and the
// APDeny bit for the metric table's drop, Reject additionally marks a
// packet-in through a group, Pass jumps to the K8s table. Logging rules
// also mark the packet for a packet-in. Named ports split a rule into one
// conjunction per resolved port set. An egress rule's toServices are one
// more conjunction whose destination clause is reg7 (the Service port id
// ServiceLB loaded before DNAT) == each frontend id of its Services; the ids
// are resolved when the rule is contributed, and every Service change
// re-contributes the rules naming it in the Service's own bundle
// (toservices.go). Priorities (priority.go): one OF
// priority per distinct (tier, policy priority, rule index) per table,
// moving neighbours when a rule needs room; K8s rules at fixed priorities
// with per-Pod isolation drops (k8s.go); baseline rules below those drops
// (baseline.go).
//
// # FQDN peers
//
// An egress rule's FQDN patterns (types.CompletedRule.FQDNs) add the
// addresses Config.FQDNs (nodeagent/fqdn.Cache) has learnt for them to the
// rule's peers, as host prefixes; RefreshFQDNs recompiles the rules of names
// whose addresses changed, one bundle per change (fqdn.go). While such a rule
// applies to a Pod, its DNS responses are paused in the Output table:
//
//	16 Output ──────── 205 udp/tcp(6),tp_src=53,ct_state=+rpl+trk,reg1=<Pod>:
//	                   meter 256, controller(pause,userdata=02), output:reg1
//
// and resumed by the agent (nodeagent/packetin) once the rules of their new
// addresses are installed.
//
// # Installing
//
// The Pipeline keeps the desired flows in memory as openflow.Flow values
// (flowstate.go) and what it installed. PodFlows.AddPod/DeletePod and
// PolicyFlows.Reconcile/Forget change the desired flows and send the
// difference as ONE atomic bundle per call. Cookies carry a round number
// (bits 48..63): a restarting agent installs round N+1 and then deletes
// round N (NextRound, DeleteRound, SaveRound). Replay re-installs the
// meter, the groups and every flow after a reconnect.
//
// One refused rule costs that rule only. A bundle that Open vSwitch refuses
// (an OpenFlow error such as OFPFMFC_TABLE_FULL) changed nothing in OVS, so
// the call is rolled back from the desired state as well (undo.go) and
// fails with a *RefusedError that names the rules or Pods of the refused
// flows and carries OVS's error (refused.go). What was installed stays
// installed (fail closed: a rule's flows are never removed to isolate a
// failure), later calls and replays never resend the refused flows, and
// retrying the rules of a refused batch one by one (as nodeagent/policy
// does) installs every rule but the refused one. A bundle that fails
// without an answer (the connection broke) leaves its flows pending for the
// next call or the replay after the reconnect; if OVS refuses that replay,
// those unconfirmed calls are rolled back and the replay repeated.
//
// # Wiring
//
//	round, _ := pipeline.NextRound(ctx, ovsdbClient, "br-int")
//	_ = pipeline.NameTables(ctx, ovsdbClient, "br-int")
//	var pl *pipeline.Pipeline
//	client, _ := openflow.NewClient(openflow.ClientConfig{
//		Conn: openflow.Config{Addr: "unix:/run/openvswitch/br-int.mgmt"},
//		OnConnect: func(ctx context.Context, c *openflow.Conn, reconnect bool) error {
//			return pl.OnConnect(ctx, c, reconnect)
//		}})
//	pl, _ = pipeline.New(pipeline.Config{Switch: client, Round: round.Next})
//	go client.Run(ctx)
//	// CNI server: pl.Pods().AddPod(ctx, pipeline.Pod{...}); policy: pl.Policies().Reconcile(...)
//	// after the initial sync: pl.DeleteRound(ctx, round.Prev); pipeline.SaveRound(ctx, ovsdbClient, "br-int", round.Next)
package pipeline
