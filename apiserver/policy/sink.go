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
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/computed"
)

// Sink receives the computed objects: in strata-apiserver, the watchable
// controlplane stores that agents watch. What it is handed is never modified
// afterwards; a change arrives as a new value.
type Sink interface {
	UpsertNetworkPolicy(np *controlplane.NetworkPolicy, span sets.Set[string]) error
	DeleteNetworkPolicy(name string) error
	UpsertAddressGroup(g *computed.AddressGroup) error
	DeleteAddressGroup(name string) error
	UpsertAppliedToGroup(g *computed.AppliedToGroup) error
	DeleteAppliedToGroup(name string) error
}
