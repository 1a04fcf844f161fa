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
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// walkTimeout bounds the whole walkthrough.
const walkTimeout = 45 * time.Minute

// walk is the walkthrough's state carried from step to step.
type walk struct {
	def, test []pod // the guestbook pods of namespace default (6) and test (3)
	stopped   string
}

// pods are every guestbook and redis pod, of both namespaces once `test` exists.
func (w *walk) pods() []pod { return append(slices.Clone(w.def), w.test...) }

// run runs fn as the subtest name unless an earlier step could not build the
// state that later steps depend on (a fatal failure): then the step is not run
// and fails, naming that step. A step whose traffic differs from the
// walkthrough fails but lets the walkthrough go on, since its objects were
// applied as the walkthrough does.
func (w *walk) run(t *testing.T, name string, fn func(t *testing.T)) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		if w.stopped != "" {
			t.Fatalf("not run: step %s failed before completing, and this step depends on its state", w.stopped)
		}
		completed := false
		defer func() {
			if !completed && w.stopped == "" {
				w.stopped = name
			}
		}()
		fn(t)
		completed = true
	})
}

// TestWalkthrough runs the seed walkthrough's sections in order, each step a
// subtest named by its step number; every step builds on the state the
// previous ones left, as in the walkthrough.
func TestWalkthrough(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), walkTimeout)
	defer cancel()
	w := &walk{}
	for _, s := range []struct {
		name string
		fn   func(ctx context.Context, t *testing.T)
	}{
		{"0 Set-up", w.setUp},
		{"1 Kubernetes NetworkPolicy", w.k8sNetworkPolicy},
		{"2 Tiers", w.tiers},
		{"3 ClusterNetworkPolicy", w.clusterNetworkPolicy},
		{"4 Across namespaces", w.acrossNamespaces},
		{"5 Baseline and ClusterGroups", w.baselineAndClusterGroups},
	} {
		w.run(t, s.name, func(t *testing.T) { s.fn(ctx, t) })
	}
}

func (w *walk) setUp(ctx context.Context, t *testing.T) {
	w.run(t, "0.1", func(t *testing.T) {
		// The nodes are Ready: the network plugin (strata-agent) runs on both.
		eventually(ctx, t, podsTimeout, "2 Ready nodes", func(ctx context.Context) error {
			return nodesReady(ctx, 2)
		})
		// The CLI shows its own version and the controller's (antctl version).
		expectVersions(ctx, t, 2)
		// The configuration lists the feature gates; AntreaPolicy is on by default.
		expectFeatureGates(ctx, t)
	})
	w.run(t, "0.2", func(t *testing.T) {
		// The guestbook app of the article in `default`, from its 6 manifests.
		for _, f := range []string{"redis-master-controller.json", "redis-master-service.json",
			"redis-slave-controller.json", "redis-slave-service.json",
			"guestbook-controller.json", "guestbook-service.json"} {
			kubectl(ctx, t, "apply", "-f", manifest(filepath.Join("guestbook", f)))
		}
		w.def = waitPods(ctx, t, "default", 6)
		expectReach(ctx, t, w.pods(), "without any policy every pod reaches every other", allWork)
	})
}
