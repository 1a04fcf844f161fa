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
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
)

// conntrackOf returns the userspace conntrack entries of a TCP connection by
// its client port ("" when there is none).
func (n *node) conntrackOf(t *testing.T, clientPort int) string {
	t.Helper()
	out, err := n.ovs.AppCtl("dpctl/dump-conntrack")
	if err != nil {
		t.Fatalf("dpctl/dump-conntrack: %v: %s", err, out)
	}
	var entries []string
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, fmt.Sprintf("sport=%d,", clientPort)) || strings.Contains(line, fmt.Sprintf("dport=%d)", clientPort)) {
			entries = append(entries, line)
		}
	}
	return strings.Join(entries, "\n")
}

// waitServerAcked waits until the server Pod's end of the connection has no
// unacknowledged data (ss shows "unacked:N" only while it has).
func (n *node) waitServerAcked(t *testing.T, serverPort, clientPort int) {
	t.Helper()
	eventually(t, "the client to acknowledge the server's data", func() error {
		out, err := n.server.Exec(context.Background(), "ss", "-tni", "state", "established",
			fmt.Sprintf("( sport = :%d and dport = :%d )", serverPort, clientPort))
		if err != nil {
			return err
		}
		if !strings.Contains(out, fmt.Sprintf(":%d", clientPort)) || strings.Contains(out, "unacked:") {
			return fmt.Errorf("ss: %s", out)
		}
		return nil
	})
}

// TestAgentRejectEstablishedAfterConntrackLoss: a connection established
// through an Allow keeps working after the policy turns into a Reject of the
// same traffic (established connections are not re-evaluated). Once the
// datapath loses its connection tracking state, as when ovs-vswitchd
// restarts (the agent replays its flows) or its conntrack is flushed, the
// client's next segment is picked up as new, evaluated, and rejected: the
// client gets a reset it accepts (RST at seq = the segment's ACK, RFC 9293
// §3.10.7.1), so its socket fails with ECONNRESET, instead of retransmitting
// into a Reject that answers with a reset its TCP ignores. Neither the
// rejected segment nor the reset is committed to conntrack.
func TestAgentRejectEstablishedAfterConntrackLoss(t *testing.T) {
	tests := []struct {
		name string
		lose func(*ovstest.Instance) error
	}{
		{name: "ovs-vswitchd restart", lose: (*ovstest.Instance).RestartVSwitchd},
		{name: "conntrack flushed", lose: func(i *ovstest.Instance) error {
			out, err := i.AppCtl("dpctl/flush-conntrack")
			if err != nil {
				return fmt.Errorf("dpctl/flush-conntrack: %w: %s", err, out)
			}
			return nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := newNode(t)
			allow := acnpObject("web", tierSecurityOps, 5,
				fromClient(action(v1beta2.RuleActionAllow), "Web", 0, false, tcpService(8080)))
			n.setPolicies(allow)
			n.serve(t, 8080)
			n.run(t)
			n.waitConnects(t, 8080)
			conn, err := n.dial(8080, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			clientPort := conn.LocalAddr().(*net.TCPAddr).Port
			if err := echo(conn, "through the Allow"); err != nil {
				t.Fatal(err)
			}

			reject := acnpObject("web", tierSecurityOps, 5,
				fromClient(action(v1beta2.RuleActionReject), "Web", 0, false, tcpService(8080)))
			reject.Generation = 2
			n.cp.update("networkpolicies", reject)
			eventually(t, "a new connection to tcp/8080 to be rejected", func() error {
				c, err := n.dial(8080, time.Second)
				if err == nil {
					c.Close()
					return errors.New("connected")
				}
				if !errors.Is(err, syscall.ECONNREFUSED) {
					return err
				}
				return nil
			})
			for i := range 3 {
				if err := echo(conn, fmt.Sprintf("established %d", i)); err != nil {
					t.Fatalf("the established connection after the policy became a Reject: %v", err)
				}
			}
			if ct := n.conntrackOf(t, clientPort); ct == "" {
				t.Fatal("the established connection has no conntrack entry")
			}
			// The server retransmits what the client has not acknowledged
			// yet; after the loss such a segment would be picked up as a new
			// connection from the server, which no policy restricts, and the
			// client's segments would pass as its replies. The client speaks
			// first here: wait for its (delayed) ACK of the last echo.
			n.waitServerAcked(t, 8080, clientPort)

			if err := tc.lose(n.ovs); err != nil {
				t.Fatal(err)
			}
			if ct := n.conntrackOf(t, clientPort); ct != "" {
				t.Fatalf("conntrack still tracks the connection:\n%s", ct)
			}
			start := time.Now()
			_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
			_, err = conn.Write([]byte("after the conntrack loss"))
			if err == nil {
				var k int
				buf := make([]byte, 64)
				k, err = conn.Read(buf)
				if err == nil {
					t.Fatalf("the connection carried data after its conntrack state was lost: %q", buf[:k])
				}
			}
			if !errors.Is(err, syscall.ECONNRESET) {
				t.Fatalf("the client's socket: %v after %s, want ECONNRESET (the Reject's reset)", err, time.Since(start))
			}
			t.Logf("the client's connection was reset %s after the conntrack state was lost", time.Since(start))
			// The reset went straight to the client's port, the rejected
			// segment was never committed: no entry of either direction.
			if ct := n.conntrackOf(t, clientPort); ct != "" {
				t.Fatalf("conntrack entries of the rejected connection:\n%s", ct)
			}
			n.expectRejected(t, 8080)
		})
	}
}
