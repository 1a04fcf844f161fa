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
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"

	"github.com/strata-net/strata/test/e2e/framework"
)

const (
	// churnPolicies policies take churnUpdates updates between them, round robin.
	churnPolicies = 10
	churnUpdates  = 200
	// churnSettle bounds how long after the last update every status must be exact.
	churnSettle = 30 * time.Second
)

// churnACNP is churn policy i at its update u: a Drop from app=fc-client to the
// servers on a port that changes with every update (a new generation each time)
// and that nobody probes.
func churnACNP(i, u int) string {
	return fmt.Sprintf(`apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: e2e-ha-churn-%d, labels: {e2e-ha-churn: "true"}}
spec:
  priority: %d
  tier: application
  appliedTo:
  - podSelector: {matchLabels: {app: srv}}
    namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: %s}}
  ingress:
  - action: Drop
    name: churn
    from:
    - podSelector: {matchLabels: {app: fc-client}}
      namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: %s}}
    ports: [{protocol: TCP, port: %d}]
`, i, 10+i, haNamespace, haNamespace, 20000+u)
}

// TestStatusUnderChurn makes 200 updates over 10 policies while the status-writing
// replica is killed with SIGKILL, twice (after 50 and 100 updates: each time the
// holder of the Lease then). Pass: every update is
// accepted (retried while the API fails over), and once the updates are over every
// policy's status is exact at its last generation (Realized on both Nodes, as the
// agents report) within 30 s; no sample of the statuses on the way shows a phase
// other than Realizing or Realized.
func TestStatusUnderChurn(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	c := dynamicClient(t)
	kubectlIn(ctx, t, haPods(), "apply", "-f", "-")
	kubectl(ctx, t, "wait", "-n", haNamespace, "--for=condition=Ready", "pod", "--all", "--timeout=180s")
	t.Cleanup(func() {
		_, _ = framework.Kubectl(context.Background(), lc.Kubeconfig, "delete", "clusternetworkpolicies", "-l", "e2e-ha-churn=true", "--wait=false")
	})

	var done atomic.Int64
	errs := make(chan error, 1)
	go func() { errs <- churn(ctx, &done) }()
	// Each kill takes the status writer of the moment: two hand-overs of the Lease
	// while the updates go on.
	for _, at := range []int64{churnUpdates / 4, churnUpdates / 2} {
		eventually(ctx, t, 10*time.Minute, fmt.Sprintf("%d updates to be accepted before the next kill", at), func(context.Context) error {
			if n := done.Load(); n < at {
				return fmt.Errorf("%d accepted", n)
			}
			return nil
		})
		before, err := leaseHolder(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		ev := signalReplica(ctx, t, c, holder(ctx, t, c), syscall.SIGKILL)
		eventually(ctx, t, time.Minute, "another replica to take the status Lease over from "+before, func(ctx context.Context) error {
			now, err := leaseHolder(ctx, c)
			if err == nil && now == before {
				return fmt.Errorf("still held by %s", now)
			}
			return err
		})
		t.Logf("after %d updates: %s (pid %d) killed, back and ready", at, ev.component, ev.pid)
	}
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	last := time.Now()
	var wrong []string
	err := wait.PollUntilContextTimeout(ctx, statusInterval, churnSettle, true, func(ctx context.Context) (bool, error) {
		pending, bad := churnStatuses(ctx, c)
		wrong = append(wrong, bad...)
		return len(pending) == 0, nil
	})
	if err != nil {
		pending, _ := churnStatuses(ctx, c)
		t.Fatalf("%s after the last of %d updates, %d policies' statuses are not exact: %s", churnSettle, churnUpdates, len(pending), strings.Join(pending, "; "))
	}
	if len(wrong) > 0 {
		t.Errorf("statuses showed a wrong phase: %s", strings.Join(firstN(wrong, 10), "; "))
	}
	t.Logf("%d updates over %d policies, two replicas killed: every status exact %s after the last update", churnUpdates, churnPolicies, time.Since(last).Round(time.Millisecond))
}

// leaseHolder is the status Lease's holderIdentity now.
func leaseHolder(ctx context.Context, c dynamic.Interface) (string, error) {
	lease, err := c.Resource(leaseGVR).Namespace("kube-system").Get(ctx, statusLease, metav1.GetOptions{})
	if err != nil {
		return "", fmt.Errorf("reading Lease kube-system/%s: %w", statusLease, err)
	}
	id, _, _ := unstructured.NestedString(lease.Object, "spec", "holderIdentity")
	return id, nil
}

// churn applies the updates one after another, counting the accepted ones in done;
// each is retried for up to 30 s while the API fails over.
func churn(ctx context.Context, done *atomic.Int64) error {
	for u := range churnUpdates {
		manifest := churnACNP(u%churnPolicies, u)
		var last error
		err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
			_, last = framework.KubectlWithInput(ctx, lc.Kubeconfig, manifest, "apply", "-f", "-")
			return last == nil, nil
		})
		if err != nil {
			return fmt.Errorf("update %d (policy e2e-ha-churn-%d) not accepted within 30 s: %w (last: %v)", u, u%churnPolicies, err, last)
		}
		done.Add(1)
	}
	return nil
}

// churnStatuses reads every churn policy's status: the ones not exact yet, and the
// ones whose phase is false (neither Realizing nor Realized on every Node).
func churnStatuses(ctx context.Context, c dynamic.Interface) (pending, wrong []string) {
	for i := range churnPolicies {
		name := fmt.Sprintf("e2e-ha-churn-%d", i)
		s := readStatus(ctx, c, name)
		if s.err != nil {
			pending = append(pending, fmt.Sprintf("%s: %v", name, s.err))
			continue
		}
		if !s.exact(realizedNodes) {
			pending = append(pending, name+" "+s.String())
		}
		realizedAll := s.phase == "Realized" && s.current == realizedNodes
		if s.phase != "" && !(realizedAll || s.phase == "Realizing") {
			wrong = append(wrong, name+" "+s.String())
		}
	}
	return pending, wrong
}
