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
	"time"

	"github.com/strata-net/strata/test/e2e/framework"
)

const (
	cnpNamespace = "e2e-cnp"
	cnpLabel     = "e2e-cnp"
	cnpNodePort  = 18081
	cnpSrvPort   = 80
)

// cnpPods: two servers on worker1, srv-np (a K8s NetworkPolicy selects it) and
// srv-free (none does), and two clients on worker2.
var cnpPods = manifests([]string{cnpNamespace},
	agnhostPod{cnpNamespace, "srv-np", "app: srv-np, tier: srv", 1, fmt.Sprintf("netexec, --http-port=%d", cnpSrvPort)},
	agnhostPod{cnpNamespace, "srv-free", "app: srv-free, tier: srv", 1, fmt.Sprintf("netexec, --http-port=%d", cnpSrvPort)},
	agnhostPod{cnpNamespace, "client", "role: client", 2, "pause"},
	agnhostPod{cnpNamespace, "control", "role: control", 2, "pause"})

// cnpK8sPolicy lets srv-np receive from both clients only.
const cnpK8sPolicy = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: srv-np-clients, namespace: e2e-cnp}
spec:
  podSelector: {matchLabels: {app: srv-np}}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {matchLabels: {role: client}}}, {podSelector: {matchLabels: {role: control}}}]
`

// cnp renders an upstream ClusterNetworkPolicy of the test's Namespace.
func cnp(name, tier string, priority int, subjectPods, rules string) string {
	return fmt.Sprintf(`apiVersion: policy.networking.k8s.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: %s}
spec:
  tier: %s
  priority: %d
  subject: {pods: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: e2e-cnp}}, podSelector: {matchLabels: %s}}}
%s`, name, tier, priority, subjectPods, rules)
}

// cnpStep applies policies (and deletes others), then probes connections in
// order, each until it has its outcome. The first probe of a step is one whose
// outcome the step changes: it proves the step is enforced on that Node.
type cnpStep struct {
	name   string
	apply  map[string]string // file name → manifest
	delete []string          // file names applied by an earlier step
	probes []cnpProbe
}

type cnpProbe struct {
	from, to string // a client Pod; a server Pod or "node"
	want     string // "" (connected) or TIMEOUT
}

// TestUpstreamClusterNetworkPolicy: upstream ClusterNetworkPolicies
// (policy.networking.k8s.io) on real traffic, applied with kubectl:
//   - an Admin Deny wins over a K8s NetworkPolicy's allow;
//   - an Admin Pass hands the decision to the K8s NetworkPolicy (allowed), skipping
//     a later Admin Deny;
//   - a Baseline Deny drops what reaches srv-free, which no K8s NetworkPolicy
//     selects, but not what reaches srv-np, which one does;
//   - an egress Deny to networks (srv-free's address) drops the client's
//     connections to it, not the control's;
//   - an egress Deny to nodes drops the client's connections to a server on
//     worker2's InternalIP (the Node's network namespace), not the control's.
func TestUpstreamClusterNetworkPolicy(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	nodeIP := strings.TrimSpace(kubectl(ctx, t, "get", "node", "worker2", "-o",
		`jsonpath={.status.addresses[?(@.type=="InternalIP")].address}`))
	nodeAddr := net.JoinHostPort(nodeIP, fmt.Sprint(cnpNodePort))
	listenInNode(t, 2, nodeAddr)
	dir := t.TempDir()
	file := func(name string) string { return filepath.Join(dir, name) }
	writeFile(t, file("pods.yaml"), cnpPods)
	writeFile(t, file("np.yaml"), cnpK8sPolicy)
	deleteOnCleanup(t, file("admin.yaml"), file("baseline.yaml"), file("egress.yaml"), file("np.yaml"), file("pods.yaml"))
	t.Cleanup(func() {
		_, _ = framework.Kubectl(context.Background(), lc.Kubeconfig, "label", "node", "worker2", cnpLabel+"-")
	})
	kubectl(ctx, t, "apply", "-f", file("pods.yaml"))
	kubectl(ctx, t, "apply", "-f", file("np.yaml"))
	kubectl(ctx, t, "label", "node", "worker2", cnpLabel+"=target", "--overwrite")
	eventually(ctx, t, settleTimeout, "the ClusterNetworkPolicy test's Pods to be Ready", func(ctx context.Context) error {
		_, err := framework.ReadyPods(ctx, lc.Kubeconfig, cnpNamespace, 4)
		return err
	})
	addrs := map[string]string{"node": nodeAddr}
	for _, srv := range []string{"srv-np", "srv-free"} {
		addrs[srv] = net.JoinHostPort(podIP(ctx, t, cnpNamespace, srv), fmt.Sprint(cnpSrvPort))
	}
	srvFreeCIDR := podIP(ctx, t, cnpNamespace, "srv-free") + "/32"
	for _, step := range cnpSteps(srvFreeCIDR) {
		for name, manifest := range step.apply {
			writeFile(t, file(name), manifest)
			kubectl(ctx, t, "apply", "-f", file(name))
		}
		for _, name := range step.delete {
			kubectl(ctx, t, "delete", "--ignore-not-found", "-f", file(name))
		}
		for _, p := range step.probes {
			eventuallyOutcome(ctx, t, func(ctx context.Context) string { return connectOutcome(ctx, cnpNamespace, p.from, addrs[p.to]) },
				p.want, fmt.Sprintf("%s: %s -> %s to be %q", step.name, p.from, p.to, p.want))
		}
	}
}

func cnpSteps(srvFreeCIDR string) []cnpStep {
	return []cnpStep{{
		name:   "no ClusterNetworkPolicy",
		probes: []cnpProbe{{"client", "srv-np", ""}, {"client", "srv-free", ""}, {"client", "node", ""}},
	}, {
		name: "Admin Deny over the K8s NetworkPolicy's allow",
		apply: map[string]string{"admin.yaml": cnp("e2e-cnp-admin", "Admin", 10, "{app: srv-np}",
			"  ingress:\n  - {name: deny-all, action: Deny, from: [{namespaces: {}}]}\n")},
		probes: []cnpProbe{{"client", "srv-np", "TIMEOUT"}, {"control", "srv-np", "TIMEOUT"}, {"client", "srv-free", ""}},
	}, {
		name: "Admin Pass to the K8s NetworkPolicy, before the Admin Deny",
		apply: map[string]string{"admin.yaml": cnp("e2e-cnp-admin", "Admin", 10, "{app: srv-np}",
			"  ingress:\n  - {name: pass-client, action: Pass, from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {role: client}}}}]}\n"+
				"  - {name: deny-all, action: Deny, from: [{namespaces: {}}]}\n")},
		probes: []cnpProbe{{"client", "srv-np", ""}, {"control", "srv-np", "TIMEOUT"}},
	}, {
		name: "Baseline Deny where no K8s NetworkPolicy selects the Pod",
		apply: map[string]string{"baseline.yaml": cnp("e2e-cnp-baseline", "Baseline", 10, "{tier: srv}",
			"  ingress:\n  - {name: deny-all, action: Deny, from: [{namespaces: {}}]}\n")},
		delete: []string{"admin.yaml"},
		probes: []cnpProbe{{"client", "srv-free", "TIMEOUT"}, {"control", "srv-np", ""}, {"client", "srv-np", ""}},
	}, {
		name: "egress Deny to networks",
		apply: map[string]string{"egress.yaml": cnp("e2e-cnp-egress", "Admin", 20, "{role: client}", fmt.Sprintf(
			"  egress:\n  - {name: deny-srv-free, action: Deny, to: [{networks: [%q]}]}\n", srvFreeCIDR))},
		delete: []string{"baseline.yaml"},
		probes: []cnpProbe{{"control", "srv-free", ""}, {"client", "srv-free", "TIMEOUT"}, {"client", "srv-np", ""}},
	}, {
		name: "egress Deny to nodes",
		apply: map[string]string{"egress.yaml": cnp("e2e-cnp-egress", "Admin", 20, "{role: client}",
			"  egress:\n  - {name: deny-nodes, action: Deny, to: [{nodes: {matchLabels: {e2e-cnp: target}}}]}\n")},
		probes: []cnpProbe{{"client", "node", "TIMEOUT"}, {"control", "node", ""}, {"client", "srv-free", ""}},
	}}
}

// cnpDomainNamesPolicy lets the client TCP 8080 to *.outside.test (in any case,
// with a trailing dot) and denies the rest of TCP 8080.
const cnpDomainNamesPolicy = `apiVersion: policy.networking.k8s.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: e2e-cnp-domains}
spec:
  tier: Admin
  priority: 5
  subject: {pods: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: fqdn-e2e}}, podSelector: {matchLabels: {app: fqdn-client}}}}
  egress:
  - {name: allow-outside, action: Accept, to: [{domainNames: ["*.OUTSIDE.test."]}], protocols: [{tcp: {destinationPort: {number: 8080}}}]}
  - {name: deny-rest, action: Deny, to: [{networks: ["0.0.0.0/0"]}], protocols: [{tcp: {destinationPort: {number: 8080}}}]}
`

// TestUpstreamCNPDomainNames: an upstream ClusterNetworkPolicy's domainNames peer
// on real traffic, with TestFQDN's outside DNS zone: www.outside.test's address is
// dropped until the Pod resolves the name and connects right after; the apex
// outside.test, resolved to another address, stays dropped ("*." is one or more
// labels, never the name itself).
func TestUpstreamCNPDomainNames(t *testing.T) {
	ctx := ctxT(t)
	zone := &outsideZone{records: map[string]string{}}
	zone.set("www.outside.test.", 60, outsideDNS)
	zone.set("outside.test.", 60, outsideOther)
	startOutside(ctx, t, zone)
	dir := t.TempDir()
	pods, policy := filepath.Join(dir, "pods.yaml"), filepath.Join(dir, "policy.yaml")
	writeFile(t, pods, manifests([]string{fqdnNamespace}, agnhostPod{fqdnNamespace, "client", "app: fqdn-client", 1, "pause"}))
	writeFile(t, policy, cnpDomainNamesPolicy)
	deleteOnCleanup(t, policy, pods)
	kubectl(ctx, t, "apply", "-f", pods)
	eventually(ctx, t, framework.ReadyTimeout, "the client Pod to be Running and Ready", func(ctx context.Context) error {
		_, err := framework.ReadyPods(ctx, lc.Kubeconfig, fqdnNamespace, 1)
		return err
	})
	netns := podNetNS(t, 1, podUIDIn(t, fqdnNamespace, "client"))
	probe := func(ip string) func(context.Context) string {
		return func(ctx context.Context) string { return probeTCP(ctx, netns, ip, outsidePort, 0) }
	}
	eventuallyOutcome(ctx, t, probe(outsideOther), connects, "the outside server to be reachable before the policy")
	kubectl(ctx, t, "apply", "-f", policy)
	eventuallyOutcome(ctx, t, probe(outsideDNS), dropped, "the Deny before www.outside.test is resolved")
	for _, r := range []struct{ name, ip, want, what string }{
		{"www.outside.test", outsideDNS, connects, "the first connection after www.outside.test resolved"},
		{"outside.test", outsideOther, dropped, "the apex outside.test, which *.outside.test does not match"},
	} {
		eventually(ctx, t, dnsTimeout, r.name+" to resolve to "+r.ip+" through the cluster DNS", func(ctx context.Context) error {
			addrs, err := resolveIn(netns, r.name)
			if err != nil {
				return err
			}
			if len(addrs) != 1 || addrs[0] != r.ip {
				return fmt.Errorf("answer %v", addrs)
			}
			return nil
		})
		if got := probe(r.ip)(ctx); got != r.want {
			t.Fatalf("%s: %s:%d %s, want %s", r.what, r.ip, outsidePort, got, r.want)
		}
	}
}
