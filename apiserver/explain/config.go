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

package explain

import (
	"errors"
	"net/netip"

	"github.com/strata-net/strata/apiserver/computed"
	"github.com/strata-net/strata/registry/controlplane/store"
)

// Pod is what explain needs of a Pod.
type Pod struct {
	Namespace, Name, NodeName string
	IPs                       []netip.Addr
}

// Pods finds Pods by name and by address.
type Pods interface {
	Pod(namespace, name string) (Pod, bool)
	PodByIP(ip netip.Addr) (Pod, bool)
}

// Config configures an Explainer.
type Config struct {
	// Pods resolves the ends of a request. Required.
	Pods Pods
	// NetworkPolicies, AppliedToGroups and AddressGroups are the computed
	// objects the agents receive. Required.
	NetworkPolicies *store.Store[*store.NetworkPolicy]
	AppliedToGroups *store.Store[*computed.AppliedToGroup]
	AddressGroups   *store.Store[*computed.AddressGroup]
}

// Validate reports a missing field.
func (c *Config) Validate() error {
	if c.Pods == nil || c.NetworkPolicies == nil || c.AppliedToGroups == nil || c.AddressGroups == nil {
		return errors.New("explain: Pods, NetworkPolicies, AppliedToGroups and AddressGroups are required")
	}
	return nil
}

// Explainer evaluates connections. It is safe for concurrent use.
type Explainer struct {
	cfg   Config
	index index
}

// New returns an Explainer.
func New(cfg Config) (*Explainer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Explainer{cfg: cfg}, nil
}
