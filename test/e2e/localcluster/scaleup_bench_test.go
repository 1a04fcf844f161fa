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
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/strata-net/strata/test/e2e/framework"
)

const scaleReplicas = 100

// scaleRC is a ReplicationController of responder Pods with one port each.
const scaleRC = `apiVersion: v1
kind: ReplicationController
metadata: {name: scale}
spec:
  replicas: %d
  selector: {app: scale}
  template:
    metadata: {labels: {app: scale}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: registry.k8s.io/guestbook:v3
        ports: [{containerPort: 3000}]
`

// BenchmarkScaleUp scales a ReplicationController from 0 to 100 replicas over
// the cluster's nodes and reports Pods/s until every Pod is Running and Ready
// (scheduling, CNI ADD through strata-cni and the agents, containers started),
// and the agents' resident memory added per 100 Pods.
//
//	go test -run '^$' -bench ScaleUp -benchtime 1x ./test/e2e/localcluster
func BenchmarkScaleUp(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	ns := "e2e-scale"
	if out, err := framework.Kubectl(ctx, lc.Kubeconfig, "create", "namespace", ns); err != nil {
		b.Fatalf("%v\n%s", err, out)
	}
	defer func() {
		_, _ = framework.Kubectl(context.Background(), lc.Kubeconfig, "delete", "namespace", ns, "--timeout=5m")
	}()
	var total time.Duration
	var rssDelta int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		apply(ctx, b, ns, fmt.Sprintf(scaleRC, 0))
		waitRunning(ctx, b, ns, 0)
		before := agentsRSS(b)
		b.StartTimer()
		start := time.Now()
		apply(ctx, b, ns, fmt.Sprintf(scaleRC, scaleReplicas))
		waitRunning(ctx, b, ns, scaleReplicas)
		total += time.Since(start)
		b.StopTimer()
		rssDelta += agentsRSS(b) - before
	}
	b.ReportMetric(float64(scaleReplicas*b.N)/total.Seconds(), "pods/s")
	b.ReportMetric(float64(rssDelta)/float64(b.N)/(1<<20)*100/scaleReplicas, "agent-MiB/100pods")
}

func apply(ctx context.Context, b *testing.B, ns, manifest string) {
	if out, err := framework.KubectlWithInput(ctx, lc.Kubeconfig, manifest, "apply", "-n", ns, "-f", "-"); err != nil {
		b.Fatalf("%v\n%s", err, out)
	}
}

// waitRunning waits until exactly n Pods of the namespace exist, all Ready.
func waitRunning(ctx context.Context, b *testing.B, ns string, n int) {
	var last string
	err := wait.PollUntilContextTimeout(ctx, time.Second, 15*time.Minute, true, func(ctx context.Context) (bool, error) {
		out, err := framework.Kubectl(ctx, lc.Kubeconfig, "get", "pods", "-n", ns, "-o",
			`jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}`)
		if err != nil {
			last = err.Error()
			return false, nil
		}
		lines := strings.Fields(out)
		ready := 0
		for _, l := range lines {
			if l == "True" {
				ready++
			}
		}
		last = fmt.Sprintf("%d pods, %d ready", len(lines), ready)
		return len(lines) == n && ready == n, nil
	})
	if err != nil {
		b.Fatalf("waiting for %d Ready pods in %s: %v (last: %s)", n, ns, err, last)
	}
}

// agentsRSS is the summed resident memory of the nodes' strata-agents.
func agentsRSS(b *testing.B) int64 {
	var sum int64
	for k := 1; k <= nodes; k++ {
		pidFile := filepath.Join(lc.Dir, "run", fmt.Sprintf("strata-agent-worker%d.pid", k))
		data, err := os.ReadFile(pidFile)
		if err != nil {
			b.Fatal(err)
		}
		pid := strings.Fields(string(data))[0]
		status, err := os.ReadFile(filepath.Join("/proc", pid, "status"))
		if err != nil {
			b.Fatal(err)
		}
		for _, line := range strings.Split(string(status), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
				kb, _ := strconv.ParseInt(f[1], 10, 64)
				sum += kb << 10
			}
		}
	}
	return sum
}
