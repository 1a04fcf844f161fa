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
	"errors"
	"fmt"
	"net/http"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/server/healthz"

	"github.com/strata-net/strata/apis/controlplane"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/apis/scheme"
	"github.com/strata-net/strata/apiserver/computed"
	"github.com/strata-net/strata/apiserver/podstartup"
	"github.com/strata-net/strata/apiserver/policy"
	"github.com/strata-net/strata/generated/clientset/versioned"
	cpregistry "github.com/strata-net/strata/registry/controlplane"
	"github.com/strata-net/strata/registry/controlplane/store"
)

// installControlplane installs controlplane.antrea.io/v1beta2.
func installControlplane(gs *genericapiserver.GenericAPIServer, storage cpregistry.StorageConfig) error {
	g := genericapiserver.NewDefaultAPIGroupInfo(controlplane.GroupName, scheme.Scheme, scheme.ParameterCodec, scheme.Codecs)
	g.VersionedResourcesStorageMap["v1beta2"] = cpregistry.Storage(storage)
	if err := gs.InstallAPIGroup(&g); err != nil {
		return fmt.Errorf("installing %s: %w", controlplane.GroupName, err)
	}
	return nil
}

// podStartupBarrier is the Pod start-up barrier over the computation and the
// stores, and the tracker of the agents' acknowledgements it waits on.
func podStartupBarrier(computation *policy.Controller, stores *cpregistry.Stores, epoch string) (*podstartup.Barrier, *podstartup.Tracker, error) {
	tracker := podstartup.NewTracker(epoch)
	barrier, err := podstartup.New(podstartup.Config{
		Addresses: computation,
		Stores:    [3]podstartup.Progressor{stores.NetworkPolicies, stores.AddressGroups, stores.AppliedToGroups},
		PeerSpan:  stores.PodPeerSpan,
		Tracker:   tracker,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("the Pod start-up barrier: %w", err)
	}
	return barrier, tracker, nil
}

// readyzComputation is the /readyz check that passes once the policy computation
// has published its first complete state (/readyz/strata-policy-computation).
const readyzComputation = "strata-policy-computation"

// readyzChecks are the computation's /readyz checks: the complete state, and one
// per informer it is fed from (strata-informer-<resource>), so that /readyz?verbose
// names the resource that does not sync. The reasons (an undecodable object's
// etcd key) are in the server's log and in ControllerInfo's ControllerHealthy
// condition (stratactl version -o yaml): /readyz withholds them.
func readyzChecks(gate cpregistry.Gate, computation *policy.Controller) []healthz.HealthChecker {
	checks := []healthz.HealthChecker{healthz.NamedCheck(readyzComputation, func(*http.Request) error { return gate.Ready() })}
	if computation == nil {
		return checks
	}
	for _, r := range computation.Resources() {
		checks = append(checks, healthz.NamedCheck("strata-informer-"+r, func(*http.Request) error { return computation.InformerReady(r) }))
	}
	return checks
}

// computationGate is what opens the controlplane API: the computation's first
// complete publication, or nothing to wait for when there is no computation
// (standalone: the stores stay empty, which is their complete state).
func computationGate(computation *policy.Controller) cpregistry.Gate {
	if computation == nil {
		return cpregistry.AlwaysReady{}
	}
	return computation
}

// storeSink publishes the computation into the controlplane stores and tells the
// status aggregator what was published.
type storeSink struct {
	stores     *cpregistry.Stores
	aggregator *policy.StatusAggregator
}

var _ policy.Sink = storeSink{}

func (s storeSink) UpsertNetworkPolicy(np *controlplane.NetworkPolicy, span sets.Set[string]) error {
	if np.CreationTimestamp.IsZero() {
		np.CreationTimestamp = metav1.Now()
	}
	if err := published("networkpolicies", "upsert", s.stores.NetworkPolicies.Upsert(&store.NetworkPolicy{Policy: np, Span: span})); err != nil {
		return err
	}
	s.aggregator.Observe(np, span)
	return nil
}

func (s storeSink) DeleteNetworkPolicy(name string) error {
	s.aggregator.Forget(name)
	return ignoreNotFound(published("networkpolicies", "delete", s.stores.NetworkPolicies.Delete(name)))
}

func (s storeSink) UpsertAddressGroup(g *computed.AddressGroup) error {
	return published("addressgroups", "upsert", s.stores.AddressGroups.Upsert(g))
}

func (s storeSink) DeleteAddressGroup(name string) error {
	return ignoreNotFound(published("addressgroups", "delete", s.stores.AddressGroups.Delete(name)))
}

func (s storeSink) UpsertAppliedToGroup(g *computed.AppliedToGroup) error {
	return published("appliedtogroups", "upsert", s.stores.AppliedToGroups.Upsert(g))
}

func (s storeSink) DeleteAppliedToGroup(name string) error {
	return ignoreNotFound(published("appliedtogroups", "delete", s.stores.AppliedToGroups.Delete(name)))
}

func ignoreNotFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// PolicyIssues and ForgetPolicy pass the computation's realizability on to the
// status aggregator.
func (s storeSink) PolicyIssues(name string, ref controlplane.NetworkPolicyReference, generation int64,
	issues []policy.Issue, waitingForTier bool) {
	s.aggregator.PolicyIssues(name, ref, generation, issues, waitingForTier)
}

func (s storeSink) ForgetPolicy(name string) { s.aggregator.ForgetPolicy(name) }

// statusClient writes the status of ClusterNetworkPolicies and Antrea
// NetworkPolicies through the loopback client.
type statusClient struct {
	client versioned.Interface
}

func (c statusClient) UpdateStatus(ctx context.Context, ref controlplane.NetworkPolicyReference,
	update func(types.UID, *crdv1beta1.NetworkPolicyStatus) bool) error {
	if ref.Type == controlplane.AntreaNetworkPolicy {
		policies := c.client.CrdV1beta1().NetworkPolicies(ref.Namespace)
		p, err := policies.Get(ctx, ref.Name, metav1.GetOptions{})
		if err != nil || !update(p.UID, &p.Status) {
			return err
		}
		_, err = policies.UpdateStatus(ctx, p, metav1.UpdateOptions{})
		return err
	}
	policies := c.client.CrdV1beta1().ClusterNetworkPolicies()
	p, err := policies.Get(ctx, ref.Name, metav1.GetOptions{})
	if err != nil || !update(p.UID, &p.Status) {
		return err
	}
	_, err = policies.UpdateStatus(ctx, p, metav1.UpdateOptions{})
	return err
}
