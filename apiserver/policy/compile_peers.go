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

package policy

import (
	"net"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/apis/controlplane"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

// serviceAccountLabel is the label a Pod's ServiceAccount is indexed under.
const serviceAccountLabel = "internal.antrea.io/service-account"

// builder collects the groups a policy uses while it is compiled, and what keeps it
// from being realized as written.
type builder struct {
	p         *policy
	c         *Compiler
	selectors *selectorInterner
	namespace string // an ANNP's Namespace: its groups and podSelectors are there
}

func (c *Compiler) newBuilder(key string) *builder {
	return &builder{p: &policy{key: key, groups: make(map[groupID]groupSource, 2)},
		c: c, selectors: &c.selectors}
}

// issue records why the policy cannot be realized exactly as written.
func (b *builder) issue(reason, message string) {
	is := Issue{Reason: reason, Message: message}
	if !slices.Contains(b.p.issues, is) { // a group used in the rules of several Namespaces
		b.p.issues = append(b.p.issues, is)
	}
}

func (b *builder) use(kind groupKind, name string, src groupSource) string {
	id := groupID{kind, name}
	if _, ok := b.p.groups[id]; !ok {
		b.p.groups[id] = src
		if kind == appliedToKind {
			b.p.appliedTo = append(b.p.appliedTo, name)
		} else {
			b.p.addresses = append(b.p.addresses, name)
		}
	}
	return name
}

// selectorGroup uses the group of a selector and returns its name; nil when the
// selector cannot be parsed (validation refuses such objects).
func (b *builder) selectorGroup(kind groupKind, namespace string, nsSel, podSel *metav1.LabelSelector) []string {
	sel, name, err := b.selectors.get(namespace, nsSel, podSel)
	if err != nil {
		klog.InfoS("Ignoring an invalid selector", "policy", b.p.key, "err", err)
		return nil
	}
	return []string{b.use(kind, name, groupSource{selector: sel})}
}

// groupKey is the key of a referenced group: a ClusterGroup's name, or for an ANNP
// the key of the Group of its Namespace.
func (b *builder) groupKey(name string) string {
	if b.namespace != "" {
		return namespacedGroupKey(b.namespace, name)
	}
	return name
}

// noteGroup records that the policy refers to a group: a change of the group
// compiles the policy again.
func (b *builder) noteGroup(key string) {
	if b.p.clusterGroups == nil {
		b.p.clusterGroups = sets.New[string]()
	}
	b.p.clusterGroups.Insert(key)
}

// groupRef uses the group of a referenced ClusterGroup (or, for an ANNP, Group) and
// returns its name. A group that does not exist yet selects nothing until it
// appears; the policy is not realizable as written meanwhile.
func (b *builder) groupRef(kind groupKind, name string) string {
	key := b.groupKey(name)
	b.noteGroup(key)
	b.c.checkGroupRef(b, kind, key)
	return b.use(kind, key, groupSource{clusterGroup: key})
}

// matchAllPeer is the peer of a rule without from/to: every address.
func matchAllPeer() controlplane.NetworkPolicyPeer {
	return controlplane.NetworkPolicyPeer{IPBlocks: []controlplane.IPBlock{
		{CIDR: controlplane.IPNet{IP: controlplane.IPAddress(net.IPv4zero.To4()), PrefixLength: 0}},
		{CIDR: controlplane.IPNet{IP: controlplane.IPAddress(net.IPv6zero), PrefixLength: 0}},
	}}
}

// ipBlock converts a CIDR with exceptions; false when the CIDR does not parse.
func ipBlock(cidr string, except []string) (controlplane.IPBlock, bool) {
	ipnet, ok := ipNet(cidr)
	if !ok {
		return controlplane.IPBlock{}, false
	}
	b := controlplane.IPBlock{CIDR: ipnet}
	for _, e := range except {
		if n, ok := ipNet(e); ok {
			b.Except = append(b.Except, n)
		}
	}
	return b, true
}

func ipNet(cidr string) (controlplane.IPNet, bool) {
	_, n, err := net.ParseCIDR(cidr)
	if err != nil {
		return controlplane.IPNet{}, false
	}
	ones, _ := n.Mask.Size()
	ip := n.IP
	if v4 := ip.To4(); v4 != nil {
		ip = v4
	}
	return controlplane.IPNet{IP: controlplane.IPAddress(ip), PrefixLength: int32(ones)}, true
}

// services converts the ports and protocols of an Antrea-native rule.
func services(ports []crdv1beta1.NetworkPolicyPort, protocols []crdv1beta1.NetworkPolicyProtocol) []controlplane.Service {
	var out []controlplane.Service
	for _, p := range ports {
		proto := controlplane.ProtocolTCP
		if p.Protocol != nil {
			proto = controlplane.Protocol(*p.Protocol)
		}
		out = append(out, controlplane.Service{Protocol: &proto, Port: copyIntOrString(p.Port), EndPort: p.EndPort,
			SrcPort: p.SourcePort, SrcEndPort: p.SourceEndPort})
	}
	for _, p := range protocols {
		switch {
		case p.ICMP != nil:
			proto := controlplane.ProtocolICMP
			out = append(out, controlplane.Service{Protocol: &proto, ICMPType: p.ICMP.ICMPType, ICMPCode: p.ICMP.ICMPCode})
		case p.IGMP != nil:
			proto := controlplane.ProtocolIGMP
			out = append(out, controlplane.Service{Protocol: &proto, IGMPType: p.IGMP.IGMPType, GroupAddress: p.IGMP.GroupAddress})
		}
	}
	return out
}

func copyIntOrString(v *intstr.IntOrString) *intstr.IntOrString {
	if v == nil {
		return nil
	}
	c := *v
	return &c
}
