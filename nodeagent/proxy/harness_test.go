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
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/klog/v2/ktesting"
)

// harness runs a Tracker with a fake clientset and a recordingSink.
type harness struct {
	t       *testing.T
	ctx     context.Context
	kube    *fake.Clientset
	sink    *recordingSink
	tracker *Tracker
	barrier int
}

const (
	barrierName = "zz-barrier"
	pollEvery   = 5 * time.Millisecond
	pollFor     = 20 * time.Second
)

var barrierRef = ServiceRef{Namespace: testNS, Name: barrierName}

// newHarness creates the Tracker with objs and a barrier Service; start runs it.
func newHarness(t *testing.T, objs ...runtime.Object) *harness {
	t.Helper()
	objs = append(objs, service(barrierName),
		slice(barrierName+"-1", barrierName, v4, []string{"http:2000"}, ep("10.0.9.1", otherNode, readyC)))
	_, ctx := ktesting.NewTestContext(t)
	h := &harness{t: t, ctx: ctx, kube: fake.NewClientset(objs...), sink: newRecordingSink()}
	tr, err := New(Config{Kube: h.kube, NodeName: testNode, Sink: h.sink, Workers: 1,
		RetryBackoff: Backoff{Initial: time.Millisecond, Max: 20 * time.Millisecond}})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.tracker = tr
	return h
}

// start runs the Tracker until the test ends.
func (h *harness) start() {
	ctx, cancel := context.WithCancel(h.ctx)
	done := make(chan error, 1)
	go func() { done <- h.tracker.Run(ctx) }()
	h.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			h.t.Errorf("Run: %v", err)
		}
	})
}

// waitFor polls cond until it holds.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	err := wait.PollUntilContextTimeout(h.ctx, pollEvery, pollFor, true, func(context.Context) (bool, error) {
		return cond(), nil
	})
	if err != nil {
		h.t.Fatalf("waiting for %s: %v; Sink calls: %v", what, err, h.sink.snapshot())
	}
}

// settle returns once every event made before it has been handled: it
// changes the barrier Service, then its slice, and waits for each sync (the
// informers deliver in order, the one worker syncs in order).
func (h *harness) settle() {
	h.t.Helper()
	h.barrier++
	port := int32(1000 + h.barrier)
	h.updateService(barrierName, func(s *corev1.Service) { s.Spec.Ports[0].Port = port })
	h.waitFor("the barrier Service", func() bool { return h.barrierSynced(func(p ServicePort) bool { return p.Port == uint16(port) }) })
	target := int32(2000 + h.barrier)
	h.updateSlice(barrierName+"-1", func(s *discoveryv1.EndpointSlice) { s.Ports[0].Port = &target })
	h.waitFor("the barrier slice", func() bool {
		return h.barrierSynced(func(p ServicePort) bool {
			return len(p.ClusterEndpoints) == 1 && p.ClusterEndpoints[0].Port == uint16(target)
		})
	})
}

func (h *harness) barrierSynced(match func(ServicePort) bool) bool {
	calls := h.sink.callsFor(barrierRef)
	return len(calls) > 0 && calls[len(calls)-1].Err == nil && match(calls[len(calls)-1].Ports[0])
}

// callsSince describes the calls after the first n, less the barrier's.
func (h *harness) callsSince(n int) []string {
	var out []string
	for _, c := range h.sink.snapshot()[n:] {
		if c.Service != barrierRef {
			out = append(out, describe(c))
		}
	}
	slices.Sort(out)
	return out
}

// describe is "sync ns/web http=10.0.0.1:8080,… local=…" or "delete ns/web".
func describe(c sinkCall) string {
	s := c.Op + " " + c.Service.String()
	for _, p := range c.Ports {
		s += fmt.Sprintf(" %s=%s", p.Key.PortName, joinEndpoints(p.ClusterEndpoints))
	}
	if c.Err != nil {
		s += " failed"
	}
	return s
}

func joinEndpoints(eps []Endpoint) string {
	s := make([]string, len(eps))
	for i, e := range eps {
		s[i] = e.String()
	}
	return strings.Join(s, ",")
}

func (h *harness) updateService(name string, mod func(*corev1.Service)) {
	h.t.Helper()
	svcs := h.kube.CoreV1().Services(testNS)
	s, err := svcs.Get(h.ctx, name, metav1.GetOptions{})
	if err != nil {
		h.t.Fatalf("getting Service %s: %v", name, err)
	}
	mod(s)
	if _, err := svcs.Update(h.ctx, s, metav1.UpdateOptions{}); err != nil {
		h.t.Fatalf("updating Service %s: %v", name, err)
	}
}

func (h *harness) updateSlice(name string, mod func(*discoveryv1.EndpointSlice)) {
	h.t.Helper()
	c := h.kube.DiscoveryV1().EndpointSlices(testNS)
	s, err := c.Get(h.ctx, name, metav1.GetOptions{})
	if err != nil {
		h.t.Fatalf("getting EndpointSlice %s: %v", name, err)
	}
	mod(s)
	if _, err := c.Update(h.ctx, s, metav1.UpdateOptions{}); err != nil {
		h.t.Fatalf("updating EndpointSlice %s: %v", name, err)
	}
}

func (h *harness) createService(s *corev1.Service) {
	h.t.Helper()
	if _, err := h.kube.CoreV1().Services(testNS).Create(h.ctx, s, metav1.CreateOptions{}); err != nil {
		h.t.Fatalf("creating Service %s: %v", s.Name, err)
	}
}

func (h *harness) createSlice(s *discoveryv1.EndpointSlice) {
	h.t.Helper()
	if _, err := h.kube.DiscoveryV1().EndpointSlices(testNS).Create(h.ctx, s, metav1.CreateOptions{}); err != nil {
		h.t.Fatalf("creating EndpointSlice %s: %v", s.Name, err)
	}
}

func (h *harness) deleteService(name string) {
	h.t.Helper()
	if err := h.kube.CoreV1().Services(testNS).Delete(h.ctx, name, metav1.DeleteOptions{}); err != nil {
		h.t.Fatalf("deleting Service %s: %v", name, err)
	}
}

func (h *harness) deleteSlice(name string) {
	h.t.Helper()
	if err := h.kube.DiscoveryV1().EndpointSlices(testNS).Delete(h.ctx, name, metav1.DeleteOptions{}); err != nil {
		h.t.Fatalf("deleting EndpointSlice %s: %v", name, err)
	}
}
