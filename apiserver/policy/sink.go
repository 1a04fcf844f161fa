package policy

import (
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/registry/controlplane/store"
)

// Sink receives the computed objects: in strata-apiserver, the watchable
// controlplane stores that agents watch. What it is handed is never modified
// afterwards; a change arrives as a new value.
type Sink interface {
	UpsertNetworkPolicy(np *controlplane.NetworkPolicy, span sets.Set[string]) error
	DeleteNetworkPolicy(name string) error
	UpsertAddressGroup(g *store.AddressGroup) error
	DeleteAddressGroup(name string) error
	UpsertAppliedToGroup(g *store.AppliedToGroup) error
	DeleteAppliedToGroup(name string) error
}
