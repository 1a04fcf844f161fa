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

package policy

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/util/retry"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/apis/controlplane"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

// Status reasons and limits, as Antrea's.
const (
	reasonRealizationFailed = "NetworkPolicyRealizationFailedOnNode"
	maxConditionMessage     = 256
	statusWorkers           = 4
)

// StatusClient reads and writes the status of ClusterNetworkPolicies.
type StatusClient interface {
	Get(ctx context.Context, name string) (*crdv1beta1.ClusterNetworkPolicy, error)
	UpdateStatus(ctx context.Context, p *crdv1beta1.ClusterNetworkPolicy) error
}

// observed is what the aggregator knows of a published internal NetworkPolicy.
type observed struct {
	source     controlplane.NetworkPolicyReference
	generation int64
	span       sets.Set[string]
}

// StatusAggregator turns the agents' realization reports into the status of the
// source ClusterNetworkPolicies: desiredNodesRealized is the span, currentNodesRealized
// the Nodes that realized the current generation, and the phase follows.
type StatusAggregator struct {
	client  StatusClient
	mu      sync.Mutex
	reports map[string]map[string]controlplane.NetworkPolicyNodeStatus // policy -> node -> report
	known   map[string]observed
	queue   workqueue.TypedRateLimitingInterface[string]
}

// NewStatusAggregator returns an aggregator writing through client.
func NewStatusAggregator(client StatusClient) *StatusAggregator {
	return &StatusAggregator{
		client:  client,
		reports: map[string]map[string]controlplane.NetworkPolicyNodeStatus{},
		known:   map[string]observed{},
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.NewTypedItemExponentialFailureRateLimiter[string](5*time.Second, 300*time.Second),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "policy-status"}),
	}
}

// Observe records a published policy (its generation and span).
func (a *StatusAggregator) Observe(np *controlplane.NetworkPolicy, span sets.Set[string]) {
	if np.SourceRef == nil || np.SourceRef.Type != controlplane.AntreaClusterNetworkPolicy {
		return
	}
	a.mu.Lock()
	a.known[np.Name] = observed{source: *np.SourceRef, generation: np.Generation, span: span}
	// Reports from Nodes that left the span no longer count.
	for node := range a.reports[np.Name] {
		if !span.Has(node) {
			delete(a.reports[np.Name], node)
		}
	}
	a.mu.Unlock()
	a.queue.Add(np.Name)
}

// Forget drops a deleted policy.
func (a *StatusAggregator) Forget(name string) {
	a.mu.Lock()
	delete(a.known, name)
	delete(a.reports, name)
	a.mu.Unlock()
}

// ReportStatus records an agent's report (POST networkpolicies/NAME/status).
func (a *StatusAggregator) ReportStatus(_ context.Context, st *controlplane.NetworkPolicyStatus) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, ok := a.known[st.Name]; !ok {
		return apierrors.NewNotFound(controlplane.Resource("networkpolicies"), st.Name)
	}
	if a.reports[st.Name] == nil {
		a.reports[st.Name] = map[string]controlplane.NetworkPolicyNodeStatus{}
	}
	for _, n := range st.Nodes {
		a.reports[st.Name][n.NodeName] = n
	}
	a.queue.Add(st.Name)
	return nil
}

// Run writes statuses until ctx ends.
func (a *StatusAggregator) Run(ctx context.Context) {
	defer a.queue.ShutDown()
	for i := 0; i < statusWorkers; i++ {
		go func() {
			for a.processNext(ctx) {
			}
		}()
	}
	<-ctx.Done()
}

func (a *StatusAggregator) processNext(ctx context.Context) bool {
	name, quit := a.queue.Get()
	if quit {
		return false
	}
	defer a.queue.Done(name)
	if err := a.sync(ctx, name); err != nil {
		klog.FromContext(ctx).Error(err, "Writing a policy status failed; retrying", "policy", name)
		a.queue.AddRateLimited(name)
		return true
	}
	a.queue.Forget(name)
	return true
}

// sync writes the status of one policy when it changed.
func (a *StatusAggregator) sync(ctx context.Context, name string) error {
	a.mu.Lock()
	obs, ok := a.known[name]
	var reports []controlplane.NetworkPolicyNodeStatus
	for _, r := range a.reports[name] {
		reports = append(reports, r)
	}
	a.mu.Unlock()
	if !ok {
		return nil
	}
	want := aggregate(obs, reports)
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		p, err := a.client.Get(ctx, obs.source.Name)
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading ClusterNetworkPolicy %s: %w", obs.source.Name, err)
		}
		if p.UID != obs.source.UID || statusEqual(p.Status, want) {
			return nil
		}
		want.Conditions = keepTransitionTimes(p.Status.Conditions, want.Conditions)
		p.Status = want
		return a.client.UpdateStatus(ctx, p)
	})
}

// aggregate computes a policy's status from its span and the Nodes' reports.
func aggregate(obs observed, reports []controlplane.NetworkPolicyNodeStatus) crdv1beta1.NetworkPolicyStatus {
	current, failed := 0, map[string]string{}
	for _, r := range reports {
		if r.Generation != obs.generation || !obs.span.Has(r.NodeName) {
			continue
		}
		if r.RealizationFailure {
			failed[r.NodeName] = r.Message
		} else {
			current++
		}
	}
	desired := obs.span.Len()
	st := crdv1beta1.NetworkPolicyStatus{ObservedGeneration: obs.generation, DesiredNodesRealized: int32(desired),
		CurrentNodesRealized: int32(current), Phase: crdv1beta1.NetworkPolicyRealizing}
	now := metav1.Now()
	st.Conditions = []crdv1beta1.NetworkPolicyCondition{{Type: crdv1beta1.NetworkPolicyConditionRealizable,
		Status: metav1.ConditionTrue, LastTransitionTime: now}}
	switch {
	case current == desired:
		st.Phase = crdv1beta1.NetworkPolicyRealized
	case len(failed) > 0 && current+len(failed) == desired:
		st.Phase = crdv1beta1.NetworkPolicyFailed
	}
	if len(failed) > 0 {
		st.Conditions = append(st.Conditions, crdv1beta1.NetworkPolicyCondition{Type: crdv1beta1.NetworkPolicyConditionRealizationFailure,
			Status: metav1.ConditionTrue, LastTransitionTime: now, Reason: reasonRealizationFailed, Message: failureMessage(failed)})
	}
	return st
}

func failureMessage(failed map[string]string) string {
	nodes := make([]string, 0, len(failed))
	for n := range failed {
		nodes = append(nodes, n)
	}
	sort.Strings(nodes)
	parts := make([]string, 0, len(nodes))
	for _, n := range nodes {
		parts = append(parts, fmt.Sprintf("%q:%q", n, failed[n]))
	}
	msg := fmt.Sprintf("Failed Nodes count %d: %s", len(failed), strings.Join(parts, ", "))
	if len(msg) > maxConditionMessage {
		msg = msg[:maxConditionMessage] + "..."
	}
	return msg
}

// statusEqual compares statuses ignoring the conditions' transition times.
func statusEqual(a, b crdv1beta1.NetworkPolicyStatus) bool {
	if a.Phase != b.Phase || a.ObservedGeneration != b.ObservedGeneration ||
		a.CurrentNodesRealized != b.CurrentNodesRealized || a.DesiredNodesRealized != b.DesiredNodesRealized ||
		len(a.Conditions) != len(b.Conditions) {
		return false
	}
	for i := range a.Conditions {
		x, y := a.Conditions[i], b.Conditions[i]
		if x.Type != y.Type || x.Status != y.Status || x.Reason != y.Reason || x.Message != y.Message {
			return false
		}
	}
	return true
}

// keepTransitionTimes keeps the transition time of conditions whose status did not
// change.
func keepTransitionTimes(old, updated []crdv1beta1.NetworkPolicyCondition) []crdv1beta1.NetworkPolicyCondition {
	for i := range updated {
		for _, o := range old {
			if o.Type == updated[i].Type && o.Status == updated[i].Status {
				updated[i].LastTransitionTime = o.LastTransitionTime
			}
		}
	}
	return updated
}
