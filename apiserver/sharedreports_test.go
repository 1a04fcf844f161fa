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
	"math/rand"
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
	"github.com/strata-net/strata/apiserver/etcd/etcdtest"
	"github.com/strata-net/strata/apiserver/leader"
	"github.com/strata-net/strata/apiserver/policy"
	"github.com/strata-net/strata/apiserver/reports"
)

var spanNodes = []string{"n1", "n2", "n3"}

// board is the status of every policy in the API, written by several replicas; it
// keeps every write, and the writes made outside the writer's term.
type board struct {
	mu         sync.Mutex
	status     map[string]crdv1beta1.NetworkPolicyStatus
	writes     []boardWrite
	violations []string
}

type boardWrite struct {
	writer, policy string
	status         crdv1beta1.NetworkPolicyStatus
}

type boardClient struct {
	name    string
	board   *board
	elector func() *leader.Elector
}

func (c *boardClient) UpdateStatus(_ context.Context, ref controlplane.NetworkPolicyReference,
	update func(types.UID, *crdv1beta1.NetworkPolicyStatus) bool) error {
	b := c.board
	b.mu.Lock()
	defer b.mu.Unlock()
	st := b.status[ref.Name]
	if !update(ref.UID, &st) {
		return nil
	}
	if _, leading := c.elector().Term(); !leading {
		b.violations = append(b.violations, c.name+" wrote "+ref.Name)
	}
	b.status[ref.Name] = st
	b.writes = append(b.writes, boardWrite{writer: c.name, policy: ref.Name, status: st})
	return nil
}

func policyRef(name string) controlplane.NetworkPolicyReference {
	return controlplane.NetworkPolicyReference{Type: controlplane.AntreaClusterNetworkPolicy, Name: name, UID: types.UID(name)}
}

// cluster is the replicas' shared world: the Lease, etcd, the status board and the
// policies' current generations (what every replica's computation publishes).
type cluster struct {
	t        *testing.T
	kube     *fake.Clientset
	etcdURL  string
	board    *board
	mu       sync.Mutex
	gens     map[string]int64
	replicas map[string]*sharedReplica
	started  int
}

type sharedReplica struct {
	name       string
	aggregator *policy.StatusAggregator
	elector    *leader.Elector
	stop       context.CancelFunc
}

func newCluster(t *testing.T) *cluster {
	t.Helper()
	return &cluster{t: t, kube: fake.NewClientset(), etcdURL: etcdtest.Start(t),
		board: &board{status: map[string]crdv1beta1.NetworkPolicyStatus{}}, gens: map[string]int64{},
		replicas: map[string]*sharedReplica{}}
}

// start runs one more replica, wired as New wires it: shared reports mirrored from
// etcd, the status writer elected on the Lease; its computation publishes every
// current policy.
func (c *cluster) start() *sharedReplica {
	t := c.t
	t.Helper()
	c.mu.Lock()
	c.started++
	r := &sharedReplica{name: fmt.Sprintf("r%d", c.started)}
	c.mu.Unlock()
	r.aggregator = policy.NewStatusAggregator(&boardClient{name: r.name, board: c.board, elector: func() *leader.Elector { return r.elector }})
	store, client, err := reports.NewStore(reports.EtcdConfig{Endpoints: []string{c.etcdURL}})
	if err != nil {
		t.Fatal(err)
	}
	mirror := reports.NewMirror(store, r.aggregator)
	r.aggregator.ShareReports(store, mirror)
	cfg := CompletedConfig{&completedConfig{ExtraConfig: &ExtraConfig{KubeClientConfig: &rest.Config{},
		LeaderElection: &leader.Config{Client: c.kube, Identity: r.name, LeaseDuration: 2 * time.Second,
			RenewDeadline: time.Second, RetryPeriod: 100 * time.Millisecond}}}}
	if r.elector, err = cfg.statusElector(r.aggregator); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	for name, gen := range c.gens {
		observe(r.aggregator, name, gen)
	}
	c.replicas[r.name] = r
	c.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	r.stop = func() { cancel(); _ = client.Close() }
	t.Cleanup(r.stop)
	go mirror.Run(ctx)
	statusWriter{aggregator: r.aggregator, elector: r.elector}.run(ctx)
	return r
}

func observe(a *policy.StatusAggregator, name string, gen int64) {
	ref := policyRef(name)
	a.Observe(&controlplane.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: name, Generation: gen}, SourceRef: &ref},
		sets.New(spanNodes...))
}

// publish sets a policy's generation on every running replica.
func (c *cluster) publish(name string, gen int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gens[name] = gen
	for _, r := range c.replicas {
		observe(r.aggregator, name, gen)
	}
}

// stopLeader stops the replica holding the Lease and waits for its term to end.
func (c *cluster) stopLeader() string {
	t := c.t
	t.Helper()
	var leaderName string
	err := wait.PollUntilContextTimeout(context.Background(), 10*time.Millisecond, 15*time.Second, true,
		func(context.Context) (bool, error) {
			c.mu.Lock()
			defer c.mu.Unlock()
			for name, r := range c.replicas {
				if term, leading := r.elector.Term(); leading {
					leaderName = name
					r.stop()
					delete(c.replicas, name)
					<-term.Done()
					return true, nil
				}
			}
			return false, nil
		})
	if err != nil {
		t.Fatalf("waiting 15s for a replica to lead, to stop it: %v", err)
	}
	return leaderName
}

// report posts one Node's report to a replica, as its REST storage does.
func (r *sharedReplica) report(t *testing.T, name string, st controlplane.NetworkPolicyNodeStatus) {
	t.Helper()
	err := r.aggregator.ReportStatus(context.Background(), &controlplane.NetworkPolicyStatus{
		ObjectMeta: metav1.ObjectMeta{Name: name}, Nodes: []controlplane.NetworkPolicyNodeStatus{st}})
	if err != nil {
		t.Fatalf("reporting %s on %s to %s: %v", name, st.NodeName, r.name, err)
	}
}

// waitStatus polls the board until cond holds for every policy named.
func (b *board) waitStatus(t *testing.T, what string, cond func(name string, st crdv1beta1.NetworkPolicyStatus) bool, names ...string) {
	t.Helper()
	var last string
	err := wait.PollUntilContextTimeout(context.Background(), 10*time.Millisecond, 20*time.Second, true,
		func(context.Context) (bool, error) {
			b.mu.Lock()
			defer b.mu.Unlock()
			for _, n := range names {
				if !cond(n, b.status[n]) {
					last = fmt.Sprintf("%s: %+v", n, b.status[n])
					return false, nil
				}
			}
			return true, nil
		})
	if err != nil {
		t.Fatalf("waiting 20s for %s: last %s", what, last)
	}
}

func counts(phase crdv1beta1.NetworkPolicyPhase, gen int64, current int32) func(string, crdv1beta1.NetworkPolicyStatus) bool {
	return func(_ string, st crdv1beta1.NetworkPolicyStatus) bool {
		return st.Phase == phase && st.ObservedGeneration == gen && st.CurrentNodesRealized == current && st.DesiredNodesRealized == 3
	}
}

// checkWrites fails on any write outside its writer's term, and on any write whose
// phase does not follow from its counts.
func (b *board) checkWrites(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.violations) > 0 {
		t.Fatalf("writes outside the writer's term: %v", b.violations)
	}
	for _, w := range b.writes {
		st := w.status
		realized := st.CurrentNodesRealized == st.DesiredNodesRealized
		if (st.Phase == crdv1beta1.NetworkPolicyRealized) != realized || st.CurrentNodesRealized > st.DesiredNodesRealized {
			t.Fatalf("%s wrote a wrong phase for %s: %+v", w.writer, w.policy, st)
		}
	}
}

// TestSharedReportsAcrossReplicas posts reports to two replicas: the status writer
// counts both, exactly; after it stops, a third replica starts, the survivor leads
// and counts the reports posted to every replica, never writing a wrong phase.
func TestSharedReportsAcrossReplicas(t *testing.T) {
	c := newCluster(t)
	c.publish("p1", 1)
	a, b := c.start(), c.start()
	c.board.waitStatus(t, "p1 Realizing on 0 of 3 Nodes", counts(crdv1beta1.NetworkPolicyRealizing, 1, 0), "p1")
	a.report(t, "p1", controlplane.NetworkPolicyNodeStatus{NodeName: "n1", Generation: 1})
	b.report(t, "p1", controlplane.NetworkPolicyNodeStatus{NodeName: "n2", Generation: 1})
	c.board.waitStatus(t, "p1 Realizing on exactly 2 of 3 Nodes (one report to each replica)",
		counts(crdv1beta1.NetworkPolicyRealizing, 1, 2), "p1")
	first := c.stopLeader()
	third := c.start()
	third.report(t, "p1", controlplane.NetworkPolicyNodeStatus{NodeName: "n3", Generation: 1})
	c.board.waitStatus(t, "p1 Realized on 3 of 3 Nodes after "+first+" stopped", counts(crdv1beta1.NetworkPolicyRealized, 1, 3), "p1")
	c.publish("p1", 2)
	c.board.waitStatus(t, "p1 generation 2 Realizing on 0 of 3", counts(crdv1beta1.NetworkPolicyRealizing, 2, 0), "p1")
	c.mu.Lock()
	survivors := make([]*sharedReplica, 0, 2)
	for _, r := range c.replicas {
		survivors = append(survivors, r)
	}
	c.mu.Unlock()
	for i, n := range spanNodes {
		survivors[i%len(survivors)].report(t, "p1", controlplane.NetworkPolicyNodeStatus{NodeName: n, Generation: 2,
			RealizationFailure: n == "n3", Message: "no room"})
	}
	c.board.waitStatus(t, "p1 generation 2 Failed on n3, 2 of 3 realized", counts(crdv1beta1.NetworkPolicyFailed, 2, 2), "p1")
	c.board.checkWrites(t)
}

// TestStatusUnderChurn makes 200 policy updates over 10 policies, each followed by
// the Nodes' reports to random replicas, while the status-writing replica is
// stopped and a new one started every 25 updates: every policy's final status
// matches the reports of its final generation, and no write shows a wrong phase.
func TestStatusUnderChurn(t *testing.T) {
	c := newCluster(t)
	rng := rand.New(rand.NewSource(21))
	const policies, updates = 10, 200
	names := make([]string, policies)
	for i := range names {
		names[i] = fmt.Sprintf("p%d", i)
		c.publish(names[i], 1)
	}
	c.start()
	c.start()
	for u := 1; u <= updates; u++ {
		name := names[rng.Intn(policies)]
		c.mu.Lock()
		gen := c.gens[name] + 1
		c.mu.Unlock()
		c.publish(name, gen)
		for _, n := range spanNodes {
			c.randomReplica(rng).report(t, name, controlplane.NetworkPolicyNodeStatus{NodeName: n, Generation: gen,
				RealizationFailure: n == "n3" && name == "p0", Message: "no room"})
		}
		if u%25 == 0 {
			c.stopLeader()
			c.start()
		}
	}
	c.mu.Lock()
	gens := make(map[string]int64, len(c.gens))
	for n, g := range c.gens {
		gens[n] = g
	}
	c.mu.Unlock()
	c.board.waitStatus(t, "every policy's final generation Realized on 3 of 3 (p0: Failed on n3, 2 of 3)",
		func(name string, st crdv1beta1.NetworkPolicyStatus) bool {
			if name == "p0" {
				return counts(crdv1beta1.NetworkPolicyFailed, gens[name], 2)(name, st)
			}
			return counts(crdv1beta1.NetworkPolicyRealized, gens[name], 3)(name, st)
		}, names...)
	c.board.checkWrites(t)
}

func (c *cluster) randomReplica(rng *rand.Rand) *sharedReplica {
	c.mu.Lock()
	defer c.mu.Unlock()
	all := make([]*sharedReplica, 0, len(c.replicas))
	for _, r := range c.replicas {
		all = append(all, r)
	}
	// Map order is random; sort-free pick by the seeded source for a stable spread.
	return all[rng.Intn(len(all))]
}
