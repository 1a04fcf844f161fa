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
	"slices"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	kubeinformers "k8s.io/client-go/informers"
	kubefake "k8s.io/client-go/kubernetes/fake"
	npafake "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned/fake"
	npainformers "sigs.k8s.io/network-policy-api/pkg/client/informers/externalversions"

	crdfake "github.com/strata-net/strata/generated/clientset/versioned/fake"
	crdinformers "github.com/strata-net/strata/generated/informers/externalversions"
)

const cnpResource = "clusternetworkpolicies.policy.networking.k8s.io"

// TestControllerUpstreamCNP: the controller watches the upstream
// ClusterNetworkPolicies when given their informers (readiness included), and not
// otherwise.
func TestControllerUpstreamCNP(t *testing.T) {
	kubeObjs := []runtime.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "default"}},
		apiPod("default", "db", "n1", "10.0.0.3", map[string]string{"app": "redis"}),
	}
	client := npafake.NewSimpleClientset(redisIngressCNP("d", "Admin", 1, cnpDeny))
	upstream := npainformers.NewSharedInformerFactory(client, 0)
	kube := kubeinformers.NewSharedInformerFactory(kubefake.NewSimpleClientset(kubeObjs...), 0)
	crd := crdinformers.NewSharedInformerFactory(crdfake.NewSimpleClientset(), 0)
	sink := newFakeSink()
	c, err := NewController(Config{CRDInformers: crd, KubeInformers: kube, UpstreamInformers: upstream, Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(c.Resources(), cnpResource) {
		t.Fatalf("resources %v do not include %s", c.Resources(), cnpResource)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	kube.Start(ctx.Done())
	crd.Start(ctx.Done())
	go c.Run(ctx)
	if c.InformerReady(cnpResource) == nil {
		t.Fatalf("%s ready before its informer started", cnpResource)
	}
	if c.Ready() == nil {
		t.Fatal("ready before the ClusterNetworkPolicy informer started")
	}
	upstream.Start(ctx.Done())
	waitIdle(t, c)
	if np := sink.policies["cnp-d"]; np == nil || *np.TierPriority != cnpAdminTierPriority {
		t.Fatalf("the ClusterNetworkPolicy was not published: %+v", np)
	}

	if err := client.PolicyV1beta1().ClusterNetworkPolicies().Delete(ctx, "d", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	err = wait.PollUntilContextTimeout(ctx, 5*time.Millisecond, 30*time.Second, true, func(context.Context) (bool, error) {
		return sink.policyCount() == 0, nil
	})
	if err != nil {
		t.Fatalf("waiting 30s for the deleted ClusterNetworkPolicy to be removed: %v", err)
	}
}

func TestControllerWithoutUpstreamCNP(t *testing.T) {
	c, _, _ := startController(t, nil, nil)
	if slices.Contains(c.Resources(), cnpResource) {
		t.Fatalf("resources %v include %s without its informers", c.Resources(), cnpResource)
	}
}
