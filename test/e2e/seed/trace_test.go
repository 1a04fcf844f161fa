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
	"strconv"
	"strings"
	"sync"
	"testing"
)

// traceArgs are stratactl trace's flags for the local cluster: its agents
// listen on 127.0.0.1 at lc.AgentPort(k) with self-signed certificates.
func traceArgs() []string {
	var out []string
	for k := 1; k <= 2; k++ {
		out = append(out, "--agent-address", fmt.Sprintf("worker%d=127.0.0.1:%d", k, lc.AgentPort(k)))
	}
	return append(out, "--insecure-skip-agent-tls-verify")
}

// expectTrace runs `stratactl trace SRC DST --port P` for every ordered pair
// of distinct pods: the agents of both Nodes trace the connection through
// their Open vSwitch pipeline, and stratactl exits non-zero when the
// datapath and explain disagree on a side.
func expectTrace(ctx context.Context, t *testing.T, pods []pod, what string) {
	t.Helper()
	var failures []string
	var mu sync.Mutex
	forEachPair(pods, func(i, j int) {
		src, dst := pods[i], pods[j]
		args := append([]string{"trace", src.NS + "/" + src.Name, dst.NS + "/" + dst.Name,
			"--port", strconv.Itoa(dst.port())}, traceArgs()...)
		out, err := lc.Stratactl(ctx, args...)
		if err != nil {
			mu.Lock()
			defer mu.Unlock()
			failures = append(failures, fmt.Sprintf("%v -> %v:%d: %v\n%s", src, dst, dst.port(), err, out))
		}
	})
	if len(failures) > 0 {
		t.Errorf("%s: stratactl trace failed or disagreed with explain on %d pairs:\n%s", what, len(failures),
			strings.Join(failures, "\n"))
	}
}
