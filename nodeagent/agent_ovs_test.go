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

package nodeagent

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
	"github.com/strata-net/strata/nodeagent/podsync"
)

const testNode = "node-1"

// node is a private OVS with two namespace Pods, client and server, attached as a
// CNI server would (Pod external_ids), and a fake controlplane.
type node struct {
	ovs            *ovstest.Instance
	bridge         string
	client, server *ovstest.Pod
	cp             *fakeControlplane
	cfg            Config
}

func newNode(t *testing.T) *node {
	t.Helper()
	ovstest.Require(t)
	inst := ovstest.StartOVS(t)
	bridge := ovstest.UniqueName("br")
	if _, err := inst.AddBridge(bridge); err != nil {
		t.Fatal(err)
	}
	n := &node{ovs: inst, bridge: bridge, cp: newFakeControlplane(t)}
	n.client = addPod(t, inst, bridge, "client", "10.78.0.11", "02:00:00:00:78:11", 11)
	n.server = addPod(t, inst, bridge, "server", "10.78.0.12", "02:00:00:00:78:12", 12)
	dir := t.TempDir()
	n.cfg = Config{NodeName: testNode, Bridge: bridge, OVSRunDir: inst.RunDir(), DatapathType: DatapathNetdev,
		StateDir: filepath.Join(dir, "state"), AuditLogPath: filepath.Join(dir, "np.log"), SyncTimeout: time.Minute}
	return n
}

func addPod(t *testing.T, inst *ovstest.Instance, bridge, name, ip, mac string, ofport int32) *ovstest.Pod {
	t.Helper()
	p, err := inst.AddPod(bridge, ovstest.PodConfig{Name: ovstest.UniqueName(name), IP: ip + "/24", MAC: mac, OFPort: ofport,
		ExternalIDs: map[string]string{podsync.KeyPodName: name, podsync.KeyPodNamespace: "default",
			podsync.KeyPodIPs: ip, podsync.KeyMAC: mac}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// run starts an agent until the test (or stop) ends.
func (n *node) run(t *testing.T) (stop func()) {
	t.Helper()
	return n.runWith(t, n.cp.client)
}

// serve accepts and echoes on the server Pod's TCP ports until the test ends.
func (n *node) serve(t *testing.T, ports ...int) {
	t.Helper()
	for _, port := range ports {
		l, err := n.server.Listen("tcp", fmt.Sprintf("10.78.0.12:%d", port))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				go echoUntilClosed(c)
			}
		}()
	}
}

// echoUntilClosed writes back what it reads until the peer closes.
func echoUntilClosed(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 64)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return
		}
		if _, err := c.Write(buf[:n]); err != nil {
			return
		}
	}
}

// dial connects from the client Pod with a timeout and returns how it ended.
func (n *node) dial(port int, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return n.client.Dial(ctx, "tcp", fmt.Sprintf("10.78.0.12:%d", port))
}

// testPolicy is an ACNP in securityops applied to the server, with ingress rules from
// the client: Allow tcp/8080, Reject tcp/9090 (logged), Drop tcp/7070.
func testPolicy() (*v1beta2.NetworkPolicy, *v1beta2.AppliedToGroup, *v1beta2.AddressGroup) {
	tier, prio := int32(100), 5.0
	port := func(p int) []v1beta2.Service {
		tcp, v := v1beta2.ProtocolTCP, intstr.FromInt32(int32(p))
		return []v1beta2.Service{{Protocol: &tcp, Port: &v}}
	}
	act := func(a v1beta2.RuleAction) *v1beta2.RuleAction { return &a }
	from := v1beta2.NetworkPolicyPeer{AddressGroups: []string{"ag-client"}}
	np := &v1beta2.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "np-uid", UID: "np-uid", Generation: 1},
		AppliedToGroups: []string{"atg-server"}, TierPriority: &tier, Priority: &prio,
		SourceRef: &v1beta2.NetworkPolicyReference{Type: v1beta2.AntreaClusterNetworkPolicy, Name: "acnp-e2e", UID: "np-uid"},
		Rules: []v1beta2.NetworkPolicyRule{
			{Direction: v1beta2.DirectionIn, From: from, Services: port(8080), Action: act(v1beta2.RuleActionAllow), Name: "AllowWeb", Priority: 0},
			{Direction: v1beta2.DirectionIn, From: from, Services: port(9090), Action: act(v1beta2.RuleActionReject), Name: "RejectAdmin", Priority: 1, EnableLogging: true},
			{Direction: v1beta2.DirectionIn, From: from, Services: port(7070), Action: act(v1beta2.RuleActionDrop), Name: "DropDebug", Priority: 2},
		}}
	atg := &v1beta2.AppliedToGroup{ObjectMeta: metav1.ObjectMeta{Name: "atg-server"},
		GroupMembers: []v1beta2.GroupMember{{Pod: &v1beta2.PodReference{Name: "server", Namespace: "default"}}}}
	ag := &v1beta2.AddressGroup{ObjectMeta: metav1.ObjectMeta{Name: "ag-client"},
		GroupMembers: []v1beta2.GroupMember{{Pod: &v1beta2.PodReference{Name: "client", Namespace: "default"},
			IPs: []v1beta2.IPAddress{v1beta2.IPAddress(net.ParseIP("10.78.0.11").To4())}}}}
	return np, atg, ag
}

func (n *node) setPolicy() {
	np, atg, ag := testPolicy()
	n.cp.set("networkpolicies", np)
	n.cp.set("appliedtogroups", atg)
	n.cp.set("addressgroups", ag)
}

// eventually polls cond for up to a minute.
func eventually(t *testing.T, what string, cond func() error) {
	t.Helper()
	var last error
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
		last = cond()
		return last == nil, nil
	})
	if err != nil {
		t.Fatalf("waiting a minute for %s: %v", what, last)
	}
}

// TestAgentEnforces runs the whole agent on a real OVS: Allow connects, Reject is
// refused at once and logged, Drop times out, and the realization is reported.
func TestAgentEnforces(t *testing.T) {
	n := newNode(t)
	n.setPolicy()
	n.serve(t, 8080, 9090, 7070)
	n.run(t)
	eventually(t, "tcp/8080 to be allowed", func() error {
		c, err := n.dial(8080, time.Second)
		if err == nil {
			c.Close()
		}
		return err
	})
	start := time.Now()
	_, err := n.dial(9090, 5*time.Second)
	if !errors.Is(err, syscall.ECONNREFUSED) || time.Since(start) > time.Second {
		t.Fatalf("tcp/9090 (Reject): %v after %s, want connection refused at once", err, time.Since(start))
	}
	if _, err := n.dial(7070, time.Second); err == nil || errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("tcp/7070 (Drop): %v, want a timeout", err)
	}
	eventually(t, "the np.log line of the rejected connection", func() error {
		data, _ := os.ReadFile(n.cfg.AuditLogPath)
		want := "AntreaClusterNetworkPolicy:acnp-e2e RejectAdmin Ingress Reject"
		if !strings.Contains(string(data), want) || !strings.Contains(string(data), "default/server 10.78.0.11") {
			return fmt.Errorf("np.log %q lacks %q", data, want)
		}
		return nil
	})
	eventually(t, "a realization report", func() error {
		for _, st := range n.cp.statusReports() {
			if st.Name == "np-uid" && len(st.Nodes) == 1 && st.Nodes[0].NodeName == testNode && !st.Nodes[0].RealizationFailure {
				return nil
			}
		}
		return fmt.Errorf("reports %v", n.cp.statusReports())
	})
}

func mustDump(n *node) string {
	out, _ := n.ovs.OFCtl("-O", "OpenFlow15", "dump-flows", n.bridge)
	return out
}

// TestAgentRestartKeepsConnections restarts the agent with a long-lived connection
// open: the connection survives, and the previous round's flows are deleted.
func TestAgentRestartKeepsConnections(t *testing.T) {
	n := newNode(t)
	n.setPolicy()
	n.serve(t, 8080)
	stop := n.run(t)
	var conn net.Conn
	eventually(t, "tcp/8080 to be allowed", func() error {
		var err error
		conn, err = n.dial(8080, time.Second)
		return err
	})
	defer conn.Close()
	echo := func(msg string) error {
		_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
		if _, err := conn.Write([]byte(msg)); err != nil {
			return err
		}
		buf := make([]byte, 64)
		k, err := conn.Read(buf)
		if err != nil || string(buf[:k]) != msg {
			return fmt.Errorf("echo %q: %q, %v", msg, buf[:k], err)
		}
		return nil
	}
	if err := echo("before"); err != nil {
		t.Fatal(err)
	}
	stop()
	n.run(t)
	eventually(t, "the flows of round 1 to be gone", func() error {
		out, err := n.ovs.OFCtl("-O", "OpenFlow15", "dump-flows", n.bridge, "cookie=0x1000000000000/0xffff000000000000")
		if err != nil {
			return err
		}
		if left := strings.Count(out, "cookie=0x1"); left > 0 {
			return fmt.Errorf("%d round-1 flows left", left)
		}
		if !strings.Contains(mustDump(n), "cookie=0x2") {
			return errors.New("no round-2 flows yet")
		}
		return nil
	})
	if err := echo("after"); err != nil {
		t.Fatalf("the connection did not survive the agent restart: %v", err)
	}
}
