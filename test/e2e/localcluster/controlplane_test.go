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
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-net/strata/test/e2e/framework"
)

// The objects of TestControlPlane.
const (
	cpNamespace = "e2e-controlplane"
	cpNode      = "e2e-node-1"
	// cpNodeManifest is a Node without a kubelet; its taint keeps Pods off it.
	cpNodeManifest = `apiVersion: v1
kind: Node
metadata:
  name: e2e-node-1
spec:
  taints:
  - key: e2e.strata.io/no-kubelet
    effect: NoSchedule
`
	cpStatefulSet = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: e2e-db
spec:
  serviceName: e2e-db
  replicas: 1
  selector:
    matchLabels: {app: e2e-db}
  template:
    metadata:
      labels: {app: e2e-db}
    spec:
      containers:
      - name: db
        image: registry.k8s.io/e2e-test-images/agnhost:2.53
        args: [netexec]
`
)

// TestControlPlane checks that kube-controller-manager and kube-scheduler do their
// jobs: node IPAM, replication controllers, deployments, statefulsets, endpoints and
// endpoint slices, scheduling decisions, garbage collection and namespace deletion.
// The cluster's worker nodes run the Pods (TestPodNetworking checks their network).
func TestControlPlane(t *testing.T) {
	ctx := ctxT(t)
	t.Cleanup(func() {
		ctx := context.Background()
		_, _ = framework.Kubectl(ctx, lc.Kubeconfig, "delete", "node", cpNode, "--ignore-not-found")
		_, _ = framework.Kubectl(ctx, lc.Kubeconfig, "delete", "namespace", cpNamespace, "--ignore-not-found", "--wait=false")
	})
	kubectl(ctx, t, "create", "namespace", cpNamespace)
	ns := "--namespace=" + cpNamespace
	guestbook, err := filepath.Glob(seed(filepath.Join("guestbook", "*.json")))
	if err != nil || len(guestbook) != 6 {
		t.Fatalf("seed guestbook manifests: %v, %v", guestbook, err)
	}

	for _, step := range []struct {
		name   string
		action func(t *testing.T)
		what   string
		done   func(ctx context.Context) error
	}{
		{
			name:   "node IPAM gives a Node a pod CIDR",
			action: func(t *testing.T) { kubectlIn(ctx, t, cpNodeManifest, "apply", "-f", "-") },
			what:   "spec.podCIDR of Node " + cpNode,
			done: func(ctx context.Context) error {
				cidr, err := kubectlOut(ctx, "get", "node", cpNode, "-o", "jsonpath={.spec.podCIDR}")
				if err != nil {
					return err
				}
				_, n, err := net.ParseCIDR(cidr)
				if err != nil {
					return fmt.Errorf("podCIDR %q: %v", cidr, err)
				}
				if ones, _ := n.Mask.Size(); ones != 24 || !strings.HasPrefix(cidr, "10.244.") {
					return fmt.Errorf("podCIDR %s is not a /24 of the cluster CIDR 10.244.0.0/16", cidr)
				}
				return nil
			},
		},
		{
			name: "the seed guestbook applies unchanged; its ReplicationControllers create Pods",
			action: func(t *testing.T) {
				for _, f := range guestbook {
					kubectl(ctx, t, ns, "apply", "-f", f)
				}
			},
			what: "Pods of the guestbook ReplicationControllers",
			done: countPods(ns, "app in (redis, guestbook)", 6), // redis master 1, slave 2, guestbook 3
		},
		{
			name:   "Services get EndpointSlices and Endpoints",
			action: func(t *testing.T) {},
			what:   "the EndpointSlice and Endpoints of Service redis-master",
			done: func(ctx context.Context) error {
				out, err := kubectlOut(ctx, ns, "get", "endpointslices", "-l", "kubernetes.io/service-name=redis-master", "-o", "name")
				if err != nil || strings.TrimSpace(out) == "" {
					return fmt.Errorf("no EndpointSlice: %q, %v", out, err)
				}
				_, err = kubectlOut(ctx, ns, "get", "endpoints", "redis-master")
				return err
			},
		},
		{
			name:   "the scheduler binds the Pods to a worker node",
			action: func(t *testing.T) {},
			what:   "PodScheduled=True on the redis-master Pod, bound to a worker node",
			done: func(ctx context.Context) error {
				out, err := kubectlOut(ctx, ns, "get", "pods", "-l", "app=redis,role=master",
					"-o", `jsonpath={.items[0].status.conditions[?(@.type=="PodScheduled")].status} {.items[0].spec.nodeName}`)
				if err != nil || !strings.HasPrefix(out, "True worker") {
					return fmt.Errorf("PodScheduled and node %q, %v", out, err)
				}
				return nil
			},
		},
		{
			name: "a Deployment creates a ReplicaSet and Pods",
			action: func(t *testing.T) {
				kubectl(ctx, t, ns, "create", "deployment", "e2e-web", "--image=registry.k8s.io/e2e-test-images/agnhost:2.53", "--replicas=2", "--", "/agnhost", "netexec")
			},
			what: "2 Pods of Deployment e2e-web",
			done: countPods(ns, "app=e2e-web", 2),
		},
		{
			name:   "a StatefulSet creates its first Pod",
			action: func(t *testing.T) { kubectlIn(ctx, t, cpStatefulSet, ns, "apply", "-f", "-") },
			what:   "Pod e2e-db-0",
			done: func(ctx context.Context) error {
				_, err := kubectlOut(ctx, ns, "get", "pod", "e2e-db-0")
				return err
			},
		},
		{
			name:   "the garbage collector deletes the ReplicaSets and Pods of a deleted Deployment",
			action: func(t *testing.T) { kubectl(ctx, t, ns, "delete", "deployment", "e2e-web", "--wait=false") },
			what:   "the ReplicaSets and Pods of e2e-web to be gone",
			done: func(ctx context.Context) error {
				out, err := kubectlOut(ctx, ns, "get", "replicasets,pods", "-l", "app=e2e-web", "-o", "name")
				if err != nil || strings.TrimSpace(out) != "" {
					return fmt.Errorf("still there: %q, %v", out, err)
				}
				return nil
			},
		},
		{
			name:   "deleting the namespace deletes its contents and then the namespace",
			action: func(t *testing.T) { kubectl(ctx, t, "delete", "namespace", cpNamespace, "--wait=false") },
			what:   "namespace " + cpNamespace + " to be gone",
			done: func(ctx context.Context) error {
				out, err := kubectlOut(ctx, "get", "namespace", cpNamespace, "--ignore-not-found", "-o", "name")
				if err != nil || strings.TrimSpace(out) != "" {
					return fmt.Errorf("still there: %q, %v", out, err)
				}
				return nil
			},
		},
	} {
		t.Run(step.name, func(t *testing.T) {
			step.action(t)
			eventually(ctx, t, settleTimeout, step.what, step.done)
		})
	}
}

// countPods is a condition: exactly n Pods match the label selector.
func countPods(ns, selector string, n int) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		out, err := kubectlOut(ctx, ns, "get", "pods", "-l", selector, "-o", "name")
		if err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		if got := len(strings.Fields(out)); got != n {
			return fmt.Errorf("%d Pods match %q, want %d", got, selector, n)
		}
		return nil
	}
}
