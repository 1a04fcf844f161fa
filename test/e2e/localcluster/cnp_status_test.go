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
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	npav1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"

	"github.com/strata-net/strata/test/e2e/framework"
)

const (
	cnpStatusNamespace = "e2e-cnp-status"
	cnpStatusName      = "e2e-cnp-status"
)

// cnpStatusPolicy is an upstream ClusterNetworkPolicy whose subject runs on both
// workers; its one rule denies Pods labelled e2e-cnp-status=deny (none exist).
func cnpStatusPolicy(priority int) string {
	return fmt.Sprintf(`apiVersion: policy.networking.k8s.io/v1beta1
kind: ClusterNetworkPolicy
metadata: {name: %s}
spec:
  tier: Admin
  priority: %d
  subject:
    pods:
      namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: %s}}
      podSelector: {matchLabels: {app: cnp-status}}
  ingress:
  - name: deny-marked
    action: Deny
    from:
    - pods:
        namespaceSelector: {}
        podSelector: {matchLabels: {e2e-cnp-status: deny}}
`, cnpStatusName, priority, cnpStatusNamespace)
}

// TestCNPStatus: strata-apiserver writes the upstream status.conditions of a
// ClusterNetworkPolicy through kube-apiserver: Accepted True and Realized True
// "on 2 of 2 Nodes" at the policy's generation; after an update, both describe
// the new generation and Accepted keeps its transition time (its status did not
// change). stratactl get realization cnp/NAME shows the same.
func TestCNPStatus(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()
	pods, policy := filepath.Join(dir, "pods.yaml"), filepath.Join(dir, "cnp.yaml")
	writeFile(t, pods, manifests([]string{cnpStatusNamespace},
		agnhostPod{cnpStatusNamespace, "s1", "app: cnp-status", 1, "pause"},
		agnhostPod{cnpStatusNamespace, "s2", "app: cnp-status", 2, "pause"}))
	writeFile(t, policy, cnpStatusPolicy(40))
	deleteOnCleanup(t, policy, pods)
	kubectl(ctx, t, "apply", "-f", pods)
	eventually(ctx, t, settleTimeout, "the CNP status test's 2 Pods to be Ready", func(ctx context.Context) error {
		_, err := framework.ReadyPods(ctx, lc.Kubeconfig, cnpStatusNamespace, 2)
		return err
	})
	kubectl(ctx, t, "apply", "-f", policy)
	first := waitCNPAcceptedAndRealized(ctx, t, cnpStatusName, nodes)

	writeFile(t, policy, cnpStatusPolicy(41))
	kubectl(ctx, t, "apply", "-f", policy)
	second := waitCNPAcceptedAndRealized(ctx, t, cnpStatusName, nodes)
	if second.Generation == first.Generation {
		t.Fatalf("the update did not change the generation (%d)", first.Generation)
	}
	a1 := meta.FindStatusCondition(first.Status.Conditions, "Accepted")
	a2 := meta.FindStatusCondition(second.Status.Conditions, "Accepted")
	if !a1.LastTransitionTime.Equal(&a2.LastTransitionTime) {
		t.Errorf("Accepted stayed True but its lastTransitionTime moved from %s to %s", a1.LastTransitionTime, a2.LastTransitionTime)
	}

	eventually(ctx, t, settleTimeout, "stratactl get realization cnp/"+cnpStatusName+" to show it realized on every Node",
		func(ctx context.Context) error {
			out, err := lc.Stratactl(ctx, "get", "realization", "cnp/"+cnpStatusName)
			if err != nil {
				return err
			}
			want := fmt.Sprintf("Realized on %d of %d Nodes (failed 0, pending 0).", nodes, nodes)
			if !strings.Contains(out, want) || !strings.Contains(out, "phase Realized") {
				return fmt.Errorf("want %q and phase Realized in:\n%s", want, out)
			}
			return nil
		})
}

// waitCNPAcceptedAndRealized waits until the upstream ClusterNetworkPolicy name
// has Accepted True and Realized True on n of n Nodes, both at its generation, and
// returns it.
func waitCNPAcceptedAndRealized(ctx context.Context, t *testing.T, name string, n int) *npav1beta1.ClusterNetworkPolicy {
	t.Helper()
	var p npav1beta1.ClusterNetworkPolicy
	seen := "nothing read yet" // what the last complete read showed: the poll's end may kill the one after
	eventually(ctx, t, settleTimeout, fmt.Sprintf("ClusterNetworkPolicy %s to be Accepted and Realized on %d of %d Nodes at its generation", name, n, n),
		func(ctx context.Context) error {
			out, err := kubectlOut(ctx, "get", "clusternetworkpolicies.policy.networking.k8s.io", name, "-o", "json")
			if err != nil {
				return fmt.Errorf("%w: %s (last read: %s)", err, out, seen)
			}
			p = npav1beta1.ClusterNetworkPolicy{}
			if err := json.Unmarshal([]byte(out), &p); err != nil {
				return fmt.Errorf("decoding %s: %w", name, err)
			}
			seen = fmt.Sprintf("generation %d, conditions %+v", p.Generation, p.Status.Conditions)
			want := []metav1.Condition{
				{Type: "Accepted", Status: metav1.ConditionTrue, Reason: "Accepted"},
				{Type: "Realized", Status: metav1.ConditionTrue, Reason: "Realized", Message: fmt.Sprintf("Realized on %d of %d Nodes", n, n)},
			}
			for _, w := range want {
				c := meta.FindStatusCondition(p.Status.Conditions, w.Type)
				if c == nil || c.Status != w.Status || c.Reason != w.Reason || c.ObservedGeneration != p.Generation ||
					(w.Message != "" && c.Message != w.Message) || c.LastTransitionTime.IsZero() {
					return errors.New(seen)
				}
			}
			return nil
		})
	return &p
}
