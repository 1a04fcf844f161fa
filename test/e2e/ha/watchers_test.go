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

package ha

import (
	"context"
	"fmt"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

var (
	acnpGVR  = schema.GroupVersionResource{Group: "crd.antrea.io", Version: "v1beta1", Resource: "clusternetworkpolicies"}
	groupGVR = schema.GroupVersionResource{Group: "crd.antrea.io", Version: "v1beta1", Resource: "clustergroups"}
)

const (
	// writeInterval is how often the writer creates an object.
	writeInterval = 250 * time.Millisecond
	// writeLabel marks the writer's objects.
	writeLabel = "e2e-ha-write"
	// statusInterval is how often the policy's status is sampled.
	statusInterval = 200 * time.Millisecond
)

// writer creates a ClusterGroup every writeInterval through kube-apiserver and
// remembers every create that was accepted (answered with success): none of them
// may be lost, whatever fails afterwards.
type writer struct {
	mu       sync.Mutex
	accepted []string
	refused  int
	cancel   context.CancelFunc
	done     chan struct{}
}

func startWriter(ctx context.Context, c dynamic.Interface) *writer {
	ctx, cancel := context.WithCancel(ctx)
	w := &writer{cancel: cancel, done: make(chan struct{})}
	go w.run(ctx, c)
	return w
}

func (w *writer) run(ctx context.Context, c dynamic.Interface) {
	defer close(w.done)
	tick := time.NewTicker(writeInterval)
	defer tick.Stop()
	for i := 0; ; i++ {
		name := fmt.Sprintf("ha-write-%05d", i)
		obj := &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "crd.antrea.io/v1beta1", "kind": "ClusterGroup",
			"metadata": map[string]any{"name": name, "labels": map[string]any{writeLabel: "true"}},
			"spec":     map[string]any{"podSelector": map[string]any{"matchLabels": map[string]any{"app": name}}},
		}}
		_, err := c.Resource(groupGVR).Create(ctx, obj, metav1.CreateOptions{})
		w.mu.Lock()
		if err == nil {
			w.accepted = append(w.accepted, name)
		} else {
			w.refused++
		}
		w.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// snapshot is every name accepted so far, and how many creates failed.
func (w *writer) snapshot() ([]string, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.accepted...), w.refused
}

func (w *writer) stop() {
	w.cancel()
	<-w.done
}

// lost lists the accepted names that are not stored.
func lost(ctx context.Context, c dynamic.Interface, accepted []string) ([]string, error) {
	list, err := c.Resource(groupGVR).List(ctx, metav1.ListOptions{LabelSelector: writeLabel + "=true"})
	if err != nil {
		return nil, err
	}
	stored := map[string]bool{}
	for _, item := range list.Items {
		stored[item.GetName()] = true
	}
	var missing []string
	for _, name := range accepted {
		if !stored[name] {
			missing = append(missing, name)
		}
	}
	return missing, nil
}

// statusSample is the policy's status as read at one moment.
type statusSample struct {
	at                  time.Time
	err                 error
	phase               string
	current, desired    int64
	generation, observd int64
}

func (s statusSample) String() string {
	if s.err != nil {
		return fmt.Sprintf("%s: error %v", s.at.Format("15:04:05.000"), s.err)
	}
	return fmt.Sprintf("%s: %s %d/%d (generation %d, observed %d)", s.at.Format("15:04:05.000"), s.phase, s.current, s.desired, s.generation, s.observd)
}

// exact: realized at the current generation on every Node that should.
func (s statusSample) exact(nodes int64) bool {
	return s.err == nil && s.phase == "Realized" && s.current == nodes && s.desired == nodes && s.generation == s.observd
}

// sampler reads the policy's status every statusInterval.
type sampler struct {
	mu      sync.Mutex
	samples []statusSample
	cancel  context.CancelFunc
	done    chan struct{}
}

func startSampler(ctx context.Context, c dynamic.Interface, name string) *sampler {
	ctx, cancel := context.WithCancel(ctx)
	s := &sampler{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		tick := time.NewTicker(statusInterval)
		defer tick.Stop()
		for {
			sample := readStatus(ctx, c, name)
			s.mu.Lock()
			s.samples = append(s.samples, sample)
			s.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

func readStatus(ctx context.Context, c dynamic.Interface, name string) statusSample {
	s := statusSample{at: time.Now()}
	obj, err := c.Resource(acnpGVR).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		s.err = err
		return s
	}
	s.generation = obj.GetGeneration()
	s.phase, _, _ = unstructured.NestedString(obj.Object, "status", "phase")
	s.current, _, _ = unstructured.NestedInt64(obj.Object, "status", "currentNodesRealized")
	s.desired, _, _ = unstructured.NestedInt64(obj.Object, "status", "desiredNodesRealized")
	s.observd, _, _ = unstructured.NestedInt64(obj.Object, "status", "observedGeneration")
	return s
}

// since returns the samples taken at or after t.
func (s *sampler) since(t time.Time) []statusSample {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []statusSample
	for _, x := range s.samples {
		if !x.at.Before(t) {
			out = append(out, x)
		}
	}
	return out
}

func (s *sampler) stop() {
	s.cancel()
	<-s.done
}

// apiAnswers polls a list of strata's policies (kube-apiserver, the aggregation
// layer, a replica, etcd) every 100 ms from start until one succeeds; it returns
// how long after start that was.
func apiAnswers(ctx context.Context, c dynamic.Interface, start time.Time, limit time.Duration) (time.Duration, error) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		rctx, cancel := context.WithTimeout(ctx, time.Second)
		_, err := c.Resource(acnpGVR).List(rctx, metav1.ListOptions{Limit: 1})
		cancel()
		if err == nil {
			return time.Since(start), nil
		}
		last = err
		if time.Since(start) > limit {
			return time.Since(start), fmt.Errorf("no answer within %s: %w", limit, last)
		}
		select {
		case <-ctx.Done():
			return time.Since(start), ctx.Err()
		case <-tick.C:
		}
	}
}
