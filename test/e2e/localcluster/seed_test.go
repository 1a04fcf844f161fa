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

package localcluster

import (
	"reflect"
	"strings"
	"testing"

	"github.com/strata-net/strata/test/e2e/framework"
)

// seedPolicyFiles are the seed's Tier, ClusterNetworkPolicy and ClusterGroup
// manifests in the walkthrough's order; deleting them in reverse order removes the
// policies before the Tier they use.
var seedPolicyFiles = []string{"mytier.yaml", "acnp1.yaml", "acnp11.yaml", "acnp12.yaml", "acnp2.yaml",
	"acnp22.yaml", "acnp-dropany.yaml", "cg1.yaml", "acnp3.yaml"}

// TestSeedWalkthrough applies every seed Tier, ClusterNetworkPolicy and ClusterGroup
// manifest unchanged, through kube-apiserver, in the walkthrough's order, and checks
// what kubectl prints at each step: the same as in the standalone e2e.
func TestSeedWalkthrough(t *testing.T) {
	ctx := ctxT(t)
	var cleanup []string
	for i := len(seedPolicyFiles) - 1; i >= 0; i-- {
		cleanup = append(cleanup, seed(seedPolicyFiles[i]))
	}
	deleteOnCleanup(t, cleanup...)

	// 2.1: the six system Tiers, by priority.
	assertTiers(t, kubectl(ctx, t, "get", "tier", "--sort-by=.spec.priority"), [][]string{
		{"emergency", "50"}, {"securityops", "100"}, {"networkops", "150"},
		{"platform", "200"}, {"application", "250"}, {"baseline", "253"},
	})

	steps := []struct {
		file string
		want []string
	}{
		{"mytier.yaml", []string{"tier.security.antrea.tanzu.vmware.com/mytier created"}},
		{"acnp1.yaml", []string{"clusternetworkpolicy.crd.antrea.io/acnp-drop-access-to-redis created"}},
		{"acnp11.yaml", []string{"clusternetworkpolicy.crd.antrea.io/acnp-drop-access-to-redis configured"}},
		{"acnp12.yaml", []string{"clusternetworkpolicy.crd.antrea.io/acnp-allow-access-to-redis created"}},
		{"acnp2.yaml", []string{"clusternetworkpolicy.crd.antrea.io/acnp-allow-access-from-to-guestbook created"}},
		{"acnp22.yaml", []string{"clusternetworkpolicy.crd.antrea.io/acnp-allow-access-from-to-guestbook configured"}},
		{"acnp-dropany.yaml", []string{"clusternetworkpolicy.crd.antrea.io/acnp-drop-any-in-production created"}},
		{"cg1.yaml", []string{
			"clustergroup.crd.antrea.io/cg-guestbook created", "clustergroup.crd.antrea.io/cg-redis-master created",
			"clustergroup.crd.antrea.io/cg-redis-slave created", "clustergroup.crd.antrea.io/cg-redis-nested created"}},
		{"acnp3.yaml", []string{
			"clusternetworkpolicy.crd.antrea.io/acnp-allow-access-to-guestbook created",
			"clusternetworkpolicy.crd.antrea.io/acnp-allow-access-to-redis configured",
			"clusternetworkpolicy.crd.antrea.io/acnp-allow-access-to-redis-slave created"}},
		{"acnp3.yaml", []string{
			"clusternetworkpolicy.crd.antrea.io/acnp-allow-access-to-guestbook unchanged",
			"clusternetworkpolicy.crd.antrea.io/acnp-allow-access-to-redis unchanged",
			"clusternetworkpolicy.crd.antrea.io/acnp-allow-access-to-redis-slave unchanged"}},
	}
	for _, step := range steps {
		got := strings.Split(strings.TrimSpace(kubectl(ctx, t, "apply", "-f", seed(step.file))), "\n")
		if !reflect.DeepEqual(got, step.want) {
			t.Fatalf("apply %s printed %q, want %q", step.file, got, step.want)
		}
	}

	// 2.2: mytier, through the legacy group, comes first by priority.
	rows := framework.Table(kubectl(ctx, t, "get", "tier", "--sort-by=.spec.priority"))
	if len(rows) != 8 || rows[1][0] != "mytier" || rows[1][1] != "10" {
		t.Fatalf("tiers by priority: %v", rows)
	}

	// 3.1/3.4: kubectl get acnp, by the short name, with the CRD's columns.
	rows = framework.Table(kubectl(ctx, t, "get", "acnp"))
	wantHeader := []string{"NAME", "TIER", "PRIORITY", "DESIRED", "NODES", "CURRENT", "NODES", "AGE"}
	if !reflect.DeepEqual(rows[0], wantHeader) {
		t.Fatalf("kubectl get acnp header %v, want %v", rows[0], wantHeader)
	}
	byName := map[string][]string{}
	for _, r := range rows[1:] {
		byName[r[0]] = r
	}
	for _, tc := range []struct{ name, tier, priority string }{
		{"acnp-drop-access-to-redis", "securityops", "5"},
		{"acnp-allow-access-to-redis", "securityops", "5"},
		{"acnp-allow-access-from-to-guestbook", "securityops", "5"},
		{"acnp-drop-any-in-production", "baseline", "100"},
		{"acnp-allow-access-to-guestbook", "securityops", "5"},
		{"acnp-allow-access-to-redis-slave", "securityops", "5"},
	} {
		if r := byName[tc.name]; len(r) != 6 || r[1] != tc.tier || r[2] != tc.priority {
			t.Errorf("kubectl get acnp: row of %s is %v, want tier %s priority %s", tc.name, r, tc.tier, tc.priority)
		}
	}
	if len(byName) != 6 {
		t.Fatalf("%d policies listed, want 6: %v", len(byName), rows)
	}
	if rows := framework.Table(kubectl(ctx, t, "get", "cg")); len(rows) != 5 || !reflect.DeepEqual(rows[0], []string{"NAME", "AGE"}) {
		t.Fatalf("kubectl get cg: %v", rows)
	}
	// The legacy group sees the same objects.
	if rows := framework.Table(kubectl(ctx, t, "get", "lacnp")); len(rows) != 7 {
		t.Fatalf("kubectl get lacnp lists %d rows, want the 6 policies and a header", len(rows))
	}
}

func assertTiers(t *testing.T, out string, want [][]string) {
	t.Helper()
	rows := framework.Table(out)
	if len(rows) == 0 || !reflect.DeepEqual(rows[0], []string{"NAME", "PRIORITY", "AGE"}) {
		t.Fatalf("kubectl get tier: %v", rows)
	}
	var got [][]string
	for _, r := range rows[1:] {
		got = append(got, r[:2])
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("tiers by priority %v, want %v", got, want)
	}
}
