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
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/containernetworking/plugins/pkg/ns"

	"github.com/strata-net/strata/test/e2e/framework"
)

const (
	nodeSelNamespace = "e2e-nodesel"
	nodeSelLabel     = "e2e-nodesel"
	nodeSelPort      = 18080
)

var nodeSelPods = manifests([]string{nodeSelNamespace},
	agnhostPod{nodeSelNamespace, "client", "app: nodesel-client", 1, "pause"},
	agnhostPod{nodeSelNamespace, "control", "app: nodesel-control", 1, "pause"})

// nodeSelPolicy drops the client's egress to the Nodes labelled e2e-nodesel=target,
// named by a nodeSelector peer, or by a ClusterGroup's nodeSelector.
func nodeSelPolicy(viaGroup bool) string {
	peer := "{nodeSelector: {matchLabels: {e2e-nodesel: target}}}"
	if viaGroup {
		peer = "{group: e2e-nodesel-target}"
	}
	return `apiVersion: crd.antrea.io/v1beta1
kind: ClusterGroup
metadata: {name: e2e-nodesel-target}
spec:
  nodeSelector: {matchLabels: {e2e-nodesel: target}}
---
apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: e2e-nodesel}
spec:
  tier: securityops
  priority: 1
  appliedTo: [{podSelector: {matchLabels: {app: nodesel-client}}}]
  egress:
  - {action: Drop, name: to-target-nodes, to: [` + peer + `]}
`
}

// TestNodeSelectorPeer: an egress Drop to a nodeSelector peer (then to a
// ClusterGroup with a nodeSelector) drops a Pod's connections to a server
// listening on the selected Node's InternalIP, in that Node's network namespace;
// the Pod the policy does not apply to still connects; the peer follows the
// Node's labels: unlabelled, the Node is reachable again.
func TestNodeSelectorPeer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	nodeIP := strings.TrimSpace(kubectl(ctx, t, "get", "node", "worker2", "-o",
		`jsonpath={.status.addresses[?(@.type=="InternalIP")].address}`))
	addr := net.JoinHostPort(nodeIP, fmt.Sprint(nodeSelPort))
	listenInNode(t, 2, addr)
	dir := t.TempDir()
	pods, policy := filepath.Join(dir, "pods.yaml"), filepath.Join(dir, "policy.yaml")
	writeFile(t, pods, nodeSelPods)
	deleteOnCleanup(t, policy, pods)
	t.Cleanup(func() {
		_, _ = framework.Kubectl(context.Background(), lc.Kubeconfig, "label", "node", "worker2", nodeSelLabel+"-")
	})
	kubectl(ctx, t, "apply", "-f", pods)
	eventually(ctx, t, settleTimeout, "the nodeSelector test's Pods to be Ready", func(ctx context.Context) error {
		_, err := framework.ReadyPods(ctx, lc.Kubeconfig, nodeSelNamespace, 2)
		return err
	})
	outcome := func(pod string) func(context.Context) string {
		return func(ctx context.Context) string { return connectOutcome(ctx, nodeSelNamespace, pod, addr) }
	}
	eventuallyOutcome(ctx, t, outcome("client"), "", "the client to reach worker2's InternalIP before any policy")
	kubectl(ctx, t, "label", "node", "worker2", nodeSelLabel+"=target", "--overwrite")
	for _, viaGroup := range []bool{false, true} {
		writeFile(t, policy, nodeSelPolicy(viaGroup))
		kubectl(ctx, t, "apply", "-f", policy)
		waitPolicyRealized(ctx, t, "e2e-nodesel", 1)
		eventuallyOutcome(ctx, t, outcome("client"), "TIMEOUT", fmt.Sprintf("the Drop to the selected Node (via a ClusterGroup: %v)", viaGroup))
		if got := outcome("client")(ctx); got != "TIMEOUT" {
			t.Fatalf("client -> worker2 %s: %q, want TIMEOUT", addr, got)
		}
		if got := outcome("control")(ctx); got != "" {
			t.Fatalf("control -> worker2 %s: %q, want a connection (no policy applies to it)", addr, got)
		}
	}
	kubectl(ctx, t, "label", "node", "worker2", nodeSelLabel+"-")
	eventuallyOutcome(ctx, t, outcome("client"), "", "the client to reach worker2 once the Node no longer has the label")
	kubectl(ctx, t, "label", "node", "worker2", nodeSelLabel+"=target")
	eventuallyOutcome(ctx, t, outcome("client"), "TIMEOUT", "the Drop once the Node has the label again")
}

// eventuallyOutcome polls a connection until its outcome is want.
func eventuallyOutcome(ctx context.Context, t *testing.T, outcome func(context.Context) string, want, what string) {
	t.Helper()
	eventually(ctx, t, settleTimeout, what, func(ctx context.Context) error {
		if got := outcome(ctx); got != want {
			return fmt.Errorf("outcome %q, want %q", got, want)
		}
		return nil
	})
}

// nodeNetNS is the network namespace of worker K (hack/local-cluster/nodes.sh).
func nodeNetNS(k int) string {
	sum := sha1.Sum([]byte(lc.Dir))
	return fmt.Sprintf("/run/netns/strata-%s-n%d", hex.EncodeToString(sum[:])[:6], k)
}

// listenInNode accepts TCP connections on addr in worker K's network namespace
// until the test ends.
func listenInNode(t *testing.T, k int, addr string) {
	t.Helper()
	netns, err := ns.GetNS(nodeNetNS(k))
	if err != nil {
		t.Fatalf("opening worker%d's network namespace: %v", k, err)
	}
	defer netns.Close()
	var l net.Listener
	err = netns.Do(func(ns.NetNS) error {
		var err error
		l, err = net.Listen("tcp", addr)
		return err
	})
	if err != nil {
		t.Fatalf("listening on %s in worker%d: %v", addr, k, err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
}
