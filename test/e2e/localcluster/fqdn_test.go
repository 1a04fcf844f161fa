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

package localcluster

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/strata-net/strata/test/e2e/framework"
)

// The outside network namespace of TestFQDN: on the nodes' underlay bridge,
// with its own DNS server for outside.test (CoreDNS forwards the zone to it,
// artifacts/local-cluster/coredns.yaml) and a TCP server on each address.
const (
	fqdnNamespace = "fqdn-e2e"
	outsideDNS    = "172.30.0.250" // also the first address of www.outside.test
	outsideOther  = "172.30.0.251"
	outsidePort   = 8080
	// blockedPort is where an FQDN Drop applies (on outsideOther).
	blockedPort = 8081
)

// outsideZone answers A queries for outside.test from a map the test changes.
type outsideZone struct {
	mu      sync.Mutex
	records map[string]string // normalized name → "TTL IP"
}

func (z *outsideZone) set(name string, ttl int, ip string) {
	z.mu.Lock()
	defer z.mu.Unlock()
	z.records[name] = fmt.Sprintf("%d %s", ttl, ip)
}

func (z *outsideZone) ServeDNS(w dns.ResponseWriter, q *dns.Msg) {
	resp := new(dns.Msg).SetReply(q)
	resp.Authoritative = true
	z.mu.Lock()
	rec, ok := "", false
	if len(q.Question) == 1 && q.Question[0].Qtype == dns.TypeA {
		rec, ok = z.records[strings.ToLower(q.Question[0].Name)]
	}
	z.mu.Unlock()
	if ok {
		rr, err := dns.NewRR(q.Question[0].Name + " " + strings.Replace(rec, " ", " IN A ", 1))
		if err == nil {
			resp.Answer = append(resp.Answer, rr)
		}
	} else {
		resp.Rcode = dns.RcodeNameError
	}
	_ = w.WriteMsg(resp)
}

// sh runs a command and fails the test with its output.
func sh(t *testing.T, argv ...string) {
	t.Helper()
	if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v: %s", strings.Join(argv, " "), err, out)
	}
}

// startOutside creates the outside namespace on the underlay (routes to every
// node's Pod CIDR through the node), its DNS server and TCP servers.
func startOutside(ctx context.Context, t *testing.T, zone *outsideZone) {
	t.Helper()
	path := framework.OutsideNetNS(t, lc.Dir, outsideDNS, outsideOther)
	outside := filepath.Base(path)
	out := kubectl(ctx, t, "get", "nodes", "-o",
		`jsonpath={range .items[*]}{.spec.podCIDR} {.status.addresses[?(@.type=="InternalIP")].address}{"\n"}{end}`)
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			sh(t, "ip", "-n", outside, "route", "add", f[0], "via", f[1])
		}
	}
	err := inNetNS(path, func() error {
		pc, err := net.ListenPacket("udp", outsideDNS+":53")
		if err != nil {
			return err
		}
		srv := &dns.Server{PacketConn: pc, Handler: zone}
		go func() { _ = srv.ActivateAndServe() }()
		t.Cleanup(func() { _ = srv.Shutdown() })
		for _, addr := range []string{outsideDNS + ":8080", outsideOther + ":8080", outsideOther + ":8081"} {
			l, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			t.Cleanup(func() { _ = l.Close() })
			go acceptAndClose(l)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("starting the outside servers: %v", err)
	}
}

func acceptAndClose(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		_ = c.Close()
	}
}

// resolveIn asks the cluster DNS (the kube-dns ClusterIP) from a Pod's
// namespace for the A records of name.
func resolveIn(netns, name string) ([]string, error) {
	var addrs []string
	err := inNetNS(netns, func() error {
		c := &dns.Client{Timeout: 3 * time.Second}
		resp, _, err := c.Exchange(new(dns.Msg).SetQuestion(dns.Fqdn(name), dns.TypeA), clusterDNSIP+":53")
		if err != nil {
			return err
		}
		for _, rr := range resp.Answer {
			if a, ok := rr.(*dns.A); ok {
				addrs = append(addrs, a.A.String())
			}
		}
		return nil
	})
	return addrs, err
}

const fqdnPolicy = `apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: fqdn-e2e}
spec:
  tier: application
  priority: 5
  appliedTo: [{podSelector: {matchLabels: {app: fqdn-client}}}]
  egress:
  - {action: Drop, name: drop-blocked, to: [{fqdn: blocked.outside.test}], ports: [{protocol: TCP, port: 8081}]}
  - {action: Allow, name: allow-outside, to: [{fqdn: "*.OUTSIDE.test"}], ports: [{protocol: TCP, port: 8080}]}
  - {action: Drop, name: drop-rest, ports: [{protocol: TCP, port: 8080}]}
`

// TestFQDN: an ACNP allows a Pod TCP 8080 to *.outside.test and drops the
// rest of TCP 8080, and drops TCP 8081 to blocked.outside.test; the names are served by the cluster's CoreDNS, which
// forwards the zone to the outside namespace's own DNS server. Real
// connections from the Pod: dropped before the name is resolved, connected
// right after (the first connection), and when the server's answer changes
// (a new address with a new TTL) the new address connects at once and the
// old one is dropped once its TTL (at least the agents' 5 s minimum) ran out.
// The Drop: TCP 8081 connects until blocked.outside.test is resolved, and
// the first connection after the resolution is dropped.
func TestFQDN(t *testing.T) {
	ctx := ctxT(t)
	zone := &outsideZone{records: map[string]string{}}
	zone.set("www.outside.test.", 2, outsideDNS)
	startOutside(ctx, t, zone)

	dir := t.TempDir()
	podFile, policyFile := dir+"/pods.yaml", dir+"/policy.yaml"
	pods := manifests([]string{fqdnNamespace}, agnhostPod{namespace: fqdnNamespace, name: "client", labels: "app: fqdn-client", node: 1, args: "pause"})
	for file, content := range map[string]string{podFile: pods, policyFile: fqdnPolicy} {
		if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	deleteOnCleanup(t, policyFile, podFile)
	kubectl(ctx, t, "apply", "-f", podFile)
	eventually(ctx, t, framework.ReadyTimeout, "the client Pod to be Running and Ready", func(ctx context.Context) error {
		_, err := framework.ReadyPods(ctx, lc.Kubeconfig, fqdnNamespace, 1)
		return err
	})
	netns := podNetNS(t, 1, podUIDIn(t, fqdnNamespace, "client"))
	eventually(ctx, t, settleTimeout, "the outside server to be reachable from the client", func(ctx context.Context) error {
		if got := probeTCP(ctx, netns, outsideOther, outsidePort, 0); got != connects {
			return fmt.Errorf("%s:%d %s", outsideOther, outsidePort, got)
		}
		return nil
	})
	kubectl(ctx, t, "apply", "-f", policyFile)
	waitPolicyRealized(ctx, t, "fqdn-e2e", 1)

	expect := func(ip, want, what string) {
		t.Helper()
		if got := probeTCP(ctx, netns, ip, outsidePort, 0); got != want {
			t.Fatalf("%s: %s:%d %s, want %s", what, ip, outsidePort, got, want)
		}
	}
	resolveName := func(name, want string) {
		t.Helper()
		eventually(ctx, t, dnsTimeout, name+" to resolve to "+want+" through the cluster DNS", func(ctx context.Context) error {
			addrs, err := resolveIn(netns, name)
			if err != nil {
				return err
			}
			if len(addrs) != 1 || addrs[0] != want {
				return fmt.Errorf("answer %v", addrs)
			}
			return nil
		})
	}
	resolve := func(want string) { t.Helper(); resolveName("www.outside.test", want) }
	expect(outsideDNS, dropped, "before the name is resolved")
	resolve(outsideDNS)
	expect(outsideDNS, connects, "the first connection after the resolution")
	expect(outsideOther, dropped, "an address no allowed name resolved to")

	zone.set("www.outside.test.", 60, outsideOther)
	resolve(outsideOther)
	expect(outsideOther, connects, "the first connection to the new address")
	start := time.Now()
	eventually(ctx, t, 30*time.Second, "the old address to be dropped once its TTL ran out", func(ctx context.Context) error {
		if got := probeTCP(ctx, netns, outsideDNS, outsidePort, 0); got != dropped {
			return fmt.Errorf("%s:%d %s", outsideDNS, outsidePort, got)
		}
		return nil
	})
	t.Logf("the old address was dropped %s after the new answer", time.Since(start).Round(100*time.Millisecond))
	expect(outsideOther, connects, "the new address, within its 60 s TTL")

	zone.set("blocked.outside.test.", 60, outsideOther)
	if got := probeTCP(ctx, netns, outsideOther, blockedPort, 0); got != connects {
		t.Fatalf("%s:%d before blocked.outside.test is resolved: %s, want %s", outsideOther, blockedPort, got, connects)
	}
	resolveName("blocked.outside.test", outsideOther)
	if got := probeTCP(ctx, netns, outsideOther, blockedPort, 0); got != dropped {
		t.Fatalf("%s:%d, the first connection after blocked.outside.test resolved: %s, want %s", outsideOther, blockedPort, got, dropped)
	}
}
