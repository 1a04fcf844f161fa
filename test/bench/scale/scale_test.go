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
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

// BenchmarkAgentScale runs the scale scenario once per b.N (run it with
// -benchtime=1x); see doc.go.
func BenchmarkAgentScale(b *testing.B) {
	b.Run("setup", func(b *testing.B) { setup(b) })
	b.Run("policy-change", benchPolicyChange)
	b.Run("status", benchStatus)
	b.Run("steady-state", benchSteadyState)
	b.Run("restart-replica2", func(b *testing.B) { benchRestart(b, 1) })
	b.Run("restart-replica1", func(b *testing.B) { benchRestart(b, 0) })
}

// steadyWindow is how long CPU is sampled at steady state.
const steadyWindow = 30 * time.Second

func benchSteadyState(b *testing.B) {
	e := setup(b)
	for range b.N {
		pids := e.pids
		var first [2]procSample
		for r, pid := range pids {
			s, err := sampleProc(pid)
			if err != nil {
				b.Fatal(err)
			}
			first[r] = s
		}
		timer := time.NewTimer(steadyWindow)
		<-timer.C
		for r, pid := range pids {
			s, err := sampleProc(pid)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(s.rssMB, fmt.Sprintf("replica%d-RSS-MB", r+1))
			b.ReportMetric(cpuCores(first[r], s), fmt.Sprintf("replica%d-CPU-cores", r+1))
		}
	}
}

// benchPolicyChange changes the port of one policy at a time and measures, for
// every agent of a Node the policy spans, the time from the update sent to
// kube-apiserver to the new rule handed to the agent's Reconciler.
func benchPolicyChange(b *testing.B) {
	e := setup(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	var samples []time.Duration
	round := 0
	for range b.N {
		for c := range *changes {
			n, k := (c*7)%e.shape.namespaces, (c*13+round)%e.shape.policiesPerNamespace
			lat, err := e.changePolicy(ctx, n, k)
			if err != nil {
				b.Fatal(err)
			}
			samples = append(samples, lat...)
		}
		round++
	}
	reportLatencies(b, samples, "")
}

// changedPorts is the first port a changed policy gets.
const changedPorts = 30000

// deliveryTimeout bounds the wait for one change to reach every agent it concerns.
const deliveryTimeout = 2 * time.Minute

// changePolicy moves policy k of namespace n to the next port (another one
// than before, also when the benchmark runs again on the same cluster).
func (e *env) changePolicy(ctx context.Context, n, k int) ([]time.Duration, error) {
	nps := e.kube.NetworkingV1().NetworkPolicies(namespaceName(n))
	np, err := nps.Get(ctx, policyName(k), metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	port := np.Spec.Ingress[0].Ports[0].Port.IntVal + 1
	if port < changedPorts || port > 60000 {
		port = changedPorts
	}
	p := intstr.FromInt32(port)
	tcp := corev1.ProtocolTCP
	np.Spec.Ingress[0].Ports = []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: &p}}
	e.probe.arm(namespaceName(n), policyName(k), port)
	sent := time.Now()
	if _, err := nps.Update(ctx, np, metav1.UpdateOptions{}); err != nil {
		return nil, err
	}
	want := e.shape.namespaceNodes(n)
	var got map[string]time.Time
	err = wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, deliveryTimeout, true, func(context.Context) (bool, error) {
		got = e.probe.deliveries()
		return len(got) >= len(want), nil
	})
	if err != nil {
		return nil, fmt.Errorf("waiting %s for %s/%s port %d at the %d agents of its Nodes: %d got it: %w",
			deliveryTimeout, namespaceName(n), policyName(k), port, len(want), len(got), err)
	}
	var lat []time.Duration
	for _, node := range want {
		at, ok := got[node]
		if !ok {
			return nil, fmt.Errorf("%s/%s reached %v, not the Node %s it spans", namespaceName(n), policyName(k), got, node)
		}
		lat = append(lat, at.Sub(sent))
	}
	return lat, nil
}

// benchStatus creates Antrea ClusterNetworkPolicies applied to the Pods of one
// namespace on the Nodes of one replica's agents, and measures the time from the
// create to a status that counts every Node (Realized, current = desired). Only
// the Lease holder writes status, and it counts the reports posted to itself
// (docs/high-availability.md): the policy of the other replica's agents does not
// converge, and the figure is the lag on the replica the reports reach.
func benchStatus(b *testing.B) {
	e := setup(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	var samples []time.Duration
	leader := -1
	for i := range b.N * 10 {
		n := (i * 3) % e.shape.namespaces
		parities := []int{0, 1}
		if leader >= 0 {
			parities = []int{leader}
		}
		if e.agentURL != "" {
			// The reports reach the Lease holder whichever replica they go to.
			parities = []int{0}
		}
		lat, converged, err := e.statusLag(ctx, i, n, parities)
		if err != nil {
			b.Fatal(err)
		}
		if leader < 0 && e.agentURL == "" {
			leader = converged
			b.Logf("status converged for the agents of replica %d (the Lease holder)", leader+1)
		}
		samples = append(samples, lat)
	}
	if e.agentURL == "" {
		b.ReportMetric(float64(leader+1), "leader-replica")
	}
	reportLatencies(b, samples, "")
}

const statusTimeout = time.Minute

// statusLag creates one policy per parity and returns the lag of the first that
// converges, and its parity.
func (e *env) statusLag(ctx context.Context, round, n int, parities []int) (time.Duration, int, error) {
	acnps := e.strata.CrdV1beta1().ClusterNetworkPolicies()
	names := map[int]string{}
	start := time.Now()
	for _, p := range parities {
		name := fmt.Sprintf("scale-status-%d-%d", round, p)
		if _, err := acnps.Create(ctx, statusPolicy(name, namespaceName(n), p), metav1.CreateOptions{}); err != nil {
			return 0, 0, err
		}
		names[p] = name
		defer func() { _ = acnps.Delete(context.Background(), name, metav1.DeleteOptions{}) }()
	}
	want := int32(e.shape.nodesPerNamespace / 2)
	converged, last := -1, map[int]crdv1beta1.NetworkPolicyStatus{}
	err := wait.PollUntilContextTimeout(ctx, 20*time.Millisecond, statusTimeout, true, func(ctx context.Context) (bool, error) {
		for p, name := range names {
			acnp, err := acnps.Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return false, nil
			}
			st := acnp.Status
			last[p] = st
			if st.Phase == crdv1beta1.NetworkPolicyRealized && st.ObservedGeneration == acnp.Generation &&
				st.DesiredNodesRealized == want && st.CurrentNodesRealized == want {
				converged = p
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("waiting %s for the status of %v to count %d Nodes: last %+v: %w", statusTimeout, names, want, last, err)
	}
	return time.Since(start), converged, nil
}

func statusPolicy(name, namespace string, parity int) *crdv1beta1.ClusterNetworkPolicy {
	allow := crdv1beta1.RuleActionAllow
	return &crdv1beta1.ClusterNetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: crdv1beta1.ClusterNetworkPolicySpec{
			Priority: 5,
			AppliedTo: []crdv1beta1.AppliedTo{{
				NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{corev1.LabelMetadataName: namespace}},
				PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"replica": fmt.Sprint(parity)}},
			}},
			Ingress: []crdv1beta1.Rule{{Action: &allow, From: []crdv1beta1.NetworkPolicyPeer{{IPBlock: &crdv1beta1.IPBlock{CIDR: "192.0.2.0/24"}}}}},
		},
	}
}

// benchRestart kills replica r with SIGKILL and measures the time until it is
// ready again and until every agent connected to it has synced from the new
// process (a sync report of the new epoch accepted). Replica 2 is started again
// by the benchmark at once, replica 1 by hack/local-cluster.sh's supervisor.
func benchRestart(b *testing.B, r int) {
	e := setup(b)
	if e.agentURL != "" {
		benchRestartVia(b, e, r)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	var agents []*simAgent
	for _, a := range e.agents {
		if a.replica == r {
			agents = append(agents, a)
		}
	}
	for range b.N {
		// The killed process's epoch: the one the agents of replica r are on.
		for _, a := range agents {
			for _, k := range a.syncs.latest() {
				e.dead[k.epoch] = true
			}
		}
		counted, refused := answerCounts[r].snapshot(), e.refusals()
		killed := time.Now()
		if err := e.restart(ctx, r); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(killed).Seconds(), "ready-s")
		if err := e.waitSynced(ctx, agents, e.dead, 15*time.Minute); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(killed).Seconds(), "all-resynced-s")
		b.ReportMetric(float64(len(agents)), "agents")
		answerCounts[r].report(b, counted)
		e.reportRefusals(b, refused)
	}
}

func (e *env) restart(ctx context.Context, r int) error {
	if r == 1 {
		e.second.kill()
		if err := e.second.start(ctx, e.caPEM); err != nil {
			return err
		}
		e.pids[1] = e.second.cmd.Process.Pid
		return nil
	}
	old := e.firstPID
	if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
		return fmt.Errorf("killing replica 1 (PID %d): %w", old, err)
	}
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, readyTimeout, true, func(context.Context) (bool, error) {
		pid, _, err := e.cluster.firstReplica()
		if err != nil || pid == old {
			return false, nil
		}
		e.firstPID, e.pids[0] = pid, pid
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("waiting %s for the supervisor to start replica 1 again: %w", readyTimeout, err)
	}
	return waitReady(ctx, e.urls[0], e.caPEM, nil)
}
