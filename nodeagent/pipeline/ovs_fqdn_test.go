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
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/nodeagent/fqdn"
	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/packetin"
	"github.com/strata-net/strata/nodeagent/proxy"
	"github.com/strata-net/strata/nodeagent/types"
)

// zone is a tiny authoritative DNS server's data: name → address, TTL.
type zone struct {
	mu      sync.Mutex
	records map[string]dns.RR
	queries int
}

func (z *zone) set(t *testing.T, rr string) {
	t.Helper()
	r, err := dns.NewRR(rr)
	require.NoError(t, err)
	z.mu.Lock()
	defer z.mu.Unlock()
	z.records[fqdn.Normalize(r.Header().Name)] = r
}

func (z *zone) answer(q *dns.Msg) *dns.Msg {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.queries++
	resp := new(dns.Msg)
	resp.SetReply(q)
	if len(q.Question) == 1 {
		if rr, ok := z.records[fqdn.Normalize(q.Question[0].Name)]; ok && rr.Header().Rrtype == q.Question[0].Qtype {
			resp.Answer = []dns.RR{dns.Copy(rr)}
		} else {
			resp.Rcode = dns.RcodeNameError
		}
	}
	return resp
}

// serveDNS answers UDP queries on pod:8080 from the zone (the endpoint of
// the "kube-dns" Service at testVIP:53).
func (n *testNode) serveDNS(pod string, z *zone) {
	n.t.Helper()
	var pc net.PacketConn
	require.NoError(n.t, n.endpoint(pod).Do(func() (err error) {
		pc, err = net.ListenPacket("udp", ":8080")
		return err
	}))
	n.root.Cleanup(func() { _ = pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			m, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			q := new(dns.Msg)
			if q.Unpack(buf[:m]) != nil {
				continue
			}
			if out, err := z.answer(q).Pack(); err == nil {
				_, _ = pc.WriteTo(out, from)
			}
		}
	}()
}

// resolve asks testVIP:53 from a Pod for the A record of name (retrying
// lost datagrams) and returns the answer's addresses.
func (n *testNode) resolve(from, name string) ([]netip.Addr, error) {
	c, err := n.endpoint(from).Dial(n.ctx, "udp", testVIP+":53")
	if err != nil {
		return nil, err
	}
	defer c.Close()
	q := new(dns.Msg).SetQuestion(dns.Fqdn(name), dns.TypeA)
	out, err := q.Pack()
	if err != nil {
		return nil, err
	}
	buf := make([]byte, 1500)
	for range 5 {
		if _, err := c.Write(out); err != nil {
			return nil, err
		}
		_ = c.SetReadDeadline(time.Now().Add(time.Second))
		m, err := c.Read(buf)
		if isTimeout(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		resp := new(dns.Msg)
		if err := resp.Unpack(buf[:m]); err != nil {
			return nil, err
		}
		var addrs []netip.Addr
		for _, rr := range resp.Answer {
			if a, ok := rr.(*dns.A); ok {
				addrs = append(addrs, netip.MustParseAddr(a.A.String()))
			}
		}
		return addrs, nil
	}
	return nil, fmt.Errorf("no DNS answer for %s from %s within 5 tries", name, testVIP)
}

func (n *testNode) expectResolves(from, name, want string) {
	n.t.Helper()
	addrs, err := n.resolve(from, name)
	require.NoError(n.t, err)
	require.Equal(n.t, []netip.Addr{netip.MustParseAddr(want)}, addrs, "the answer for %s", name)
}

// eventuallyBlocked polls until a connection from one endpoint to another
// is dropped, for at most within.
func (n *testNode) eventuallyBlocked(from, to string, port int, within time.Duration, what string) {
	n.t.Helper()
	deadline := time.Now().Add(within)
	for {
		err := n.connect(from, to, port, blockTimeout)
		if err != nil && (errors.Is(err, context.DeadlineExceeded) || isTimeout(err)) {
			return
		}
		require.True(n.t, time.Now().Before(deadline), "%s -> %s:%d still connects after %s (%s); last error %v",
			from, to, port, within, what, err)
		n.settle()
	}
}

// handleDNS runs the agent's packet-in handler with a DNS handler over
// the cache, and the cache's expiry loop, until the test ends.
func (n *testNode) handleDNS(t *testing.T, cache *fqdn.Cache) {
	t.Helper()
	pl, client := n.agent.pl, n.agent.client
	dh, err := packetin.NewDNSHandler(packetin.DNSConfig{Learner: cache, Rules: pl.Policies(), Resumer: clientSender{client},
		DatapathSync: func(context.Context) error {
			out, err := n.ovs.AppCtl("revalidator/purge")
			if err != nil {
				return fmt.Errorf("%w: %s", err, out)
			}
			return nil
		}})
	require.NoError(t, err)
	h, err := packetin.NewHandler(packetin.Config{Rules: pl.Policies(), Pods: pl.Pods(), Sender: clientSender{client},
		Log: packetin.NewAuditLog(packetin.AuditLogConfig{Path: t.TempDir() + "/np.log"}), TableName: TableName,
		RemoteRejectTable: L3Forwarding, TranslatedRejectTable: ConntrackZone, DNS: dh})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(n.ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); h.Run(ctx, client.PacketIns()) }()
	go func() { defer wg.Done(); cache.Run(ctx, pl.Policies().RefreshFQDNs) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
}

func (s clientSender) Resume(ctx context.Context, pi openflow.PacketIn2) error {
	conn, err := s.c.Conn(ctx)
	if err != nil {
		return err
	}
	return conn.Send(ctx, openflow.Resume{PacketIn: pi})
}

// dnsInterceptions are the Output table's DNS interception flows in OVS.
func (n *testNode) dnsInterceptions() []openflow.FlowStats {
	n.t.Helper()
	var out []openflow.FlowStats
	for _, fs := range n.dumpFlows(openflow.FlowDescRequest{Table: Output}) {
		if fs.Flow.Priority == dnsInterceptPriority {
			out = append(out, fs)
		}
	}
	return out
}

func fqdnRule(r *types.CompletedRule, target string, port int32, names ...string) *types.CompletedRule {
	r = rule(r, targets(target), []types.Address{}, tcp(port))
	r.FQDNs = names
	return r
}

// TestOVSFQDN sends real traffic through FQDN rules: the DNS responses to
// a Pod come from a DNS server Pod behind a ClusterIP (un-NATed by
// conntrack), are paused for the agent, which learns their addresses and
// installs them in the rules before it resumes the response, so that the
// very first connection after the resolution meets the rule: allowed by an
// FQDN Allow (before it, the default Drop blocks), dropped by an FQDN Drop
// (before it, nothing drops). Addresses expire with their TTL, and a new
// answer moves the allow to the new address.
func TestOVSFQDN(t *testing.T) {
	cache, err := fqdn.New(fqdn.Config{MinTTL: 500 * time.Millisecond})
	require.NoError(t, err)
	n := startGatewayNodeWith(t, 4, false, func(n *testNode) { n.fqdns = cache })
	z := &zone{records: map[string]dns.RR{}}
	n.serveDNS("pod2", z)
	n.syncService(n.svc("kube-dns", 53, proxy.UDP, "pod2"))
	n.handleDNS(t, cache)
	const port = 8080
	n.serve("ext", port)
	n.serve("pod3", port)

	allowWWW := fqdnRule(acnp("fqdn-allow", 250, 5, 0, out, allow), "pod1", port, "*.Example.test")
	dropRest := rule(acnp("fqdn-default-drop", 250, 5, 1, out, drop), targets("pod1"), nil, tcp(port))

	t.Run("Allow: blocked before the resolution, the first connection after it works", func(t *testing.T) {
		n.t = t
		z.set(t, "www.example.test. 3 IN A 192.168.77.2")
		n.reconcile(allowWWW, dropRest)
		n.expectBlocked("pod1", "ext", port)
		n.expectResolves("pod1", "www.example.test", "192.168.77.2")
		start := time.Now()
		require.NoError(t, n.connect("pod1", "ext", port, 900*time.Millisecond), "the first connection after the resolution, without a SYN retransmission")
		t.Logf("first connection after the resolution took %s", time.Since(start))
		n.expectBlocked("pod1", "pod3", port)
		n.requireInstalled()
	})
	t.Run("the address expires with its TTL", func(t *testing.T) {
		n.t = t
		n.eventuallyBlocked("pod1", "ext", port, 10*time.Second, "the 3 s TTL of www.example.test ran out")
		require.Empty(t, cache.Addresses("www.example.test"))
	})
	t.Run("a new answer moves the allow; the old address lasts its TTL", func(t *testing.T) {
		n.t = t
		n.expectResolves("pod1", "www.example.test", "192.168.77.2")
		n.expectConnect("pod1", "ext", port)
		z.set(t, "www.example.test. 60 IN A 10.77.0.13")
		n.expectResolves("pod1", "www.example.test", "10.77.0.13")
		require.NoError(t, n.connect("pod1", "pod3", port, 900*time.Millisecond), "the first connection to the new address, without a SYN retransmission")
		n.eventuallyBlocked("pod1", "ext", port, 10*time.Second, "the old address's 3 s TTL ran out")
		n.expectConnect("pod1", "pod3", port)
	})
	n.forget(allowWWW, dropRest)

	t.Run("Drop: the first connection after the resolution is dropped", func(t *testing.T) {
		n.t = t
		z.set(t, "blocked.example.test. 60 IN A 10.77.0.14")
		n.serve("pod4", port)
		dropBlocked := fqdnRule(acnp("fqdn-drop", 250, 5, 0, out, drop), "pod1", port, "blocked.example.test")
		n.reconcile(dropBlocked)
		n.expectConnect("pod1", "pod4", port)
		n.expectResolves("pod1", "blocked.example.test", "10.77.0.14")
		n.expectBlocked("pod1", "pod4", port)
		n.expectConnect("pod1", "pod3", port)
		require.Len(t, n.dnsInterceptions(), 4, "pod1's DNS responses are intercepted (UDP, TCP; IPv4, IPv6)")
		n.forget(dropBlocked)
		n.expectConnect("pod1", "pod4", port)
		require.Empty(t, n.dnsInterceptions(), "no FQDN rule applies to a Pod: no DNS response is intercepted")
	})
	t.Run("a response that is not DNS is delivered unchanged", func(t *testing.T) {
		n.t = t
		n.reconcile(allowWWW)
		n.serveUDP("pod3", 8080)
		n.syncService(n.svc("kube-dns", 53, proxy.UDP, "pod3"))
		require.NoError(t, n.udpEchoAddr("pod1", testVIP+":53", allowTimeout), "a UDP echo through port 53")
		n.forget(allowWWW)
	})
}
