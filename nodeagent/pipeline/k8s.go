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

// K8s NetworkPolicy rules sit at fixed priorities in the IngressRule and
// EgressRule tables: all of them allow, so their conjunctions may share
// match flows and overlap. A Pod selected by a K8s rule of a direction is
// isolated for it: a drop in the default table above every baseline rule.
const (
	k8sMatchPriority  = 200
	k8sActionPriority = 190
	isolationPriority = 200
)

// isolationMatches are the drop matches of the appliedTo Pods of a K8s
// rule: the target port for ingress, each Pod IP as source for egress.
func (c *compiler) isolationMatches(dir direction, targets []target) []openflow.Match {
	var out []openflow.Match
	for _, t := range targets {
		if dir == ingress {
			out = append(out, c.portMatch(t.ofport))
			continue
		}
		for _, ip := range t.ips {
			out = append(out, c.srcMatch(netip.PrefixFrom(ip, ip.BitLen())))
		}
	}
	return out
}

// isolationFlows are the isolation drop of m in dir's default table, and
// its variant for logging rules: the packet goes to the controller with a
// Drop disposition and no APDeny bit, which the packet-in handler reports as
// a K8s NetworkPolicy default deny.
func (b flowBuilder) isolationFlows(dir direction, m openflow.Match) (plain, logged openflow.Flow) {
	table := directions[dir].deflt
	plain = openflow.Flow{Table: table, Priority: isolationPriority, Cookie: b.policyCookie(0), Match: m}
	logged = plain
	logged.Instructions = openflow.Apply(controllerLoads(DispositionDrop, PacketInOpLog, table)...).Goto(Output)
	return plain, logged
}
