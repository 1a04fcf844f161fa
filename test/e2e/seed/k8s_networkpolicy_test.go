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
	"strings"
	"testing"
)

// expectDeleted runs kubectl delete ARGS and checks that it printed that the
// object name was deleted (newer kubectl adds "from NAMESPACE namespace").
func expectDeleted(ctx context.Context, t *testing.T, name string, args ...string) {
	t.Helper()
	out := kubectl(ctx, t, append([]string{"delete"}, args...)...)
	if !strings.Contains(out, "\""+name+"\" deleted") {
		t.Fatalf("kubectl delete %s printed %q, want %q deleted", strings.Join(args, " "), out, name)
	}
}

// k8sNetworkPolicy is the walkthrough's section 1 (steps 1.1-1.5): K8s
// NetworkPolicy is namespace-scoped, an allow-list, and isolates the pods it
// selects.
func (w *walk) k8sNetworkPolicy(ctx context.Context, t *testing.T) {
	w.run(t, "1.1", func(t *testing.T) {
		kubectlPrints(ctx, t, []string{"networkpolicy.networking.k8s.io/drop-access-to-redis created"},
			"apply", "-f", manifest("np1.yaml"))
		expectReach(ctx, t, w.pods(), "np1: guestbook -> redis fails (dropped), redis -> guestbook works", np1Only)
	})
	w.run(t, "1.2", func(t *testing.T) {
		expectDeleted(ctx, t, "drop-access-to-redis", "-f", manifest("np1.yaml"))
		expectReach(ctx, t, w.pods(), "np1 deleted: guestbook -> redis works again", allWork)
	})
	w.run(t, "1.3", func(t *testing.T) {
		kubectlPrints(ctx, t, []string{"networkpolicy.networking.k8s.io/drop-access-to-guestbook created"},
			"apply", "-f", manifest("np2.yaml"))
		expectReach(ctx, t, w.pods(), "np2: pod -> guestbook:3000 fails (dropped), guestbook -> redis works", np2Only)
		// The article: external access through the NodePort still works.
		w.expectNodePort(ctx, t, true)
	})
	w.run(t, "1.4", func(t *testing.T) {
		expectDeleted(ctx, t, "drop-access-to-guestbook", "-f", manifest("np2.yaml"))
		expectReach(ctx, t, w.pods(), "np2 deleted: pod -> guestbook works", allWork)
		w.expectNodePort(ctx, t, false)
	})
	w.run(t, "1.5", func(t *testing.T) {
		kubectlPrints(ctx, t, []string{"networkpolicy.networking.k8s.io/allow-access-from-other-ns created"},
			"apply", "-f", manifest("np3.yaml"))
		kubectlPrints(ctx, t, []string{"namespace/test created"}, "create", "namespace", "test")
		kubectlPrints(ctx, t, []string{"namespace/test labeled"}, "label", "namespace", "test", "project=test")
		// The same guestbook controller manifest, in namespace test.
		kubectlPrints(ctx, t, []string{"replicationcontroller/guestbook created"},
			"apply", "-f", manifest("guestbook/guestbook-controller.json"), "-n", "test")
		w.test = waitPods(ctx, t, "test", 3)
		expectReach(ctx, t, w.pods(), "np3: guestbook in test -> guestbook in default works, "+
			"pods of default -> guestbook in default fail", np3Only)
	})
}
