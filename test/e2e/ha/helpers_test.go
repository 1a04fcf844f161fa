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
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/strata-net/strata/test/e2e/framework"
)

// settleTimeout bounds the waits for the cluster to settle (Pods Ready, a policy
// realized, a restarted component ready again).
const settleTimeout = 3 * time.Minute

// kubectl runs kubectl against the cluster and fails the test on error.
func kubectl(ctx context.Context, t *testing.T, args ...string) string {
	t.Helper()
	out, err := framework.Kubectl(ctx, lc.Kubeconfig, args...)
	if err != nil {
		t.Fatalf("kubectl %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func kubectlIn(ctx context.Context, t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, err := framework.KubectlWithInput(ctx, lc.Kubeconfig, stdin, args...)
	if err != nil {
		t.Fatalf("kubectl %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// eventually polls cond every 200 ms until it succeeds, failing the test after
// timeout with what it waited for and cond's last error.
func eventually(ctx context.Context, t *testing.T, timeout time.Duration, what string, cond func(ctx context.Context) error) {
	t.Helper()
	var last error
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		last = cond(ctx)
		return last == nil, nil
	})
	if err != nil {
		t.Fatalf("timed out after %s waiting for %s: %v", timeout, what, last)
	}
}

// dynamicClient talks to kube-apiserver (and through it to strata-apiserver) with
// short request timeouts: the failover measurements poll with it.
func dynamicClient(t *testing.T) dynamic.Interface {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", lc.Kubeconfig)
	if err != nil {
		t.Fatalf("loading %s: %v", lc.Kubeconfig, err)
	}
	cfg.Timeout = 3 * time.Second
	cfg.QPS, cfg.Burst = 100, 200
	c, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatalf("dynamic client: %v", err)
	}
	return c
}

// podNetNS is the network namespace of Pod uid on node k, from its node
// substitute's state (nodes/K/vnode/pods/UID/state.json).
func podNetNS(t *testing.T, node int, uid string) string {
	t.Helper()
	netns, err := lc.PodNetNS(node, uid)
	if err != nil {
		t.Fatal(err)
	}
	return netns
}

// podUID is the UID of Pod name in the test's namespace.
func podUID(ctx context.Context, t *testing.T, name string) string {
	t.Helper()
	uid := strings.TrimSpace(kubectl(ctx, t, "get", "pod", "-n", haNamespace, name, "-o", "jsonpath={.metadata.uid}"))
	if uid == "" {
		t.Fatalf("Pod %s/%s has no UID", haNamespace, name)
	}
	return uid
}

// componentRestarted waits until component runs again with a PID other than old
// and answers check.
func componentRestarted(ctx context.Context, t *testing.T, name string, old int, check func(ctx context.Context) error) {
	t.Helper()
	eventually(ctx, t, settleTimeout, fmt.Sprintf("%s to run again (a PID other than %d) and answer", name, old), func(ctx context.Context) error {
		pid, err := lc.ComponentPID(name)
		if err != nil {
			return err
		}
		if pid == old {
			return fmt.Errorf("%s still has PID %d", name, pid)
		}
		return check(ctx)
	})
}
