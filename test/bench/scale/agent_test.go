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

package scale

import (
	"context"
	"fmt"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	restclient "k8s.io/client-go/rest"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/generated/clientset/versioned"
	"github.com/strata-net/strata/nodeagent/policy"
	"github.com/strata-net/strata/nodeagent/types"
)

// probe is the policy change the agents are watched for: the first time each
// agent is handed a rule of policy namespace/name with port, the time is recorded.
type probe struct {
	mu        sync.Mutex
	namespace string
	name      string
	port      int32
	delivered map[string]time.Time // node -> first delivery
}

func (p *probe) arm(namespace, name string, port int32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.namespace, p.name, p.port, p.delivered = namespace, name, port, map[string]time.Time{}
}

func (p *probe) observe(node string, rules []*types.CompletedRule) {
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.delivered == nil || !p.delivered[node].IsZero() {
		return
	}
	for _, r := range rules {
		if r.Policy.Namespace == p.namespace && r.Policy.Name == p.name && hasPort(r.Services, p.port) {
			p.delivered[node] = now
			return
		}
	}
}

// deliveries returns the delivery times recorded so far.
func (p *probe) deliveries() map[string]time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]time.Time, len(p.delivered))
	for n, t := range p.delivered {
		out[n] = t
	}
	return out
}

func hasPort(services []v1beta2.Service, port int32) bool {
	for _, s := range services {
		if s.Port != nil && s.Port.IntVal == port {
			return true
		}
	}
	return false
}

// recordingReconciler stands in for the OVS pipeline: it installs nothing and
// shows every rule to the probe.
type recordingReconciler struct {
	node  string
	probe *probe
}

func (r recordingReconciler) Reconcile(_ context.Context, rules []*types.CompletedRule) error {
	r.probe.observe(r.node, rules)
	return nil
}

func (recordingReconciler) Forget(context.Context, []types.RuleID) error { return nil }

// The kinds a sync report carries a version of.
const (
	kindPolicies = iota
	kindAddressGroups
	kindAppliedToGroups
	numKinds
)

// kindReport is the latest sync report that carried a version of one kind: the
// agent had installed everything that kind's watch delivered up to a BOOKMARK of
// that server epoch.
type kindReport struct {
	epoch    string
	accepted bool
}

// syncRecorder posts the agent's sync reports as the agent does and remembers,
// per kind, the server epoch of the latest report that carried the kind and
// whether strata-apiserver accepted it. The agent sends one report per epoch its
// watches are served from, each with the versions of that epoch's kinds and 0
// for the others, so a kind's epoch is that of the latest report with a version
// of it. It also counts the reports refused as of an epoch no running replica
// has (409), per epoch, and the other failures.
type syncRecorder struct {
	inner     policy.SyncReporter
	mu        sync.Mutex
	kinds     [numKinds]kindReport
	conflicts map[string]int // epoch -> 409 answers
	failures  int
}

func (s *syncRecorder) ReportSync(ctx context.Context, report *v1beta2.NodeSyncReport) error {
	epoch := report.Annotations[v1beta2.ServerEpochAnnotation]
	err := s.inner.ReportSync(ctx, report)
	versions := [numKinds]int64{report.NetworkPolicies, report.AddressGroups, report.AppliedToGroups}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range versions {
		if v > 0 {
			s.kinds[k] = kindReport{epoch: epoch, accepted: err == nil}
		}
	}
	switch {
	case apierrors.IsConflict(err):
		if s.conflicts == nil {
			s.conflicts = map[string]int{}
		}
		s.conflicts[epoch]++
	case err != nil:
		s.failures++
	}
	return err
}

// latest is, per kind, the latest report that carried it.
func (s *syncRecorder) latest() [numKinds]kindReport {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.kinds
}

// syncedAway tells whether, for every kind, the latest report carrying it was
// accepted and is of an epoch not in dead: the agent runs on what live server
// processes sent it, and they know it.
func (s *syncRecorder) syncedAway(dead map[string]bool) bool {
	for _, r := range s.latest() {
		if r.epoch == "" || !r.accepted || dead[r.epoch] {
			return false
		}
	}
	return true
}

// on tells whether a kind's latest report is of epoch.
func (s *syncRecorder) on(epoch string) bool {
	for _, r := range s.latest() {
		if r.epoch == epoch {
			return true
		}
	}
	return false
}

// refusals adds the agent's 409s per epoch to into and returns its other failures.
func (s *syncRecorder) refusals(into map[string]int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for epoch, n := range s.conflicts {
		into[epoch] += n
	}
	return s.failures
}

// simAgent is one simulated strata-agent: nodeagent/policy's Controller (the
// agent's watches of its Node's slice, rule completion, status and sync reports)
// with a recording Reconciler instead of Open vSwitch, connected to one replica
// with its Node's own client certificate.
type simAgent struct {
	node    string
	replica int
	ctrl    *policy.Controller
	syncs   *syncRecorder
}

func newSimAgent(node string, replica int, url string, caPEM, certPEM, keyPEM []byte, p *probe) (*simAgent, error) {
	cfg := &restclient.Config{Host: url, QPS: 100, Burst: 200,
		TLSClientConfig: restclient.TLSClientConfig{CAData: caPEM, CertData: certPEM, KeyData: keyPEM},
		WrapTransport:   answerCounts[replica].wrap}
	client, err := versioned.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("client of %s: %w", node, err)
	}
	syncs := &syncRecorder{inner: policy.NewClientSyncReporter(client)}
	ctrl, err := policy.New(policy.Config{NodeName: node, Client: client,
		Reconciler: recordingReconciler{node: node, probe: p}, SyncReporter: syncs})
	if err != nil {
		return nil, fmt.Errorf("agent of %s: %w", node, err)
	}
	return &simAgent{node: node, replica: replica, ctrl: ctrl, syncs: syncs}, nil
}
