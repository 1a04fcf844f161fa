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

package nodenet_test

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	kubefake "k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	cpfake "github.com/strata-net/strata/generated/clientset/versioned/fake"
	"github.com/strata-net/strata/nodeagent"
	"github.com/strata-net/strata/nodeagent/nodenet"
	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
	"github.com/strata-net/strata/nodeagent/podsync"
)

// agentNode is a node run by a real strata-agent with the Pod network on:
// a private OVS (its vswitchd namespace is the node's host namespace) and
// an Agent with Config.Kube set.
type agentNode struct {
	name   string
	k      int
	ovs    *ovstest.Instance
	br     string
	agent  *nodeagent.Agent
	nodeIP string
}

func run(t *testing.T, argv ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	require.NoError(t, err, "%s: %s", strings.Join(argv, " "), out)
}

func kubeNode(name string, k int, withCIDR bool) *corev1.Node {
	n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}, Status: corev1.NodeStatus{Addresses: []corev1.NodeAddress{
		{Type: corev1.NodeInternalIP, Address: fmt.Sprintf("172.30.0.%d", 10+k)}}}}
	if withCIDR {
		cidr := fmt.Sprintf("10.244.%d.0/24", k)
		n.Spec.PodCIDR, n.Spec.PodCIDRs = cidr, []string{cidr}
	}
	return n
}

func kubePod(name, node string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name}, Spec: corev1.PodSpec{NodeName: node}}
}

func testExecutable(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	return exe
}

// startAgent runs a strata-agent for the node until the test ends.
func startAgent(t *testing.T, ctx context.Context, n *agentNode, kube *kubefake.Clientset) {
	t.Helper()
	dir := t.TempDir()
	cfg := nodeagent.Config{NodeName: n.name, Bridge: n.br, OVSRunDir: n.ovs.RunDir(), DatapathType: nodeagent.DatapathNetdev,
		StateDir: filepath.Join(dir, "state"), AuditLogPath: filepath.Join(dir, "np.log"), SyncTimeout: time.Minute,
		Kube: kube, HostNetNS: n.ovs.NetNS(), PodCIDRTimeout: 2 * time.Minute,
		// The CNI server runs with the Pod network; these Pods are attached by
		// addPod. The installed "plugin" is only copied, never run, here.
		CNI: nodeagent.CNIConfig{SocketPath: filepath.Join(dir, "cni.sock"), BinDir: filepath.Join(dir, "cni-bin"),
			ConfDir: filepath.Join(dir, "cni-conf"), IPAMDataDir: filepath.Join(dir, "ipam"), PluginBinary: testExecutable(t)}}
	var err error
	n.agent, err = nodeagent.New(cfg, cpfake.NewSimpleClientset())
	require.NoError(t, err)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- n.agent.Run(runCtx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(30 * time.Second):
			t.Error("the agent did not stop within 30s")
		}
	})
}

// addPod attaches a Pod port as the CNI server does (external_ids) and
// routes the Pod via the gateway.
func addPod(t *testing.T, n *agentNode, name string, i int) *ovstest.Pod {
	t.Helper()
	ip := fmt.Sprintf("10.244.%d.%d", n.k, 10+i)
	mac := fmt.Sprintf("02:00:00:00:%02x:%02x", n.k, 10+i)
	p, err := n.ovs.AddPod(n.br, ovstest.PodConfig{Name: name, IP: ip + "/24", MAC: mac, ExternalIDs: map[string]string{
		podsync.KeyPodName: name, podsync.KeyPodNamespace: "default", podsync.KeyPodIPs: ip, podsync.KeyMAC: mac}})
	require.NoError(t, err)
	run(t, "ip", "-n", p.NetNS, "route", "add", "default", "via", fmt.Sprintf("10.244.%d.1", n.k))
	return p
}

// echoTCP serves one echo listener on the Pod until the test ends.
func echoTCP(t *testing.T, p *ovstest.Pod, port int) {
	t.Helper()
	l, err := p.Listen("tcp", fmt.Sprintf(":%d", port))
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			}()
		}
	}()
}

// exchange connects and echoes one line, retrying until timeout (the
// agent installs Pod flows asynchronously).
func exchange(ctx context.Context, from, to *ovstest.Pod, port int, timeout time.Duration) error {
	addr := fmt.Sprintf("%s:%d", strings.Split(to.IP, "/")[0], port)
	var last error
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		dctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		c, err := from.Dial(dctx, "tcp", addr)
		if err != nil {
			last = err
			return false, nil
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(time.Second))
		if _, err := c.Write([]byte("ping\n")); err != nil {
			last = err
			return false, nil
		}
		buf := make([]byte, 5)
		if _, err := io.ReadFull(c, buf); err != nil {
			last = err
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("tcp %s -> %s (last error: %v): %w", from.Name, addr, last, err)
	}
	return nil
}

// TestOVSAgentPodNetwork runs two strata-agents with Config.Kube: the
// first waits for its Node's Pod CIDR, both set up their gateway, flows
// and routes, and Pods attached as the CNI server attaches them talk across
// the nodes.
func TestOVSAgentPodNetwork(t *testing.T) {
	ovstest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	nodes := []*agentNode{{name: "node-1", k: 1}, {name: "node-2", k: 2}}
	for _, n := range nodes {
		n.ovs, n.br, n.nodeIP = ovstest.StartOVS(t), ovstest.UniqueName("br"), fmt.Sprintf("172.30.0.%d", 10+n.k)
		_, err := n.ovs.AddBridge(n.br)
		require.NoError(t, err)
	}
	run(t, "ip", "-n", nodes[0].ovs.NetNS(), "link", "add", "ul0", "type", "veth", "peer", "name", "ul0", "netns", nodes[1].ovs.NetNS())
	for _, n := range nodes {
		ns := n.ovs.NetNS()
		run(t, "ip", "-n", ns, "addr", "add", n.nodeIP+"/24", "dev", "ul0")
		run(t, "ip", "-n", ns, "link", "set", "ul0", "up")
		run(t, "ip", "netns", "exec", ns, "ethtool", "-K", "ul0", "tx", "off")
	}
	// The Pods exist in the API before their ports, as a kubelet's do: the agents'
	// start-up reconciliation removes the ports of Pods the API does not have.
	kube := kubefake.NewClientset(kubeNode("node-1", 1, false), kubeNode("node-2", 2, true),
		kubePod("a", "node-1"), kubePod("b", "node-2"))
	for _, n := range nodes {
		startAgent(t, ctx, n, kube)
	}

	// node-1's agent reads its Node, finds no Pod CIDR and waits.
	err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
		return slices.ContainsFunc(kube.Actions(), func(a k8stesting.Action) bool {
			g, ok := a.(k8stesting.GetAction)
			return ok && a.GetResource().Resource == "nodes" && g.GetName() == "node-1"
		}), nil
	})
	require.NoError(t, err, "waiting for node-1's agent to read its Node")
	_, err = nodes[0].agent.PodNetwork(ctx)
	require.ErrorIs(t, err, nodeagent.ErrPodNetworkNotReady, "node-1 has no Pod CIDR yet")
	_, err = kube.CoreV1().Nodes().Update(ctx, kubeNode("node-1", 1, true), metav1.UpdateOptions{})
	require.NoError(t, err)
	for _, n := range nodes {
		var pn nodenet.PodNetwork
		err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
			var err error
			pn, err = n.agent.PodNetwork(ctx)
			return err == nil, nil
		})
		require.NoError(t, err, "waiting for the Pod network of %s", n.name)
		cidr := netip.MustParsePrefix(fmt.Sprintf("10.244.%d.0/24", n.k))
		require.Equal(t, []netip.Prefix{cidr}, pn.PodCIDRs)
		require.Equal(t, []netip.Addr{cidr.Addr().Next()}, pn.Gateways)
		require.Equal(t, 1500, pn.MTU)
		require.Equal(t, nodenet.GatewayMAC(cidr.Addr().Next()), pn.GatewayMAC)
	}

	p1, p2 := addPod(t, nodes[0], "a", 1), addPod(t, nodes[1], "b", 1)
	echoTCP(t, p1, 3000)
	echoTCP(t, p2, 3000)
	require.NoError(t, exchange(ctx, p1, p2, 3000, time.Minute))
	require.NoError(t, exchange(ctx, p2, p1, 3000, time.Minute))
	host1 := &ovstest.Pod{Name: "node-1 host", NetNS: nodes[0].ovs.NetNS()}
	require.NoError(t, exchange(ctx, host1, p1, 3000, time.Minute), "the host reaches its Pod (probe)")
}
