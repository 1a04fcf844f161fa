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
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/strata-net/strata/test/e2e/framework"
)

// expectTiers checks `kubectl get tier --sort-by=.spec.priority`: the header
// NAME PRIORITY AGE and the (name, priority) rows in order.
func expectTiers(ctx context.Context, t *testing.T, want [][]string) {
	t.Helper()
	rows := framework.Table(kubectl(ctx, t, "get", "tier", "--sort-by=.spec.priority"))
	if len(rows) == 0 || !reflect.DeepEqual(rows[0], []string{"NAME", "PRIORITY", "AGE"}) {
		t.Fatalf("kubectl get tier --sort-by=.spec.priority: header %v, want NAME PRIORITY AGE", rows)
	}
	var got [][]string
	for _, r := range rows[1:] {
		got = append(got, r[:2])
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("kubectl get tier --sort-by=.spec.priority: rows %v, want %v", got, want)
	}
}

// acnpRow is a row of `kubectl get acnp` without its AGE.
type acnpRow struct {
	Name, Tier    string
	Priority      string
	Desired, Curr int
}

func (r acnpRow) String() string {
	return fmt.Sprintf("%s %s %s %d %d", r.Name, r.Tier, r.Priority, r.Desired, r.Curr)
}

// policy is an expected row whose CURRENT NODES equals its DESIRED NODES (the
// agents of every node in its span have realized it).
func policy(name, tier, priority string, nodes int) acnpRow {
	return acnpRow{Name: name, Tier: tier, Priority: priority, Desired: nodes, Curr: nodes}
}

// expectACNPs polls `kubectl get <resource>` (acnp, or its long name) until its
// header is NAME TIER PRIORITY DESIRED NODES CURRENT NODES AGE and its rows are
// exactly want: the agents report their realization asynchronously.
func expectACNPs(ctx context.Context, t *testing.T, resource string, want ...acnpRow) {
	t.Helper()
	sort.Slice(want, func(i, j int) bool { return want[i].Name < want[j].Name })
	header := []string{"NAME", "TIER", "PRIORITY", "DESIRED", "NODES", "CURRENT", "NODES", "AGE"}
	err := poll(ctx, settleTimeout, func(ctx context.Context) error {
		out, err := framework.Kubectl(ctx, lc.Kubeconfig, "get", resource)
		if err != nil {
			return err
		}
		if len(want) == 0 && strings.TrimSpace(out) == "" { // kubectl: "No resources found" on stderr
			return nil
		}
		rows := framework.Table(out)
		if len(rows) == 0 || !reflect.DeepEqual(rows[0], header) {
			return fmt.Errorf("header %v, want %v; output:\n%s", rows, header, out)
		}
		var got []acnpRow
		for _, r := range rows[1:] {
			if len(r) != 6 {
				return fmt.Errorf("row %v has %d cells, want 6; output:\n%s", r, len(r), out)
			}
			d, err1 := strconv.Atoi(r[3])
			c, err2 := strconv.Atoi(r[4])
			if err1 != nil || err2 != nil {
				return fmt.Errorf("row %v: DESIRED/CURRENT NODES are not numbers; output:\n%s", r, out)
			}
			got = append(got, acnpRow{Name: r[0], Tier: r[1], Priority: r[2], Desired: d, Curr: c})
		}
		sort.Slice(got, func(i, j int) bool { return got[i].Name < got[j].Name })
		if !reflect.DeepEqual(got, want) {
			return fmt.Errorf("rows %v; output:\n%s", got, out)
		}
		return nil
	})
	if err != nil {
		status, _ := framework.Kubectl(ctx, lc.Kubeconfig, "get", "acnp", "-o", "custom-columns="+
			"NAME:.metadata.name,GENERATION:.metadata.generation,OBSERVED:.status.observedGeneration,"+
			"PHASE:.status.phase,DESIRED:.status.desiredNodesRealized,CURRENT:.status.currentNodesRealized")
		t.Fatalf("timed out after %s waiting for kubectl get %s to list %v: %v\nstatus:\n%s",
			settleTimeout, resource, want, err, status)
	}
}
