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
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
)

// dropTimeout is how long a dial to a dropped port waits before it counts as
// dropped: SYNs are retransmitted after 1s, so one second sees at least one
// SYN through the pipeline.
const dropTimeout = time.Second

// waitConnects polls until a TCP connection to the server's port succeeds.
func (n *node) waitConnects(t *testing.T, port int) {
	t.Helper()
	eventually(t, fmt.Sprintf("tcp/%d to be allowed", port), func() error {
		c, err := n.dial(port, time.Second)
		if err == nil {
			c.Close()
		}
		return err
	})
}

// expectDropped fails unless a TCP connection to the port times out (neither
// connects nor is refused).
func (n *node) expectDropped(t *testing.T, port int) {
	t.Helper()
	c, err := n.dial(port, dropTimeout)
	if err == nil {
		c.Close()
		t.Fatalf("tcp/%d connected, want it dropped", port)
	}
	if !errors.Is(err, context.DeadlineExceeded) && !os.IsTimeout(err) {
		t.Fatalf("tcp/%d: %v, want a timeout (dropped)", port, err)
	}
}

// npLog returns np.log's content ("" before the first line).
func (n *node) npLog() string {
	data, _ := os.ReadFile(n.cfg.AuditLogPath)
	return string(data)
}

// waitLogLine polls until np.log has a line containing every part.
func (n *node) waitLogLine(t *testing.T, parts ...string) {
	t.Helper()
	eventually(t, fmt.Sprintf("an np.log line with %q", parts), func() error {
		if logLine(n.npLog(), parts...) == "" {
			return fmt.Errorf("np.log:\n%s", n.npLog())
		}
		return nil
	})
}

// logLine is the first line of log containing every part, or "".
func logLine(log string, parts ...string) string {
	for _, line := range strings.Split(log, "\n") {
		found := true
		for _, p := range parts {
			found = found && strings.Contains(line, p)
		}
		if found && line != "" {
			return line
		}
	}
	return ""
}

// TestAgentK8sNetworkPolicy enforces a K8s NetworkPolicy allow list through the
// agent: the allowed port connects, every other port of the isolated server is
// dropped. When the rules log (the Namespace is annotated
// networkpolicy.antrea.io/enable-logging=true), the allowed connection and the
// isolation drop are in np.log; when they do not, neither is. A logged ACNP
// Drop on another port, tried after the isolation drop, is the control: its
// line is folded for a second like the isolation drop's would be, so once it
// is written the isolation line would be written too.
func TestAgentK8sNetworkPolicy(t *testing.T) {
	for _, tc := range []struct {
		name    string
		logging bool
	}{
		{name: "namespace annotated", logging: true},
		{name: "namespace not annotated", logging: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newNode(t)
			n.setPolicies(
				k8sNPObject("web-only", fromClient(nil, "", 0, tc.logging, tcpService(8080))),
				acnpObject("control", tierSecurityOps, 5, fromClient(action(v1beta2.RuleActionDrop), "ControlDrop", 0, true, tcpService(6060))),
			)
			n.serve(t, 8080, 7070, 6060)
			n.run(t)
			n.waitConnects(t, 8080)
			n.expectDropped(t, 7070) // not in the allow list: isolation drop
			n.expectDropped(t, 6060)
			n.waitLogLine(t, "AntreaClusterNetworkPolicy:control ControlDrop Ingress Drop", "10.78.0.12 6060 TCP")
			isolation := []string{"IngressDefaultRule K8sNetworkPolicy <nil> Ingress Drop <nil> default/server 10.78.0.11", "10.78.0.12 7070 TCP"}
			allowed := []string{"K8sNetworkPolicy:default/web-only", "Ingress Allow", "10.78.0.12 8080 TCP"}
			if tc.logging {
				n.waitLogLine(t, isolation...)
				n.waitLogLine(t, allowed...)
				return
			}
			if line := logLine(n.npLog(), "K8sNetworkPolicy"); line != "" {
				t.Fatalf("np.log has a K8s NetworkPolicy line without logging: %q", line)
			}
		})
	}
}

// TestAgentPassThenBaseline: a securityops Pass skips the application tier's
// Allow and falls through to the baseline Drop; a port the Pass does not match
// is allowed by the application tier before baseline is reached.
func TestAgentPassThenBaseline(t *testing.T) {
	n := newNode(t)
	n.setPolicies(
		acnpObject("pass", tierSecurityOps, 5, fromClient(action(v1beta2.RuleActionPass), "PassWeb", 0, false, tcpService(8080))),
		acnpObject("app", tierApplication, 5,
			fromClient(action(v1beta2.RuleActionAllow), "AllowWeb", 0, false, tcpService(8080)),
			fromClient(action(v1beta2.RuleActionAllow), "AllowAdmin", 1, false, tcpService(9090))),
		acnpObject("baseline", tierBaseline, 5,
			fromClient(action(v1beta2.RuleActionDrop), "DropWeb", 0, false, tcpService(8080)),
			fromClient(action(v1beta2.RuleActionDrop), "DropAdmin", 1, false, tcpService(9090))),
	)
	n.serve(t, 8080, 9090)
	n.run(t)
	n.waitConnects(t, 9090) // application Allow wins over baseline
	n.expectDropped(t, 8080)
}

// TestAgentRejectUDP: a Reject of UDP answers the first datagram with an ICMP
// "host administratively prohibited", which the client's connected socket
// reports as EHOSTUNREACH at once; the logged rule writes its np.log line.
func TestAgentRejectUDP(t *testing.T) {
	n := newNode(t)
	n.setPolicies(acnpObject("reject-dns", tierSecurityOps, 5,
		fromClient(action(v1beta2.RuleActionReject), "RejectDNS", 0, true, udpService(5353))))
	n.run(t)
	eventually(t, "a realization report", func() error {
		if len(n.cp.statusReports()) == 0 {
			return errors.New("no report yet")
		}
		return nil
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := n.client.Dial(ctx, "udp", "10.78.0.12:5353")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if _, err := conn.Write([]byte("query")); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = conn.Read(make([]byte, 64))
	if !errors.Is(err, syscall.EHOSTUNREACH) || time.Since(start) > time.Second {
		t.Fatalf("udp/5353 (Reject): %v after %s, want EHOSTUNREACH (ICMP administratively prohibited) at once", err, time.Since(start))
	}
	n.waitLogLine(t, "AntreaClusterNetworkPolicy:reject-dns RejectDNS Ingress Reject", "10.78.0.12 5353 UDP")
}
