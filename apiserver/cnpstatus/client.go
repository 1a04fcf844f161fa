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

package cnpstatus

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	npaclient "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned/typed/apis/v1beta1"

	"github.com/strata-net/strata/apis/controlplane"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

// Client writes the conditions of upstream ClusterNetworkPolicies through
// kube-apiserver's status subresource. It is the policy.StatusClient of the
// K8sClusterNetworkPolicy sources.
type Client struct {
	policies npaclient.ClusterNetworkPoliciesGetter
}

// NewClient returns a Client over the typed client of policy.networking.k8s.io/v1beta1.
func NewClient(policies npaclient.ClusterNetworkPoliciesGetter) *Client {
	return &Client{policies: policies}
}

// UpdateStatus reads the ClusterNetworkPolicy ref names and hands update its UID and
// an empty Antrea-style status to fill; it writes the conditions that status turns
// into, only when they differ from the object's (transition times aside). The API's
// errors (NotFound, Conflict) are returned as they are: the aggregator retries a
// Conflict on a fresh read and drops a NotFound.
func (c *Client) UpdateStatus(ctx context.Context, ref controlplane.NetworkPolicyReference,
	update func(types.UID, *crdv1beta1.NetworkPolicyStatus) bool) error {
	policies := c.policies.ClusterNetworkPolicies()
	p, err := policies.Get(ctx, ref.Name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	var st crdv1beta1.NetworkPolicyStatus
	if !update(p.UID, &st) || !setConditions(&p.Status.Conditions, Conditions(st)) {
		return nil
	}
	_, err = policies.UpdateStatus(ctx, p, metav1.UpdateOptions{})
	return err
}
