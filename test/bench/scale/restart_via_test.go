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
	"os"
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
// all-synced-s (no agent is left on the killed process: each has installed
// what its watches delivered up to a BOOKMARK of another server epoch and sent
// its sync report, see lastTried), over all the agents; agents-accepted is how
// many of them then had their last report accepted.
func benchRestartVia(b *testing.B, e *env, r int) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	for range b.N {
		spread := map[string]int{}
		for _, a := range e.agents {
			spread[e.syncedEpoch(a)]++
		}
		b.Logf("agents per server epoch before the kill: %v", spread)
		dead, err := e.serverEpoch(ctx, r)
		if err != nil {
			b.Fatal(err)
		}
		counted := snapshotAnswers()
		killed := time.Now()
		readyAfter := make(chan error, 1)
		var ready time.Duration
		go func() {
			err := e.restartSupervised(ctx, r)
			ready = time.Since(killed)
			readyAfter <- err
		}()
		if err := e.waitLeft(ctx, dead, 15*time.Minute); err != nil {
			b.Fatal(err)
		}
		synced := time.Since(killed)
		if err := <-readyAfter; err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(ready.Seconds(), "ready-s")
		b.ReportMetric(synced.Seconds(), "all-synced-s")
		b.ReportMetric(float64(spread[dead]), "moved-agents")
		b.ReportMetric(float64(e.acceptedFrom()), "agents-accepted")
		b.ReportMetric(float64(len(e.agents)), "agents")
		reportAnswers(b, counted)
	}
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

// waitLeft waits until no agent is left on the killed process, whose server
// epoch is dead: every agent has sent a sync report of another epoch.
func (e *env) waitLeft(ctx context.Context, dead string, timeout time.Duration) error {
	pending, lastShown := 0, time.Now()
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, timeout, true, func(context.Context) (bool, error) {
		pending = 0
		for _, a := range e.agents {
			if epoch := e.syncedEpoch(a); epoch == "" || epoch == dead {
				pending++
			}
		}
		if time.Since(lastShown) > 30*time.Second {
			fmt.Fprintf(os.Stderr, "%s: %d agents still on the killed process\n", time.Now().UTC().Format(time.TimeOnly), pending)
			lastShown = time.Now()
		}
		return pending == 0, nil
	})
	if err != nil {
		return fmt.Errorf("waiting %s for the %d agents to leave the killed replica: %d have not: %w", timeout, len(e.agents), pending, err)
	}
	return nil
}
