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
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	kubeinformers "k8s.io/client-go/informers"
	kubefake "k8s.io/client-go/kubernetes/fake"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	crdfake "github.com/strata-net/strata/generated/clientset/versioned/fake"
	crdinformers "github.com/strata-net/strata/generated/informers/externalversions"
)

// startController runs a controller over fake clientsets holding the objects.
func startController(t testing.TB, kubeObjs, crdObjs []runtime.Object) (*Controller, *kubefake.Clientset, *fakeSink) {
	t.Helper()
	c, kube, sink, _ := startControllerWith(t, kubeObjs, crdObjs, Config{})
	return c, kube, sink
}

// startControllerWith is startController with cfg's options (its informers and sink
// are filled in); it also returns the CRD informer factory.
func startControllerWith(t testing.TB, kubeObjs, crdObjs []runtime.Object, cfg Config) (*Controller, *kubefake.Clientset, *fakeSink, crdinformers.SharedInformerFactory) {
	t.Helper()
	kube, crd := kubefake.NewSimpleClientset(kubeObjs...), crdfake.NewSimpleClientset(crdObjs...)
	kubeInf, crdInf := kubeinformers.NewSharedInformerFactory(kube, 0), crdinformers.NewSharedInformerFactory(crd, 0)
	sink := newFakeSink()
	cfg.CRDInformers, cfg.KubeInformers, cfg.Sink = crdInf, kubeInf, sink
	c, err := NewController(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	kubeInf.Start(ctx.Done())
	crdInf.Start(ctx.Done())
	go c.Run(ctx)
	waitIdle(t, c)
	return c, kube, sink, crdInf
}

// waitIdle waits until the informers synced and the computation has no work left.
func waitIdle(t testing.TB, c *Controller) {
	t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 5*time.Millisecond, 2*time.Minute, true,
		func(context.Context) (bool, error) { return c.HasSynced(), nil })
	if err != nil {
		t.Fatalf("waiting 2m for the policy computation to sync: %v", err)
	}
}

func apiPod(ns, name, node, ip string, l map[string]string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: l, UID: types.UID("uid-" + ns + "-" + name)},
		Spec:   corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "c", Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 80}}}}},
		Status: corev1.PodStatus{PodIPs: []corev1.PodIP{{IP: ip}}, Phase: corev1.PodRunning}}
}

func TestControllerFromInformers(t *testing.T) {
	kubeObjs := []runtime.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "default"}},
		apiPod("default", "web", "n1", "10.0.0.2", map[string]string{"app": "web"}),
		apiPod("default", "db", "n2", "10.0.0.3", map[string]string{"app": "db"}),
		&networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "db-only-web", UID: "np-uid"},
			Spec: networkingv1.NetworkPolicySpec{PodSelector: *sel("app", "db"),
				Ingress: []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{PodSelector: sel("app", "web")}}}}}},
	}
	crdObjs := []runtime.Object{
		&crdv1beta1.Tier{ObjectMeta: metav1.ObjectMeta{Name: "securityops"}, Spec: crdv1beta1.TierSpec{Priority: 100}},
		acnp("acnp1", "securityops", 5, []crdv1beta1.AppliedTo{{PodSelector: sel("app", "web")}}),
	}
	c, kube, sink := startController(t, kubeObjs, crdObjs)
	if np := sink.policies["np-uid"]; np == nil || len(np.Rules) != 1 {
		t.Fatalf("K8s NetworkPolicy: %+v", np)
	}
	if np := sink.policies["uid-acnp1"]; np == nil || *np.TierPriority != 100 {
		t.Fatalf("ClusterNetworkPolicy: %+v", np)
	}
	web := groupName(t, "default", nil, sel("app", "web"))
	if got := sink.address[web].Members; len(got) != 1 {
		t.Fatalf("peers of the K8s policy: %v", got)
	}
	for _, m := range sink.address[web].Members {
		if len(m.Ports) != 1 || m.Ports[0].Name != "http" {
			t.Fatalf("named ports of the member: %+v", m.Ports)
		}
	}
	// A second web Pod arrives through the informer.
	ctx := context.Background()
	if _, err := kube.CoreV1().Pods("default").Create(ctx, apiPod("default", "web2", "n2", "10.0.0.4", map[string]string{"app": "web"}), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	err := wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
		return len(sink.addressMembers(web)) == 2, nil
	})
	if err != nil {
		t.Fatalf("the new Pod never joined the AddressGroup: %v", err)
	}
	waitIdle(t, c)
}
