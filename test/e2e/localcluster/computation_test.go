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
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	cpv1beta2 "github.com/strata-net/strata/apis/controlplane/v1beta2"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/generated/clientset/versioned"
)

const (
	compNamespace = "e2e-computation"
	compNode1     = "e2e-comp-n1"
	compNode2     = "e2e-comp-n2"
)

func clients(t *testing.T) (kubernetes.Interface, versioned.Interface) {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", lc.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	strata, err := versioned.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return kube, strata
}

// recorder keeps the events of the controlplane watches of one Node, as
// "<Kind> <EventType> <name> <members...>".
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, s)
}

func (r *recorder) has(prefix string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.events {
		if strings.HasPrefix(e, prefix) {
			return nil
		}
	}
	return fmt.Errorf("no event %q among %q", prefix, r.events)
}

func (r *recorder) count(prefix string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if strings.HasPrefix(e, prefix) {
			n++
		}
	}
	return n
}

func members(ms []cpv1beta2.GroupMember) string {
	var names []string
	for _, m := range ms {
		if m.Pod != nil {
			names = append(names, m.Pod.Name)
		}
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

// describe renders a controlplane watch event in the recorder's form.
func describe(ev watch.Event) string {
	switch o := ev.Object.(type) {
	case *cpv1beta2.NetworkPolicy:
		source := ""
		if o.SourceRef != nil {
			source = o.SourceRef.Name
		}
		return fmt.Sprintf("NetworkPolicy %s %s", ev.Type, source)
	case *cpv1beta2.AppliedToGroup:
		return fmt.Sprintf("AppliedToGroup %s %s", ev.Type, members(o.GroupMembers))
	case *cpv1beta2.AppliedToGroupPatch:
		return fmt.Sprintf("AppliedToGroup %s +%s -%s", ev.Type, members(o.AddedGroupMembers), members(o.RemovedGroupMembers))
	case *cpv1beta2.AddressGroup:
		return fmt.Sprintf("AddressGroup %s %s", ev.Type, members(o.GroupMembers))
	case *cpv1beta2.AddressGroupPatch:
		return fmt.Sprintf("AddressGroup %s +%s -%s", ev.Type, members(o.AddedGroupMembers), members(o.RemovedGroupMembers))
	}
	return fmt.Sprintf("%T %s", ev.Object, ev.Type)
}

// watchNode watches the three controlplane kinds as the agent of a Node does.
func watchNode(ctx context.Context, t *testing.T, c versioned.Interface, node string) *recorder {
	t.Helper()
	r := &recorder{}
	opts := metav1.ListOptions{FieldSelector: "nodeName=" + node}
	cp := c.ControlplaneV1beta2()
	for _, start := range []func() (watch.Interface, error){
		func() (watch.Interface, error) { return cp.NetworkPolicies().Watch(ctx, opts) },
		func() (watch.Interface, error) { return cp.AppliedToGroups().Watch(ctx, opts) },
		func() (watch.Interface, error) { return cp.AddressGroups().Watch(ctx, opts) },
	} {
		w, err := start()
		if err != nil {
			t.Fatalf("watching the controlplane API for %s: %v", node, err)
		}
		t.Cleanup(w.Stop)
		go func() {
			for ev := range w.ResultChan() {
				if ev.Type != watch.Bookmark {
					r.add(describe(ev))
				}
			}
		}()
	}
	return r
}

// createPod creates a Pod bound to a Node and reports it Running with an IP, as a
// kubelet would.
func createPod(ctx context.Context, t *testing.T, kube kubernetes.Interface, name, node, ip, app string) {
	t.Helper()
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: compNamespace, Labels: map[string]string{"app": app}},
		Spec: corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "c", Image: "registry.k8s.io/e2e-test-images/agnhost:2.53",
			Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}}}}}}
	created, err := kube.CoreV1().Pods(compNamespace).Create(ctx, pod, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	created.Status.Phase = corev1.PodRunning
	created.Status.PodIP, created.Status.PodIPs = ip, []corev1.PodIP{{IP: ip}}
	if _, err := kube.CoreV1().Pods(compNamespace).UpdateStatus(ctx, created, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func createNodes(ctx context.Context, t *testing.T, kube kubernetes.Interface) {
	t.Helper()
	for _, name := range []string{compNode1, compNode2} {
		node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: corev1.NodeSpec{Taints: []corev1.Taint{{Key: "e2e.strata.io/no-kubelet", Effect: corev1.TaintEffectNoSchedule}}}}
		if _, err := kube.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestComputedControlplane checks the policy computation end to end: a
// ClusterNetworkPolicy over Pods on two Nodes reaches each Node's watch with
// exactly that Node's groups and members, label changes arrive as patches, a
// deletion as DELETED, and agent reports become DESIRED/CURRENT NODES.
func TestComputedControlplane(t *testing.T) {
	ctx := ctxT(t)
	kube, strata := clients(t)
	t.Cleanup(func() {
		ctx := context.Background()
		_ = strata.CrdV1beta1().ClusterNetworkPolicies().Delete(ctx, "e2e-comp", metav1.DeleteOptions{})
		_ = kube.CoreV1().Namespaces().Delete(ctx, compNamespace, metav1.DeleteOptions{})
		for _, n := range []string{compNode1, compNode2} {
			_ = kube.CoreV1().Nodes().Delete(ctx, n, metav1.DeleteOptions{})
		}
	})
	if _, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: compNamespace}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	createNodes(ctx, t, kube)
	createPod(ctx, t, kube, "web-1", compNode1, "10.244.101.2", "comp-web")
	createPod(ctx, t, kube, "web-2", compNode2, "10.244.102.2", "comp-web")
	createPod(ctx, t, kube, "db-1", compNode1, "10.244.101.3", "comp-db")
	n1, n2 := watchNode(ctx, t, strata, compNode1), watchNode(ctx, t, strata, compNode2)

	allow := crdv1beta1.RuleActionAllow
	policy := &crdv1beta1.ClusterNetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: "e2e-comp"},
		Spec: crdv1beta1.ClusterNetworkPolicySpec{Tier: "securityops", Priority: 5,
			AppliedTo: []crdv1beta1.AppliedTo{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "comp-db"}}}},
			Ingress: []crdv1beta1.Rule{{Action: &allow, Name: "from-web",
				From: []crdv1beta1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "comp-web"}}}}}}}}
	if _, err := strata.CrdV1beta1().ClusterNetworkPolicies().Create(ctx, policy, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	within := 60 * time.Second
	eventually(ctx, t, within, "node 1's policy", func(context.Context) error { return n1.has("NetworkPolicy ADDED e2e-comp") })
	eventually(ctx, t, within, "node 1's AppliedToGroup with db-1", func(context.Context) error { return n1.has("AppliedToGroup ADDED db-1") })
	eventually(ctx, t, within, "node 1's AddressGroup of both web Pods", func(context.Context) error { return n1.has("AddressGroup ADDED web-1,web-2") })
	if n := n2.count("NetworkPolicy ADDED e2e-comp") + n2.count("AppliedToGroup"); n != 0 {
		t.Fatalf("node 2 hosts no applied-to Pod but got %d events: %q", n, n2.events)
	}

	// web-2 (node 2) becomes a db Pod: node 2 enters the span, node 1's
	// AddressGroup loses web-2.
	web2, err := kube.CoreV1().Pods(compNamespace).Get(ctx, "web-2", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	web2.Labels["app"] = "comp-db"
	if _, err := kube.CoreV1().Pods(compNamespace).Update(ctx, web2, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(ctx, t, within, "node 2's policy", func(context.Context) error { return n2.has("NetworkPolicy ADDED e2e-comp") })
	eventually(ctx, t, within, "node 2's AppliedToGroup with web-2 only", func(context.Context) error { return n2.has("AppliedToGroup ADDED web-2") })
	eventually(ctx, t, within, "node 1's AddressGroup patch", func(context.Context) error { return n1.has("AddressGroup MODIFIED + -web-2") })

	checkStatusFromReports(ctx, t, strata)

	if err := strata.CrdV1beta1().ClusterNetworkPolicies().Delete(ctx, "e2e-comp", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"NetworkPolicy", "AppliedToGroup", "AddressGroup"} {
		eventually(ctx, t, within, "node 1's "+kind+" deletion", func(context.Context) error { return n1.has(kind + " DELETED") })
	}
}

// checkStatusFromReports posts realization reports as the two agents would and
// waits for kubectl get acnp to show 2 desired and 2 current Nodes.
func checkStatusFromReports(ctx context.Context, t *testing.T, strata versioned.Interface) {
	t.Helper()
	p, err := strata.CrdV1beta1().ClusterNetworkPolicies().Get(ctx, "e2e-comp", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	name := string(p.UID)
	for _, node := range []string{compNode1, compNode2} {
		report := &cpv1beta2.NetworkPolicyStatus{ObjectMeta: metav1.ObjectMeta{Name: name},
			Nodes: []cpv1beta2.NetworkPolicyNodeStatus{{NodeName: node, Generation: p.Generation}}}
		eventually(ctx, t, 30*time.Second, "the report of "+node+" to be accepted", func(ctx context.Context) error {
			_, err := strata.ControlplaneV1beta2().NetworkPolicies().UpdateStatus(ctx, name, report, metav1.CreateOptions{})
			return err
		})
	}
	eventually(ctx, t, 60*time.Second, "DESIRED NODES 2 and CURRENT NODES 2", func(ctx context.Context) error {
		out, err := kubectlOut(ctx, "get", "acnp", "e2e-comp", "--no-headers")
		if err != nil {
			return err
		}
		if f := strings.Fields(out); len(f) < 5 || f[3] != "2" || f[4] != "2" {
			return fmt.Errorf("kubectl get acnp: %q", out)
		}
		return nil
	})
}
