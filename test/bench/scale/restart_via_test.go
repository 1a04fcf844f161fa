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
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
)

// benchRestartVia (-strata.via=kube-apiserver) kills replica r of the cluster
// with SIGKILL; the local cluster's supervisor starts it again. Every agent
// watches through kube-apiserver, so the agents whose watches the kill broke
// watch again through kube-apiserver, on whichever replica the proxy finds
// ready. Measured from the kill: ready-s (the new process answers /readyz) and
// all-synced-s (no agent is left on the killed process: for every kind, each
// agent's latest sync report carrying it was accepted and is of another epoch),
// over all the agents; moved-agents is how many had a kind on the killed
// process, and the sync reports refused meanwhile are counted (see
// reportRefusals).
func benchRestartVia(b *testing.B, e *env, r int) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	for range b.N {
		b.Logf("agents per server epoch of their kinds before the kill: %v", e.spread())
		dead, err := e.serverEpoch(ctx, r)
		if err != nil {
			b.Fatal(err)
		}
		moved := 0
		for _, a := range e.agents {
			if a.syncs.on(dead) {
				moved++
			}
		}
		counted, refused := snapshotAnswers(), e.refusals()
		e.dead[dead] = true
		killed := time.Now()
		readyAfter := make(chan error, 1)
		var ready time.Duration
		go func() {
			err := e.restartSupervised(ctx, r)
			ready = time.Since(killed)
			readyAfter <- err
		}()
		if err := e.waitSynced(ctx, e.agents, e.dead, 15*time.Minute); err != nil {
			b.Fatal(err)
		}
		synced := time.Since(killed)
		if err := <-readyAfter; err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(ready.Seconds(), "ready-s")
		b.ReportMetric(synced.Seconds(), "all-synced-s")
		b.ReportMetric(float64(moved), "moved-agents")
		b.ReportMetric(float64(e.accepted()), "agents-accepted")
		b.ReportMetric(float64(len(e.agents)), "agents")
		reportAnswers(b, counted)
		e.reportRefusals(b, refused)
	}
}

// spread counts the agents per server epochs of their kinds (policies,
// address groups, applied-to groups; one epoch when all three are the same).
func (e *env) spread() map[string]int {
	out := map[string]int{}
	for _, a := range e.agents {
		var epochs []string
		for _, k := range a.syncs.latest() {
			if !slices.Contains(epochs, k.epoch) {
				epochs = append(epochs, k.epoch)
			}
		}
		out[strings.Join(epochs, "+")]++
	}
	return out
}

// restartSupervised kills replica r with SIGKILL and waits until the local
// cluster's supervisor has started it again and it is ready.
func (e *env) restartSupervised(ctx context.Context, r int) error {
	old := e.pids[r]
	if err := syscall.Kill(old, syscall.SIGKILL); err != nil {
		return fmt.Errorf("killing replica %d (PID %d): %w", r+1, old, err)
	}
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, readyTimeout, true, func(context.Context) (bool, error) {
		pid, _, err := e.cluster.replica(r)
		if err != nil || pid == old {
			return false, nil
		}
		e.pids[r] = pid
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("waiting %s for the supervisor to start replica %d again: %w", readyTimeout, r+1, err)
	}
	return waitReady(ctx, e.urls[r], e.caPEM, nil)
}
