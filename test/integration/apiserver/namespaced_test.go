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
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
	restclient "k8s.io/client-go/rest"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/generated/clientset/versioned"
)

// The namespaced kinds of crd.antrea.io/v1beta1: Antrea NetworkPolicies (annp) and
// Groups (grp). The standalone server has no Namespaces to check: any namespace
// name is accepted (behind kube-apiserver, NamespaceLifecycle refuses a missing or
// terminating Namespace; test/e2e/localcluster checks that).

func annpV1beta1(namespace, name, tier string, priority float64) *crdv1beta1.NetworkPolicy {
	allow := crdv1beta1.RuleActionAllow
	return &crdv1beta1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: crdv1beta1.NetworkPolicySpec{
			Tier:      tier,
			Priority:  priority,
			AppliedTo: []crdv1beta1.AppliedTo{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "db"}}}},
			Ingress: []crdv1beta1.Rule{{
				Action: &allow,
				From:   []crdv1beta1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}},
			}},
		},
	}
}

func groupV1beta1(namespace, name string) *crdv1beta1.Group {
	return &crdv1beta1.Group{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: crdv1beta1.GroupSpec{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}}
}

// table gets path as a meta.k8s.io/v1 Table, as kubectl get does.
func table(ctx context.Context, t *testing.T, path string) metav1.Table {
	t.Helper()
	raw, err := rawClient(t).Get().AbsPath(path).SetHeader("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io").DoRaw(ctx)
	if err != nil {
		t.Fatalf("GET %s as a Table: %v", path, err)
	}
	var tbl metav1.Table
	if err := json.Unmarshal(raw, &tbl); err != nil {
		t.Fatalf("decoding the Table of %s: %v\n%s", path, err, raw)
	}
	return tbl
}

func columnNames(tbl metav1.Table) []string {
	var names []string
	for _, c := range tbl.ColumnDefinitions {
		names = append(names, c.Name)
	}
	return names
}

// TestNetworkPolicyLifecycle creates, reads, lists, watches, updates (spec and
// status), prints and deletes an Antrea NetworkPolicy.
func TestNetworkPolicyLifecycle(t *testing.T) {
	ctx, c := ctxT(t), shared.Client
	waitSystemTiers(ctx, t, c)
	const ns = "it-annp"
	policies := c.CrdV1beta1().NetworkPolicies(ns)
	w, err := policies.Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=annp-a"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	p, err := policies.Create(ctx, annpV1beta1(ns, "annp-a", "", 5), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	expectEvent(t, w, watch.Added)
	if p.Namespace != ns || p.Generation != 1 || p.Spec.Tier != "application" || !strings.HasPrefix(p.Spec.Ingress[0].Name, "ingress-allow-") {
		t.Fatalf("created: namespace %q generation %d tier %q rule name %q; want %s, 1, the default tier application and a generated rule name",
			p.Namespace, p.Generation, p.Spec.Tier, p.Spec.Ingress[0].Name, ns)
	}
	if got, err := policies.Get(ctx, "annp-a", metav1.GetOptions{}); err != nil || got.UID != p.UID {
		t.Fatalf("get: %v, %v", got, err)
	}
	for _, list := range []struct {
		name      string
		namespace string
		opts      metav1.ListOptions
	}{
		{"in its namespace", ns, metav1.ListOptions{}},
		{"in every namespace", metav1.NamespaceAll, metav1.ListOptions{}},
		{"by tier", ns, metav1.ListOptions{FieldSelector: "spec.tier=application"}},
	} {
		got, err := c.CrdV1beta1().NetworkPolicies(list.namespace).List(ctx, list.opts)
		if err != nil || !slices.ContainsFunc(got.Items, func(i crdv1beta1.NetworkPolicy) bool { return i.UID == p.UID }) {
			t.Fatalf("list %s: %v, %v", list.name, got, err)
		}
	}
	if got, err := c.CrdV1beta1().NetworkPolicies("other").List(ctx, metav1.ListOptions{}); err != nil || len(got.Items) != 0 {
		t.Fatalf("list in another namespace: %v, %v", got, err)
	}

	p.Spec.Priority = 6
	if p, err = policies.Update(ctx, p, metav1.UpdateOptions{}); err != nil || p.Generation != 2 {
		t.Fatalf("spec update: generation %d, %v", p.Generation, err)
	}
	expectEvent(t, w, watch.Modified)
	p.Status = crdv1beta1.NetworkPolicyStatus{Phase: crdv1beta1.NetworkPolicyRealized, ObservedGeneration: 2, DesiredNodesRealized: 2, CurrentNodesRealized: 1}
	p.Spec.Priority = 99 // ignored by the status subresource
	if p, err = policies.UpdateStatus(ctx, p, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if p.Spec.Priority != 6 || p.Generation != 2 || p.Status.CurrentNodesRealized != 1 {
		t.Fatalf("after the status update: priority %v generation %d status %+v", p.Spec.Priority, p.Generation, p.Status)
	}
	expectEvent(t, w, watch.Modified)
	p.Status = crdv1beta1.NetworkPolicyStatus{} // ignored by the main resource
	p.Labels = map[string]string{"team": "a"}
	if p, err = policies.Update(ctx, p, metav1.UpdateOptions{}); err != nil || p.Generation != 2 || p.Status.DesiredNodesRealized != 2 {
		t.Fatalf("metadata update: generation %d status %+v, %v", p.Generation, p.Status, err)
	}
	expectEvent(t, w, watch.Modified)

	tbl := table(ctx, t, "/apis/crd.antrea.io/v1beta1/namespaces/"+ns+"/networkpolicies")
	if want := []string{"Name", "Tier", "Priority", "Desired Nodes", "Current Nodes", "Age"}; !reflect.DeepEqual(columnNames(tbl), want) {
		t.Fatalf("table columns %v, want %v", columnNames(tbl), want)
	}
	if len(tbl.Rows) != 1 || len(tbl.Rows[0].Cells) != 6 {
		t.Fatalf("table rows %+v, want one of 6 cells", tbl.Rows)
	}
	cells, _ := json.Marshal(tbl.Rows[0].Cells[:5])
	if want := `["annp-a","application",6,2,1]`; string(cells) != want {
		t.Fatalf("table row %s, want %s", cells, want)
	}

	if err := policies.Delete(ctx, "annp-a", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	expectEvent(t, w, watch.Deleted)
	if _, err := policies.Get(ctx, "annp-a", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("get after delete: %v, want NotFound", err)
	}
}

// TestGroupLifecycle creates, reads, lists, watches, updates (spec and status),
// prints and deletes a Group.
func TestGroupLifecycle(t *testing.T) {
	ctx, c := ctxT(t), shared.Client
	const ns = "it-grp"
	groups := c.CrdV1beta1().Groups(ns)
	w, err := groups.Watch(ctx, metav1.ListOptions{FieldSelector: "metadata.name=grp-a"})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	g, err := groups.Create(ctx, groupV1beta1(ns, "grp-a"), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	expectEvent(t, w, watch.Added)
	if g.Namespace != ns || g.Generation != 1 {
		t.Fatalf("created: namespace %q generation %d", g.Namespace, g.Generation)
	}
	if got, err := c.CrdV1beta1().Groups(metav1.NamespaceAll).List(ctx, metav1.ListOptions{}); err != nil ||
		!slices.ContainsFunc(got.Items, func(i crdv1beta1.Group) bool { return i.UID == g.UID }) {
		t.Fatalf("list in every namespace: %v, %v", got, err)
	}
	g.Spec.PodSelector.MatchLabels["tier"] = "front"
	if g, err = groups.Update(ctx, g, metav1.UpdateOptions{}); err != nil || g.Generation != 2 {
		t.Fatalf("spec update: generation %d, %v", g.Generation, err)
	}
	expectEvent(t, w, watch.Modified)
	g.Status.Conditions = []crdv1beta1.GroupCondition{{Type: crdv1beta1.GroupMembersComputed, Status: metav1.ConditionTrue, LastTransitionTime: metav1.Now()}}
	g.Spec.PodSelector = nil // ignored by the status subresource
	if g, err = groups.UpdateStatus(ctx, g, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if g.Spec.PodSelector == nil || len(g.Status.Conditions) != 1 {
		t.Fatalf("after the status update: spec %+v status %+v", g.Spec, g.Status)
	}
	expectEvent(t, w, watch.Modified)

	tbl := table(ctx, t, "/apis/crd.antrea.io/v1beta1/namespaces/"+ns+"/groups")
	if want := []string{"Name", "Age"}; !reflect.DeepEqual(columnNames(tbl), want) {
		t.Fatalf("table columns %v, want %v", columnNames(tbl), want)
	}
	if len(tbl.Rows) != 1 || tbl.Rows[0].Cells[0] != "grp-a" {
		t.Fatalf("table rows %+v, want grp-a", tbl.Rows)
	}
	if err := groups.Delete(ctx, "grp-a", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	expectEvent(t, w, watch.Deleted)
}

// TestNetworkPolicyRefusals: an invalid Antrea NetworkPolicy is a 422 naming the
// field, one of a missing Tier a 403 naming spec.tier; nothing is stored. A Tier
// that an Antrea NetworkPolicy uses cannot be deleted.
func TestNetworkPolicyRefusals(t *testing.T) {
	ctx, c := ctxT(t), shared.Client
	waitSystemTiers(ctx, t, c)
	const ns = "it-annp-refused"
	policies := c.CrdV1beta1().NetworkPolicies(ns)
	for _, tc := range []struct {
		name   string
		policy func() *crdv1beta1.NetworkPolicy
		code   int32
		field  string
	}{
		{"priority out of range", func() *crdv1beta1.NetworkPolicy { return annpV1beta1(ns, "bad-priority", "", 0) }, 422, "spec.priority"},
		{"appliedTo namespaceSelector", func() *crdv1beta1.NetworkPolicy {
			p := annpV1beta1(ns, "bad-appliedto", "", 1)
			p.Spec.AppliedTo = []crdv1beta1.AppliedTo{{NamespaceSelector: &metav1.LabelSelector{}}}
			return p
		}, 422, "spec.appliedTo[0].namespaceSelector"},
		{"missing tier", func() *crdv1beta1.NetworkPolicy { return annpV1beta1(ns, "no-tier", "nosuch", 1) }, 403, "spec.tier"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.policy()
			_, err := policies.Create(ctx, p, metav1.CreateOptions{})
			wantCause(t, err, tc.code, tc.field)
			if _, err := policies.Get(ctx, p.Name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
				t.Fatalf("a refused policy was stored (get: %v)", err)
			}
		})
	}

	t.Run("a tier in use", func(t *testing.T) {
		if _, err := c.CrdV1beta1().Tiers().Create(ctx, tierV1beta1("ns-tier", 61), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := policies.Create(ctx, annpV1beta1(ns, "uses-tier", "ns-tier", 1), metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		waitPolicyCached(ctx, t, c, "ns-tier")
		err := c.CrdV1beta1().Tiers().Delete(ctx, "ns-tier", metav1.DeleteOptions{})
		wantCause(t, err, 403, "metadata.name")
		if !strings.Contains(err.Error(), `the Tier "ns-tier" is referenced by 1 Antrea policies`) {
			t.Fatalf("message %q does not name the reference", err)
		}
		if err := policies.Delete(ctx, "uses-tier", metav1.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		// The admission cache sees the deletion a moment later.
		var last error
		if err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
			last = c.CrdV1beta1().Tiers().Delete(ctx, "ns-tier", metav1.DeleteOptions{})
			return last == nil, nil
		}); err != nil {
			t.Fatalf("deleting the Tier once unused: %v", last)
		}
	})
}

// TestDeleteReferencedGroupWarns deletes a Group that an Antrea NetworkPolicy of its
// Namespace uses: allowed, with a warning naming the policy.
func TestDeleteReferencedGroupWarns(t *testing.T) {
	ctx := ctxT(t)
	handler := &warningCollector{}
	cfg := restclient.CopyConfig(shared.ClientConfig)
	cfg.WarningHandler = handler
	c, err := versioned.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	waitSystemTiers(ctx, t, c)
	const ns = "it-grp-warn"
	if _, err := c.CrdV1beta1().Groups(ns).Create(ctx, groupV1beta1(ns, "warn-grp"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	p := annpV1beta1(ns, "warn-annp", "", 3)
	p.Spec.AppliedTo = []crdv1beta1.AppliedTo{{Group: "warn-grp"}}
	if _, err := c.CrdV1beta1().NetworkPolicies(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	want := "Group warn-grp is referenced by 1 Antrea NetworkPolicies of Namespace it-grp-warn (warn-annp)"
	// The admission cache sees the policy a moment after its creation: delete with
	// dry runs until the warning names it.
	if err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		handler.msgs = nil
		err := c.CrdV1beta1().Groups(ns).Delete(ctx, "warn-grp", metav1.DeleteOptions{DryRun: []string{metav1.DryRunAll}})
		return err == nil && strings.Contains(strings.Join(handler.msgs, "\n"), want), err
	}); err != nil {
		t.Fatalf("dry-run deletions of a referenced Group: %v; warnings %q lack %q", err, handler.msgs, want)
	}
	handler.msgs = nil
	if err := c.CrdV1beta1().Groups(ns).Delete(ctx, "warn-grp", metav1.DeleteOptions{}); err != nil {
		t.Fatalf("deleting a referenced Group must be allowed: %v", err)
	}
	if got := strings.Join(handler.msgs, "\n"); !strings.Contains(got, want) {
		t.Fatalf("warnings %q lack %q", got, want)
	}
}

// TestNamespacedDiscovery: crd.antrea.io/v1beta1 serves networkpolicies (annp, anp)
// and groups (grp), namespaced, with their status subresources; no other version or
// group serves them.
func TestNamespacedDiscovery(t *testing.T) {
	ctx := ctxT(t)
	list, err := shared.Client.Discovery().ServerResourcesForGroupVersion("crd.antrea.io/v1beta1")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]metav1.APIResource{}
	for _, r := range list.APIResources {
		byName[r.Name] = r
	}
	for _, tc := range []struct {
		name, kind string
		shortNames []string
	}{
		{"networkpolicies", "NetworkPolicy", []string{"annp", "anp"}},
		{"groups", "Group", []string{"grp"}},
	} {
		r, ok := byName[tc.name]
		if !ok || !r.Namespaced || r.Kind != tc.kind || !reflect.DeepEqual(r.ShortNames, tc.shortNames) ||
			!slices.Contains(r.Verbs, "deletecollection") || !slices.Contains(r.Verbs, "watch") {
			t.Errorf("discovery of %s: %+v (found %v); want namespaced kind %s with short names %v, deletecollection and watch",
				tc.name, r, ok, tc.kind, tc.shortNames)
		}
		if st, ok := byName[tc.name+"/status"]; !ok || !slices.Contains(st.Verbs, "update") || !slices.Contains(st.Verbs, "patch") {
			t.Errorf("discovery of %s/status: %+v (found %v)", tc.name, st, ok)
		}
	}
	for _, path := range []string{
		"/apis/crd.antrea.io/v1alpha1/namespaces/x/networkpolicies",
		"/apis/crd.antrea.io/v1alpha2/namespaces/x/groups",
		"/apis/security.antrea.tanzu.vmware.com/v1alpha1/namespaces/x/networkpolicies",
	} {
		_, err := rawClient(t).Get().AbsPath(path).DoRaw(ctx)
		if !apierrors.IsNotFound(err) {
			t.Errorf("GET %s: %v, want 404", path, err)
		}
	}
}

// TestStandaloneAcceptsAnyNamespace is standalone mode's choice: without
// kube-apiserver there are no Namespaces to check (NamespaceLifecycle does not run),
// so an Antrea NetworkPolicy or a Group is accepted in any valid namespace name; an
// invalid name is still refused.
func TestStandaloneAcceptsAnyNamespace(t *testing.T) {
	ctx, c := ctxT(t), shared.Client
	waitSystemTiers(ctx, t, c)
	const ns = "never-created"
	if _, err := c.CrdV1beta1().NetworkPolicies(ns).Create(ctx, annpV1beta1(ns, "anywhere", "", 1), metav1.CreateOptions{}); err != nil {
		t.Fatalf("standalone: an Antrea NetworkPolicy in namespace %s: %v", ns, err)
	}
	if _, err := c.CrdV1beta1().Groups(ns).Create(ctx, groupV1beta1(ns, "anywhere"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("standalone: a Group in namespace %s: %v", ns, err)
	}
	_, err := c.CrdV1beta1().Groups("Not_A_Name").Create(ctx, groupV1beta1("Not_A_Name", "g"), metav1.CreateOptions{})
	wantCause(t, err, 422, "metadata.namespace")
}
