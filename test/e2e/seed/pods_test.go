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
	"slices"
	"sort"
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

// podList is the part of kubectl get pods -o json the test reads.
type podList struct {
	Items []struct {
		Metadata struct {
			Name   string            `json:"name"`
			Labels map[string]string `json:"labels"`
		} `json:"metadata"`
		Spec struct {
			NodeName string `json:"nodeName"`
		} `json:"spec"`
		Status struct {
			Phase      string `json:"phase"`
			PodIP      string `json:"podIP"`
			Conditions []struct {
				Type, Status string
			} `json:"conditions"`
		} `json:"status"`
	} `json:"items"`
}

// waitPods waits for exactly n pods in ns, Running and Ready with an IP.
func waitPods(ctx context.Context, t *testing.T, ns string, n int) []pod {
	t.Helper()
	var pods []pod
	eventually(ctx, t, podsTimeout, fmt.Sprintf("%d Ready pods in namespace %s", n, ns), func(ctx context.Context) error {
		out, err := framework.Kubectl(ctx, lc.Kubeconfig, "get", "pods", "-n", ns, "-o", "json")
		if err != nil {
			return err
		}
		var list podList
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			return err
		}
		pods = nil
		var notReady []string
		for _, p := range list.Items {
			ready := slices.ContainsFunc(p.Status.Conditions, func(c struct{ Type, Status string }) bool {
				return c.Type == "Ready" && c.Status == "True"
			})
			if p.Status.Phase != "Running" || !ready || p.Status.PodIP == "" {
				notReady = append(notReady, fmt.Sprintf("%s (%s on %q, ip %q, ready %v)", p.Metadata.Name,
					p.Status.Phase, p.Spec.NodeName, p.Status.PodIP, ready))
				continue
			}
			pods = append(pods, pod{NS: ns, Name: p.Metadata.Name, IP: p.Status.PodIP, Node: p.Spec.NodeName,
				App: p.Metadata.Labels["app"], Role: p.Metadata.Labels["role"]})
		}
		if len(list.Items) != n || len(notReady) > 0 {
			return fmt.Errorf("%d pods, not ready: %s", len(list.Items), strings.Join(notReady, "; "))
		}
		return nil
	})
	sort.Slice(pods, func(i, j int) bool { return pods[i].Name < pods[j].Name })
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
