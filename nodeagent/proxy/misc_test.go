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

package proxy

import (
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2/ktesting"
)

func TestEventRefs(t *testing.T) {
	web := service("web")
	webSlice := slice("web-1", "web", v4, nil)
	unlabelled := slice("x-1", "", v4, nil)
	cases := []struct {
		name   string
		ref    func(any) (ServiceRef, bool)
		obj    any
		want   ServiceRef
		wantOK bool
	}{
		{name: "Service", ref: serviceRefOf, obj: web, want: webRef, wantOK: true},
		{name: "Service tombstone", ref: serviceRefOf, obj: cache.DeletedFinalStateUnknown{Key: "ns/web", Obj: web}, want: webRef, wantOK: true},
		{name: "not a Service", ref: serviceRefOf, obj: webSlice},
		{name: "slice", ref: sliceServiceRef, obj: webSlice, want: webRef, wantOK: true},
		{name: "slice tombstone", ref: sliceServiceRef, obj: cache.DeletedFinalStateUnknown{Key: "ns/web-1", Obj: webSlice}, want: webRef, wantOK: true},
		{name: "slice without Service label", ref: sliceServiceRef, obj: unlabelled},
		{name: "not a slice", ref: sliceServiceRef, obj: web},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.ref(tc.obj)
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("got %v %v, want %v %v", got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestPortsEqual(t *testing.T) {
	changed := func(mod func(*ServicePort)) []ServicePort {
		return []ServicePort{httpPort("web", withEndpoints(eps("10.0.0.1:8080@node-a"), eps("10.0.0.1:8080@node-a")), mod)}
	}
	same := changed(func(*ServicePort) {})
	cases := []struct {
		name string
		a, b []ServicePort
		want bool
	}{
		{name: "same", a: same, b: changed(func(*ServicePort) {}), want: true},
		{name: "nil and empty endpoints", want: true,
			a: changed(func(p *ServicePort) { p.LocalEndpoints = nil }),
			b: changed(func(p *ServicePort) { p.LocalEndpoints = []Endpoint{} })},
		{name: "nil and empty ports", a: nil, b: []ServicePort{}, want: true},
		{name: "endpoint port", a: same, b: changed(func(p *ServicePort) { p.ClusterEndpoints[0].Port++ })},
		{name: "local endpoints", a: same, b: changed(func(p *ServicePort) { p.LocalEndpoints = nil })},
		{name: "node port", a: same, b: changed(func(p *ServicePort) { p.NodePort = 1 })},
		{name: "affinity", a: same, b: changed(func(p *ServicePort) { p.AffinityTimeout = time.Second })},
		{name: "policies", a: same, b: changed(func(p *ServicePort) { p.ExternalLocal = true })},
		{name: "cluster IPs", a: same, b: changed(func(p *ServicePort) { p.ClusterIPs = addrs("10.96.0.11") })},
		{name: "one more port", a: same, b: append(changed(func(*ServicePort) {}), same[0])},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := portsEqual(tc.a, tc.b); got != tc.want {
				t.Errorf("portsEqual: %v, want %v", got, tc.want)
			}
		})
	}
}

// TestTrackerWorkers syncs many Services with several workers.
func TestTrackerWorkers(t *testing.T) {
	const n = 200
	var objs []runtime.Object
	for i := range n {
		name := fmt.Sprintf("svc-%d", i)
		objs = append(objs, service(name, withClusterIPs(fmt.Sprintf("10.96.1.%d", i+1))),
			slice(name+"-1", name, v4, []string{"http:8080"}, ep(fmt.Sprintf("10.0.1.%d", i+1), testNode, readyC)))
	}
	_, ctx := ktesting.NewTestContext(t)
	h := &harness{t: t, ctx: ctx, kube: fake.NewClientset(objs...), sink: newRecordingSink()}
	tr, err := New(Config{Kube: h.kube, NodeName: testNode, Sink: h.sink, Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	h.tracker = tr
	h.start()
	h.waitFor("HasSynced", tr.HasSynced)
	calls := h.sink.snapshot()
	seen := map[ServiceRef]int{}
	for _, c := range calls {
		seen[c.Service]++
		if c.Op != "sync" || len(c.Ports) != 1 || len(c.Ports[0].LocalEndpoints) != 1 {
			t.Errorf("unexpected call %v", c)
		}
	}
	if len(calls) != n || len(seen) != n {
		t.Errorf("%d calls for %d Services, want one each for %d", len(calls), len(seen), n)
	}
	h.updateService("svc-7", withType(corev1.ServiceTypeExternalName))
	h.waitFor("svc-7 deleted", func() bool { return lastCall(h, ServiceRef{testNS, "svc-7"}) == "delete ns/svc-7" })
	h.updateSlice("svc-8-1", func(s *discoveryv1.EndpointSlice) { s.Endpoints[0].NodeName = nil })
	h.waitFor("svc-8 synced", func() bool {
		c := h.sink.callsFor(ServiceRef{testNS, "svc-8"})
		return len(c) == 2 && len(c[1].Ports[0].LocalEndpoints) == 0
	})
}
