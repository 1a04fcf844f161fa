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

package apiserver

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"

	"github.com/strata-net/strata/apis/controlplane"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/apiserver/leader"
	"github.com/strata-net/strata/apiserver/policy"
)

// sharedPolicy is one policy's status in the API, written by several replicas; it
// records who wrote, and every write made outside the writer's term.
type sharedPolicy struct {
	mu         sync.Mutex
	status     crdv1beta1.NetworkPolicyStatus
	writers    []string
	violations []string
}

// replicaClient is one replica's status client over the shared policy.
type replicaClient struct {
	name    string
	policy  *sharedPolicy
	elector func() *leader.Elector
}

func (c *replicaClient) UpdateStatus(_ context.Context, _ controlplane.NetworkPolicyReference,
	update func(types.UID, *crdv1beta1.NetworkPolicyStatus) bool) error {
	p := c.policy
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.status
	if !update("u1", &st) {
		return nil
	}
	if _, leading := c.elector().Term(); !leading {
		p.violations = append(p.violations, c.name)
	}
	p.status = st
	p.writers = append(p.writers, c.name)
	return nil
}

type replica struct {
	aggregator *policy.StatusAggregator
	elector    *leader.Elector
	stop       context.CancelFunc
}

func startReplica(t *testing.T, name string, kube *fake.Clientset, shared *sharedPolicy) *replica {
	t.Helper()
	r := &replica{}
	r.aggregator = policy.NewStatusAggregator(&replicaClient{name: name, policy: shared, elector: func() *leader.Elector { return r.elector }})
	cfg := CompletedConfig{&completedConfig{ExtraConfig: &ExtraConfig{KubeClientConfig: &rest.Config{},
		LeaderElection: &leader.Config{Client: kube, Identity: name, LeaseDuration: 2 * time.Second,
			RenewDeadline: time.Second, RetryPeriod: 100 * time.Millisecond}}}}
	var err error
	if r.elector, err = cfg.statusElector(r.aggregator); err != nil {
		t.Fatal(err)
	}
	ref := controlplane.NetworkPolicyReference{Type: controlplane.AntreaClusterNetworkPolicy, Name: "acnp1", UID: "u1"}
	r.aggregator.Observe(&controlplane.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "u1", Generation: 1}, SourceRef: &ref},
		sets.New("n1", "n2"))
	ctx, cancel := context.WithCancel(context.Background())
	r.stop = cancel
	t.Cleanup(cancel)
	statusWriter{aggregator: r.aggregator, elector: r.elector}.run(ctx)
	return r
}

// waitStatus polls the shared policy until cond holds for its status and writers.
func (p *sharedPolicy) waitStatus(t *testing.T, what string, cond func(crdv1beta1.NetworkPolicyStatus, []string) bool) {
	t.Helper()
	var last string
	err := wait.PollUntilContextTimeout(context.Background(), 10*time.Millisecond, 15*time.Second, true,
		func(context.Context) (bool, error) {
			p.mu.Lock()
			defer p.mu.Unlock()
			last = fmt.Sprintf("%+v written by %v", p.status, p.writers)
			return cond(p.status, append([]string{}, p.writers...)), nil
		})
	if err != nil {
		t.Fatalf("waiting 15s for %s: last status %s", what, last)
	}
}

// TestOneStatusWriterAcrossReplicas runs two replicas' status writers on one Lease
// and one policy: only the leader writes; once it stops, the other takes over and
// writes the next change; no write is ever made outside its writer's term.
func TestOneStatusWriterAcrossReplicas(t *testing.T) {
	kube, shared := fake.NewClientset(), &sharedPolicy{}
	replicas := map[string]*replica{"a": startReplica(t, "a", kube, shared), "b": startReplica(t, "b", kube, shared)}
	var first string
	shared.waitStatus(t, "the first status, Realizing on 0 of 2 Nodes", func(st crdv1beta1.NetworkPolicyStatus, w []string) bool {
		if len(w) > 0 {
			first = w[0]
		}
		return st.Phase == crdv1beta1.NetworkPolicyRealizing && st.DesiredNodesRealized == 2
	})
	// Both replicas hear the agents here: sharing the reports is not this test's job.
	for _, r := range replicas {
		if err := r.aggregator.ReportStatus(context.Background(), &controlplane.NetworkPolicyStatus{ObjectMeta: metav1.ObjectMeta{Name: "u1"},
			Nodes: []controlplane.NetworkPolicyNodeStatus{{NodeName: "n1", Generation: 1}, {NodeName: "n2", Generation: 1}}}); err != nil {
			t.Fatal(err)
		}
	}
	shared.waitStatus(t, "Realized on 2 of 2 Nodes", func(st crdv1beta1.NetworkPolicyStatus, _ []string) bool {
		return st.Phase == crdv1beta1.NetworkPolicyRealized && st.CurrentNodesRealized == 2
	})
	second := map[string]string{"a": "b", "b": "a"}[first]
	term, _ := replicas[first].elector.Term()
	replicas[first].stop()
	select {
	case <-term.Done():
	case <-time.After(10 * time.Second):
		t.Fatalf("the leader %s still leads 10s after it stopped", first)
	}
	for _, r := range replicas {
		r.aggregator.PolicyIssues("u1", controlplane.NetworkPolicyReference{Type: controlplane.AntreaClusterNetworkPolicy, Name: "acnp1", UID: "u1"},
			1, []policy.Issue{{Reason: "UnsupportedField", Message: "refused"}}, false)
	}
	shared.waitStatus(t, "Failed, written by "+second, func(st crdv1beta1.NetworkPolicyStatus, w []string) bool {
		return st.Phase == crdv1beta1.NetworkPolicyFailed && len(w) > 0 && w[len(w)-1] == second
	})
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if len(shared.violations) > 0 {
		t.Fatalf("writes outside the writer's term by %v (all writers %v)", shared.violations, shared.writers)
	}
	seenSecond := false
	for _, w := range shared.writers {
		seenSecond = seenSecond || w == second
		if seenSecond && w == first {
			t.Fatalf("%s wrote after it stopped: writers %v", first, shared.writers)
		}
	}
}
