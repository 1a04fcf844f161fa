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
// acknowledgements in the wrong replica's numbering would never let them).
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
	started := time.Now()
	kubectlIn(ctx, t, framework.StartupClients(servers), "apply", "-f", "-")
	phases, err := framework.WaitStartupClientsDone(ctx, lc.Kubeconfig, 3*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d new Pods ran their connection in %s", len(phases), time.Since(started).Round(time.Millisecond))
	for _, v := range framework.StartupViolations(ctx, lc.Kubeconfig, phases) {
		t.Error(v)
	}
	named, unnamed, err := framework.BarrierWaits(lc.Dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("CNI ADD's wait across replicas: named by a policy (n=%d) p50 %s p99 %s; named by none (n=%d) p50 %s p99 %s",
		len(named), framework.Percentile(named, 50), framework.Percentile(named, 99),
		len(unnamed), framework.Percentile(unnamed, 50), framework.Percentile(unnamed, 99))
	if len(named) != framework.StartupForbidden || len(unnamed) != framework.StartupControl {
		t.Errorf("the agents logged %d and %d barrier waits, want %d and %d", len(named), len(unnamed), framework.StartupForbidden, framework.StartupControl)
	}
}
