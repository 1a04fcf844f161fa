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
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/nodeagent/proxy"
)

// serveUDPName answers every datagram on a pod's UDP port with the pod's name.
func (n *testNode) serveUDPName(pod string, port int) {
	n.t.Helper()
	var pc net.PacketConn
	err := n.endpoint(pod).Do(func() (err error) {
		pc, err = net.ListenPacket("udp", fmt.Sprintf(":%d", port))
		return err
	})
	require.NoError(n.t, err)
	n.root.Cleanup(func() { _ = pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			_, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			_, _ = pc.WriteTo([]byte(pod), addr)
		}
	}()
}

// askUDP sends one datagram to addr from a new socket of a pod (a new
// source port) and returns the answer.
func (n *testNode) askUDP(from, addr string) (string, error) {
	c, err := n.endpoint(from).Dial(n.ctx, "udp", addr)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if _, err := c.Write([]byte("who")); err != nil {
		return "", err
	}
	_ = c.SetReadDeadline(time.Now().Add(allowTimeout))
	buf := make([]byte, 64)
	m, err := c.Read(buf)
	return string(buf[:m]), err
}

// TestOVSServiceUDPSpread: a client's UDP flows to a frontend (each from its
// own source port) spread over the endpoints. With OVS's default dp_hash
// selection (sym_l4, which leaves UDP ports out) they all went to one.
func TestOVSServiceUDPSpread(t *testing.T) {
	n := startGatewayNode(t, 4, false)
	endpoints := []string{"pod2", "pod3", "pod4"}
	for _, p := range endpoints {
		n.serveUDPName(p, 8080) // the endpoints of svc
	}
	n.syncService(n.svc("udp", 81, proxy.UDP, endpoints...))
	counts := map[string]int{}
	for i := range 60 {
		name, err := n.askUDP("pod1", testVIP+":81")
		require.NoError(t, err, "datagram %d to %s:81", i, testVIP)
		counts[name]++
	}
	for _, p := range endpoints {
		require.GreaterOrEqual(t, counts[p], 5, "UDP flows to %s among 60: %v", p, counts)
	}
}
