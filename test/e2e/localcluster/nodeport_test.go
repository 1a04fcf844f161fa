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
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/strata-net/strata/test/e2e/framework"
)

const (
	nodePortNamespace = "nodeport-e2e"
	nodePortCluster   = 30080 // externalTrafficPolicy Cluster
	nodePortLocal     = 30081 // externalTrafficPolicy Local
	// outsideIP is the outside client's address on the nodes' underlay
	// (hack/local-cluster/node.sh: nodes are 172.30.0.<10+K>/24).
	outsideIP = "172.30.0.250"
)

// nodePortManifests: one agnhost netexec Pod on worker1 behind two NodePort
// Services, externalTrafficPolicy Cluster and Local.
func nodePortManifests() string {
	pods := manifests([]string{nodePortNamespace},
		agnhostPod{namespace: nodePortNamespace, name: "web-1", labels: "app: web", node: 1, args: "netexec, --http-port=8080"})
	svc := func(name, policy string, nodePort int) string {
		return fmt.Sprintf(`---
apiVersion: v1
kind: Service
metadata: {name: %s, namespace: %s}
spec:
  type: NodePort
  externalTrafficPolicy: %s
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080, nodePort: %d}]
`, name, nodePortNamespace, policy, nodePort)
	}
	return pods + svc("web-cluster", "Cluster", nodePortCluster) + svc("web-local", "Local", nodePortLocal)
}

// gatewayIP is worker k's gateway IP: the first address of its Pod CIDR.
func gatewayIP(ctx context.Context, t *testing.T, k int) string {
	cidr := kubectl(ctx, t, "get", "node", fmt.Sprintf("worker%d", k), "-o", "jsonpath={.spec.podCIDR}")
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		t.Fatalf("worker%d's Pod CIDR %q: %v", k, cidr, err)
	}
	return p.Masked().Addr().Next().String()
}

// TestNodePort: a client outside the cluster, on the nodes' underlay, reaches
// an agnhost netexec Pod on worker1 through each node's IP and the NodePort of
// an externalTrafficPolicy Cluster Service (from worker2 the endpoint sees
// worker2's gateway IP as source, from worker1 too), and through the NodePort
// of an externalTrafficPolicy Local Service only on worker1, seeing the
// client's own address; worker2 has no local endpoint and drops.
func TestNodePort(t *testing.T) {
	ctx := ctxT(t)
	dir := t.TempDir()
	file := dir + "/nodeport.yaml"
	if err := os.WriteFile(file, []byte(nodePortManifests()), 0o644); err != nil {
		t.Fatal(err)
	}
	deleteOnCleanup(t, file)
	kubectl(ctx, t, "apply", "-f", file)
	eventually(ctx, t, framework.ReadyTimeout, "the Pod of "+nodePortNamespace+" to be Ready", func(ctx context.Context) error {
		_, err := framework.ReadyPods(ctx, lc.Kubeconfig, nodePortNamespace, 1)
		return err
	})
	outside := framework.OutsideNetNS(t, lc.Dir, outsideIP)
	get := func(k, port int, path string) (string, error) {
		return framework.HTTPGetFrom(ctx, outside, fmt.Sprintf("http://%s:%d/%s", framework.NodeIP(k), port, path), 3*time.Second)
	}
	for k := 1; k <= 2; k++ {
		t.Run(fmt.Sprintf("eTP Cluster via worker%d", k), func(t *testing.T) {
			// web-1 is the only endpoint (its /hostname is the machine's, the
			// vnode's Pods share its UTS namespace): the answer is its view of
			// the client.
			gw := gatewayIP(ctx, t, k)
			eventually(ctx, t, settleTimeout, fmt.Sprintf("worker%d:%d to answer from web-1, source %s", k, nodePortCluster, gw),
				func(context.Context) error {
					client, err := get(k, nodePortCluster, "clientip")
					if err != nil {
						return err
					}
					if !strings.HasPrefix(client, gw+":") {
						return fmt.Errorf("the endpoint saw %q, want worker%d's gateway IP %s", client, k, gw)
					}
					return nil
				})
		})
	}
	t.Run("eTP Local via worker1 (the endpoint's node): the client's address", func(t *testing.T) {
		eventually(ctx, t, settleTimeout, "worker1's Local NodePort to answer", func(context.Context) error {
			client, err := get(1, nodePortLocal, "clientip")
			if err != nil {
				return err
			}
			if !strings.HasPrefix(client, outsideIP+":") {
				return fmt.Errorf("the endpoint saw %q, want %s", client, outsideIP)
			}
			return nil
		})
	})
	t.Run("eTP Local via worker2 (no local endpoint): dropped", func(t *testing.T) {
		for i := range 3 {
			if body, err := get(2, nodePortLocal, "hostname"); err == nil {
				t.Fatalf("attempt %d: worker2's Local NodePort answered %q without a local endpoint", i, body)
			}
		}
	})
}
