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
	"os/exec"
	"strings"
	"testing"
)

// agentConnectedTo tells whether node k's agent has an established TCP connection
// to replica r's port (ss, as the local cluster's port check uses it).
func agentConnectedTo(ctx context.Context, k, r int) error {
	pid, err := lc.ComponentPID(fmt.Sprintf("strata-agent-worker%d", k))
	if err != nil {
		return err
	}
	out, err := exec.CommandContext(ctx, "ss", "-Htnp", "state", "established", fmt.Sprintf("( dport = :%d )", lc.ReplicaPort(r))).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ss: %v: %s", err, out)
	}
	if !strings.Contains(string(out), fmt.Sprintf("pid=%d,", pid)) {
		return fmt.Errorf("worker%d's agent (pid %d) has no connection to replica %d (127.0.0.1:%d); connections to it: %q",
			k, pid, r, lc.ReplicaPort(r), strings.TrimSpace(string(out)))
	}
	return nil
}

// checkAgentsSpread: node k's agent watches replica ((k-1) mod replicas)+1 first
// (hack/local-cluster/replicas.sh), so each replica serves an agent. An agent that an
// earlier test's kills moved to another replica stays there (it moves on only when
// its replica fails); it is restarted, by PID, and must then go back to its first.
func checkAgentsSpread(ctx context.Context, t *testing.T) {
	t.Helper()
	for k := 1; k <= lc.Nodes; k++ {
		r := (k-1)%replicas + 1
		if agentConnectedTo(ctx, k, r) != nil && agentConnectedTo(ctx, k, r%replicas+1) == nil {
			name := fmt.Sprintf("strata-agent-worker%d", k)
			pid, err := lc.KillComponent(name)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("worker%d's agent was on replica %d after an earlier test's faults: restarted it (pid %d)", k, r%replicas+1, pid)
			componentRestarted(ctx, t, name, pid, func(ctx context.Context) error { return agentConnectedTo(ctx, k, r) })
		}
		eventually(ctx, t, settleTimeout, fmt.Sprintf("worker%d's agent to be connected to replica %d", k, r), func(ctx context.Context) error {
			return agentConnectedTo(ctx, k, r)
		})
	}
}
