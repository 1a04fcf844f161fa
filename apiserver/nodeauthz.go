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
	"fmt"

	"k8s.io/apiserver/pkg/authorization/union"

	"github.com/strata-net/strata/apiserver/nodeauth"
	cpregistry "github.com/strata-net/strata/registry/controlplane"
)

// addNodeAuthorizer puts the node authorizer first in the server's authorization
// chain, before the delegated one (RBAC through SubjectAccessReviews, or the
// standalone admin group): it denies the requests of an agent identity in
// controlplane.antrea.io outside its Node's bounds and leaves every other request
// to the delegated authorizer.
func (c CompletedConfig) addNodeAuthorizer(stores *cpregistry.Stores) error {
	nodes, err := nodeauth.New(nodeauth.Config{Identities: c.ExtraConfig.AgentIdentities, Spans: stores})
	if err != nil {
		return fmt.Errorf("creating the node authorizer: %w", err)
	}
	authz := &c.GenericConfig.Authorization
	named := []union.NamedAuthorizer{{AuthorizerName: "strata-node", Authorizer: nodes}}
	if authz.Authorizer != nil {
		named = append(named, union.NamedAuthorizer{AuthorizerName: "delegated", Authorizer: authz.Authorizer})
	}
	chain, err := union.New(named...)
	if err != nil {
		return fmt.Errorf("chaining the node authorizer: %w", err)
	}
	authz.Authorizer = chain
	return nil
}
