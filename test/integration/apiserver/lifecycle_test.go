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

package apiserver

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/apiserver/etcd"
	apiservertesting "github.com/strata-net/strata/apiserver/testing"
)

// TestGenerationAndStatus checks that generation bumps only on spec changes, that a
// spec update keeps the status and that a status update keeps the spec.
func TestGenerationAndStatus(t *testing.T) {
	ctx, c := ctxT(t), shared.Client
	waitSystemTiers(ctx, t, c)
	policies := c.CrdV1beta1().ClusterNetworkPolicies()
	p, err := policies.Create(ctx, acnpV1beta1("gen-policy", "securityops", 2), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Generation != 1 {
		t.Fatalf("generation on create = %d, want 1", p.Generation)
	}
	p.Status = crdv1beta1.NetworkPolicyStatus{Phase: crdv1beta1.NetworkPolicyRealized, ObservedGeneration: 1, DesiredNodesRealized: 2, CurrentNodesRealized: 2}
	p.Spec.Priority = 99 // ignored by the status subresource
	p, err = policies.UpdateStatus(ctx, p, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Spec.Priority != 2 || p.Generation != 1 || p.Status.CurrentNodesRealized != 2 {
		t.Fatalf("after the status update: priority %v generation %d status %+v", p.Spec.Priority, p.Generation, p.Status)
	}
	p.Labels = map[string]string{"team": "a"}
	if p, err = policies.Update(ctx, p, metav1.UpdateOptions{}); err != nil || p.Generation != 1 {
		t.Fatalf("a metadata-only update changed the generation to %d (%v)", p.Generation, err)
	}
	p.Spec.Priority = 3
	p.Status = crdv1beta1.NetworkPolicyStatus{} // ignored by the main resource
	if p, err = policies.Update(ctx, p, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if p.Generation != 2 || p.Status.DesiredNodesRealized != 2 {
		t.Fatalf("after the spec update: generation %d status %+v", p.Generation, p.Status)
	}
}

// TestRestartKeepsObjects restarts a server on the same data directory.
func TestRestartKeepsObjects(t *testing.T) {
	ctx := ctxT(t)
	dir := t.TempDir()
	first, err := apiservertesting.New(apiservertesting.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	waitSystemTiers(ctx, t, first.Client)
	if _, err := first.Client.CrdV1beta1().Tiers().Create(ctx, tierV1beta1("kept-tier", 12), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := first.Client.CrdV1beta1().ClusterNetworkPolicies().Create(ctx, acnpV1beta1("kept-policy", "kept-tier", 4), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	before, err := first.Client.CrdV1beta1().Tiers().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	first.Stop()

	second := apiservertesting.Start(t, apiservertesting.Config{DataDir: dir})
	after, err := second.Client.CrdV1beta1().Tiers().List(ctx, metav1.ListOptions{})
	if err != nil || len(after.Items) != len(before.Items) || len(after.Items) != 7 {
		t.Fatalf("tiers after restart: %d (before %d), %v", len(after.Items), len(before.Items), err)
	}
	p, err := second.Client.CrdV1beta1().ClusterNetworkPolicies().Get(ctx, "kept-policy", metav1.GetOptions{})
	if err != nil || p.Spec.Tier != "kept-tier" {
		t.Fatalf("policy after restart: %+v, %v", p, err)
	}
}

// TestTwoServersOneEtcd runs two replicas on one external etcd: what one writes,
// the other reads and watches.
func TestTwoServersOneEtcd(t *testing.T) {
	ctx := ctxT(t)
	e, err := etcd.Start(ctx, etcd.Config{DataDir: t.TempDir(), UnsafeNoFsync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	servers := []string{e.ClientURL()}
	a := apiservertesting.Start(t, apiservertesting.Config{EtcdServers: servers})
	b := apiservertesting.Start(t, apiservertesting.Config{EtcdServers: servers})
	waitSystemTiers(ctx, t, a.Client)
	tiers, err := b.Client.CrdV1beta1().Tiers().List(ctx, metav1.ListOptions{})
	if err != nil || len(tiers.Items) != 6 {
		t.Fatalf("replica b sees %d tiers (want the 6 system tiers, created once): %v", len(tiers.Items), err)
	}
	w, err := b.Client.CrdV1beta1().ClusterNetworkPolicies().Watch(ctx, metav1.ListOptions{ResourceVersion: tiers.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	if _, err := a.Client.CrdV1beta1().ClusterNetworkPolicies().Create(ctx, acnpV1beta1("ha-policy", "securityops", 1), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	expectEvent(t, w, watch.Added)
	if _, err := b.Client.CrdV1beta1().ClusterNetworkPolicies().Get(ctx, "ha-policy", metav1.GetOptions{}); err != nil {
		t.Fatalf("replica b cannot read what replica a wrote: %v", err)
	}
}
