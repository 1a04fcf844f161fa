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
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// policyResources are every resource strata-apiserver serves, in every group.
var policyResources = []string{
	"tiers.v1beta1.crd.antrea.io", "clusternetworkpolicies.v1beta1.crd.antrea.io", "clustergroups.v1beta1.crd.antrea.io",
	"tiers.v1alpha1.crd.antrea.io", "clusternetworkpolicies.v1alpha1.crd.antrea.io", "clustergroups.v1alpha2.crd.antrea.io",
	"tiers.v1alpha1.security.antrea.tanzu.vmware.com", "clusternetworkpolicies.v1alpha1.security.antrea.tanzu.vmware.com",
}

// TestStrataAPIServerRestart kills strata-apiserver by its PID: its supervisor starts
// it again, the restart is logged and counted, the APIServices are Available again,
// requests through kube-apiserver work again and no object is lost.
func TestStrataAPIServerRestart(t *testing.T) {
	ctx := ctxT(t)
	files := []string{"mytier.yaml", "acnp1.yaml", "acnp12.yaml", "acnp2.yaml", "acnp-dropany.yaml", "cg1.yaml", "acnp3.yaml"}
	var cleanup []string
	for i := len(files) - 1; i >= 0; i-- {
		cleanup = append(cleanup, seed(files[i]))
	}
	deleteOnCleanup(t, cleanup...)
	for _, f := range files {
		kubectl(ctx, t, "apply", "-f", seed(f))
	}
	before := snapshot(ctx, t)
	if n := len(before["tiers.v1beta1.crd.antrea.io"]); n != 7 {
		t.Fatalf("%d Tiers before the restart, want the 6 system Tiers and mytier", n)
	}
	apiServices := strings.Fields(kubectl(ctx, t, "get", "apiservices", "-l", "app.kubernetes.io/part-of=strata", "-o", "name"))

	restarts := strataRestarts(ctx, t)
	// SIGKILL: a crash. (SIGTERM works too, but with kube-controller-manager's watches
	// open strata-apiserver takes its full 60 s shutdown timeout to exit.)
	for _, tc := range []struct {
		name   string
		signal syscall.Signal
		logged string // in logs/supervisor.log
	}{
		{"crash", syscall.SIGKILL, "strata-apiserver killed by signal 9"},
		{"crash again", syscall.SIGKILL, "strata-apiserver killed by signal 9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pid := strataPID(t)
			if err := syscall.Kill(pid, tc.signal); err != nil {
				t.Fatalf("kill -%d %d: %v", tc.signal, pid, err)
			}
			killed := time.Now()
			eventually(ctx, t, settleTimeout, "a new strata-apiserver process", func(context.Context) error {
				if p := strataPID(t); p == pid || p == 0 {
					return fmt.Errorf("pid file still names %d", p)
				}
				return nil
			})
			// Gotcha: discovery and the APIService status lag; only a real request
			// tells that strata-apiserver answers again through kube-apiserver.
			eventually(ctx, t, settleTimeout, "kubectl get tiers to answer again", func(ctx context.Context) error {
				_, err := kubectlOut(ctx, "get", "tiers")
				return err
			})
			t.Logf("%s: kubectl get tiers answers again %s after the kill", tc.name, time.Since(killed).Round(time.Millisecond))
			kubectl(ctx, t, append([]string{"wait", "--for=condition=Available", "--timeout=90s"}, apiServices...)...)
			if after := snapshot(ctx, t); !reflect.DeepEqual(after, before) {
				t.Fatalf("objects changed across the restart:\nbefore %v\nafter  %v", before, after)
			}
			restarts++
			if got := strataRestarts(ctx, t); got != restarts {
				t.Errorf("hack/local-cluster.sh status counts %d restarts of strata-apiserver, want %d", got, restarts)
			}
			log := readFile(t, filepath.Join(lc.Dir, "logs", "supervisor.log"))
			if !strings.Contains(log, tc.logged) || !strings.Contains(log, fmt.Sprintf("restart #%d in", restarts)) {
				t.Errorf("logs/supervisor.log does not record restart #%d (%q):\n%s", restarts, tc.logged, log)
			}
			// Writes work again: admission's caches are back.
			kubectlIn(ctx, t, "apiVersion: crd.antrea.io/v1beta1\nkind: Tier\nmetadata:\n  name: e2e-restart\nspec:\n  priority: 77\n", "create", "-f", "-")
			kubectl(ctx, t, "delete", "tier", "e2e-restart")
		})
	}
}

// snapshot lists every policy object of every served resource as "name uid generation".
func snapshot(ctx context.Context, t *testing.T) map[string][]string {
	t.Helper()
	objects := map[string][]string{}
	for _, r := range policyResources {
		var list objectList
		getJSON(ctx, t, &list, "get", r)
		for _, o := range list.Items {
			objects[r] = append(objects[r], fmt.Sprintf("%s %s %d", o.Metadata.Name, o.Metadata.UID, o.Metadata.Generation))
		}
		sort.Strings(objects[r])
	}
	return objects
}

// strataPID is the PID of the running strata-apiserver, from its supervisor's PID file
// ("PID STARTTIME"); 0 while it is being restarted.
func strataPID(t *testing.T) int {
	t.Helper()
	return componentPID(t, "strata-apiserver")
}

// strataRestarts is the RESTARTS column of strata-apiserver in `hack/local-cluster.sh
// status`.
func strataRestarts(ctx context.Context, t *testing.T) int {
	t.Helper()
	out, _ := lc.Script(ctx, "status", "--dir", lc.Dir) // exits 1 while something is down
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) >= 4 && f[0] == "strata-apiserver" {
			n, err := strconv.Atoi(f[3])
			if err != nil {
				t.Fatalf("status line %q", line)
			}
			return n
		}
	}
	t.Fatalf("hack/local-cluster.sh status lists no strata-apiserver:\n%s", out)
	return 0
}
