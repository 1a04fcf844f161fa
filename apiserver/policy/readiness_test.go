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
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	kubeinformers "k8s.io/client-go/informers"
	kubefake "k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	crdfake "github.com/strata-net/strata/generated/clientset/versioned/fake"
	crdinformers "github.com/strata-net/strata/generated/informers/externalversions"
)

// TestReadyOnlyOnceComplete lists ClusterNetworkPolicies with an error (as for an
// object in etcd that cannot be decoded) until the test lifts it: until then the
// controller is not ready, says which informer it waits for and why, and
// publishes nothing; afterwards it publishes everything and is ready.
func TestReadyOnlyOnceComplete(t *testing.T) {
	const badKey = "/registry/crd.antrea.io/clusternetworkpolicies/broken"
	kube := kubefake.NewSimpleClientset(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "default"}},
		apiPod("default", "web", "n1", "10.0.0.2", map[string]string{"app": "web"}))
	crd := crdfake.NewSimpleClientset(
		&crdv1beta1.Tier{ObjectMeta: metav1.ObjectMeta{Name: "securityops"}, Spec: crdv1beta1.TierSpec{Priority: 100}},
		acnp("acnp1", "securityops", 5, []crdv1beta1.AppliedTo{{PodSelector: sel("app", "web")}}))
	var failing atomic.Bool
	failing.Store(true)
	crd.PrependReactor("list", "clusternetworkpolicies", func(k8stesting.Action) (bool, runtime.Object, error) {
		if failing.Load() {
			return true, nil, fmt.Errorf("failed to decode the object at key %s", badKey)
		}
		return false, nil, nil
	})
	kubeInf, crdInf := kubeinformers.NewSharedInformerFactory(kube, 0), crdinformers.NewSharedInformerFactory(crd, 0)
	sink := newFakeSink()
	c, err := NewController(Config{CRDInformers: crdInf, KubeInformers: kubeInf, Sink: sink})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Ready(); err == nil {
		t.Fatal("ready before anything started")
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	kubeInf.Start(ctx.Done())
	crdInf.Start(ctx.Done())
	go c.Run(ctx)

	var last error
	err = wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
		last = c.Ready()
		if last == nil || !strings.Contains(last.Error(), badKey) {
			return false, nil
		}
		for _, r := range c.Resources() {
			if r != "clusternetworkpolicies.crd.antrea.io" && c.InformerReady(r) != nil {
				return false, nil // the other informers are still syncing
			}
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("waiting 1m for Ready to name the key that cannot be read, the other informers synced: last %v", last)
	}
	if !strings.Contains(last.Error(), "clusternetworkpolicies.crd.antrea.io") || strings.Contains(last.Error(), "pods") {
		t.Fatalf("Ready() = %v, want only clusternetworkpolicies.crd.antrea.io named", last)
	}
	if err := c.InformerReady("clusternetworkpolicies.crd.antrea.io"); err == nil || !strings.Contains(err.Error(), badKey) {
		t.Fatalf("InformerReady(clusternetworkpolicies.crd.antrea.io) = %v, want the key that cannot be read", err)
	}
	if err := c.InformerReady("pods"); err != nil {
		t.Fatalf("InformerReady(pods) = %v, want nil: its informer synced", err)
	}
	if n := sink.upsertCount(); n != 0 {
		t.Fatalf("%d policies published before the state was complete", n)
	}

	failing.Store(false)
	err = wait.PollUntilContextTimeout(ctx, 10*time.Millisecond, 2*time.Minute, true, func(context.Context) (bool, error) {
		last = c.Ready()
		return last == nil, nil
	})
	if err != nil {
		t.Fatalf("waiting 2m for the controller to be ready once the list works: %v", errors.Join(err, last))
	}
	if n := sink.policyCount(); n != 1 {
		t.Fatalf("%d policies published once ready, want 1", n)
	}
}
