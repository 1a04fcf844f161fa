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
	"reflect"
	"strings"
	"testing"
)

// baselineAndClusterGroups is the walkthrough's section 5 (steps 5.1-5.4): the
// baseline tier comes after K8s NetworkPolicy; ClusterGroups name endpoints
// outside the policies.
func (w *walk) baselineAndClusterGroups(ctx context.Context, t *testing.T) {
	w.run(t, "5.1", func(t *testing.T) {
		// Every NetworkPolicy and every ACNP, listed and deleted one by one as
		// the article does; it deletes exactly these two.
		deleteEvery(ctx, t, []string{"default/allow-access-from-to-guestbook"}, "networkpolicy", "-A",
			"-o", "custom-columns=NS:.metadata.namespace,NAME:.metadata.name")
		deleteEvery(ctx, t, []string{"acnp-allow-access-from-to-guestbook"}, "acnp",
			"-o", "custom-columns=NAME:.metadata.name")
		expectACNPs(ctx, t, "acnp")
		expectReach(ctx, t, w.pods(), "no policy left: every pod reaches every other", allWork)
	})
	w.run(t, "5.2", func(t *testing.T) {
		kubectlPrints(ctx, t, []string{"clusternetworkpolicy.crd.antrea.io/acnp-drop-any-in-production created"},
			"apply", "-f", manifest("acnp-dropany.yaml"))
		expectACNPs(ctx, t, "acnp", policy("acnp-drop-any-in-production", "baseline", "100",
			nodesOf(w.def, func(pod) bool { return true })))
		expectReach(ctx, t, w.pods(), "acnp-dropany: every connection into default fails (Drop), "+
			"frontend -> redis included; into test works", dropAny)
	})
	w.run(t, "5.3", func(t *testing.T) {
		kubectlPrints(ctx, t, []string{
			"clustergroup.crd.antrea.io/cg-guestbook created", "clustergroup.crd.antrea.io/cg-redis-master created",
			"clustergroup.crd.antrea.io/cg-redis-slave created", "clustergroup.crd.antrea.io/cg-redis-nested created",
		}, "apply", "-f", manifest("cg1.yaml"))
		kubectlPrints(ctx, t, []string{"cg-guestbook", "cg-redis-master", "cg-redis-nested", "cg-redis-slave"},
			"get", "cg", "--no-headers", "-o", "custom-columns=NAME:.metadata.name")
	})
	w.run(t, "5.4", func(t *testing.T) {
		kubectlPrints(ctx, t, []string{
			"clusternetworkpolicy.crd.antrea.io/acnp-allow-access-to-guestbook created",
			"clusternetworkpolicy.crd.antrea.io/acnp-allow-access-to-redis created",
			"clusternetworkpolicy.crd.antrea.io/acnp-allow-access-to-redis-slave created",
		}, "apply", "-f", manifest("acnp3.yaml"))
		all := w.pods()
		expectACNPs(ctx, t, "acnp",
			policy("acnp-drop-any-in-production", "baseline", "100", nodesOf(w.def, func(pod) bool { return true })),
			// cg-guestbook selects app=guestbook in every namespace.
			policy("acnp-allow-access-to-guestbook", "securityops", "5", nodesOf(all, pod.guestbook)),
			policy("acnp-allow-access-to-redis", "securityops", "5", nodesOf(all, pod.redis)),
			policy("acnp-allow-access-to-redis-slave", "securityops", "5", nodesOf(all, pod.redisSlave)))
		expectReach(ctx, t, all, "acnp3: guestbook -> guestbook, guestbook -> redis-master and redis-slave, "+
			"redis-master -> redis-slave work; anything else into default (e.g. redis-slave -> guestbook) is dropped",
			dropAnyAndACNP3)
	})
}

// deleteEvery lists the objects of kubectl get RESOURCE ARGS (columns:
// [namespace] name), checks they are want ("ns/name" or "name"), and deletes
// them one by one.
func deleteEvery(ctx context.Context, t *testing.T, want []string, resource string, args ...string) {
	t.Helper()
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(kubectl(ctx, t,
		append([]string{"get", resource, "--no-headers"}, args...)...)), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			got = append(got, strings.Join(f, "/"))
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("kubectl get %s lists %q, want %q", resource, got, want)
	}
	for _, obj := range got {
		ns, name, namespaced := strings.Cut(obj, "/")
		if namespaced {
			expectDeleted(ctx, t, name, resource, "-n", ns, name)
		} else {
			expectDeleted(ctx, t, ns, resource, ns)
		}
	}
}
