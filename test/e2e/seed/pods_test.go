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
	"strings"
	"testing"

	"github.com/strata-net/strata/test/e2e/framework"
)

// pod is what the walkthrough needs of a guestbook or redis Pod.
type pod struct {
	NS, Name, IP, Node, App, Role string
}

func (p pod) String() string { return fmt.Sprintf("%s/%s(%s@%s)", p.NS, p.Name, p.IP, p.Node) }

// port is the container port the pod serves: the article's guestbook on
// 3000 (http-server), redis on 6379 (redis-server).
func (p pod) port() int {
	if p.App == "redis" {
		return 6379
	}
	return 3000
}

func (p pod) guestbook() bool   { return p.App == "guestbook" }
func (p pod) redis() bool       { return p.App == "redis" }
func (p pod) redisMaster() bool { return p.App == "redis" && p.Role == "master" }
func (p pod) redisSlave() bool  { return p.App == "redis" && p.Role == "slave" }
func (p pod) inDefault() bool   { return p.NS == "default" }

// waitPods waits for exactly n pods in ns, Running and Ready with an IP.
func waitPods(ctx context.Context, t *testing.T, ns string, n int) []pod {
	t.Helper()
	var pods []pod
	eventually(ctx, t, podsTimeout, fmt.Sprintf("%d Ready pods in namespace %s", n, ns), func(ctx context.Context) error {
		ready, err := framework.ReadyPods(ctx, lc.Kubeconfig, ns, n)
		if err != nil {
			return err
		}
		pods = nil
		for _, p := range ready {
			pods = append(pods, pod{NS: ns, Name: p.Name, IP: p.IP, Node: p.Node, App: p.Labels["app"], Role: p.Labels["role"]})
		}
		return nil
	})
	t.Logf("pods in %s: %v", ns, pods)
	return pods
}

// nodesOf is the number of distinct nodes running the pods that sel selects:
// the DESIRED NODES of a policy applied to them.
func nodesOf(pods []pod, sel func(pod) bool) int {
	nodes := map[string]bool{}
	for _, p := range pods {
		if sel(p) {
			nodes[p.Node] = true
		}
	}
	return len(nodes)
}

// nodesReady returns nil when n nodes exist and all are Ready.
func nodesReady(ctx context.Context, n int) error {
	out, err := framework.Kubectl(ctx, lc.Kubeconfig, "get", "nodes", "-o",
		`jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}`)
	if err != nil {
		return err
	}
	nodes := strings.Fields(out)
	ready := 0
	for _, s := range nodes {
		if strings.HasSuffix(s, "=True") {
			ready++
		}
	}
	if len(nodes) != n || ready != n {
		return fmt.Errorf("nodes: %v", nodes)
	}
	return nil
}
