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
	"sort"

	"github.com/google/uuid"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/computed"
)

// A nodeSelector peer, or a ClusterGroup's nodeSelector used as a peer, stands for
// the addresses of the selected Nodes: their InternalIP and ExternalIP addresses,
// and the gateway address of each of their Pod CIDRs (the first one), which is the
// source of what a Node sends to its own Pods. The members follow the Nodes: a
// change of a Node's labels or addresses recomputes the groups with node selectors.

// nodeGroupNameSpace is the UUIDv5 namespace of the names of node-selector groups.
var nodeGroupNameSpace = uuid.MustParse("0c3ddd2c-7d3d-4f2e-9bb4-6a1c3c7f52a1")

// nodeSelector selects Nodes by label.
type nodeSelector struct {
	sel labels.Selector
}

func newNodeSelector(s *metav1.LabelSelector) *nodeSelector {
	sel, err := metav1.LabelSelectorAsSelector(s)
	if err != nil {
		klog.InfoS("Ignoring an invalid nodeSelector", "err", err)
		return nil
	}
	return &nodeSelector{sel: sel}
}

func (s *nodeSelector) key() string {
	if s == nil {
		return ""
	}
	return "nodeSelector=" + s.sel.String()
}

// nodeEntry is a Node as the computation sees it.
type nodeEntry struct {
	labels labels.Set
	member *controlplane.GroupMember
	key    string // computed.MemberKey of member
}

// NodeAddresses returns the addresses a nodeSelector peer stands for on a Node.
func NodeAddresses(n *corev1.Node) []net.IP {
	var out []net.IP
	seen := map[string]bool{}
	add := func(ip net.IP) {
		if ip != nil && !seen[ip.String()] {
			seen[ip.String()] = true
			out = append(out, ip)
		}
	}
	for _, a := range n.Status.Addresses {
		if a.Type == corev1.NodeInternalIP || a.Type == corev1.NodeExternalIP {
			add(net.ParseIP(a.Address))
		}
	}
	cidrs := n.Spec.PodCIDRs
	if len(cidrs) == 0 && n.Spec.PodCIDR != "" {
		cidrs = []string{n.Spec.PodCIDR}
	}
	for _, cidr := range cidrs {
		if _, ipnet, err := net.ParseCIDR(cidr); err == nil {
			gw := append(net.IP{}, ipnet.IP...)
			gw[len(gw)-1]++
			add(gw)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// UpsertNode records a new Node, or new labels or addresses of a Node.
func (c *Compiler) UpsertNode(name string, l labels.Set, ips []net.IP) {
	m := &controlplane.GroupMember{Node: &controlplane.NodeReference{Name: name}}
	for _, ip := range ips {
		if v4 := ip.To4(); v4 != nil {
			ip = v4
		}
		m.IPs = append(m.IPs, controlplane.IPAddress(ip))
	}
	c.mu.Lock()
	c.nodes[name] = &nodeEntry{labels: l, member: m, key: computed.MemberKey(m)}
	c.groups.nodesChanged()
	c.mu.Unlock()
	c.signal()
}

// DeleteNode records a deleted Node.
func (c *Compiler) DeleteNode(name string) {
	c.mu.Lock()
	delete(c.nodes, name)
	c.groups.nodesChanged()
	c.mu.Unlock()
	c.signal()
}

// addNodeMembers adds the Nodes a group's node selectors select to its members.
func (c *Compiler) addNodeMembers(g *group, members map[string]*controlplane.GroupMember) {
	sels := c.groups.nodeSelectors(g)
	if len(sels) == 0 {
		return
	}
	for _, n := range c.nodes {
		for _, s := range sels {
			if s.sel.Matches(n.labels) {
				members[n.key] = n.member
				break
			}
		}
	}
}

// nodeSelectorGroup uses the AddressGroup of a nodeSelector peer and returns its
// name; nil when the selector cannot be parsed (validation refuses such objects).
func (b *builder) nodeSelectorGroup(s *metav1.LabelSelector) []string {
	sel := newNodeSelector(s)
	if sel == nil {
		return nil
	}
	name := uuid.NewSHA1(nodeGroupNameSpace, []byte(sel.key())).String()
	return []string{b.use(addressKind, name, groupSource{nodes: sel})}
}
