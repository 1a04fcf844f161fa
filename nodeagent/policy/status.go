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
	"strings"
	"sync"
	"sync/atomic"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/generated/clientset/versioned"
	"github.com/strata-net/strata/nodeagent/types"
)

// StatusReporter sends the realization status of one NetworkPolicy on this Node
// to strata-apiserver.
type StatusReporter interface {
	ReportStatus(ctx context.Context, status *v1beta2.NetworkPolicyStatus) error
}

// NewClientStatusReporter returns the StatusReporter that POSTs
// networkpolicies/NAME/status through the clientset.
func NewClientStatusReporter(client versioned.Interface) StatusReporter {
	return clientStatusReporter{client: client}
}

type clientStatusReporter struct{ client versioned.Interface }

func (r clientStatusReporter) ReportStatus(ctx context.Context, status *v1beta2.NetworkPolicyStatus) error {
	_, err := r.client.ControlplaneV1beta2().NetworkPolicies().UpdateStatus(ctx, status.Name, status, metav1.CreateOptions{})
	if err != nil {
		return fmt.Errorf("posting the status of NetworkPolicy %s: %w", status.Name, err)
	}
	return nil
}

// maxFailures is how many failed rules a status message names.
const maxFailures = 5

// statusLoop reports, for each Antrea-native policy and upstream
// ClusterNetworkPolicy, its realization on this Node: once every rule of the
// policy that applies here (one of its AppliedToGroups is known) is installed, or
// as soon as one failed. A report equal to the last one is not sent again, except
// after resyncAll. Nothing is sent before enable (the first full sync).
type statusLoop struct {
	node     string
	reporter StatusReporter
	cache    *ruleCache
	results  func(id types.RuleID) (known bool, err error)
	queue    *workSet[string]
	limiter  workqueue.TypedRateLimiter[string]
	enabled  atomic.Bool

	mu   sync.Mutex
	last map[string]v1beta2.NetworkPolicyNodeStatus
}

// enable starts reporting, and reports every policy.
func (s *statusLoop) enable() {
	s.enabled.Store(true)
	s.resyncAll()
}

// resyncAll reports every policy again, even if its status did not change.
func (s *statusLoop) resyncAll() {
	s.mu.Lock()
	clear(s.last)
	s.mu.Unlock()
	s.queue.add(s.cache.policyNames()...)
}

func (s *statusLoop) run(ctx context.Context) {
	ctx = klog.NewContext(ctx, klog.FromContext(ctx).WithName("status"))
	for {
		names, _, ok := s.queue.get(ctx, 64)
		if !ok {
			return
		}
		for _, name := range names {
			s.sync(ctx, name)
		}
	}
}

// sync reports the status of one policy if it is due.
func (s *statusLoop) sync(ctx context.Context, name string) {
	if !s.enabled.Load() {
		return // enable reports everything
	}
	st, due := s.compute(name)
	if !due {
		return
	}
	s.mu.Lock()
	last, sent := s.last[name]
	s.mu.Unlock()
	if sent && last == st {
		return
	}
	logger := klog.FromContext(ctx)
	status := &v1beta2.NetworkPolicyStatus{ObjectMeta: metav1.ObjectMeta{Name: name},
		Nodes: []v1beta2.NetworkPolicyNodeStatus{st}}
	if err := s.reporter.ReportStatus(ctx, status); err != nil {
		delay := s.limiter.When(name)
		logger.Error(err, "Cannot report status, will retry", "policy", name, "after", delay)
		s.queue.addAfter(name, delay)
		return
	}
	logger.V(2).Info("Reported status", "policy", name, "generation", st.Generation,
		"realizationFailure", st.RealizationFailure)
	s.limiter.Forget(name)
	s.mu.Lock()
	s.last[name] = st
	s.mu.Unlock()
}

// compute returns the status of a policy and whether it is due: its realization
// is reported (reportsRealization) and each of its rules that applies here is installed, or one
// of them failed.
func (s *statusLoop) compute(name string) (v1beta2.NetworkPolicyNodeStatus, bool) {
	in, ok := s.cache.policyStatus(name)
	if !ok {
		s.mu.Lock()
		delete(s.last, name)
		s.mu.Unlock()
		s.limiter.Forget(name)
		return v1beta2.NetworkPolicyNodeStatus{}, false
	}
	if !in.native {
		return v1beta2.NetworkPolicyNodeStatus{}, false
	}
	st := v1beta2.NetworkPolicyNodeStatus{NodeName: s.node, Generation: in.generation}
	effective, pending := 0, false
	var failures []string
	for _, r := range in.rules {
		if r.state == ruleAbsent || r.state == ruleIneffective {
			continue
		}
		effective++
		known, err := s.results(r.id)
		switch {
		case r.state == ruleComplete && known && err != nil:
			failures = append(failures, fmt.Sprintf("%s: %v", r.label, err))
		case r.state != ruleComplete || !known:
			pending = true
		}
	}
	if len(failures) > 0 {
		st.RealizationFailure, st.Message = true, failureMessage(failures)
		return st, true
	}
	if pending || (effective == 0 && len(in.rules) > 0) {
		return st, false
	}
	return st, true
}

// failureMessage joins the first failures and counts the others.
func failureMessage(failures []string) string {
	if len(failures) <= maxFailures {
		return strings.Join(failures, "; ")
	}
	return fmt.Sprintf("%s; and %d more failed rules",
		strings.Join(failures[:maxFailures], "; "), len(failures)-maxFailures)
}
