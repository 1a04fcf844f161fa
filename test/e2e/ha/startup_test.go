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
	"testing"
	"time"

	"github.com/strata-net/strata/test/e2e/framework"
)

// TestPodStartupAcrossReplicas runs the Pod start-up scenario with each Node's
// agent on a different replica: a new Pod on worker1 that a Drop on worker2's
// server names as a peer can start only once worker2 installed its address, and
// worker2 installs what replica 2 computed, while the Pod's start was posted to
// replica 1. Every forbidden new Pod must time out from its first packet, every
// control Pod must connect, and every Pod must start (a barrier that waited for
// acknowledgements in the wrong replica's numbering would never let them). The
// second round starts its Pods right after a kill -9 of replica 2: worker2's
// agent moves to replica 1, replica 1 stops waiting for the dead process when
// its etcd lease ends, the restarted process joins, and still no forbidden
// connection may succeed.
func TestPodStartupAcrossReplicas(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	checkAgentsSpread(ctx, t)
	t.Cleanup(func() {
		cctx, ccancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer ccancel()
		if out, err := framework.KubectlWithInput(cctx, lc.Kubeconfig, framework.StartupPolicy, "delete", "--ignore-not-found", "-f", "-"); err != nil {
			t.Errorf("cleanup: %v\n%s", err, out)
		}
		if out, err := framework.Kubectl(cctx, lc.Kubeconfig, "delete", "namespace", framework.StartupNamespace, "--ignore-not-found", "--wait=false"); err != nil {
			t.Errorf("cleanup: %v\n%s", err, out)
		}
	})
	kubectlIn(ctx, t, framework.StartupServers(), "apply", "-f", "-")
	kubectlIn(ctx, t, framework.StartupPolicy, "apply", "-f", "-")
	var servers []framework.Pod
	eventually(ctx, t, settleTimeout, "the two servers to be Ready", func(ctx context.Context) error {
		var err error
		servers, err = framework.ReadyPods(ctx, lc.Kubeconfig, framework.StartupNamespace, 2)
		return err
	})
	startupRound(ctx, t, servers, 0)

	name := replicaName(2)
	pid, err := lc.KillComponent(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("killed %s (pid %d) with SIGKILL; starting round 1", name, pid)
	startupRound(ctx, t, servers, 1)
	componentRestarted(ctx, t, name, pid, func(ctx context.Context) error {
		return readyz(ctx, fmt.Sprintf("https://127.0.0.1:%d/readyz", lc.ReplicaPort(2)), nil)
	})
}

// startupRound starts the scenario's clients of round and checks them.
func startupRound(ctx context.Context, t *testing.T, servers []framework.Pod, round int) {
	t.Helper()
	started := time.Now()
	kubectlIn(ctx, t, framework.StartupClients(servers, round), "apply", "-f", "-")
	phases, err := framework.WaitStartupClientsDone(ctx, lc.Kubeconfig, round, 3*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("round %d: %d new Pods ran their connection in %s", round, len(phases), time.Since(started).Round(time.Millisecond))
	for _, v := range framework.StartupViolations(ctx, lc.Kubeconfig, phases) {
		t.Error(v)
	}
	named, unnamed, err := framework.BarrierWaits(lc.Dir, round)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("round %d: CNI ADD's wait: named by a policy (n=%d) p50 %s p99 %s; named by none (n=%d) p50 %s p99 %s", round,
		len(named), framework.Percentile(named, 50), framework.Percentile(named, 99),
		len(unnamed), framework.Percentile(unnamed, 50), framework.Percentile(unnamed, 99))
	if len(named) != framework.StartupForbidden || len(unnamed) != framework.StartupControl {
		t.Errorf("round %d: the agents logged %d and %d barrier waits, want %d and %d", round, len(named), len(unnamed),
			framework.StartupForbidden, framework.StartupControl)
	}
}
