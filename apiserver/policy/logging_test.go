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

package policy

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/strata-net/strata/apis/controlplane"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

// isolatingNP is a K8s NetworkPolicy of ns selecting app=redis: one ingress allow
// rule from app=guestbook and an egress isolation (deny-all) rule.
func isolatingNP(ns, name string) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns, UID: types.UID("uid-" + ns + "-" + name)},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: *sel("app", "redis"),
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
			Ingress:     []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{PodSelector: sel("app", "guestbook")}}}},
		},
	}
}

// ruleLogging returns the enableLogging of each rule of a published policy.
func ruleLogging(t *testing.T, sink *fakeSink, name string) []bool {
	t.Helper()
	sink.mu.Lock()
	defer sink.mu.Unlock()
	np := sink.policies[name]
	if np == nil {
		t.Fatalf("policy %s was not published", name)
	}
	out := make([]bool, 0, len(np.Rules))
	for _, r := range np.Rules {
		out = append(out, r.EnableLogging)
	}
	return out
}

// TestNamespaceLoggingAnnotation checks that the rules of the K8s NetworkPolicies
// of an annotated Namespace log, and that annotating or un-annotating a Namespace
// publishes again only that Namespace's K8s NetworkPolicies (not the ACNP over the
// same Pods, not the K8s NetworkPolicy of another Namespace).
func TestNamespaceLoggingAnnotation(t *testing.T) {
	type step struct {
		name string
		do   func(c *Compiler)
		want []bool // enableLogging of default/np's rules (ingress allow, egress isolation)
		// republished are the policies the step published (again).
		republished []string
	}
	const np, other = "uid-default-np", "uid-test-other"
	annotate := func(ns string, on bool) func(*Compiler) {
		return func(c *Compiler) { c.SetNamespaceLogging(ns, on) }
	}
	for _, tc := range []struct {
		name   string
		before func(c *Compiler) // before the policy is created
		steps  []step
	}{
		{name: "annotated", before: annotate("default", true),
			steps: []step{{name: "created", want: []bool{true, true}, republished: []string{np}}}},
		{name: "not annotated", before: func(*Compiler) {},
			steps: []step{{name: "created", want: []bool{false, false}, republished: []string{np}}}},
		{name: "annotation added later", before: func(*Compiler) {},
			steps: []step{
				{name: "created", want: []bool{false, false}, republished: []string{np}},
				{name: "annotated", do: annotate("default", true), want: []bool{true, true}, republished: []string{np}},
				{name: "annotated again (no change)", do: annotate("default", true), want: []bool{true, true}},
			}},
		{name: "annotation removed", before: annotate("default", true),
			steps: []step{
				{name: "created", want: []bool{true, true}, republished: []string{np}},
				{name: "removed", do: annotate("default", false), want: []bool{false, false}, republished: []string{np}},
			}},
		{name: "another namespace annotated", before: func(*Compiler) {},
			steps: []step{
				{name: "created", want: []bool{false, false}, republished: []string{np}},
				{name: "test annotated", do: annotate("test", true), want: []bool{false, false}, republished: []string{other}},
			}},
		{name: "namespace deleted", before: annotate("default", true),
			steps: []step{
				{name: "created", want: []bool{true, true}, republished: []string{np}},
				{name: "deleted", do: func(c *Compiler) { c.DeleteNamespace("default") }, want: []bool{false, false}, republished: []string{np}},
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, src, sink := newTestCompiler()
			seedCluster(c)
			src.acnps["acnp1"] = acnp("acnp1", "securityops", 5, []crdv1beta1.AppliedTo{{PodSelector: sel("app", "redis")}},
				ruleFrom(crdv1beta1.RuleActionDrop, "d", crdv1beta1.NetworkPolicyPeer{PodSelector: sel("app", "guestbook")}))
			c.ClusterNetworkPolicyChanged("acnp1")
			src.k8snps["test/other"] = isolatingNP("test", "other")
			c.K8sNetworkPolicyChanged("test", "other")
			tc.before(c)
			c.Process()
			for i, s := range tc.steps {
				published := map[string]*controlplane.NetworkPolicy{}
				for k, v := range sink.policies {
					published[k] = v
				}
				if i == 0 {
					src.k8snps["default/np"] = isolatingNP("default", "np")
					c.K8sNetworkPolicyChanged("default", "np")
				} else {
					s.do(c)
				}
				c.Process()
				if got := ruleLogging(t, sink, np); fmt.Sprint(got) != fmt.Sprint(s.want) {
					t.Fatalf("%s: enableLogging of the rules %v, want %v", s.name, got, s.want)
				}
				var republished []string
				for _, name := range []string{"uid-acnp1", np, other} {
					if sink.policies[name] != published[name] {
						republished = append(republished, name)
					}
				}
				if fmt.Sprint(republished) != fmt.Sprint(s.republished) {
					t.Errorf("%s: published %v, want %v", s.name, republished, s.republished)
				}
				if got := ruleLogging(t, sink, "uid-acnp1"); fmt.Sprint(got) != "[false]" {
					t.Errorf("%s: the ACNP's rule logs: %v", s.name, got)
				}
			}
		})
	}
}

// TestNamespaceLoggingFromInformer annotates a Namespace through the informer: the
// K8s NetworkPolicy in it is published again with logging rules.
func TestNamespaceLoggingFromInformer(t *testing.T) {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "default"}}
	c, kube, sink := startController(t, []runtime.Object{ns, isolatingNP("default", "np")}, nil)
	if got := ruleLogging(t, sink, "uid-default-np"); fmt.Sprint(got) != "[false false]" {
		t.Fatalf("before the annotation: %v", got)
	}
	ctx := context.Background()
	ns.Annotations = map[string]string{NamespaceLoggingAnnotation: "true"}
	if _, err := kube.CoreV1().Namespaces().Update(ctx, ns, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
		return fmt.Sprint(ruleLogging(t, sink, "uid-default-np")) == "[true true]", nil
	})
	if err != nil {
		t.Fatalf("waiting 30s for the annotation to turn logging on: %v", err)
	}
	waitIdle(t, c)
}

func TestNamespaceLoggingValues(t *testing.T) {
	for _, tc := range []struct {
		name        string
		annotations map[string]string
		want        bool
	}{
		{"none", nil, false},
		{"true", map[string]string{NamespaceLoggingAnnotation: "true"}, true},
		{"false", map[string]string{NamespaceLoggingAnnotation: "false"}, false},
		{"not exactly true", map[string]string{NamespaceLoggingAnnotation: "True"}, false},
		{"other annotation", map[string]string{"enable-logging": "true"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := NamespaceLogging(tc.annotations); got != tc.want {
				t.Fatalf("NamespaceLogging(%v) = %v, want %v", tc.annotations, got, tc.want)
			}
		})
	}
}
