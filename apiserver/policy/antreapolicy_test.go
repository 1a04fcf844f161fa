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

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

// TestAntreaPolicyGate: with the AntreaPolicy feature gate on, both the Kubernetes
// NetworkPolicy and the ClusterNetworkPolicy are computed; with it off, only the
// Kubernetes one, and no informer of an Antrea-native resource is started.
func TestAntreaPolicyGate(t *testing.T) {
	for _, tc := range []struct {
		name     string
		disabled bool
		wantACNP bool
	}{
		{name: "on", wantACNP: true},
		{name: "off", disabled: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kubeObjs := []runtime.Object{
				&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "default"}},
				apiPod("default", "web", "n1", "10.0.0.2", map[string]string{"app": "web"}),
				&networkingv1.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "deny", UID: "np-uid"},
					Spec: networkingv1.NetworkPolicySpec{PodSelector: *sel("app", "web")}},
			}
			crdObjs := []runtime.Object{
				&crdv1beta1.Tier{ObjectMeta: metav1.ObjectMeta{Name: "securityops"}, Spec: crdv1beta1.TierSpec{Priority: 100}},
				acnp("acnp1", "securityops", 5, []crdv1beta1.AppliedTo{{PodSelector: sel("app", "web")}}),
			}
			_, _, sink, crdInf := startControllerWith(t, kubeObjs, crdObjs, Config{AntreaPolicyDisabled: tc.disabled})
			if sink.policies["np-uid"] == nil {
				t.Error("the Kubernetes NetworkPolicy was not computed")
			}
			if got := sink.policies["uid-acnp1"] != nil; got != tc.wantACNP {
				t.Errorf("ClusterNetworkPolicy computed: %v, want %v", got, tc.wantACNP)
			}
			started := len(crdInf.WaitForCacheSync(context.Background().Done())) > 0
			if started == tc.disabled {
				t.Errorf("Antrea-native informers started: %v with the gate disabled=%v", started, tc.disabled)
			}
		})
	}
}
