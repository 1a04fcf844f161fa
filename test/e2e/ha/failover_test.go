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
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/dynamic"

	"github.com/strata-net/strata/test/e2e/framework"
)

const (
	// statusConvergeWithin is how soon after a fault is over the policy's status
	// must show the exact counts again.
	statusConvergeWithin = 10 * time.Second
	// realizedNodes is how many Nodes realize the policy (both workers).
	realizedNodes = 2
	// updateDelay is how long after a fault begins the policy is updated.
	updateDelay = 500 * time.Millisecond
)

// TestFailover runs the fault sequence of haFaults on 2 replicas and a 3-member etcd
// cluster, with the fault suite's prober connecting every 200 ms (forbidden and
// allowed pairs, same node and across nodes), a writer creating a ClusterGroup every
// 250 ms and the policy's status sampled every 200 ms. Pass: no forbidden connection
// ever succeeds; no accepted write is lost; the API answers within 5 s of each kill;
// the policy, updated during each fault, shows the exact counts at its new
// generation within 10 s of the update, and no sample ever shows a false phase.
func TestFailover(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	t.Cleanup(func() {
		if t.Failed() {
			if dir, err := lc.KeepLogs("ha"); err == nil {
				t.Logf("the cluster's logs are kept in %s", dir)
			}
		}
	})
	began := time.Now()
	checkAgentsSpread(ctx, t)
	pairs := setupTraffic(ctx, t)
	c := dynamicClient(t)
	p := startProber(ctx, pairs)
	defer p.stop()
	w := startWriter(ctx, c)
	defer w.stop()
	t.Cleanup(func() {
		_, _ = framework.Kubectl(context.Background(), lc.Kubeconfig, "delete", "clustergroups", "-l", writeLabel+"=true", "--wait=false")
	})
	s := startSampler(ctx, c, haPolicy)
	defer s.stop()
	sampling := time.Now()
	eventually(ctx, t, time.Minute, "the writer to have 5 writes accepted before the first fault", func(context.Context) error {
		if accepted, refused := w.snapshot(); len(accepted) < 5 {
			return fmt.Errorf("%d accepted, %d refused", len(accepted), refused)
		}
		return nil
	})

	var report []string
	for i, f := range haFaults() {
		accepted, _ := w.snapshot()
		start := time.Now()
		updated := updateDuring(ctx, c, (i+1)%2, updateDelay)
		events := f.inject(ctx, t, c)
		u := <-updated
		if u.err != nil {
			t.Fatalf("%s: the policy update during the fault: %v", f.name, u.err)
		}
		report = append(report, checkFault(ctx, t, c, f.name, events, accepted, s, start, u)...)
	}
	w.stop()
	accepted, refused := w.snapshot()
	checkNotLost(ctx, t, c, "the whole run", accepted)
	if forbidden := p.forbiddenSuccesses(); len(forbidden) > 0 {
		t.Errorf("forbidden connections succeeded: %s", strings.Join(forbidden, "; "))
	}
	wrong := wrongPhases(s.since(sampling))
	if len(wrong) > 0 {
		t.Errorf("the policy's status showed a wrong phase in %d samples: %s", len(wrong), strings.Join(firstN(wrong, 10), "; "))
	}
	t.Logf("failover suite (%s in all):\n%s\nwrites accepted %d (all stored), refused %d; status samples %d, wrong phases %d; forbidden successes %d\nprober: %s",
		time.Since(began).Round(time.Second), strings.Join(report, "\n"), len(accepted), refused,
		len(s.since(sampling)), len(wrong), len(p.forbiddenSuccesses()), strings.Join(p.summary(), "; "))
}

// checkFault checks one fault's events: the API answered within apiAnswerWithin
// of each, no write accepted before it is lost, and the status is exact within
// statusConvergeWithin of the fault's end. It returns the report's lines.
func checkFault(ctx context.Context, t *testing.T, c dynamic.Interface, name string, events []event, accepted []string, s *sampler, start time.Time, u update) []string {
	t.Helper()
	var lines []string
	for _, ev := range events {
		a := <-ev.answered
		lines = append(lines, fmt.Sprintf("%-44s %s (pid %d): API answered %d ms after", name, ev.component, ev.pid, a.after.Milliseconds()))
		if a.err != nil || a.after > apiAnswerWithin {
			t.Errorf("%s: %s (pid %d): the API did not answer within %s: answered after %s, %v", name, ev.component, ev.pid, apiAnswerWithin, a.after, a.err)
		}
	}
	checkNotLost(ctx, t, c, name, accepted)
	over := time.Now()
	converged, err := statusConverged(ctx, s, u)
	if err != nil {
		t.Errorf("%s: %v", name, err)
	}
	lines = append(lines, fmt.Sprintf("%-44s update accepted %d ms after the fault began; status exact at its generation %d ms after that; fault over %s after it began; %d earlier writes all stored",
		name, u.accepted.Sub(start).Milliseconds(), converged.Milliseconds(), over.Sub(start).Round(time.Millisecond), len(accepted)))
	return lines
}

// checkNotLost fails the test if a write accepted before now is not stored.
func checkNotLost(ctx context.Context, t *testing.T, c dynamic.Interface, when string, accepted []string) {
	t.Helper()
	var missing []string
	eventually(ctx, t, time.Minute, "the stored ClusterGroups to be listed", func(ctx context.Context) error {
		var err error
		missing, err = lost(ctx, c, accepted)
		return err
	})
	if len(missing) > 0 {
		t.Errorf("%s: %d of %d accepted writes are lost: %s", when, len(missing), len(accepted), strings.Join(firstN(missing, 10), ", "))
	}
}

// statusConverged waits, up to statusConvergeWithin after the update u was
// accepted, for a sample with the exact counts at u's generation, and returns how
// long after the update it was taken.
func statusConverged(ctx context.Context, s *sampler, u update) (time.Duration, error) {
	tick := time.NewTicker(statusInterval)
	defer tick.Stop()
	over := u.accepted
	for {
		samples := s.since(over)
		for _, x := range samples {
			if x.exact(realizedNodes) && x.generation == u.generation {
				return x.at.Sub(over), nil
			}
		}
		if time.Since(over) > statusConvergeWithin {
			last := "none"
			if len(samples) > 0 {
				last = samples[len(samples)-1].String()
			}
			return time.Since(over), fmt.Errorf("the status did not show the exact counts (Realized %d/%d at generation %d) within %s of the update; last sample %s",
				realizedNodes, realizedNodes, u.generation, statusConvergeWithin, last)
		}
		select {
		case <-ctx.Done():
			return time.Since(over), ctx.Err()
		case <-tick.C:
		}
	}
}

// wrongPhases: the samples read successfully that tell something false. Both
// Nodes realize every generation of the policy all along, so the only true phases
// are Realizing (a new generation not yet reported by every Node) and Realized
// with every Node counted; the span is always both Nodes.
func wrongPhases(samples []statusSample) []string {
	var out []string
	for _, x := range samples {
		if x.err != nil {
			continue
		}
		realizedAll := x.phase == "Realized" && x.current == realizedNodes
		if !(realizedAll || x.phase == "Realizing") || x.desired != realizedNodes {
			out = append(out, x.String())
		}
	}
	return out
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("(%d more)", len(s)-n))
	}
	return s
}
