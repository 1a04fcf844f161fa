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
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	npaversioned "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned"

	"github.com/strata-net/strata/apis/controlplane"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/apiserver/cnpstatus"
	"github.com/strata-net/strata/apiserver/policy"
	"github.com/strata-net/strata/generated/clientset/versioned"
)

// statusClients is the status aggregator's writer: it dispatches by the source's
// type, the upstream ClusterNetworkPolicies (policy.networking.k8s.io) through
// kube-apiserver, the Antrea-native policies through the loopback client.
type statusClients struct {
	antrea   policy.StatusClient
	upstream policy.StatusClient // nil without kube-apiserver (standalone)
}

// newStatusClients returns the writer of every policy status; kube is
// kube-apiserver's client configuration, nil in standalone mode.
func newStatusClients(loopback versioned.Interface, kube *rest.Config) (statusClients, error) {
	c := statusClients{antrea: statusClient{client: loopback}}
	if kube == nil {
		return c, nil
	}
	npa, err := npaversioned.NewForConfig(kube)
	if err != nil {
		return statusClients{}, fmt.Errorf("creating the client of policy.networking.k8s.io: %w", err)
	}
	c.upstream = cnpstatus.NewClient(npa.PolicyV1beta1())
	return c, nil
}

func (c statusClients) UpdateStatus(ctx context.Context, ref controlplane.NetworkPolicyReference,
	update func(types.UID, *crdv1beta1.NetworkPolicyStatus) bool) error {
	if ref.Type != controlplane.K8sClusterNetworkPolicyType {
		return c.antrea.UpdateStatus(ctx, ref, update)
	}
	if c.upstream == nil {
		return fmt.Errorf("writing the status of ClusterNetworkPolicy %s: no kube-apiserver client", ref.Name)
	}
	return c.upstream.UpdateStatus(ctx, ref, update)
}
