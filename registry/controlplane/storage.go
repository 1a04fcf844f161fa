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

	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/strata-net/strata/registry/controlplane/addressgroup"
	"github.com/strata-net/strata/registry/controlplane/appliedtogroup"
	"github.com/strata-net/strata/registry/controlplane/networkpolicy"
	"github.com/strata-net/strata/registry/controlplane/store"
)

// Stores are the in-memory stores of the computed objects: the policy computation
// writes them with Upsert and Delete, the REST storage reads them.
type Stores struct {
	NetworkPolicies *store.Store[*store.NetworkPolicy]
	AddressGroups   *store.Store[*store.AddressGroup]
	AppliedToGroups *store.Store[*store.AppliedToGroup]
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

// Storage returns the REST storage of controlplane.antrea.io/v1beta2, keyed by
// resource path, for APIGroupInfo.VersionedResourcesStorageMap["v1beta2"]. The
// computed resources are served only once gate is ready; status reports posted by
// agents go to reporter.
func Storage(stores *Stores, reporter networkpolicy.StatusReporter, gate Gate) map[string]rest.Storage {
	return map[string]rest.Storage{
		"networkpolicies":        gated(networkpolicy.NewREST(stores.NetworkPolicies), gate),
		"networkpolicies/status": networkpolicy.NewStatusREST(reporter),
		"addressgroups":          gated(addressgroup.NewREST(stores.AddressGroups), gate),
		"appliedtogroups":        gated(appliedtogroup.NewREST(stores.AppliedToGroups), gate),
	}
}
