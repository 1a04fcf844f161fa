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

package seed

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/strata-net/strata/test/e2e/framework"
)

// The article's own probe: `wget http://guestbook.default.svc.cluster.local:3000`
// from inside a Pod, through the cluster DNS (CoreDNS behind the kube-dns
// ClusterIP) and the Service proxy of the nodes' Open vSwitch. Every step probes
// every Pod to each of the guestbook app's Services by its DNS name, and expects
// what the model says of the Pod to the Service's endpoints.

// service is a Service of the guestbook app in namespace default.
type service struct {
	name    string
	port    int
	selects func(pod) bool
}

// url is how src names the Service: the guestbook by its full name, as in
// the article; redis by its short name from namespace default, as the
// guestbook frontend does (the search path of the Pod's resolv.conf), by its
// full name from elsewhere.
func (s service) url(src pod) string {
	if s.name != "guestbook" && src.inDefault() {
		return fmt.Sprintf("http://%s:%d", s.name, s.port)
	}
	return fmt.Sprintf("http://%s.default.svc.cluster.local:%d", s.name, s.port)
}

// guestbookServices are the Services of the seed's manifests.
var guestbookServices = []service{
	{"guestbook", 3000, func(p pod) bool { return p.inDefault() && p.guestbook() }},
	{"redis-master", 6379, func(p pod) bool { return p.inDefault() && p.redisMaster() }},
	{"redis-slave", 6379, func(p pod) bool { return p.inDefault() && p.redisSlave() }},
}

// serviceVerdict is what the model says of src to the Service: the verdict of
// src to every endpoint of it (a Pod reaching its own Service included), when
// they all agree; false when they do not (the answer would depend on the
// endpoint the proxy picks) or the Service has no endpoint.
func serviceVerdict(pods []pod, src pod, s service, want model) (verdict, bool) {
	var v verdict
	n := 0
	for _, dst := range pods {
		if !s.selects(dst) {
			continue
		}
		w := want(src, dst)
		if n > 0 && w != v {
			return 0, false
		}
		v, n = w, n+1
	}
	return v, n > 0
}

// probeService runs the article's wget to the Service's DNS name in src.
func probeService(ctx context.Context, src pod, s service) (verdict, string) {
	out, err := framework.Kubectl(ctx, lc.Kubeconfig, "exec", "-n", src.NS, src.Name, "--",
		"wget", "-O", "-", "-T", strings.TrimSuffix(connectTimeout, "s"), "-t", "1", s.url(src))
	if err == nil {
		return works, ""
	}
	text := out + " " + err.Error()
	switch {
	case strings.Contains(text, "timed out"):
		return drops, ""
	case strings.Contains(text, "Connection refused"):
		return rejects, ""
	}
	return broken, strings.TrimSpace(text)
}

// serviceProbe is one source Pod to one Service.
type serviceProbe struct {
	src  pod
	svc  service
	want verdict
}

// serviceProbes are every Pod to every Service whose verdict the model gives.
func serviceProbes(pods []pod, want model) []serviceProbe {
	var out []serviceProbe
	for _, src := range pods {
		for _, s := range guestbookServices {
			if v, ok := serviceVerdict(pods, src, s, want); ok {
				out = append(out, serviceProbe{src: src, svc: s, want: v})
			}
		}
	}
	return out
}

// probeServices runs the probes, probeParallelism at a time, and returns the
// ones that differ from the model.
func probeServices(ctx context.Context, probes []serviceProbe) []string {
	var diff []string
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, probeParallelism)
	for _, p := range probes {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			got, detail := probeService(ctx, p.src, p.svc)
			if got == p.want {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			diff = append(diff, fmt.Sprintf("%v -> %s: %v, want %v %s", p.src, p.svc.url(p.src), got, p.want, detail))
		}()
	}
	wg.Wait()
	return diff
}

// expectServiceReach polls until every Pod reaches (or fails to reach) each
// Service by its DNS name as the model says.
func expectServiceReach(ctx context.Context, t *testing.T, pods []pod, what string, want model) {
	t.Helper()
	probes := serviceProbes(pods, want)
	var diff []string
	err := poll(ctx, settleTimeout, func(ctx context.Context) error {
		if diff = probeServices(ctx, probes); len(diff) > 0 {
			return fmt.Errorf("%d of %d probes differ, e.g. %s", len(diff), len(probes), diff[0])
		}
		return nil
	})
	if err != nil {
		t.Errorf("%s, through the Services' DNS names: after %s: %v\n  %s\n%s", what, settleTimeout, err,
			strings.Join(diff, "\n  "), npLogs())
	}
}
