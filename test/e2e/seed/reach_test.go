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

package seed

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"

	"github.com/strata-net/strata/test/e2e/framework"
)

// connectTimeout is agnhost connect's own timeout: a dropped connection takes
// that long to fail.
const connectTimeout = "3s"

// probeParallelism bounds the concurrent kubectl execs of one matrix (the
// machine has 2 cores; most of a dropped probe is waiting).
const probeParallelism = 8

// verdict is what a TCP connection attempt from one pod to another gives.
type verdict int

const (
	works   verdict = iota // connected
	drops                  // agnhost: TIMEOUT (Drop rule, K8s isolation)
	rejects                // agnhost: REFUSED (Reject rule: TCP RST)
	broken                 // anything else: kubectl or agnhost failed otherwise
)

func (v verdict) String() string {
	return [...]string{"ok", "DROP", "REJECT", "ERR"}[v]
}

// model is the verdict a walkthrough step expects for every pair of pods.
type model func(src, dst pod) verdict

// probe connects from src to dst's IP on dst's port: every Pod, not only the
// one the Service proxy would pick. The article's own probes through the
// Services' DNS names are in services_test.go.
func probe(ctx context.Context, src, dst pod) (verdict, string) {
	out, err := framework.Kubectl(ctx, lc.Kubeconfig, "exec", "-n", src.NS, src.Name, "--",
		"/agnhost", "connect", fmt.Sprintf("%s:%d", dst.IP, dst.port()), "--timeout="+connectTimeout)
	if err == nil {
		return works, ""
	}
	detail := strings.TrimSpace(out + " " + err.Error())
	var kerr *framework.KubectlError
	if errors.As(err, &kerr) {
		switch {
		case strings.Contains(kerr.Stderr, "TIMEOUT"):
			return drops, ""
		case strings.Contains(kerr.Stderr, "REFUSED"):
			return rejects, ""
		}
	}
	return broken, detail
}

// matrix is the verdict of every probed pair, by source then destination.
type matrix map[[2]int]verdict

// forEachPair calls fn for every ordered pair of distinct pods (indexes into
// pods), probeParallelism at a time, and returns when every call has; fn
// guards what it shares.
func forEachPair(pods []pod, fn func(i, j int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, probeParallelism)
	for i := range pods {
		for j := range pods {
			if i == j {
				continue
			}
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				fn(i, j)
			}()
		}
	}
	wg.Wait()
}

// probeAll probes every ordered pair of distinct pods, probeParallelism at a
// time; details holds what the broken probes said.
func probeAll(ctx context.Context, pods []pod) (matrix, []string) {
	m := matrix{}
	var details []string
	var mu sync.Mutex
	forEachPair(pods, func(i, j int) {
		v, detail := probe(ctx, pods[i], pods[j])
		mu.Lock()
		defer mu.Unlock()
		m[[2]int{i, j}] = v
		if v == broken {
			details = append(details, fmt.Sprintf("%v -> %v: %s", pods[i], pods[j], detail))
		}
	})
	return m, details
}

// differences lists the pairs whose verdict is not the model's.
func differences(pods []pod, got matrix, want model) []string {
	var diff []string
	for i, src := range pods {
		for j, dst := range pods {
			if i == j {
				continue
			}
			if g, w := got[[2]int{i, j}], want(src, dst); g != w {
				diff = append(diff, fmt.Sprintf("%v -> %v:%d: %v, want %v", src, dst, dst.port(), g, w))
			}
		}
	}
	return diff
}

// expectReach polls until every ordered pair of pods (both the allowed and the
// denied directions) connects, drops or is refused exactly as want says: a
// policy change takes the agents a moment, so "works" and "fails" are both
// polled, and a failure must be of the right kind (TIMEOUT for a drop,
// REFUSED for a reject). On timeout it prints the truth table of the last
// round and the nodes' np.log, and marks the test failed (the walkthrough goes
// on: the step's objects were applied as the walkthrough does). Once the Pods
// agree with the model, so must the probes through the Services' DNS names.
func expectReach(ctx context.Context, t *testing.T, pods []pod, what string, want model) {
	t.Helper()
	var got matrix
	var details []string
	err := poll(ctx, settleTimeout, func(ctx context.Context) error {
		got, details = probeAll(ctx, pods)
		if diff := differences(pods, got, want); len(diff) > 0 {
			return fmt.Errorf("%d of %d pairs differ, e.g. %s", len(diff), len(got), diff[0])
		}
		return nil
	})
	if err == nil {
		// explain must say what the datapath just did, pair by pair.
		expectExplain(ctx, t, pods, what, want)
		// and the agents' trace of their real pipelines must agree with explain.
		expectTrace(ctx, t, pods, what)
		expectServiceReach(ctx, t, pods, what, want)
		return
	}
	t.Errorf("%s: after %s: %v\n%s\ndiffering pairs:\n  %s\nbroken probes:\n  %s\n%s", what, settleTimeout, err,
		truthTable(pods, got, want), strings.Join(differences(pods, got, want), "\n  "),
		strings.Join(details, "\n  "), npLogs())
}

// truthTable prints the matrix: a row per source, a column per destination
// (on the destination's port), "-" on the diagonal, and "GOT!WANT" in the
// pairs that differ from the model.
func truthTable(pods []pod, got matrix, want model) string {
	var b strings.Builder
	b.WriteString("reachability (row: source, column: destination on its port; X!Y = got X, want Y):\n")
	for i, p := range pods {
		fmt.Fprintf(&b, "  [%d] %v :%d\n", i, p, p.port())
	}
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprint(w, "  src\\dst")
	for j := range pods {
		fmt.Fprintf(w, "\t[%d]", j)
	}
	fmt.Fprintln(w)
	for i, src := range pods {
		fmt.Fprintf(w, "  [%d]", i)
		for j, dst := range pods {
			cell := "-"
			if i != j {
				g, ok := got[[2]int{i, j}]
				switch wv := want(src, dst); {
				case !ok:
					cell = "?"
				case g == wv:
					cell = g.String()
				default:
					cell = g.String() + "!" + wv.String()
				}
			}
			fmt.Fprintf(w, "\t%s", cell)
		}
		fmt.Fprintln(w)
	}
	_ = w.Flush()
	return b.String()
}

// npLogs is the end of every node's np.log (the agents' policy audit log).
func npLogs() string {
	var b strings.Builder
	files, _ := filepath.Glob(filepath.Join(lc.Dir, "nodes", "*", "log", "np.log"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(lines) > 20 {
			lines = lines[len(lines)-20:]
		}
		fmt.Fprintf(&b, "==== %s (last %d lines)\n%s\n", f, len(lines), strings.Join(lines, "\n"))
	}
	return b.String()
}
