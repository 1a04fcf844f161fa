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

package scale

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
)

// shape is the generated cluster: namespaces × podsPerNamespace Pods over nodes
// Nodes, and policiesPerNamespace K8s NetworkPolicies in each namespace.
//
// Namespace n owns the Nodes n*nodesPerNamespace..+nodesPerNamespace-1; its Pod j
// runs on the Node n*nodesPerNamespace + j%nodesPerNamespace with the label
// app=a<j/nodesPerNamespace>, so each app label has one Pod on each of the
// namespace's Nodes. Policy k selects app=a<k%apps> and admits app=a<(k+1)%apps>
// on TCP port basePort+k: it spans the namespace's nodesPerNamespace Nodes.
type shape struct {
	namespaces, podsPerNamespace, policiesPerNamespace, nodesPerNamespace int
}

// defaultShape is the benchmark's default scale: 1,000 Nodes, 10,000 Pods, 10,000
// policies (-strata.nodes scales it).
var defaultShape = shape{namespaces: 100, podsPerNamespace: 100, policiesPerNamespace: 100, nodesPerNamespace: 10}

const basePort = 1000

func (s shape) nodes() int { return s.namespaces * s.nodesPerNamespace }
func (s shape) apps() int  { return s.podsPerNamespace / s.nodesPerNamespace }

func nodeName(i int) string      { return fmt.Sprintf("sim-node-%04d", i) }
func namespaceName(n int) string { return fmt.Sprintf("scale-%03d", n) }
func policyName(k int) string    { return fmt.Sprintf("np-%03d", k) }

// podNode is the index of the Node of Pod j of namespace n.
func (s shape) podNode(n, j int) int { return n*s.nodesPerNamespace + j%s.nodesPerNamespace }

// namespaceNodes are the Nodes a policy of namespace n spans.
func (s shape) namespaceNodes(n int) []string {
	var out []string
	for i := range s.nodesPerNamespace {
		out = append(out, nodeName(n*s.nodesPerNamespace+i))
	}
	return out
}

// replicaOf is the replica the agent of Node i connects to.
func replicaOf(i int) int { return i % 2 }

func (s shape) pod(n, j int) *corev1.Pod {
	node := s.podNode(n, j)
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("p-%03d", j), Namespace: namespaceName(n), Labels: map[string]string{
			"app": fmt.Sprintf("a%d", j/s.nodesPerNamespace), "replica": fmt.Sprint(replicaOf(node))}},
		Spec: corev1.PodSpec{NodeName: nodeName(node), Containers: []corev1.Container{{Name: "c", Image: "registry.k8s.io/pause:3.10"}},
			// No kubelet runs: the Nodes go NotReady; the Pods stay.
			Tolerations: []corev1.Toleration{{Operator: corev1.TolerationOpExists}}},
	}
}

func podIP(n, j int) string {
	return netip.AddrFrom4([4]byte{10, 200, byte(n), byte(j + 1)}).String()
}

func (s shape) policy(n, k int) *networkingv1.NetworkPolicy {
	port := intstr.FromInt32(int32(basePort + k))
	tcp := corev1.ProtocolTCP
	return &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: policyName(k), Namespace: namespaceName(n)},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app": fmt.Sprintf("a%d", k%s.apps())}},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress: []networkingv1.NetworkPolicyIngressRule{{
				From:  []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": fmt.Sprintf("a%d", (k+1)%s.apps())}}}},
				Ports: []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: &port}},
			}},
		},
	}
}

// populate creates the Nodes, namespaces, Pods (with their IPs) and policies in
// kube-apiserver; what already exists is kept (a rerun on the same cluster).
func (s shape) populate(ctx context.Context, kc kubernetes.Interface, workers int) error {
	steps := []struct {
		what string
		n    int
		do   func(ctx context.Context, i int) error
	}{
		{"Nodes", s.nodes(), func(ctx context.Context, i int) error {
			_, err := kc.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: nodeName(i),
				Labels: map[string]string{corev1.LabelHostname: nodeName(i)}}}, metav1.CreateOptions{})
			return ignoreExists(err)
		}},
		{"namespaces", s.namespaces, func(ctx context.Context, n int) error {
			_, err := kc.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespaceName(n)}}, metav1.CreateOptions{})
			return ignoreExists(err)
		}},
		{"Pods", s.namespaces * s.podsPerNamespace, func(ctx context.Context, i int) error {
			return s.createPod(ctx, kc, i/s.podsPerNamespace, i%s.podsPerNamespace)
		}},
		{"NetworkPolicies", s.namespaces * s.policiesPerNamespace, func(ctx context.Context, i int) error {
			_, err := kc.NetworkingV1().NetworkPolicies(namespaceName(i/s.policiesPerNamespace)).Create(ctx,
				s.policy(i/s.policiesPerNamespace, i%s.policiesPerNamespace), metav1.CreateOptions{})
			return ignoreExists(err)
		}},
	}
	for _, st := range steps {
		if err := parallel(ctx, workers, st.n, st.do); err != nil {
			return fmt.Errorf("creating the %s: %w", st.what, err)
		}
	}
	return nil
}

// createPod creates Pod j of namespace n and gives it its IP and phase Running,
// as its kubelet would.
func (s shape) createPod(ctx context.Context, kc kubernetes.Interface, n, j int) error {
	pods := kc.CoreV1().Pods(namespaceName(n))
	pod, err := pods.Create(ctx, s.pod(n, j), metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		if pod, err = pods.Get(ctx, s.pod(n, j).Name, metav1.GetOptions{}); err == nil && pod.Status.PodIP != "" {
			return nil
		}
	}
	if err != nil {
		return err
	}
	ip := podIP(n, j)
	pod.Status.Phase, pod.Status.PodIP, pod.Status.PodIPs = corev1.PodRunning, ip, []corev1.PodIP{{IP: ip}}
	_, err = pods.UpdateStatus(ctx, pod, metav1.UpdateOptions{})
	return err
}

func ignoreExists(err error) error {
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}

// parallel runs do(0..n-1) on workers goroutines and returns the first error.
func parallel(ctx context.Context, workers, n int, do func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	var once sync.Once
	var first error
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < n && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				if err := do(ctx, i); err != nil {
					once.Do(func() { first = fmt.Errorf("item %d: %w", i, err); cancel() })
				}
			}
		})
	}
	wg.Wait()
	return first
}
