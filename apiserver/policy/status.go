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
	"k8s.io/apimachinery/pkg/types"
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

// StatusClient writes the status of ClusterNetworkPolicies and Antrea
// NetworkPolicies. UpdateStatus reads the policy ref names, hands its UID and
// status to update, and writes the status back when update returns true; it
// returns the API's errors (NotFound, Conflict) unwrapped or wrapped with %w.
type StatusClient interface {
	UpdateStatus(ctx context.Context, ref controlplane.NetworkPolicyReference,
		update func(uid types.UID, st *crdv1beta1.NetworkPolicyStatus) bool) error
}

// Leadership tells whether this replica writes policy status (the holder of the
// status Lease, apiserver/leader) and gives the context of the current term,
// cancelled the moment the term ends.
type Leadership interface {
	Term() (context.Context, bool)
}

// observed is what the aggregator knows of an Antrea-native policy: published (its
// span), or waiting for its Tier; and its issues.
type observed struct {
	source         controlplane.NetworkPolicyReference
	generation     int64
	span           sets.Set[string]
	issues         []Issue
	waitingForTier bool
	// audit: the published policy is in audit mode (never decides).
	audit bool
}

// StatusAggregator turns the computation's issues and the agents' realization
// reports into the status of the source ClusterNetworkPolicies and Antrea
// NetworkPolicies: desiredNodesRealized is the span, currentNodesRealized
// the Nodes that realized the current generation, and the phase follows.
type StatusAggregator struct {
	client  StatusClient
	leading Leadership // nil: this replica always writes (one replica)
	mu      sync.Mutex
	reports map[string]map[string]controlplane.NetworkPolicyNodeStatus // policy -> node -> report
	known   map[string]observed
	// reported is when the oldest report not yet in a written status came, by policy.
	reported map[string]time.Time
	queue    workqueue.TypedRateLimitingInterface[string]
	// shared, when set, keeps the reports in etcd for every replica (sharedreports.go).
	shared sharedState
}

// NewStatusAggregator returns an aggregator writing through client.
func NewStatusAggregator(client StatusClient) *StatusAggregator {
	registerMetrics()
	return &StatusAggregator{
		client:   client,
		reported: map[string]time.Time{},
		reports:  map[string]map[string]controlplane.NetworkPolicyNodeStatus{},
		known:    map[string]observed{},
		queue: workqueue.NewTypedRateLimitingQueueWithConfig(
			workqueue.NewTypedItemExponentialFailureRateLimiter[string](5*time.Second, 300*time.Second),
			workqueue.TypedRateLimitingQueueConfig[string]{Name: "policy-status"}),
	}
}

// WriteWhileLeading makes the aggregator write only while l leads, each write
// within the term's context; call it before Run, and Resync at every new term.
// Reports and policies are still recorded when not leading.
func (a *StatusAggregator) WriteWhileLeading(l Leadership) { a.leading = l }

// Resync queues every known policy, so that a new leader writes every status.
func (a *StatusAggregator) Resync() {
	a.mu.Lock()
	names := make([]string, 0, len(a.known))
	for name := range a.known {
		names = append(names, name)
	}
	a.mu.Unlock()
	for _, name := range names {
		a.queue.Add(name)
	}
}

// term returns the context to write in, and false when this replica must not write.
func (a *StatusAggregator) term(ctx context.Context) (context.Context, bool) {
	if a.leading == nil {
		return ctx, true
	}
	return a.leading.Term()
}

// Observe records a published policy (its generation and span).
func (a *StatusAggregator) Observe(np *controlplane.NetworkPolicy, span sets.Set[string]) {
	if np.SourceRef == nil || np.SourceRef.Type == controlplane.K8sNetworkPolicy {
		return
	}
	a.mu.Lock()
	obs := a.known[np.Name]
	if obs.generation != np.Generation {
		obs.issues = nil // the issues of another generation
	}
	obs.source, obs.generation, obs.span, obs.waitingForTier, obs.audit = *np.SourceRef, np.Generation, span, false, np.Audit
	a.known[np.Name] = obs
	// Reports from Nodes that left the span no longer count.
	var gone []string
	for node := range a.reports[np.Name] {
		if !span.Has(node) {
			delete(a.reports[np.Name], node)
			gone = append(gone, node)
		}
	}
	a.mu.Unlock()
	a.dropShared(np.Name, gone)
	a.queue.Add(np.Name)
}

// PolicyIssues records what keeps a policy from being realized as written (none:
// nothing). A policy waiting for its Tier is not computed at all: it has no span.
func (a *StatusAggregator) PolicyIssues(name string, ref controlplane.NetworkPolicyReference, generation int64,
	issues []Issue, waitingForTier bool) {
	a.mu.Lock()
	obs := a.known[name]
	obs.source, obs.generation, obs.issues, obs.waitingForTier = ref, generation, issues, waitingForTier
	if waitingForTier || obs.span == nil {
		obs.span = sets.New[string]()
	}
	a.known[name] = obs
	a.mu.Unlock()
	a.queue.Add(name)
}

// ForgetPolicy drops a policy that is gone.
func (a *StatusAggregator) ForgetPolicy(name string) { a.Forget(name) }

// Forget drops a deleted policy.
func (a *StatusAggregator) Forget(name string) {
	a.mu.Lock()
	nodes := make([]string, 0, len(a.reports[name]))
	for node := range a.reports[name] {
		nodes = append(nodes, node)
	}
	delete(a.known, name)
	delete(a.reports, name)
	delete(a.reported, name)
	a.mu.Unlock()
	a.dropShared(name, nodes)
}

// ReportStatus records an agent's report (POST networkpolicies/NAME/status).
// With shared reports it writes them to etcd, and the aggregator of every replica
// records them from its watch (ApplyReport).
func (a *StatusAggregator) ReportStatus(ctx context.Context, st *controlplane.NetworkPolicyStatus) error {
	a.mu.Lock()
	_, ok := a.known[st.Name]
	a.mu.Unlock()
	if !ok {
		return apierrors.NewNotFound(controlplane.Resource("networkpolicies"), st.Name)
	}
	if a.shared.store != nil {
		return a.shareReport(ctx, st)
	}
	a.mu.Lock()
	for _, n := range st.Nodes {
		a.recordLocked(st.Name, n)
	}
	a.mu.Unlock()
	a.queue.Add(st.Name)
	return nil
}

// recordLocked records one Node's report of policy; a.mu is held.
func (a *StatusAggregator) recordLocked(policy string, n controlplane.NetworkPolicyNodeStatus) {
	if a.reports[policy] == nil {
		a.reports[policy] = map[string]controlplane.NetworkPolicyNodeStatus{}
	}
	a.reports[policy][n.NodeName] = n
	if _, pending := a.reported[policy]; !pending {
		a.reported[policy] = time.Now()
	}
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
	a.observeLag(name)
	return true
}

// observeLag records how long the oldest report of name waited for its status.
func (a *StatusAggregator) observeLag(name string) {
	a.mu.Lock()
	t, ok := a.reported[name]
	delete(a.reported, name)
	a.mu.Unlock()
	if ok {
		statusLag.Observe(time.Since(t).Seconds())
	}
}

// sync writes the status of one policy when it changed, and nothing when this
// replica does not lead (the next leader writes every status at the start of its
// term).
func (a *StatusAggregator) sync(ctx context.Context, name string) error {
	ctx, leading := a.term(ctx)
	if !leading {
		return nil
	}
	a.mu.Lock()
	if a.shared.store != nil && !a.shared.synced {
		a.mu.Unlock()
		return nil // no status from a partial set: ReplaceReports queues every policy
	}
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
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		return a.client.UpdateStatus(ctx, obs.source, func(uid types.UID, st *crdv1beta1.NetworkPolicyStatus) bool {
			if uid != obs.source.UID || statusEqual(*st, want) {
				return false
			}
			if _, still := a.term(ctx); !still {
				return false // the term ended while the policy was read
			}
			want.Conditions = keepTransitionTimes(st.Conditions, want.Conditions)
			*st = want
			return true
		})
	})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("writing the status of %s %s: %w", obs.source.Type, sourceName(obs.source), err)
	}
	return nil
}

func sourceName(ref controlplane.NetworkPolicyReference) string {
	if ref.Namespace != "" {
		return ref.Namespace + "/" + ref.Name
	}
	return ref.Name
}

// aggregate computes a policy's status from its issues, its span and the Nodes'
// reports. Realizable is False when the computation found an issue (the first
// one's reason, every message) or some Node failed to realize the policy; the
// phase is then Failed (Pending for a policy waiting for its Tier), never Realized.
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
	switch {
	case obs.waitingForTier:
		st.Phase = crdv1beta1.NetworkPolicyPending
	case len(obs.issues) > 0:
		st.Phase = crdv1beta1.NetworkPolicyFailed
	case current == desired:
		st.Phase = crdv1beta1.NetworkPolicyRealized
	case len(failed) > 0 && current+len(failed) == desired:
		st.Phase = crdv1beta1.NetworkPolicyFailed
	}
	now := metav1.Now()
	realizable := crdv1beta1.NetworkPolicyCondition{Type: crdv1beta1.NetworkPolicyConditionRealizable,
		Status: metav1.ConditionTrue, LastTransitionTime: now}
	switch {
	case len(obs.issues) > 0:
		realizable.Status, realizable.Reason, realizable.Message = metav1.ConditionFalse, obs.issues[0].Reason, issuesMessage(obs.issues)
	case len(failed) > 0:
		realizable.Status, realizable.Reason, realizable.Message = metav1.ConditionFalse, reasonRealizationFailed, failureMessage(failed)
	}
	st.Conditions = []crdv1beta1.NetworkPolicyCondition{realizable}
	if len(failed) > 0 {
		st.Conditions = append(st.Conditions, crdv1beta1.NetworkPolicyCondition{Type: crdv1beta1.NetworkPolicyConditionRealizationFailure,
			Status: metav1.ConditionTrue, LastTransitionTime: now, Reason: reasonRealizationFailed, Message: failureMessage(failed)})
	}
	if obs.audit {
		st.Conditions = append(st.Conditions, auditedCondition(now))
	}
	return st
}

// issuesMessage joins the issues' messages, bounded like Antrea's.
func issuesMessage(issues []Issue) string {
	parts := make([]string, len(issues))
	for i, is := range issues {
		parts[i] = is.Message
	}
	return truncateMessage(strings.Join(parts, "; "))
}

func truncateMessage(msg string) string {
	if len(msg) > maxConditionMessage {
		return msg[:maxConditionMessage] + "..."
	}
	return msg
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
	return truncateMessage(fmt.Sprintf("Failed Nodes count %d: %s", len(failed), strings.Join(parts, ", ")))
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
