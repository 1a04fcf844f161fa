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

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"

	"github.com/strata-net/strata/test/e2e/framework"
)

const (
	haNamespace = "e2e-ha"
	haPolicy    = "e2e-ha-drop"
)

// haObjects: on both nodes a server, a client that policy forbids (app=fc-client) and
// one it allows (app=ok-client); and the ACNP that drops the forbidden ones.
func haPods() string {
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n", haNamespace)
	for node := 1; node <= 2; node++ {
		for _, app := range []string{"srv", "fc-client", "ok-client"} {
			args := "pause"
			if app == "srv" {
				args = "netexec, --http-port=80"
			}
			fmt.Fprintf(&b, `---
apiVersion: v1
kind: Pod
metadata: {name: %s-%d, namespace: %s, labels: {app: %s}}
spec:
  nodeName: worker%d
  containers:
  - name: c
    image: registry.k8s.io/e2e-test-images/agnhost:2.53
    command: [/agnhost]
    args: [%s]
`, app, node, haNamespace, app, node, args)
		}
	}
	return b.String()
}

// haACNP drops ingress to the servers from app=fc-client. Variant 1 adds a rule on
// a port nobody probes: toggling between the two is a policy update (a new
// generation to realize) that changes nothing the prober sees.
func haACNP(variant int) string {
	extra := ""
	if variant == 1 {
		extra = `
  - action: Drop
    name: drop-ok-81
    from:
    - podSelector: {matchLabels: {app: ok-client}}
    ports: [{protocol: TCP, port: 81}]`
	}
	return fmt.Sprintf(`apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: %s}
spec:
  priority: 5
  tier: securityops
  appliedTo:
  - podSelector: {matchLabels: {app: srv}}
    namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: %s}}
  ingress:
  - action: Drop
    name: drop-fc-clients
    from:
    - podSelector: {matchLabels: {app: fc-client}}
      namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: %s}}
    ports: [{protocol: TCP, port: 80}]%s
`, haPolicy, haNamespace, haNamespace, extra)
}

// setupTraffic starts the Pods, checks that every pair connects before the policy,
// applies the policy and waits until it is realized on both nodes. It returns the
// pairs: each client to the server on its own node and on the other one.
func setupTraffic(ctx context.Context, t *testing.T) []pair {
	t.Helper()
	kubectlIn(ctx, t, haPods(), "apply", "-f", "-")
	t.Cleanup(func() {
		_, _ = framework.Kubectl(context.Background(), lc.Kubeconfig, "delete", "acnp", haPolicy, "--ignore-not-found")
		_, _ = framework.Kubectl(context.Background(), lc.Kubeconfig, "delete", "namespace", haNamespace, "--wait=false")
	})
	var pods []framework.Pod
	eventually(ctx, t, settleTimeout, "the 6 Pods to be Ready", func(ctx context.Context) error {
		var err error
		pods, err = framework.ReadyPods(ctx, lc.Kubeconfig, haNamespace, 6)
		return err
	})
	ip := map[string]string{}
	for _, p := range pods {
		ip[p.Name] = p.IP
	}
	var pairs []pair
	for src := 1; src <= 2; src++ {
		for _, client := range []string{"fc-client", "ok-client"} {
			from := fmt.Sprintf("%s-%d", client, src)
			netns := podNetNS(t, src, podUID(ctx, t, from))
			for dst := 1; dst <= 2; dst++ {
				to := fmt.Sprintf("srv-%d", dst)
				pairs = append(pairs, pair{name: from + " -> " + to, netns: netns, addr: ip[to] + ":80", forbidden: client == "fc-client"})
			}
		}
	}
	for _, pr := range pairs {
		eventually(ctx, t, settleTimeout, pr.name+" to connect before the policy", func(ctx context.Context) error {
			return dialFrom(ctx, pr.netns, pr.addr)
		})
	}
	kubectlIn(ctx, t, haACNP(0), "apply", "-f", "-")
	eventually(ctx, t, settleTimeout, haPolicy+" to be Realized on 2 Nodes", func(ctx context.Context) error {
		out, err := framework.Kubectl(ctx, lc.Kubeconfig, "get", "acnp", haPolicy, "-o",
			"jsonpath={.metadata.generation} {.status.observedGeneration} {.status.phase} {.status.currentNodesRealized} {.status.desiredNodesRealized}")
		if err != nil {
			return err
		}
		if f := strings.Fields(out); len(f) != 5 || f[0] != f[1] || f[2] != "Realized" || f[3] != "2" || f[4] != "2" {
			return fmt.Errorf("generation, observed generation, phase, current, desired: %q", out)
		}
		return nil
	})
	for _, pr := range pairs {
		if pr.forbidden {
			eventually(ctx, t, settleTimeout, pr.name+" to be dropped", func(ctx context.Context) error {
				if err := dialFrom(ctx, pr.netns, pr.addr); err == nil {
					return fmt.Errorf("%s still connects", pr.name)
				}
				return nil
			})
		}
	}
	return pairs
}

// update is a policy update made during a fault: when it was accepted and the
// generation it made.
type update struct {
	accepted   time.Time
	generation int64
	err        error
}

// updateDuring applies variant of the policy after delay (once the fault began),
// retrying for up to 30 s while the API is failing over.
func updateDuring(ctx context.Context, c dynamic.Interface, variant int, delay time.Duration) chan update {
	ch := make(chan update, 1)
	go func() {
		timer := time.NewTimer(delay)
		defer timer.Stop()
		select {
		case <-ctx.Done():
			ch <- update{err: ctx.Err()}
			return
		case <-timer.C:
		}
		var last error
		err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
			if _, err := framework.KubectlWithInput(ctx, lc.Kubeconfig, haACNP(variant), "apply", "-f", "-"); err != nil {
				last = err
				return false, nil
			}
			return true, nil
		})
		if err != nil {
			ch <- update{err: fmt.Errorf("applying variant %d of %s: %w (last: %v)", variant, haPolicy, err, last)}
			return
		}
		u := update{accepted: time.Now()}
		obj, err := c.Resource(acnpGVR).Get(ctx, haPolicy, metav1.GetOptions{})
		if err != nil {
			u.err = err
		} else {
			u.generation = obj.GetGeneration()
		}
		ch <- u
	}()
	return ch
}
