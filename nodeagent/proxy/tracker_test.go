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
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

var (
	webRef = ServiceRef{Namespace: testNS, Name: "web"}
	apiRef = ServiceRef{Namespace: testNS, Name: "api"}
)

// scenarioObjects are two proxied Services, a headless and an ExternalName
// one, with slices.
func scenarioObjects() []runtime.Object {
	return []runtime.Object{
		service("web"),
		slice("web-1", "web", v4, []string{"http:8080"}, ep("10.0.0.1", testNode, readyC)),
		service("api", withClusterIPs("10.96.0.11")),
		slice("api-1", "api", v4, []string{"http:8080"}, ep("10.0.1.1", otherNode, readyC)),
		service("db", withClusterIPs("None")),
		slice("db-1", "db", v4, []string{"http:5432"}, ep("10.0.2.1", otherNode, readyC)),
		service("ext", withType(corev1.ServiceTypeExternalName), withClusterIPs()),
	}
}

var initialCalls = []string{"sync ns/api http=10.0.1.1:8080", "sync ns/web http=10.0.0.1:8080"}

type trackerStep struct {
	name string
	do   func(h *harness)
	want []string // the Sink calls it makes, sorted (describe)
}

// TestTrackerScenarios checks that each change makes exactly the Sink calls
// of the Services it changes.
func TestTrackerScenarios(t *testing.T) {
	cases := []struct {
		name  string
		steps []trackerStep
	}{
		{name: "slice changes sync their Service only", steps: []trackerStep{
			{name: "endpoint added", want: []string{"sync ns/web http=10.0.0.1:8080,10.0.0.2:8080"}, do: func(h *harness) {
				h.updateSlice("web-1", func(s *discoveryv1.EndpointSlice) {
					s.Endpoints = append(s.Endpoints, ep("10.0.0.2", otherNode, readyC))
				})
			}},
			{name: "second slice", want: []string{"sync ns/web http=10.0.0.1:8080,10.0.0.2:8080,10.0.0.3:8080"}, do: func(h *harness) {
				h.createSlice(slice("web-2", "web", v4, []string{"http:8080"}, ep("10.0.0.3", otherNode, readyC)))
			}},
			{name: "duplicate in a third slice", want: nil, do: func(h *harness) {
				h.createSlice(slice("web-3", "web", v4, []string{"http:8080"}, ep("10.0.0.3", otherNode, readyC)))
			}},
			{name: "endpoint terminating", want: []string{"sync ns/web http=10.0.0.2:8080,10.0.0.3:8080"}, do: func(h *harness) {
				h.updateSlice("web-1", func(s *discoveryv1.EndpointSlice) { s.Endpoints[0].Conditions = termServingC })
			}},
			{name: "slice of a duplicate deleted", want: nil, do: func(h *harness) { h.deleteSlice("web-3") }},
			{name: "slice deleted", want: []string{"sync ns/web http=10.0.0.2:8080"}, do: func(h *harness) { h.deleteSlice("web-2") }},
			{name: "slice label unchanged annotations", want: nil, do: func(h *harness) {
				h.updateSlice("web-1", func(s *discoveryv1.EndpointSlice) { s.Annotations = map[string]string{"a": "b"} })
			}},
		}},
		{name: "Service changes", steps: []trackerStep{
			{name: "no-op change", want: nil, do: func(h *harness) {
				h.updateService("web", func(s *corev1.Service) { s.Annotations = map[string]string{"a": "b"} })
			}},
			{name: "port renamed", want: []string{"sync ns/web metrics="}, do: func(h *harness) {
				h.updateService("web", func(s *corev1.Service) { s.Spec.Ports[0].Name = "metrics" })
			}},
			{name: "new Service", want: []string{"sync ns/new http="}, do: func(h *harness) {
				h.createService(service("new", withClusterIPs("10.96.0.12")))
			}},
			{name: "unproxied Service changes", want: nil, do: func(h *harness) {
				h.updateService("db", func(s *corev1.Service) { s.Spec.Ports[0].Port = 81 })
				h.updateSlice("db-1", func(s *discoveryv1.EndpointSlice) { s.Endpoints[0].Addresses = []string{"10.0.2.2"} })
			}},
		}},
		{name: "deletion", steps: []trackerStep{
			{name: "Service deleted", want: []string{"delete ns/web"}, do: func(h *harness) { h.deleteService("web") }},
			{name: "its slice deleted after", want: nil, do: func(h *harness) { h.deleteSlice("web-1") }},
			{name: "Service re-created", want: []string{"sync ns/web http="}, do: func(h *harness) { h.createService(service("web")) }},
		}},
		{name: "Services leaving and joining the proxy", steps: []trackerStep{
			{name: "another proxy's label", want: []string{"delete ns/api"}, do: func(h *harness) {
				h.updateService("api", withLabel(LabelServiceProxyName, "other"))
			}},
			{name: "label removed", want: []string{"sync ns/api http=10.0.1.1:8080"}, do: func(h *harness) {
				h.updateService("api", func(s *corev1.Service) { delete(s.Labels, LabelServiceProxyName) })
			}},
			{name: "turned ExternalName", want: []string{"delete ns/web"}, do: func(h *harness) {
				h.updateService("web", withType(corev1.ServiceTypeExternalName))
			}},
			{name: "every port gone", want: []string{"delete ns/api"}, do: func(h *harness) {
				h.updateService("api", withPorts())
			}},
		}},
		{name: "slice moved to another Service", steps: []trackerStep{
			{name: "label changed", want: []string{"sync ns/api http=10.0.0.1:8080,10.0.1.1:8080", "sync ns/web http="}, do: func(h *harness) {
				h.updateSlice("web-1", func(s *discoveryv1.EndpointSlice) { s.Labels[discoveryv1.LabelServiceName] = "api" })
			}},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, scenarioObjects()...)
			h.start()
			h.waitFor("HasSynced", h.tracker.HasSynced)
			h.settle()
			if diff := cmp.Diff(initialCalls, h.callsSince(0)); diff != "" {
				t.Fatalf("initial Sink calls (-want +got):\n%s", diff)
			}
			for _, s := range tc.steps {
				n := len(h.sink.snapshot())
				s.do(h)
				h.settle()
				if diff := cmp.Diff(s.want, h.callsSince(n)); diff != "" {
					t.Fatalf("%s: Sink calls (-want +got):\n%s", s.name, diff)
				}
			}
		})
	}
}

// TestTrackerRetry checks that a failing Sink call is retried for its
// Service only, with the Service's latest ports, and holds HasSynced back.
func TestTrackerRetry(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, h *harness)
	}{
		{name: "initial sync failing", run: func(t *testing.T, h *harness) {
			h.sink.failNext(webRef, 1<<30)
			h.start()
			h.waitFor("web failing twice and api synced", func() bool {
				return len(h.sink.callsFor(webRef)) >= 2 && len(h.sink.callsFor(apiRef)) == 1
			})
			if h.tracker.HasSynced() {
				t.Errorf("HasSynced is true while web never synced")
			}
			h.updateSlice("web-1", func(s *discoveryv1.EndpointSlice) { s.Endpoints[0].Addresses = []string{"10.0.0.9"} })
			h.waitFor("the new endpoint tried", func() bool { return lastCall(h, webRef) == "sync ns/web http=10.0.0.9:8080 failed" })
			h.sink.failNext(webRef, 0)
			h.waitFor("HasSynced", h.tracker.HasSynced)
			if got := lastCall(h, webRef); got != "sync ns/web http=10.0.0.9:8080" {
				t.Errorf("last call for web: %q", got)
			}
			if got := h.sink.callsFor(apiRef); len(got) != 1 {
				t.Errorf("api: %v, want one sync", got)
			}
		}},
		{name: "sync failing after start", run: func(t *testing.T, h *harness) {
			h.start()
			h.waitFor("HasSynced", h.tracker.HasSynced)
			h.sink.failNext(webRef, 3)
			n := len(h.sink.snapshot())
			h.updateSlice("web-1", func(s *discoveryv1.EndpointSlice) { s.Endpoints[0].Addresses = []string{"10.0.0.9"} })
			h.waitFor("the retries", func() bool { return len(h.callsSince(n)) == 4 })
			h.settle()
			want := []string{"sync ns/web http=10.0.0.9:8080", "sync ns/web http=10.0.0.9:8080 failed",
				"sync ns/web http=10.0.0.9:8080 failed", "sync ns/web http=10.0.0.9:8080 failed"}
			if diff := cmp.Diff(want, h.callsSince(n)); diff != "" {
				t.Errorf("Sink calls (-want +got):\n%s", diff)
			}
		}},
		{name: "delete failing", run: func(t *testing.T, h *harness) {
			h.start()
			h.waitFor("HasSynced", h.tracker.HasSynced)
			h.sink.failNext(webRef, 2)
			n := len(h.sink.snapshot())
			h.deleteService("web")
			h.waitFor("the retries", func() bool { return len(h.callsSince(n)) == 3 })
			h.settle()
			want := []string{"delete ns/web", "delete ns/web failed", "delete ns/web failed"}
			if diff := cmp.Diff(want, h.callsSince(n)); diff != "" {
				t.Errorf("Sink calls (-want +got):\n%s", diff)
			}
		}},
		{name: "failed sync then same ports syncs again", run: func(t *testing.T, h *harness) {
			h.start()
			h.waitFor("HasSynced", h.tracker.HasSynced)
			h.sink.failNext(webRef, 1<<30)
			n := len(h.sink.snapshot())
			h.updateSlice("web-1", func(s *discoveryv1.EndpointSlice) { s.Endpoints[0].Addresses = []string{"10.0.0.9"} })
			h.waitFor("a failure", func() bool { return len(h.callsSince(n)) > 0 })
			h.updateSlice("web-1", func(s *discoveryv1.EndpointSlice) { s.Endpoints[0].Addresses = []string{"10.0.0.1"} })
			h.waitFor("the old ports tried", func() bool { return lastCall(h, webRef) == "sync ns/web http=10.0.0.1:8080 failed" })
			h.sink.failNext(webRef, 0)
			h.waitFor("the old ports synced again", func() bool { return lastCall(h, webRef) == "sync ns/web http=10.0.0.1:8080" })
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newHarness(t, scenarioObjects()...)) })
	}
}

func lastCall(h *harness, ref ServiceRef) string {
	calls := h.sink.callsFor(ref)
	if len(calls) == 0 {
		return ""
	}
	return describe(calls[len(calls)-1])
}

// TestTrackerRun covers Run's life cycle.
func TestTrackerRun(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, h *harness)
	}{
		{name: "not synced before Run", run: func(t *testing.T, h *harness) {
			if h.tracker.HasSynced() {
				t.Error("HasSynced before Run")
			}
		}},
		{name: "Run twice", run: func(t *testing.T, h *harness) {
			h.start()
			h.waitFor("HasSynced", h.tracker.HasSynced)
			if err := h.tracker.Run(h.ctx); err == nil {
				t.Error("second Run: no error")
			}
		}},
		{name: "ctx ended before the informers synced", run: func(t *testing.T, h *harness) {
			ctx, cancel := context.WithCancel(h.ctx)
			cancel()
			if err := h.tracker.Run(ctx); err == nil {
				t.Error("Run: no error")
			}
		}},
		{name: "no Service", run: func(t *testing.T, h *harness) {
			h.deleteService(barrierName)
			h.start()
			h.waitFor("HasSynced", h.tracker.HasSynced)
			if got := h.sink.snapshot(); len(got) != 0 {
				t.Errorf("Sink calls: %v", got)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, newHarness(t)) })
	}
}
