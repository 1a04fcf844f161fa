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

package controlplane

import (
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/computed"
	"github.com/strata-net/strata/registry/controlplane/addressgroup"
	"github.com/strata-net/strata/registry/controlplane/appliedtogroup"
	"github.com/strata-net/strata/registry/controlplane/networkpolicy"
	"github.com/strata-net/strata/registry/controlplane/networkpolicyevaluation"
	"github.com/strata-net/strata/registry/controlplane/nodestats"
	"github.com/strata-net/strata/registry/controlplane/nodesync"
	"github.com/strata-net/strata/registry/controlplane/podstartup"
	"github.com/strata-net/strata/registry/controlplane/store"
)

// Stores are the in-memory stores of the computed objects: the policy computation
// writes them with Upsert and Delete, the REST storage reads them.
type Stores struct {
	NetworkPolicies *store.Store[*store.NetworkPolicy]
	AddressGroups   *store.Store[*computed.AddressGroup]
	AppliedToGroups *store.Store[*computed.AppliedToGroup]
}

// NewStores returns three running stores with the same options; Stop ends them.
func NewStores(opts store.Options) (*Stores, error) {
	nps, npErr := store.NewNetworkPolicyStore(opts)
	ags, agErr := store.NewAddressGroupStore(opts)
	atgs, atgErr := store.NewAppliedToGroupStore(opts)
	s := &Stores{NetworkPolicies: nps, AddressGroups: ags, AppliedToGroups: atgs}
	if err := errors.Join(npErr, agErr, atgErr); err != nil {
		s.Stop()
		return nil, fmt.Errorf("creating the controlplane stores: %w", err)
	}
	return s, nil
}

// Stop stops the stores that exist, ending their watches.
func (s *Stores) Stop() {
	if s.NetworkPolicies != nil {
		s.NetworkPolicies.Stop()
	}
	if s.AddressGroups != nil {
		s.AddressGroups.Stop()
	}
	if s.AppliedToGroups != nil {
		s.AppliedToGroups.Stop()
	}
}

// DropWatchers stops every running watch of the three stores and returns how
// many there were.
func (s *Stores) DropWatchers() int {
	return s.NetworkPolicies.DropWatchers() + s.AddressGroups.DropWatchers() + s.AppliedToGroups.DropWatchers()
}

// StorageConfig is what the controlplane API is served from.
type StorageConfig struct {
	// Stores are the computed objects. Required.
	Stores *Stores
	// Status receives the agents' realization reports. Required.
	Status networkpolicy.StatusReporter
	// Gate opens the computed resources once they are complete. Required.
	Gate Gate
	// Startups answers podstartups; nil serves none (no computation).
	Startups podstartup.Awaiter
	// Syncs receives nodesyncreports; nil serves none.
	Syncs nodesync.Reporter
	// Stats receives nodestatssummaries; nil serves none.
	Stats nodestats.Collector
	// Evaluations answers networkpolicyevaluations (with ValidateEvaluation);
	// nil serves none.
	Evaluations        networkpolicyevaluation.Evaluator
	ValidateEvaluation func(*controlplane.NetworkPolicyEvaluation) field.ErrorList
}

// Storage returns the REST storage of controlplane.antrea.io/v1beta2, keyed by
// resource path, for APIGroupInfo.VersionedResourcesStorageMap["v1beta2"]. The
// computed resources are served only once the gate is open.
func Storage(cfg StorageConfig) map[string]rest.Storage {
	s := map[string]rest.Storage{
		"networkpolicies":        gated(networkpolicy.NewREST(cfg.Stores.NetworkPolicies), cfg.Gate),
		"networkpolicies/status": networkpolicy.NewStatusREST(cfg.Status),
		"addressgroups":          gated(addressgroup.NewREST(cfg.Stores.AddressGroups), cfg.Gate),
		"appliedtogroups":        gated(appliedtogroup.NewREST(cfg.Stores.AppliedToGroups), cfg.Gate),
	}
	if cfg.Startups != nil {
		s["podstartups"] = podstartup.NewREST(cfg.Startups)
	}
	if cfg.Syncs != nil {
		s["nodesyncreports"] = nodesync.NewREST(cfg.Syncs)
	}
	if cfg.Stats != nil {
		s["nodestatssummaries"] = nodestats.NewREST(cfg.Stats)
	}
	if cfg.Evaluations != nil && cfg.ValidateEvaluation != nil {
		s["networkpolicyevaluations"] = networkpolicyevaluation.NewREST(gatedEvaluator{cfg.Evaluations, cfg.Gate}, cfg.ValidateEvaluation)
	}
	return s
}

// PodPeerSpan returns the Nodes that enforce a rule with the Pod at these addresses
// as a peer: the union of the spans of the AddressGroups it is a member of (an
// AddressGroup member's key holds its addresses: "Pod:ns/name@10.0.0.5").
func (s *Stores) PodPeerSpan(pod controlplane.PodReference, addresses []controlplane.IPAddress) sets.Set[string] {
	key := computed.MemberKey(&controlplane.GroupMember{Pod: &pod, IPs: addresses})
	span := sets.New[string]()
	for _, g := range s.AddressGroups.List() {
		if _, ok := g.Members[key]; ok {
			span = span.Union(g.Span)
		}
	}
	return span
}

// InSpan reports whether the computed object resource/name exists with node in its
// span: the objects an agent of that Node may get.
func (s *Stores) InSpan(resource, name, node string) bool {
	switch resource {
	case "networkpolicies":
		return inSpan(s.NetworkPolicies, name, node)
	case "addressgroups":
		return inSpan(s.AddressGroups, name, node)
	case "appliedtogroups":
		return inSpan(s.AppliedToGroups, name, node)
	}
	return false
}

func inSpan[T store.Object](s *store.Store[T], name, node string) bool {
	obj, ok := s.Get(name)
	return ok && obj.InSpan(node)
}
