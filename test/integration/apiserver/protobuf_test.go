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
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/metadata"
	restclient "k8s.io/client-go/rest"

	"github.com/strata-net/strata/generated/clientset/versioned"
)

// Strata's types have no protobuf encoding, but Kubernetes' controllers ask for
// protobuf first: the Namespace controller deletes every namespaced resource of a
// deleted Namespace with a DELETECOLLECTION of the metadata client (protobuf body,
// Accept "application/vnd.kubernetes.protobuf,application/json"), and
// strata-apiserver must answer in JSON instead of failing with 406 (which left
// Namespaces Terminating for ever).

// TestNamespaceControllerDeleteCollection deletes the Antrea NetworkPolicies and
// Groups of a namespace as kube-controller-manager's Namespace controller does.
func TestNamespaceControllerDeleteCollection(t *testing.T) {
	ctx, c := ctxT(t), shared.Client
	waitSystemTiers(ctx, t, c)
	const ns = "it-ns-deleted"
	if _, err := c.CrdV1beta1().NetworkPolicies(ns).Create(ctx, annpV1beta1(ns, "doomed", "", 1), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CrdV1beta1().Groups(ns).Create(ctx, groupV1beta1(ns, "doomed"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// The Namespace controller's client: metadata.ConfigFor sets the protobuf
	// content type and Accept header.
	mc, err := metadata.NewForConfig(metadata.ConfigFor(restclient.CopyConfig(shared.ClientConfig)))
	if err != nil {
		t.Fatal(err)
	}
	background := metav1.DeletePropagationBackground
	for _, resource := range []string{"networkpolicies", "groups"} {
		gvr := schema.GroupVersionResource{Group: "crd.antrea.io", Version: "v1beta1", Resource: resource}
		list, err := mc.Resource(gvr).Namespace(ns).List(ctx, metav1.ListOptions{})
		if err != nil || len(list.Items) != 1 {
			t.Fatalf("metadata list of %s: %v, %v", resource, list, err)
		}
		if err := mc.Resource(gvr).Namespace(ns).DeleteCollection(ctx, metav1.DeleteOptions{PropagationPolicy: &background}, metav1.ListOptions{}); err != nil {
			t.Fatalf("metadata deletecollection of %s: %v", resource, err)
		}
		// Again, on nothing: the Namespace controller repeats it until the
		// namespace is empty.
		if err := mc.Resource(gvr).Namespace(ns).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{}); err != nil {
			t.Fatalf("metadata deletecollection of no %s: %v", resource, err)
		}
	}
	if list, err := c.CrdV1beta1().NetworkPolicies(ns).List(ctx, metav1.ListOptions{}); err != nil || len(list.Items) != 0 {
		t.Fatalf("networkpolicies left: %v, %v", list, err)
	}
	if list, err := c.CrdV1beta1().Groups(ns).List(ctx, metav1.ListOptions{}); err != nil || len(list.Items) != 0 {
		t.Fatalf("groups left: %v, %v", list, err)
	}
}

// TestProtobufPreferringClient lists and gets through a clientset that prefers
// protobuf, as Kubernetes' own components are configured: JSON comes back.
func TestProtobufPreferringClient(t *testing.T) {
	ctx := ctxT(t)
	cfg := restclient.CopyConfig(shared.ClientConfig)
	cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	cfg.ContentType = "application/json"
	c, err := versioned.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	waitSystemTiers(ctx, t, c)
	if _, err := c.CrdV1beta1().Tiers().Get(ctx, "application", metav1.GetOptions{}); err != nil {
		t.Fatalf("get: %v", err)
	}
	if _, err := c.CrdV1beta1().NetworkPolicies(metav1.NamespaceAll).List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatalf("list: %v", err)
	}
}
