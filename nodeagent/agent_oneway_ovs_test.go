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
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/pipeline"
)

// udpServer is a UDP socket of the server Pod that never answers: what it
// receives, by payload.
type udpServer struct {
	got chan string
}

// listenUDP opens a UDP socket on the server Pod's port until the test ends.
func (n *node) listenUDP(t *testing.T, port int) *udpServer {
	t.Helper()
	var pc net.PacketConn
	if err := n.server.Do(func() (err error) {
		pc, err = net.ListenPacket("udp", fmt.Sprintf("10.78.0.12:%d", port))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	s := &udpServer{got: make(chan string, 1024)}
	go func() {
		buf := make([]byte, 256)
		for {
			k, _, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			s.got <- string(buf[:k])
		}
	}()
	return s
}

// received waits up to d for a datagram whose payload has prefix.
func (s *udpServer) received(prefix string, d time.Duration) (string, bool) {
	timeout := time.After(d)
	for {
		select {
		case p := <-s.got:
			if strings.HasPrefix(p, prefix) {
				return p, true
			}
		case <-timeout:
			return "", false
		}
	}
}

// dialUDP is a UDP socket of the client Pod from a fixed source port to the
// server Pod's port.
func (n *node) dialUDP(t *testing.T, srcPort, dstPort int) *net.UDPConn {
	t.Helper()
	var c *net.UDPConn
	if err := n.client.Do(func() (err error) {
		c, err = net.DialUDP("udp", &net.UDPAddr{IP: net.ParseIP("10.78.0.11"), Port: srcPort},
			&net.UDPAddr{IP: net.ParseIP("10.78.0.12"), Port: dstPort})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// waitRealized waits for the agent's report of a policy at a generation.
func (n *node) waitRealized(t *testing.T, uid string, generation int64) {
	t.Helper()
	eventually(t, fmt.Sprintf("the realization of %s at generation %d", uid, generation), func() error {
		for _, st := range n.cp.statusReports() {
			if st.Name == uid && len(st.Nodes) == 1 && st.Nodes[0].Generation == generation && !st.Nodes[0].RealizationFailure {
				return nil
			}
		}
		return fmt.Errorf("reports %v", n.cp.statusReports())
	})
}

// TestAgentDropAfterOneWayUDPAllow: a UDP Allow lets datagrams from a fixed
// source port through to a server that never answers, so the connection the
// Allow committed is never established in conntrack (no reply, no established
// bypass). Once a Drop of the same traffic takes precedence, the next
// datagrams from the same source port are evaluated, match the Drop, and must
// not reach the server.
//
// "a Drop of higher precedence added": the Allow stays installed, so the
// ingress metric table has both the Allow's flow (ct_label of the connections
// it committed, which this one carries) and the Drop's (deny bit and rule id):
// the Drop's must win. Before c4db1aa both sat at one priority and OVS picked
// the Allow's: "denied 0" reached the server. "the Allow becomes a Drop": the
// Allow's flows are gone with it, only the Drop's match.
//
// A datagram to another port, which no rule matches, sent after the denied
// ones, is the control that the datapath forwards meanwhile.
func TestAgentDropAfterOneWayUDPAllow(t *testing.T) {
	const (
		port, controlPort = 5353, 5354
		srcPort           = 41053
	)
	allowObj := func() *v1beta2.NetworkPolicy {
		return acnpObject("udp", tierSecurityOps, 5,
			fromClient(action(v1beta2.RuleActionAllow), "AllowUDP", 0, false, udpService(port)))
	}
	tests := []struct {
		name string
		// drop installs the Drop, and returns the uid and generation of the
		// policy whose realization says it is installed.
		drop func(n *node) (string, int64)
	}{
		{name: "a Drop of higher precedence added", drop: func(n *node) (string, int64) {
			n.cp.update("networkpolicies", acnpObject("udp-drop", tierSecurityOps, 1,
				fromClient(action(v1beta2.RuleActionDrop), "DropUDP", 0, false, udpService(port))))
			return "uid-udp-drop", 1
		}},
		{name: "the Allow becomes a Drop", drop: func(n *node) (string, int64) {
			drop := acnpObject("udp", tierSecurityOps, 5,
				fromClient(action(v1beta2.RuleActionDrop), "DropUDP", 0, false, udpService(port)))
			drop.Generation = 2
			n.cp.update("networkpolicies", drop)
			return "uid-udp", 2
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := newNode(t)
			n.setPolicies(allowObj())
			server := n.listenUDP(t, port)
			control := n.listenUDP(t, controlPort)
			n.run(t)
			n.waitRealized(t, "uid-udp", 1)
			conn := n.dialUDP(t, srcPort, port)
			i := 0
			eventually(t, fmt.Sprintf("a datagram from udp/%d to udp/%d through the Allow", srcPort, port), func() error {
				i++
				if _, err := conn.Write([]byte(fmt.Sprintf("allowed %d", i))); err != nil {
					return err
				}
				if _, ok := server.received("allowed", 200*time.Millisecond); !ok {
					return errors.New("not received")
				}
				return nil
			})
			// More of them, so the connection is past its first packet.
			for j := range 3 {
				if _, err := conn.Write([]byte(fmt.Sprintf("allowed again %d", j))); err != nil {
					t.Fatal(err)
				}
				if _, ok := server.received("allowed again", 2*time.Second); !ok {
					t.Fatalf("datagram %d from udp/%d through the Allow did not arrive", j, srcPort)
				}
			}
			ct := n.conntrackOf(t, srcPort)
			if ct == "" {
				t.Fatalf("the Allow's one-way UDP connection has no conntrack entry")
			}
			t.Logf("conntrack of the one-way connection before the Drop:\n%s", ct)

			uid, generation := tc.drop(n)
			n.waitRealized(t, uid, generation)
			// Five datagrams, one every 100 ms (paced by a ticker: each may take the
			// datapath's cached flow of the one before).
			pace := time.NewTicker(100 * time.Millisecond)
			for j := range 5 {
				if _, err := conn.Write([]byte(fmt.Sprintf("denied %d", j))); err != nil {
					t.Fatal(err)
				}
				<-pace.C
			}
			pace.Stop()
			// The control goes out after the denied datagrams: once it arrived,
			// any of them that passed would have arrived before it.
			controlConn := n.dialUDP(t, srcPort+1, controlPort)
			eventually(t, fmt.Sprintf("the control datagram to udp/%d", controlPort), func() error {
				if _, err := controlConn.Write([]byte("control")); err != nil {
					return err
				}
				if _, ok := control.received("control", 200*time.Millisecond); !ok {
					return errors.New("not received")
				}
				return nil
			})
			if p, ok := server.received("denied", time.Second); ok {
				t.Fatalf("%q from udp/%d reached the server after the Drop (its connection committed by the Allow):\n"+
					"conntrack:\n%s\nflows:\n%s", p, srcPort, n.conntrackOf(t, srcPort), strings.Join(n.metricFlows(t), "\n"))
			}
		})
	}
}

// metricFlows are the flows of the metric tables.
func (n *node) metricFlows(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, f := range n.flows(t) {
		for _, table := range []uint8{pipeline.IngressMetric, pipeline.EgressMetric} {
			if strings.Contains(f, fmt.Sprintf("table=%d,", table)) {
				out = append(out, f)
			}
		}
	}
	return out
}
