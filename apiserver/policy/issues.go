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
	"github.com/strata-net/strata/apis/controlplane"
)

// Issue is one reason an Antrea-native policy, or an upstream
// ClusterNetworkPolicy, is not realizable exactly as written. It shows in the policy's Realizable condition, and the phase is not
// Realized while there is one.
type Issue struct {
	Reason  string
	Message string
}

// The reasons of a False Realizable condition.
const (
	// reasonUnsupportedField: the policy (or a group it uses) carries a field this
	// version does not enforce, written by an older version; admission refuses it now.
	reasonUnsupportedField = "UnsupportedField"
	// reasonGroupNotFound: a referenced ClusterGroup or Group (or a child) does not exist.
	reasonGroupNotFound = "GroupNotFound"
	// reasonGroupBeyondNamespace: an ANNP's appliedTo Group selects Pods of other
	// Namespaces.
	reasonGroupBeyondNamespace = "GroupBeyondNamespace"
	// reasonTierNotFound: the policy's Tier does not exist; nothing of it is computed.
	reasonTierNotFound = "TierNotFound"
	// reasonServiceNotFound: a Service that toServices name does not exist; the
	// rule matches nothing of it until it does.
	reasonServiceNotFound = "ServiceNotFound"
	// reasonNotEnforceable: an upstream ClusterNetworkPolicy's rule has a value this
	// version understands but cannot enforce exactly (sctp); the rule fails closed.
	reasonNotEnforceable = "NotEnforceable"
)

// IssueSink receives the realizability of the Antrea-native policies: a Sink may
// implement it (strata-apiserver's writes it into status). name is the internal
// NetworkPolicy's name (the source's UID); waitingForTier tells that nothing of the
// policy is computed (its Tier does not exist).
type IssueSink interface {
	PolicyIssues(name string, ref controlplane.NetworkPolicyReference, generation int64, issues []Issue, waitingForTier bool)
	ForgetPolicy(name string)
}

// reportIssues tells the IssueSink the issues of a compiled Antrea-native policy.
func (c *Compiler) reportIssues(p *policy) {
	s, ok := c.sink.(IssueSink)
	if !ok || p.np.SourceRef == nil || p.np.SourceRef.Type == controlplane.K8sNetworkPolicy {
		return
	}
	s.PolicyIssues(p.np.Name, *p.np.SourceRef, p.np.Generation, p.issues, false)
}

// reportWaitingForTier tells the IssueSink that a policy waits for its Tier.
func (c *Compiler) reportWaitingForTier(key string, r compiledPolicy) {
	s, ok := c.sink.(IssueSink)
	if !ok || r.ref == nil {
		return
	}
	if old, ok := c.waitingForTierUIDs[key]; ok && old != r.ref.UID {
		s.ForgetPolicy(string(old))
	}
	c.waitingForTierUIDs[key] = r.ref.UID
	s.PolicyIssues(string(r.ref.UID), *r.ref, r.gen, []Issue{{Reason: reasonTierNotFound,
		Message: "Tier \"" + r.tier + "\" does not exist: nothing of the policy is enforced until it does"}}, true)
}

// forgetWaitingForTier tells the IssueSink that the policy of key no longer waits
// for its Tier: gone, or compiled (under the same UID, its issues replace the
// waiting state).
func (c *Compiler) forgetWaitingForTier(key string, compiled *policy) {
	uid, ok := c.waitingForTierUIDs[key]
	if !ok {
		return
	}
	delete(c.waitingForTierUIDs, key)
	if s, ok := c.sink.(IssueSink); ok && (compiled == nil || compiled.np.UID != uid) {
		s.ForgetPolicy(string(uid))
	}
}
