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

package nodeauth

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apiserver/pkg/authentication/serviceaccount"
	"k8s.io/apiserver/pkg/authentication/user"
)

// The identity of a node agent with a client certificate.
const (
	// AgentUserPrefix prefixes the Node's name in an agent certificate's user name.
	AgentUserPrefix = "system:strata-agent:"
	// AgentGroup is the group of every agent certificate.
	AgentGroup = "system:strata-agents"
	// NodeNameExtra is the user-info extra of a ServiceAccount token bound to a Pod
	// that names the Pod's Node.
	NodeNameExtra = serviceaccount.NodeNameKey
	// DefaultAgentServiceAccount is the agent DaemonSet's ServiceAccount.
	DefaultAgentServiceAccount = "kube-system/strata-agent"
)

// Identities tells agent identities apart.
type Identities struct {
	// ServiceAccounts are the agents' ServiceAccounts, "namespace/name".
	ServiceAccounts []string
}

// Validate checks that each ServiceAccount is namespace/name.
func (i Identities) Validate() error {
	for _, sa := range i.ServiceAccounts {
		ns, name, ok := strings.Cut(sa, "/")
		if !ok || len(validation.IsDNS1123Label(ns)) > 0 || len(validation.IsDNS1123Subdomain(name)) > 0 {
			return fmt.Errorf("agent ServiceAccount %q: want namespace/name", sa)
		}
	}
	return nil
}

// NodeOf returns the Node of an agent identity. agent is false for any other user;
// node is "" for an agent identity that names no valid Node, which is refused
// everything.
func (i Identities) NodeOf(u user.Info) (node string, agent bool) {
	if u == nil {
		return "", false
	}
	if i.isAgentServiceAccount(u.GetName()) {
		values := u.GetExtra()[NodeNameExtra]
		if len(values) != 1 {
			return "", true
		}
		return validNode(values[0]), true
	}
	inGroup := hasGroup(u, AgentGroup)
	name, prefixed := strings.CutPrefix(u.GetName(), AgentUserPrefix)
	switch {
	case prefixed && inGroup:
		return validNode(name), true
	case prefixed || inGroup:
		// Half an agent identity: never trusted as any Node's.
		return "", true
	}
	return "", false
}

func (i Identities) isAgentServiceAccount(username string) bool {
	for _, sa := range i.ServiceAccounts {
		ns, name, _ := strings.Cut(sa, "/")
		if serviceaccount.MatchesUsername(ns, name, username) {
			return true
		}
	}
	return false
}

func hasGroup(u user.Info, group string) bool {
	for _, g := range u.GetGroups() {
		if g == group {
			return true
		}
	}
	return false
}

// validNode returns name if it can be a Node's name, "" otherwise.
func validNode(name string) string {
	if len(validation.IsDNS1123Subdomain(name)) > 0 {
		return ""
	}
	return name
}
