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

package nodenet

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vishvananda/netlink"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
	"github.com/strata-net/strata/nodeagent/types"
)

// TestOVSSetupGateway checks the gateway on one node: port, interface,
// addresses, forwarding sysctls, and that a second Setup (an agent
// restart) changes nothing but a stale address.
func TestOVSSetupGateway(t *testing.T) {
	ovstest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	n := startOVSNode(t, ctx, "node-1", 1)
	cfg := GatewayConfig{NetNS: n.ovs.NetNS(), Bridge: n.br, MTU: 1400,
		PodCIDRs: []netip.Prefix{netip.MustParsePrefix("10.244.1.0/24")}}
	gw, err := SetupGateway(ctx, n.db, cfg)
	require.NoError(t, err)
	require.Equal(t, int32(DefaultGatewayOFPort), gw.OFPort)
	require.Equal(t, "0a:58:0a:f4:01:01", gw.MAC.String())

	h, err := openHandle(n.netns)
	require.NoError(t, err)
	defer h.Close()
	checkLink := func(t *testing.T) {
		link, err := h.LinkByName(DefaultGatewayName)
		require.NoError(t, err)
		require.Equal(t, gw.MAC.String(), link.Attrs().HardwareAddr.String())
		require.Equal(t, 1400, link.Attrs().MTU)
		require.NotZero(t, link.Attrs().Flags&(1<<0), "the gateway is up") // IFF_UP
		addrs, err := h.AddrList(link, netlink.FAMILY_V4)
		require.NoError(t, err)
		var got []string
		for _, a := range addrs {
			got = append(got, a.IPNet.String())
		}
		require.Equal(t, []string{"10.244.1.1/24"}, got)
	}
	checkLink(t)

	t.Run("a second setup is a no-op but removes foreign addresses", func(t *testing.T) {
		sh(t, "ip", "-n", n.ovs.NetNS(), "addr", "add", "10.99.0.1/16", "dev", DefaultGatewayName)
		again, err := SetupGateway(ctx, n.db, cfg)
		require.NoError(t, err)
		require.Equal(t, gw, again)
		checkLink(t)
		ports, err := n.db.ListPorts(ctx, ovsdbFilter(n.br, DefaultGatewayName))
		require.NoError(t, err)
		require.Len(t, ports, 1)
		require.Equal(t, "internal", ports[0].Type)
	})

	t.Run("forwarding sysctls", func(t *testing.T) {
		fwd := ForwardingConfig{NetNS: n.ovs.NetNS(), Gateway: DefaultGatewayName, IsolateNewLinks: true}
		require.NoError(t, EnableForwarding(fwd))
		sh(t, "ip", "-n", n.ovs.NetNS(), "link", "add", "podveth", "type", "veth", "peer", "name", "podveth-p")
		require.NoError(t, EnableForwarding(fwd)) // an agent restart
		for key, want := range map[string]string{
			"ipv4/ip_forward":                 "1",
			"ipv4/conf/all/arp_ignore":        "1",
			"ipv4/conf/all/rp_filter":         "0",
			"ipv4/conf/default/rp_filter":     "0",
			"ipv4/conf/default/forwarding":    "0",
			"ipv4/conf/strata-gw0/rp_filter":  "0",
			"ipv4/conf/strata-gw0/forwarding": "1",
			"ipv4/conf/podveth/forwarding":    "0", // created after the first call
			"ipv4/conf/ovs-netdev/forwarding": "1", // existed before
		} {
			require.Equal(t, want, readSysctl(t, n.netns, key), key)
		}
	})
}

func readSysctl(t *testing.T, netns, key string) string {
	t.Helper()
	var v []byte
	require.NoError(t, inNetNS(netns, func() (err error) {
		v, err = os.ReadFile(filepath.Join(procSysNet, key))
		return err
	}))
	return strings.TrimSpace(string(v))
}

// cluster is two nodes joined by the underlay, with two Pods each and the
// Node objects in a fake API.
type cluster struct {
	n1, n2 *testNode
	kube   *fake.Clientset
	tr     *traffic
}

func kubeNode(n *testNode) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: n.name},
		Spec: corev1.NodeSpec{PodCIDR: n.cidr.String(), PodCIDRs: []string{n.cidr.String()}},
		Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{
			{Type: corev1.NodeInternalIP, Address: n.nodeIP}, {Type: corev1.NodeHostName, Address: "127.0.0.1"}}}}
}

func startCluster(t *testing.T, ctx context.Context) *cluster {
	t.Helper()
	ovstest.Require(t)
	c := &cluster{n1: startOVSNode(t, ctx, "node-1", 1), n2: startOVSNode(t, ctx, "node-2", 2), tr: newTraffic(t, ctx)}
	connectUnderlay(t, c.n1, c.n2)
	c.kube = fake.NewClientset(kubeNode(c.n1), kubeNode(c.n2))
	for _, n := range []*testNode{c.n1, c.n2} {
		n.setupNetwork(t, ctx)
		k := n.cidr.Addr().As4()[2]
		n.addPod(t, ctx, fmt.Sprintf("n%dp1", k), 1)
		n.addPod(t, ctx, fmt.Sprintf("n%dp2", k), 2)
	}
	// A tagged route left by a previous run, and someone else's route.
	sh(t, "ip", "-n", c.n1.ovs.NetNS(), "route", "add", "10.244.99.0/24", "via", "172.30.0.12", "proto", fmt.Sprint(RouteProtocol))
	sh(t, "ip", "-n", c.n1.ovs.NetNS(), "route", "add", "10.244.98.0/24", "via", "172.30.0.12", "proto", "static")
	c.tr.debug = []*testNode{c.n1, c.n2}
	c.n1.startRoutes(t, ctx, c.kube)
	c.n2.startRoutes(t, ctx, c.kube)
	return c
}

func (c *cluster) pod(name string) *ovstest.Pod {
	if p, ok := c.n1.pods[name]; ok {
		return p
	}
	return c.n2.pods[name]
}

// TestOVSTwoNodes runs TCP and UDP between Pods of two nodes routed through
// the underlay: same node, across nodes both ways, the host to its own
// Pods; routes follow the Node objects; policy applies egress at the
// source node and ingress at the destination node.
func TestOVSTwoNodes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	c := startCluster(t, ctx)
	n1p1, n1p2, n2p1, n2p2 := c.pod("n1p1"), c.pod("n1p2"), c.pod("n2p1"), c.pod("n2p2")

	t.Run("routes to the other node only; stale route of ours gone, foreign route kept", func(t *testing.T) {
		require.Equal(t, []string{"10.244.2.0/24 via 172.30.0.12 proto 211", "10.244.98.0/24 via 172.30.0.12 proto 4"},
			sorted(c.n1.hostRoutes(t)))
		require.Equal(t, []string{"10.244.1.0/24 via 172.30.0.11 proto 211"}, c.n2.hostRoutes(t))
	})
	t.Run("pod to pod on one node", func(t *testing.T) {
		c.tr.expect(t, n1p1, n1p2, 2000, true)
		c.tr.expect(t, n2p2, n2p1, 2000, true)
	})
	t.Run("pod to pod across nodes, both ways", func(t *testing.T) {
		c.tr.expect(t, n1p1, n2p1, 2001, true)
		c.tr.expect(t, n2p2, n1p2, 2001, true)
		c.tr.expect(t, n2p1, n1p1, 2001, true)
	})
	t.Run("the host reaches its Pods through the gateway (probes)", func(t *testing.T) {
		c.tr.expect(t, c.n1.host, n1p1, 2002, true)
		c.tr.expect(t, c.n2.host, n2p2, 2002, true)
		c.tr.expect(t, n1p2, c.n1.host, 2002, true) // and Pods reach their host
	})
	t.Run("ingress Drop at the destination node", func(t *testing.T) {
		r := acnpRule("in-drop", v1beta2.DirectionIn, v1beta2.RuleActionDrop, "n2p1", "10.244.1.11/32", 2100)
		c.reconcile(t, c.n2, r)
		defer c.forget(t, c.n2, r)
		c.tr.expect(t, n1p1, n2p1, 2100, false)
		c.tr.expect(t, n1p2, n2p1, 2100, true) // not a peer
		c.tr.expect(t, n1p1, n2p2, 2100, true) // not a target
		c.tr.expect(t, n1p1, n2p1, 2101, true) // another port
	})
	t.Run("egress Drop at the source node", func(t *testing.T) {
		r := acnpRule("out-drop", v1beta2.DirectionOut, v1beta2.RuleActionDrop, "n1p1", "10.244.2.12/32", 2200)
		c.reconcile(t, c.n1, r)
		defer c.forget(t, c.n1, r)
		c.tr.expect(t, n1p1, n2p2, 2200, false)
		c.tr.expect(t, n1p2, n2p2, 2200, true) // not a target
		c.tr.expect(t, n2p2, n1p1, 2200, true) // the other way: replies are never egress-checked
	})
	t.Run("Reject at the destination node answers the remote Pod", func(t *testing.T) {
		r := acnpRule("in-reject", v1beta2.DirectionIn, v1beta2.RuleActionReject, "n2p1", "10.244.1.11/32", 2600)
		c.reconcile(t, c.n2, r)
		defer c.forget(t, c.n2, r)
		requireRefused(t, c.tr, n1p1, n2p1, 2600)
		c.tr.expect(t, n1p2, n2p1, 2600, true)
	})
	t.Run("Reject at the source node answers the local Pod", func(t *testing.T) {
		r := acnpRule("out-reject", v1beta2.DirectionOut, v1beta2.RuleActionReject, "n1p2", "10.244.2.12/32", 2700)
		c.reconcile(t, c.n1, r)
		defer c.forget(t, c.n1, r)
		requireRefused(t, c.tr, n1p2, n2p2, 2700)
		c.tr.expect(t, n1p1, n2p2, 2700, true)
	})
	t.Run("K8s isolation at the destination: only the allowed remote Pod and the node itself", func(t *testing.T) {
		r := &types.CompletedRule{ID: "k8s-iso", Policy: types.PolicyRef{Type: v1beta2.K8sNetworkPolicy, Namespace: "default",
			Name: "iso"}, Direction: v1beta2.DirectionIn, Targets: []types.Member{{Pod: podRef("n2p1")}},
			Peers: []types.Address{{CIDR: "10.244.1.12/32"}}}
		c.reconcile(t, c.n2, r)
		defer c.forget(t, c.n2, r)
		c.tr.expect(t, n1p2, n2p1, 2300, true)
		c.tr.expect(t, n1p1, n2p1, 2300, false)
		c.tr.expect(t, n2p2, n2p1, 2300, false)
		c.tr.expect(t, c.n2.host, n2p1, 2300, true)  // the node's own host (probes)
		c.tr.expect(t, c.n1.host, n2p1, 2300, false) // another node's host is not exempt
	})
	t.Run("a Pod cannot route around OVS through the host end of its veth", func(t *testing.T) {
		r := acnpRule("bypass", v1beta2.DirectionOut, v1beta2.RuleActionDrop, "n1p1", "10.244.2.12/32", 2500)
		c.reconcile(t, c.n1, r)
		defer c.forget(t, c.n1, r)
		// The Pod resolved the gateway to the gateway's MAC, not its veth's.
		require.Contains(t, shOut(t, "ip", "-n", n1p1.NetNS, "neigh", "show", "10.244.1.1"), c.n1.gw.MAC.String())
		// A Pod that sends to the MAC of its veth's host end reaches the
		// kernel directly; the kernel must not forward that.
		vethMAC := strings.TrimSpace(shOut(t, "ip", "netns", "exec", c.n1.ovs.NetNS(), "cat", "/sys/class/net/"+n1p1.HostIfName+"/address"))
		sh(t, "ip", "-n", n1p1.NetNS, "neigh", "replace", "10.244.1.1", "lladdr", vethMAC, "dev", "eth0", "nud", "permanent")
		defer sh(t, "ip", "-n", n1p1.NetNS, "neigh", "del", "10.244.1.1", "dev", "eth0")
		c.tr.expect(t, n1p1, n2p2, 2500, false)
		c.tr.expect(t, n1p1, n2p1, 2500, true) // the frames still go through OVS
	})
	t.Run("a deleted Node's route goes, a new one comes", func(t *testing.T) {
		require.NoError(t, c.kube.CoreV1().Nodes().Delete(ctx, "node-2", metav1.DeleteOptions{}))
		require.NoError(t, poll(ctx, "node-1's route to node-2 to go", func() bool {
			return !slices.ContainsFunc(c.n1.hostRoutes(t), func(s string) bool { return strings.HasPrefix(s, "10.244.2.0/24") })
		}))
		require.ErrorContains(t, c.tr.tcp(n1p1, n2p1, 2400, blockTimeout), "network is unreachable")
		_, err := c.kube.CoreV1().Nodes().Create(ctx, kubeNode(c.n2), metav1.CreateOptions{})
		require.NoError(t, err)
		require.NoError(t, poll(ctx, "node-1's route to node-2 to come back", func() bool {
			return slices.Contains(c.n1.hostRoutes(t), "10.244.2.0/24 via 172.30.0.12 proto 211")
		}))
		c.tr.expect(t, n1p1, n2p1, 2401, true)
	})
	t.Run("a deleted route is restored by the resync", func(t *testing.T) {
		sh(t, "ip", "-n", c.n2.ovs.NetNS(), "route", "del", "10.244.1.0/24")
		require.NoError(t, poll(ctx, "node-2's route to node-1 to be restored", func() bool {
			return slices.Contains(c.n2.hostRoutes(t), "10.244.1.0/24 via 172.30.0.11 proto 211")
		}))
	})
}

// requireRefused checks that a TCP connect fails at once with "connection
// refused" (a Reject's RST), not with a timeout.
func requireRefused(t *testing.T, tr *traffic, from, to *ovstest.Pod, port int) {
	t.Helper()
	err := tr.tcp(from, to, port, allowTimeout)
	require.ErrorContains(t, err, "connection refused", "tcp %s -> %s:%d should be rejected", from.Name, to.Name, port)
}

func sorted(s []string) []string {
	slices.Sort(s)
	return s
}

// acnpRule is an application-tier ClusterNetworkPolicy rule on one Pod
// with one peer CIDR and one TCP/UDP port.
func acnpRule(id string, dir v1beta2.Direction, action v1beta2.RuleAction, target, peer string, port int32) *types.CompletedRule {
	tier, prio := int32(250), float64(5)
	p := intstr.FromInt32(port)
	tcp, udp := v1beta2.ProtocolTCP, v1beta2.ProtocolUDP
	return &types.CompletedRule{ID: types.RuleID(id), Policy: types.PolicyRef{Type: v1beta2.AntreaClusterNetworkPolicy,
		Name: "acnp-" + id}, Direction: dir, Action: &action, TierPriority: &tier, PolicyPriority: &prio,
		Targets: []types.Member{{Pod: podRef(target)}}, Peers: []types.Address{{CIDR: peer}},
		Services: []v1beta2.Service{{Protocol: &tcp, Port: &p}, {Protocol: &udp, Port: &p}}}
}

// reconcile installs rules on a node and flushes the datapath cache.
func (c *cluster) reconcile(t *testing.T, n *testNode, rules ...*types.CompletedRule) {
	t.Helper()
	require.NoError(t, n.pl.Policies().Reconcile(context.Background(), rules))
	n.settle(t)
}

// forget removes rules from a node.
func (c *cluster) forget(t *testing.T, n *testNode, rules ...*types.CompletedRule) {
	t.Helper()
	ids := make([]types.RuleID, len(rules))
	for i, r := range rules {
		ids[i] = r.ID
	}
	require.NoError(t, n.pl.Policies().Forget(context.Background(), ids))
	n.settle(t)
}
