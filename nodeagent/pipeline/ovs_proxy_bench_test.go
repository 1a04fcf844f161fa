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
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/ovs/ovstest"
	"github.com/strata-net/strata/nodeagent/proxy"
)

// svcScale is the Service benchmarks' shape: services ClusterIP Services of
// one TCP port, each with endpoints endpoints of its own.
type svcScale struct{ services, endpoints int }

// defaultSvcScale is 1,000 Services × 10 endpoints; STRATA_BENCH_SERVICES
// changes the number of Services.
func defaultSvcScale() svcScale {
	s := svcScale{services: 1000, endpoints: 10}
	if v, err := strconv.Atoi(os.Getenv("STRATA_BENCH_SERVICES")); err == nil && v > 0 {
		s.services = v
	}
	return s
}

// benchServicePorts: Service i is default/svc-i, TCP port 80 at ClusterIP
// 10.96.(1+i/256).(i%256), with endpoints 10.(1+k/65536).(k/256).(k%256):8080
// (k counts every endpoint of every Service, so none is shared).
func benchServicePorts(s svcScale) []proxy.ServicePort {
	out := make([]proxy.ServicePort, s.services)
	for i := range s.services {
		ref := proxy.ServiceRef{Namespace: "default", Name: fmt.Sprintf("svc-%d", i)}
		sp := proxy.ServicePort{Key: proxy.PortKey{Service: ref, Protocol: proxy.TCP}, Port: 80,
			ClusterIPs: []netip.Addr{netip.AddrFrom4([4]byte{10, 96, byte(1 + i>>8), byte(i)})}}
		for j := range s.endpoints {
			sp.ClusterEndpoints = append(sp.ClusterEndpoints, benchEndpoint(1, i*s.endpoints+j))
		}
		out[i] = sp
	}
	return out
}

// benchEndpoint is the k-th endpoint address in 10.<base+k/65536>.0.0/16.
func benchEndpoint(base, k int) proxy.Endpoint {
	return proxy.Endpoint{IP: netip.AddrFrom4([4]byte{10, byte(base + k>>16), byte(k >> 8), byte(k)}), Port: 8080}
}

// syncPerService installs every Service with its own SyncService call, from
// proxy.DefaultWorkers goroutines: what the proxy's Tracker does after an
// agent starts (one bundle per Service).
func syncPerService(ctx context.Context, sf *ServiceFlows, ports []proxy.ServicePort) error {
	work := make(chan int)
	errs := make(chan error, proxy.DefaultWorkers)
	var wg sync.WaitGroup
	for range proxy.DefaultWorkers {
		wg.Go(func() {
			for i := range work {
				if err := sf.SyncService(ctx, ports[i].Key.Service, ports[i:i+1]); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	go func() {
		defer close(work)
		for i := range ports {
			select {
			case work <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	return <-errs
}

// syncOneBundle installs every Service in one pipeline update (one bundle).
// ServiceFlows has no batch API: this is the pipeline's internal path, the
// lower bound of what a batch API would cost.
func syncOneBundle(ctx context.Context, sf *ServiceFlows, ports []proxy.ServicePort) error {
	return sf.p.update(ctx, func() error {
		for i := range ports {
			sf.replace(ports[i].Key.Service, ports[i:i+1])
		}
		return nil
	})
}

type syncFunc func(ctx context.Context, sf *ServiceFlows, ports []proxy.ServicePort) error

// BenchmarkServiceSync installs 1,000 Services × 10 endpoints (11,000 flows
// and 1,000 select groups of 10 buckets) into a private OVS holding the
// static flows, then the same groups and flows with one `ovs-ofctl bundle`
// into another fresh OVS: the groups as `ovs-ofctl dump-groups` shows the
// ones our install left, then our flows, Service by Service (the order our
// one-bundle path sends them in). Both results are checked against OVS's
// tables. ratio is ours / ovs-ofctl.
//
//	PerService: one SyncService (one bundle) per Service, from the
//	            Tracker's default 2 workers: the agent-start path;
//	OneBundle:  every Service in one pipeline update (no public batch API
//	            exists; this is the internal path such an API would take).
//
//	go test -run '^$' -bench BenchmarkServiceSync -benchtime 10x ./nodeagent/pipeline/
func BenchmarkServiceSync(b *testing.B) {
	ovstest.Require(b)
	ports := benchServicePorts(defaultSvcScale())
	b.Run("PerService", func(b *testing.B) { benchServiceSync(b, ports, syncPerService) })
	b.Run("OneBundle", func(b *testing.B) { benchServiceSync(b, ports, syncOneBundle) })
}

func benchServiceSync(b *testing.B, ports []proxy.ServicePort, install syncFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	file := filepath.Join(b.TempDir(), "bundle.txt")
	var ours, ofctl time.Duration
	var nflows, ngroups int
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		inst, br, conn := freshBridge(ctx, b)
		p := benchPipeline(ctx, b, conn, fakeInterfaces{}, nil)
		b.StartTimer()
		start := time.Now()
		if err := install(ctx, p.Services(), ports); err != nil {
			b.Fatal(err)
		}
		ours += time.Since(start)
		b.StopTimer()
		want := p.flows.all()
		checkOVS(ctx, b, conn, want)
		groups := dumpGroups(b, inst, br)
		nflows, ngroups = len(flowsOfCategory(want, categoryService)), len(groups)
		if ngroups != len(ports) {
			b.Fatalf("OVS has %d groups after installing %d Services", ngroups, len(ports))
		}
		writeBundleFile(b, file, groups, serviceFlowsInOrder(p, ports))

		inst2, br2, conn2 := freshBridge(ctx, b)
		benchPipeline(ctx, b, conn2, fakeInterfaces{}, nil)
		start = time.Now()
		if out, err := inst2.OFCtl("-O", "OpenFlow15", "bundle", br2, file); err != nil {
			b.Fatalf("ovs-ofctl bundle: %v: %s", err, out)
		}
		ofctl += time.Since(start)
		checkOVS(ctx, b, conn2, want)
		if got := dumpGroups(b, inst2, br2); !slices.Equal(got, groups) {
			b.Fatalf("ovs-ofctl installed %d groups that differ from our %d", len(got), len(groups))
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(nflows), "flows")
	b.ReportMetric(float64(ngroups), "groups")
	b.ReportMetric(ours.Seconds()/float64(b.N), "s/install(ours)")
	b.ReportMetric(ofctl.Seconds()/float64(b.N), "s/install(ovs-ofctl)")
	b.ReportMetric(ours.Seconds()/ofctl.Seconds(), "ratio")
	b.Logf("%d Services: %d flows, %d groups; ours %v, ovs-ofctl bundle %v, ratio %.2f", len(ports), nflows, ngroups,
		ours/time.Duration(b.N), ofctl/time.Duration(b.N), ours.Seconds()/ofctl.Seconds())
}

// serviceFlowsInOrder is the Service flows p holds, Service by Service in
// the order of ports (the order our one-bundle path sends them in).
func serviceFlowsInOrder(p *Pipeline, ports []proxy.ServicePort) []openflow.Flow {
	var out []openflow.Flow
	for i := range ports {
		for _, fe := range p.services.services[ports[i].Key.Service] {
			out = append(out, fe.flows...)
		}
	}
	return out
}

// dumpGroups returns OVS's Service groups (not the static ones) in
// ovs-ofctl syntax, sorted.
func dumpGroups(b *testing.B, inst *ovstest.Instance, br string) []string {
	out, err := inst.OFCtl("-O", "OpenFlow15", "dump-groups", br)
	if err != nil {
		b.Fatalf("ovs-ofctl dump-groups: %v: %s", err, out)
	}
	var groups []string
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		id, _, _ := strings.Cut(strings.TrimPrefix(line, "group_id="), ",")
		if n, err := strconv.ParseUint(id, 0, 32); err == nil && n >= uint64(serviceGroupID(0, 0)) {
			groups = append(groups, line)
		}
	}
	slices.Sort(groups)
	return groups
}

// writeBundleFile writes an `ovs-ofctl bundle` file: the groups, then the
// flows.
func writeBundleFile(b *testing.B, path string, groups []string, flows []openflow.Flow) {
	var sb strings.Builder
	for _, g := range groups {
		sb.WriteString("group add " + g + "\n")
	}
	for _, f := range flows {
		sb.WriteString("flow add " + ofctlFormat{numeric: true, cookie: true}.flow(f) + "\n")
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkServiceEndpointChange measures one endpoint change with 1,000
// Services × 10 endpoints installed: one Service loses an endpoint and
// gains a new one, and the time until its SyncService returns (the bundle
// committed in OVS) is recorded. Each change goes to the next Service. OVS
// is checked against the desired flows at the end.
//
//	go test -run '^$' -bench BenchmarkServiceEndpointChange -benchtime 1000x ./nodeagent/pipeline/
func BenchmarkServiceEndpointChange(b *testing.B) {
	ovstest.Require(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	ports := benchServicePorts(defaultSvcScale())
	_, _, conn := freshBridge(ctx, b)
	p := benchPipeline(ctx, b, conn, fakeInterfaces{}, nil)
	if err := syncOneBundle(ctx, p.Services(), ports); err != nil {
		b.Fatal(err)
	}
	sf := p.Services()
	took := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		sp := changeEndpoint(&ports[i%len(ports)], i)
		start := time.Now()
		if err := sf.SyncService(ctx, sp.Key.Service, []proxy.ServicePort{sp}); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
		ports[i%len(ports)] = sp
	}
	b.StopTimer()
	checkOVS(ctx, b, conn, p.flows.all())
	slices.Sort(took)
	b.ReportMetric(float64(percentile(took, 50).Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(percentile(took, 99).Nanoseconds()), "p99-ns")
}

// changeEndpoint returns sp without its first endpoint and with the i-th
// new endpoint (10.200.0.0/16 and up) at the end; sp is left as it is (the
// Tracker keeps the ports it synced).
func changeEndpoint(sp *proxy.ServicePort, i int) proxy.ServicePort {
	out := *sp
	out.ClusterEndpoints = append(slices.Clone(sp.ClusterEndpoints[1:]), benchEndpoint(200, i))
	return out
}

// percentile is the q-th percentile of sorted durations (nearest rank).
func percentile(sorted []time.Duration, q int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*q + 99) / 100
	return sorted[max(i-1, 0)]
}

// BenchmarkServiceConnRate makes real TCP connections from a Pod through
// the private OVS, alternately to a ClusterIP Service (one endpoint, port
// 8081) and straight to that endpoint's Pod IP (port 8080), with 1,000 Services × 10 endpoints
// installed besides. Each connection is connect, read the server's one
// line (it then closes), close. Reports connections/s each way, their
// ratio (ClusterIP / Pod IP) and the median time of one connection each
// way (less sensitive than the totals to stalls of a shared machine).
//
//	go test -run '^$' -bench BenchmarkServiceConnRate -benchtime 2000x ./nodeagent/pipeline/
func BenchmarkServiceConnRate(b *testing.B) {
	n := startGatewayNode(b, 2, false)
	if err := syncOneBundle(n.ctx, n.agent.pl.Services(), benchServicePorts(defaultSvcScale())); err != nil {
		b.Fatal(err)
	}
	// Distinct server ports: a connection DNATed to pod2:8080 and a direct
	// one from the same client port would be the same conntrack tuple.
	n.serveName("pod2", 8080)
	n.serveName("pod2", 8081)
	web := n.svc("web", 80, proxy.TCP, "pod2")
	web.ClusterEndpoints[0].Port = 8081
	n.syncService(web)
	targets := []string{testVIP + ":80", n.ip("pod2") + ":8080"}
	var took [2]time.Duration
	each := [2][]time.Duration{make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)}
	client := n.endpoint("pod1")
	err := client.Do(func() error { // warm up: ARP, the first upcalls
		for _, t := range targets {
			if err := connectOnce(n.ctx, t, "pod2"); err != nil {
				return fmt.Errorf("warm-up connection to %s: %w", t, err)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	err = client.Do(func() error { // every connection from one thread in pod1's netns
		for i := range b.N * len(targets) {
			start := time.Now()
			if err := connectOnce(n.ctx, targets[i%2], "pod2"); err != nil {
				return fmt.Errorf("connection %d to %s: %w", i/2, targets[i%2], err)
			}
			d := time.Since(start)
			took[i%2] += d
			each[i%2] = append(each[i%2], d)
		}
		return nil
	})
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	viaVIP, direct := float64(b.N)/took[0].Seconds(), float64(b.N)/took[1].Seconds()
	b.ReportMetric(viaVIP, "conns/s(ClusterIP)")
	b.ReportMetric(direct, "conns/s(PodIP)")
	b.ReportMetric(viaVIP/direct, "ratio")
	for i, name := range []string{"ClusterIP", "PodIP"} {
		slices.Sort(each[i])
		b.ReportMetric(float64(percentile(each[i], 50).Microseconds()), "p50-us("+name+")")
	}
}

// connectOnce connects to addr, reads the serveName line of want and closes.
func connectOnce(ctx context.Context, addr, want string) error {
	ctx, cancel := context.WithTimeout(ctx, allowTimeout)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(allowTimeout)); err != nil {
		return err
	}
	line, err := io.ReadAll(c)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(string(line), want+" ") {
		return fmt.Errorf("answered %q, not by %s", line, want)
	}
	return nil
}
