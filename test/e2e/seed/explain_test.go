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
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	cpv1beta2 "github.com/strata-net/strata/apis/controlplane/v1beta2"
)

// explained is explain's overall verdict as the probes see it.
func explained(v string) verdict {
	switch v {
	case "Allow":
		return works
	case "Drop":
		return drops
	case "Reject":
		return rejects
	}
	return broken
}

// explainAll runs `stratactl explain SRC DST --port P -o json` for every
// ordered pair of distinct pods, probeParallelism at a time, and returns
// what it says for each.
func explainAll(ctx context.Context, pods []pod) (matrix, []string) {
	m := matrix{}
	var errs []string
	var mu sync.Mutex
	forEachPair(pods, func(i, j int) {
		v, err := explainPair(ctx, pods[i], pods[j])
		mu.Lock()
		defer mu.Unlock()
		m[[2]int{i, j}] = v
		if err != nil {
			errs = append(errs, fmt.Sprintf("%v -> %v: %v", pods[i], pods[j], err))
		}
	})
	return m, errs
}

func explainPair(ctx context.Context, src, dst pod) (verdict, error) {
	out, err := lc.Stratactl(ctx, "explain", src.NS+"/"+src.Name, dst.NS+"/"+dst.Name,
		"--port", strconv.Itoa(dst.port()), "-o", "json")
	if err != nil {
		return broken, err
	}
	var ev cpv1beta2.NetworkPolicyEvaluation
	if err := json.Unmarshal([]byte(out), &ev); err != nil {
		return broken, fmt.Errorf("decoding stratactl explain's JSON: %w", err)
	}
	if ev.Response == nil {
		return broken, fmt.Errorf("no response in %s", out)
	}
	return explained(ev.Response.Verdict), nil
}

// expectExplain checks that explain gives, for every pair, the verdict the
// probes just gave (the model they agreed with), and prints the path of the
// first differing pair with stratactl's table.
func expectExplain(ctx context.Context, t *testing.T, pods []pod, what string, want model) {
	t.Helper()
	got, errs := explainAll(ctx, pods)
	diff := differences(pods, got, want)
	if len(diff) == 0 && len(errs) == 0 {
		return
	}
	detail := ""
	for i, src := range pods {
		for j, dst := range pods {
			if i != j && got[[2]int{i, j}] != want(src, dst) && detail == "" {
				detail, _ = lc.Stratactl(ctx, "explain", src.NS+"/"+src.Name, dst.NS+"/"+dst.Name,
					"--port", strconv.Itoa(dst.port()))
			}
		}
	}
	t.Errorf("%s: explain disagrees with the probes on %d pairs:\n  %s\nerrors:\n  %s\n%s\nfirst differing pair:\n%s",
		what, len(diff), strings.Join(diff, "\n  "), strings.Join(errs, "\n  "), truthTable(pods, got, want), detail)
}
