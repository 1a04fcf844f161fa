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

// Package scenarios generates the seven shapes S1–S7 of Antrea's controller
// scale tests (pkg/controller/networkpolicy/networkpolicy_controller_perf_test.go
// in Antrea) as Kubernetes and Strata objects. The benchmarks and scale tests of
// the policy computation (apiserver/policy) and of strata-apiserver (apiserver)
// feed them to what they measure; docs/performance.md describes each shape and
// the figures measured on it. It is imported by tests only.
package scenarios

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

// Scenario is one shape of Antrea's controller scale tests: Pods spread over 1000
// Nodes with unique IPs; every K8s NetworkPolicy has policyTypes Ingress and Egress.
type Scenario struct {
	Name string
	Kube []runtime.Object
	CRD  []runtime.Object
}

// Nodes is the number of Nodes the Pods are spread over.
const Nodes = 1000

type objects struct {
	kube, crd []runtime.Object
	pods      int
}

func (o *objects) namespace(name string, l map[string]string) {
	labels := map[string]string{"kubernetes.io/metadata.name": name}
	for k, v := range l {
		labels[k] = v
	}
	o.kube = append(o.kube, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}})
}

func (o *objects) pod(ns string, l map[string]string) {
	i := o.pods
	o.pods++
	ip := fmt.Sprintf("10.%d.%d.%d", (i>>16)&255, (i>>8)&255, i&255)
	o.kube = append(o.kube, Pod(ns, fmt.Sprintf("pod-%d", i), fmt.Sprintf("node-%d", i%Nodes), ip, l))
}

func (o *objects) k8sPolicy(ns, name string, applied *metav1.LabelSelector, from []networkingv1.NetworkPolicyPeer) {
	np := &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID(ns + "/" + name)},
		Spec: networkingv1.NetworkPolicySpec{PodSelector: *applied,
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}},
	}
	if from != nil {
		np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{From: from}}
	}
	o.kube = append(o.kube, np)
}

func podPeer(s *metav1.LabelSelector) []networkingv1.NetworkPolicyPeer {
	return []networkingv1.NetworkPolicyPeer{{PodSelector: s}}
}

var systemTiers = []struct {
	name     string
	priority int32
}{{"emergency", 50}, {"securityops", 100}, {"networkops", 150}, {"platform", 200}, {"application", 250}, {"baseline", 253}}

func (o *objects) tiers() {
	for _, t := range systemTiers {
		o.crd = append(o.crd, &crdv1beta1.Tier{ObjectMeta: metav1.ObjectMeta{Name: t.name}, Spec: crdv1beta1.TierSpec{Priority: t.priority}})
	}
}

// S1 is "small namespaces": 25,000 namespaces × 4 Pods and 3 policies.
func S1(namespaces int) Scenario {
	o := &objects{}
	for n := 0; n < namespaces; n++ {
		ns := fmt.Sprintf("ns-%d", n)
		o.namespace(ns, nil)
		for _, app := range []string{"app-1", "app-2"} {
			o.pod(ns, map[string]string{app: "scale-" + app[4:]})
			o.pod(ns, map[string]string{app: "scale-" + app[4:]})
			o.k8sPolicy(ns, "np-"+app, sel(app, "scale-"+app[4:]), podPeer(sel(app, "scale-"+app[4:])))
		}
		o.k8sPolicy(ns, "default-deny", &metav1.LabelSelector{}, nil)
	}
	return Scenario{Name: "S1-small-namespaces", Kube: o.kube, CRD: o.crd}
}

// S2 is "large namespaces": 100 namespaces × (default-deny + 100 policies over 10
// Pods each).
func S2() Scenario {
	o := &objects{}
	for n := 0; n < 100; n++ {
		ns := fmt.Sprintf("ns-%d", n)
		o.namespace(ns, nil)
		o.k8sPolicy(ns, "default-deny", &metav1.LabelSelector{}, nil)
		for i := 0; i < 100; i++ {
			key, value := fmt.Sprintf("app-%d", i), fmt.Sprintf("scale-%d", i)
			for p := 0; p < 10; p++ {
				o.pod(ns, map[string]string{key: value})
			}
			o.k8sPolicy(ns, fmt.Sprintf("np-%d", i), sel(key, value), podPeer(sel(key, value)))
		}
	}
	return Scenario{Name: "S2-large-namespaces", Kube: o.kube, CRD: o.crd}
}

// S3 is "one namespace": 10k Pods, 10k policies each selecting all of them.
func S3() Scenario {
	o := &objects{}
	o.namespace("ns", nil)
	for p := 0; p < 10000; p++ {
		o.pod("ns", map[string]string{"app-1": "scale-1"})
	}
	for i := 0; i < 10000; i++ {
		o.k8sPolicy("ns", fmt.Sprintf("np-%d", i), sel("app-1", "scale-1"), podPeer(sel("app-1", "scale-1")))
	}
	return Scenario{Name: "S3-one-namespace", Kube: o.kube, CRD: o.crd}
}

// S4 is "policy per pod": 10k Pods with unique labels, policies pairing them.
func S4() Scenario {
	o := &objects{}
	o.namespace("ns", nil)
	for p := 0; p < 10000; p++ {
		o.pod("ns", map[string]string{fmt.Sprintf("app-%d", p): fmt.Sprintf("scale-%d", p)})
	}
	for i := 0; i < 10000; i++ {
		peer := i ^ 1
		o.k8sPolicy("ns", fmt.Sprintf("np-%d", i), sel(fmt.Sprintf("app-%d", i), fmt.Sprintf("scale-%d", i)),
			podPeer(sel(fmt.Sprintf("app-%d", peer), fmt.Sprintf("scale-%d", peer))))
	}
	return Scenario{Name: "S4-policy-per-pod", Kube: o.kube, CRD: o.crd}
}

// S5 is "cluster-scoped peers": 1,000 namespaces in 100 company groups, 10 policies
// × 10 Pods each, peers in the namespaces of the same company.
func S5() Scenario {
	o := &objects{}
	for n := 0; n < 1000; n++ {
		ns, company := fmt.Sprintf("ns-%d", n), fmt.Sprintf("company-%d", n%100)
		o.namespace(ns, map[string]string{"company": company})
		for j := 0; j < 10; j++ {
			app := fmt.Sprintf("scale-%d", j)
			for p := 0; p < 10; p++ {
				o.pod(ns, map[string]string{"app": app})
			}
			o.k8sPolicy(ns, fmt.Sprintf("np-%d", j), sel("app", app),
				[]networkingv1.NetworkPolicyPeer{{PodSelector: sel("app", app), NamespaceSelector: sel("company", company)}})
		}
	}
	return Scenario{Name: "S5-cluster-scoped-peers", Kube: o.kube, CRD: o.crd}
}

func acnpAppliedTo(ns string, pod *metav1.LabelSelector) []crdv1beta1.AppliedTo {
	return []crdv1beta1.AppliedTo{{PodSelector: pod, NamespaceSelector: sel("kubernetes.io/metadata.name", ns)}}
}

func (o *objects) acnp(name, tier string, priority float64, appliedTo []crdv1beta1.AppliedTo, ingress, egress []crdv1beta1.Rule) {
	o.crd = append(o.crd, &crdv1beta1.ClusterNetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID(name)},
		Spec: crdv1beta1.ClusterNetworkPolicySpec{Tier: tier, Priority: priority, AppliedTo: appliedTo,
			Ingress: ingress, Egress: egress},
	})
}

func rule(action crdv1beta1.RuleAction, name string, peers ...crdv1beta1.NetworkPolicyPeer) crdv1beta1.Rule {
	return crdv1beta1.Rule{Action: &action, Name: name, From: peers}
}

// S6 is S1's shape as ClusterNetworkPolicies, rotating through the six system Tiers.
func S6(namespaces int) Scenario {
	o := &objects{}
	o.tiers()
	n := 0
	next := func() string { t := systemTiers[n%len(systemTiers)].name; n++; return t }
	for i := 0; i < namespaces; i++ {
		ns := fmt.Sprintf("ns-%d", i)
		o.namespace(ns, nil)
		nsSel := sel("kubernetes.io/metadata.name", ns)
		for _, app := range []string{"app-1", "app-2"} {
			v := "scale-" + app[4:]
			o.pod(ns, map[string]string{app: v})
			o.pod(ns, map[string]string{app: v})
			o.acnp(ns+"-"+app, next(), 10, acnpAppliedTo(ns, sel(app, v)),
				[]crdv1beta1.Rule{rule(crdv1beta1.RuleActionAllow, "allow", crdv1beta1.NetworkPolicyPeer{PodSelector: sel(app, v), NamespaceSelector: nsSel})}, nil)
		}
		drop := crdv1beta1.RuleActionDrop
		o.acnp(ns+"-deny", next(), 20, acnpAppliedTo(ns, &metav1.LabelSelector{}),
			[]crdv1beta1.Rule{{Action: &drop, Name: "deny-in"}}, []crdv1beta1.Rule{{Action: &drop, Name: "deny-out"}})
	}
	return Scenario{Name: "S6-cluster-policies-across-tiers", Kube: o.kube, CRD: o.crd}
}

// S7 is "ClusterGroups": 5,000 namespaces × 20 Pods, 5,000 ClusterGroups and 5,000
// ClusterNetworkPolicies using them.
func S7(namespaces int) Scenario {
	o := &objects{}
	o.tiers()
	for i := 0; i < namespaces; i++ {
		env := []string{"prod", "dev"}[i%2]
		ns := fmt.Sprintf("ns-%d", i)
		o.namespace(ns, map[string]string{"company": fmt.Sprintf("company-%d", i%100), "env": env})
		for a := 0; a < 10; a++ {
			o.pod(ns, map[string]string{"app": fmt.Sprintf("app-%d", a)})
			o.pod(ns, map[string]string{"app": fmt.Sprintf("app-%d", a)})
		}
	}
	tiers := []string{"securityops", "application", "baseline"}
	allow, drop := crdv1beta1.RuleActionAllow, crdv1beta1.RuleActionDrop
	tcp := crdv1beta1.ProtocolTCP
	p80, p443 := intstr.FromInt32(80), intstr.FromInt32(443)
	for k := 0; k < namespaces; k++ {
		o.crd = append(o.crd, &crdv1beta1.ClusterGroup{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cg-%d", k), UID: types.UID(fmt.Sprintf("cg-%d", k))},
			Spec: crdv1beta1.GroupSpec{PodSelector: sel("app", fmt.Sprintf("app-%d", (k/100)%10)),
				NamespaceSelector: sel("company", fmt.Sprintf("company-%d", k%100))}})
		ingress := []crdv1beta1.Rule{
			{Action: &allow, Name: "allow-80", Ports: []crdv1beta1.NetworkPolicyPort{{Protocol: &tcp, Port: &p80}},
				From: []crdv1beta1.NetworkPolicyPeer{{Group: fmt.Sprintf("cg-%d", (k+1)%namespaces)}}},
			{Action: &drop, Name: "drop-dev", From: []crdv1beta1.NetworkPolicyPeer{{NamespaceSelector: sel("env", "dev")}}},
		}
		egress := []crdv1beta1.Rule{{Action: &allow, Name: "allow-443", Ports: []crdv1beta1.NetworkPolicyPort{{Protocol: &tcp, Port: &p443}},
			To: []crdv1beta1.NetworkPolicyPeer{{PodSelector: sel("app", fmt.Sprintf("app-%d", k%10)),
				NamespaceSelector: sel("company", fmt.Sprintf("company-%d", (k+7)%100))}}}}
		o.acnp(fmt.Sprintf("acnp-%d", k), tiers[k%3], float64(k%50+1), []crdv1beta1.AppliedTo{{Group: fmt.Sprintf("cg-%d", k)}}, ingress, egress)
	}
	return Scenario{Name: "S7-cluster-groups", Kube: o.kube, CRD: o.crd}
}

// sel is a selector of matchLabels.
func sel(kv ...string) *metav1.LabelSelector {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return &metav1.LabelSelector{MatchLabels: m}
}

// Pod is a running Pod bound to a Node, with an IP and a named port.
func Pod(ns, name, node, ip string, l map[string]string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: l, UID: types.UID("uid-" + ns + "-" + name)},
		Spec:   corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "c", Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 80}}}}},
		Status: corev1.PodStatus{PodIPs: []corev1.PodIP{{IP: ip}}, Phase: corev1.PodRunning}}
}
