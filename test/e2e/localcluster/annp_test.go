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
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-net/strata/test/e2e/framework"
)

const (
	annpNamespace  = "test"
	annpOther      = "e2e-annp-other"
	annpOwner      = "annp-owner" // has only edit in annpNamespace
	annpServerPort = 80
)

// annpPods: a server in test on worker1 and clients on both Nodes, named after
// what the policies do with them; c-other has c-allow's labels in another Namespace.
func annpPods() string {
	pods := []agnhostPod{{annpNamespace, "srv", "app: srv", 1, fmt.Sprintf("netexec, --http-port=%d", annpServerPort)}}
	for i, c := range []struct{ name, labels string }{
		{"c-allow", "role: allow"}, {"c-allow-override", "role: allow, override: \"yes\""}, {"c-drop", "role: drop"},
		{"c-reject", "role: reject"}, {"c-pass", "role: pass"}, {"c-none", "role: none"},
	} {
		pods = append(pods, agnhostPod{annpNamespace, c.name, c.labels, 1 + i%2, "pause"})
	}
	pods = append(pods, agnhostPod{annpOther, "c-other", "role: allow", 2, "pause"})
	return manifests([]string{annpNamespace, annpOther}, pods...)
}

// annpOwnerPolicy is what the Namespace's owner applies: two Groups (one the child
// of the other) and an ANNP in the application Tier at priority 5.
const annpOwnerPolicy = `apiVersion: crd.antrea.io/v1beta1
kind: Group
metadata: {name: droppers-child, namespace: test}
spec:
  podSelector: {matchLabels: {role: drop}}
---
apiVersion: crd.antrea.io/v1beta1
kind: Group
metadata: {name: droppers, namespace: test}
spec:
  childGroups: [droppers-child]
---
apiVersion: crd.antrea.io/v1beta1
kind: NetworkPolicy
metadata: {name: srv-ingress, namespace: test}
spec:
  tier: application
  priority: 5
  appliedTo: [{podSelector: {matchLabels: {app: srv}}}]
  ingress:
  - {action: Allow, name: allow-same-ns, from: [{podSelector: {matchLabels: {role: allow}}}], ports: [{protocol: TCP, port: 80}]}
  - {action: Drop, name: drop-group, from: [{group: droppers}]}
  - {action: Reject, name: reject, from: [{podSelector: {matchLabels: {role: reject}}}]}
  - {action: Pass, name: pass, from: [{podSelector: {matchLabels: {role: pass}}}]}
`

// annpAdminPolicies are the administrator's ACNPs of the same Tier: one before the
// ANNP (priority 1) and one after it (priority 10) that drops everything else.
const annpAdminPolicies = `apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: e2e-annp-first}
spec:
  tier: application
  priority: 1
  appliedTo: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: test}}, podSelector: {matchLabels: {app: srv}}}]
  ingress:
  - {action: Drop, name: override, from: [{namespaceSelector: {}, podSelector: {matchLabels: {override: "yes"}}}]}
---
apiVersion: crd.antrea.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: e2e-annp-last}
spec:
  tier: application
  priority: 10
  appliedTo: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: test}}, podSelector: {matchLabels: {app: srv}}}]
  ingress:
  - {action: Drop, name: drop-rest, from: [{namespaceSelector: {}}]}
`

const annpOwnerBinding = `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: annp-owner-edit, namespace: test}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: annp-owner}]
`

// TestANNP: an Antrea NetworkPolicy written by a namespace owner who only has edit
// in test, with Allow, Drop (from a Group with childGroups), Reject and Pass,
// ordered against two ClusterNetworkPolicies of the same Tier, on real traffic:
//   - c-allow connects (the ANNP's Allow comes before the ACNP that drops the rest);
//   - c-allow-override is dropped (an ACNP of a lower priority number comes first);
//   - c-other, with c-allow's labels in another Namespace, is dropped (a podSelector
//     peer alone means the ANNP's own Namespace);
//   - c-drop is dropped (the Group's child selects it), c-reject is refused (RST);
//   - c-pass connects (Pass skips the rest of the tiers, the later ACNP included);
//   - c-none is dropped by the later ACNP.
//
// The ANNP then shows Realized on the one Node of its span, Realizable True.
func TestANNP(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()
	pods, admin, owner, binding := filepath.Join(dir, "pods.yaml"), filepath.Join(dir, "admin.yaml"),
		filepath.Join(dir, "owner.yaml"), filepath.Join(dir, "binding.yaml")
	writeFile(t, pods, annpPods())
	writeFile(t, admin, annpAdminPolicies)
	writeFile(t, owner, annpOwnerPolicy)
	writeFile(t, binding, annpOwnerBinding)
	deleteOnCleanup(t, owner, admin, binding, pods)
	kubectl(ctx, t, "apply", "-f", pods)
	kubectl(ctx, t, "apply", "-f", binding)
	kubectl(ctx, t, "apply", "-f", admin)
	eventually(ctx, t, settleTimeout, "the ANNP test's Pods to be Ready", func(ctx context.Context) error {
		if _, err := framework.ReadyPods(ctx, lc.Kubeconfig, annpNamespace, 7); err != nil {
			return err
		}
		_, err := framework.ReadyPods(ctx, lc.Kubeconfig, annpOther, 1)
		return err
	})
	// The owner's identity: edit in test only (RBAC is cached for a moment).
	eventually(ctx, t, settleTimeout, "annp-owner to apply the ANNP and its Groups", func(ctx context.Context) error {
		out, err := kubectlOut(ctx, "--as="+annpOwner, "apply", "-f", owner)
		if err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		return nil
	})
	waitPolicyRealized(ctx, t, "e2e-annp-last", 1)
	waitANNPRealized(ctx, t, annpNamespace, "srv-ingress", 1)
	server := podIP(ctx, t, annpNamespace, "srv")
	cases := []struct {
		ns, pod string
		want    string // agnhost connect's outcome: "" (connected), TIMEOUT or REFUSED
	}{
		{annpNamespace, "c-allow", ""},
		{annpNamespace, "c-allow-override", "TIMEOUT"},
		{annpOther, "c-other", "TIMEOUT"},
		{annpNamespace, "c-drop", "TIMEOUT"},
		{annpNamespace, "c-reject", "REFUSED"},
		{annpNamespace, "c-pass", ""},
		{annpNamespace, "c-none", "TIMEOUT"},
	}
	for _, tc := range cases {
		t.Run(tc.pod, func(t *testing.T) {
			got := connectOutcome(ctx, tc.ns, tc.pod, fmt.Sprintf("%s:%d", server, annpServerPort))
			if got != tc.want {
				t.Fatalf("%s/%s -> srv: %q, want %q", tc.ns, tc.pod, got, tc.want)
			}
		})
	}
	t.Run("missing Group", func(t *testing.T) { checkMissingGroupStatus(ctx, t) })
}

// checkMissingGroupStatus points the ANNP's Drop at a Group that does not exist:
// the status says so (Failed, Realizable False, GroupNotFound naming the Group);
// pointing it back makes it Realized again.
func checkMissingGroupStatus(ctx context.Context, t *testing.T) {
	const patch = `[{"op": "replace", "path": "/spec/ingress/1/from/0/group", "value": "%s"}]`
	kubectl(ctx, t, "patch", "anp", "-n", annpNamespace, "srv-ingress", "--type=json", "-p", fmt.Sprintf(patch, "no-such-group"))
	eventually(ctx, t, settleTimeout, "the ANNP's status to name the missing Group", func(ctx context.Context) error {
		out, err := kubectlOut(ctx, "get", "anp", "-n", annpNamespace, "srv-ingress", "-o",
			`jsonpath={.status.phase} {.status.conditions[?(@.type=="Realizable")].status} {.status.conditions[?(@.type=="Realizable")].reason}|{.status.conditions[?(@.type=="Realizable")].message}`)
		if err != nil {
			return fmt.Errorf("%v: %s", err, out)
		}
		head, msg, _ := strings.Cut(out, "|")
		if head != "Failed False GroupNotFound" || !strings.Contains(msg, `Group "test/no-such-group" does not exist`) {
			return fmt.Errorf("phase, Realizable, reason | message: %q", out)
		}
		return nil
	})
	kubectl(ctx, t, "patch", "anp", "-n", annpNamespace, "srv-ingress", "--type=json", "-p", fmt.Sprintf(patch, "droppers"))
	waitANNPRealized(ctx, t, annpNamespace, "srv-ingress", 1)
}

// connectOutcome runs agnhost connect in a Pod: "" when it connected, else TIMEOUT,
// REFUSED or the error.
func connectOutcome(ctx context.Context, ns, pod, addr string) string {
	out, err := framework.Kubectl(ctx, lc.Kubeconfig, "exec", "-n", ns, pod, "--",
		"/agnhost", "connect", addr, "--timeout="+connectTimeout, "--protocol=tcp")
	if err == nil {
		return ""
	}
	for _, s := range []string{"TIMEOUT", "REFUSED"} {
		if strings.Contains(out+err.Error(), s) {
			return s
		}
	}
	return err.Error()
}

func podIP(ctx context.Context, t *testing.T, ns, name string) string {
	t.Helper()
	ip := strings.TrimSpace(kubectl(ctx, t, "get", "pod", "-n", ns, name, "-o", "jsonpath={.status.podIP}"))
	if ip == "" {
		t.Fatalf("Pod %s/%s has no IP", ns, name)
	}
	return ip
}

// waitANNPRealized waits until an Antrea NetworkPolicy is Realized at its
// generation on nodes Nodes, with Realizable True.
func waitANNPRealized(ctx context.Context, t *testing.T, ns, name string, nodes int) {
	t.Helper()
	eventually(ctx, t, settleTimeout, fmt.Sprintf("ANNP %s/%s to be Realized at its generation on %d Nodes", ns, name, nodes),
		func(ctx context.Context) error {
			out, err := kubectlOut(ctx, "get", "anp", "-n", ns, name, "-o",
				`jsonpath={.metadata.generation} {.status.observedGeneration} {.status.phase} {.status.currentNodesRealized} {.status.conditions[?(@.type=="Realizable")].status}`)
			if err != nil {
				return err
			}
			f := strings.Fields(out)
			if len(f) != 5 || f[0] != f[1] || f[2] != "Realized" || f[3] != fmt.Sprint(nodes) || f[4] != "True" {
				return fmt.Errorf("generation, observed generation, phase, nodes realized, Realizable: %q", out)
			}
			return nil
		})
}
