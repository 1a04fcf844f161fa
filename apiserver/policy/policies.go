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
	"strings"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/strata-net/strata/apis/controlplane"
)

// Source keys of policies: "acnp/<name>", "annp/<namespace>/<name>",
// "k8s/<namespace>/<name>" and, for an upstream ClusterNetworkPolicy
// (policy.networking.k8s.io), "cnp/<name>".
func acnpKey(name string) string             { return "acnp/" + name }
func cnpKey(name string) string              { return "cnp/" + name }
func annpKey(namespace, name string) string  { return "annp/" + namespace + "/" + name }
func k8sNPKey(namespace, name string) string { return "k8s/" + namespace + "/" + name }

// policy is a compiled policy and what it uses.
type policy struct {
	key           string
	np            *controlplane.NetworkPolicy
	groups        map[groupID]groupSource
	appliedTo     []string         // every AppliedToGroup name, policy- and rule-level
	addresses     []string         // every AddressGroup name
	clusterGroups sets.Set[string] // ClusterGroups it references; nil when none
	services      sets.Set[string] // "namespace/name" of the Services its toServices name; nil when none
	perNamespace  bool             // compiled per Namespace (namespaces: match Self)
	tier          string           // the Tier named by an Antrea-native policy
	issues        []Issue          // why it is not realizable exactly as written
	span          *nodeSpan
	published     bool
	changed       bool // np differs from the published one
}

// compiledPolicy is a policy compiled from its source object: nil when the source
// is gone or waits for its Tier, waitingForTier when it is an Antrea-native policy
// whose Tier does not exist.
type compiledPolicy struct {
	p              *policy
	waitingForTier bool
	tier           string                               // the missing Tier of a waiting policy
	ref            *controlplane.NetworkPolicyReference // the source of a waiting policy
	gen            int64                                // its generation
}

// syncDirtyPolicies compiles every dirty policy again, in parallel (compiling only
// reads the sources, the index and the ClusterGroups), and applies each in turn as
// soon as it is compiled.
func (c *Compiler) syncDirtyPolicies() {
	keys := make([]string, 0, c.dirty.policies.Len())
	for key := range c.dirty.policies {
		keys = append(keys, key)
	}
	results := make([]compiledPolicy, len(keys))
	orderedFanOut(len(keys), func(i int) { results[i] = c.compile(keys[i]) }, func(i int) {
		c.applyPolicy(keys[i], results[i])
		results[i] = compiledPolicy{}
	})
}

// applyPolicy records a compiled policy and the groups it uses; a policy whose
// source is gone, or whose Tier does not exist, is removed.
func (c *Compiler) applyPolicy(key string, r compiledPolicy) {
	compiled := r.p
	old := c.policies[key]
	if r.waitingForTier {
		c.waitingForTier[key] = r.tier
		c.reportWaitingForTier(key, r)
	} else {
		delete(c.waitingForTier, key)
		c.forgetWaitingForTier(key, compiled)
	}
	if old != nil {
		c.setClusterGroupUsers(key, old.clusterGroups, nil)
	}
	if compiled == nil {
		if old != nil {
			c.removePolicy(old)
		}
		return
	}
	c.setClusterGroupUsers(key, nil, compiled.clusterGroups)
	if compiled.perNamespace {
		c.perNamespace.Insert(key)
	} else {
		c.perNamespace.Delete(key)
	}
	for id, src := range compiled.groups {
		c.groups.acquire(id, src, key)
	}
	if old != nil && old.published && old.np.Name != compiled.np.Name {
		// Deleted and created again under the same name: a new UID, a new object.
		if err := c.sink.DeleteNetworkPolicy(old.np.Name); err != nil {
			c.reportSinkError("NetworkPolicy", old.np.Name, err)
		}
		old.published = false
	}
	if old != nil {
		for id := range old.groups {
			if _, kept := compiled.groups[id]; !kept {
				c.groups.release(id, key)
				c.markAddressSpan(id)
			}
		}
		// Groups it uses now and did not before take the policy's span even
		// when that span does not change (publishPolicy only spreads a changed one).
		for id := range compiled.groups {
			if _, had := old.groups[id]; !had {
				c.markAddressSpan(id)
			}
		}
		compiled.span, compiled.published = old.span, old.published
		compiled.changed = !equality.Semantic.DeepEqual(old.np, compiled.np)
	} else {
		compiled.changed = true
	}
	c.policies[key] = compiled
	c.dirty.spans.Insert(key)
	c.reportIssues(compiled)
}

// compile compiles a policy from its source object. It writes nothing of the
// Compiler's, so policies can be compiled concurrently.
func (c *Compiler) compile(key string) compiledPolicy {
	kind, rest, _ := strings.Cut(key, "/")
	switch kind {
	case "acnp":
		if src, ok := c.sources.ClusterNetworkPolicy(rest); ok {
			return c.compileAntrea(acnpSource(src))
		}
	case "annp":
		ns, name, _ := strings.Cut(rest, "/")
		if src, ok := c.sources.AntreaNetworkPolicy(ns, name); ok {
			return c.compileAntrea(annpSource(src))
		}
	case "k8s":
		ns, name, _ := strings.Cut(rest, "/")
		if src, ok := c.sources.K8sNetworkPolicy(ns, name); ok {
			return compiledPolicy{p: c.compileK8sNetworkPolicy(src)}
		}
	case "cnp":
		if src, ok := c.sources.UpstreamClusterNetworkPolicy(rest); ok {
			return compiledPolicy{p: c.compileUpstreamCNP(src)}
		}
	}
	return compiledPolicy{}
}

func (c *Compiler) compileAntrea(src *antreaSource) compiledPolicy {
	if p, ok := c.compileAntreaPolicy(src); ok {
		return compiledPolicy{p: p}
	}
	ref := src.ref()
	return compiledPolicy{waitingForTier: true, tier: src.tier, ref: &ref, gen: src.meta.Generation}
}

// setClusterGroupUsers moves a policy's entries in the ClusterGroup reverse index.
func (c *Compiler) setClusterGroupUsers(key string, remove, add sets.Set[string]) {
	for name := range remove {
		if users := c.clusterGroupUsers[name]; users != nil {
			users.Delete(key)
			if users.Len() == 0 {
				delete(c.clusterGroupUsers, name)
			}
		}
	}
	for name := range add {
		if c.clusterGroupUsers[name] == nil {
			c.clusterGroupUsers[name] = sets.New[string]()
		}
		c.clusterGroupUsers[name].Insert(key)
	}
}

func (c *Compiler) removePolicy(p *policy) {
	delete(c.policies, p.key)
	c.perNamespace.Delete(p.key)
	c.dirty.spans.Delete(p.key)
	if p.published {
		if err := c.sink.DeleteNetworkPolicy(p.np.Name); err != nil {
			c.reportSinkError("NetworkPolicy", p.np.Name, err)
		}
	}
	for id := range p.groups {
		c.groups.release(id, p.key)
		c.markAddressSpan(id)
	}
}

func (c *Compiler) markAddressSpan(id groupID) {
	if id.kind == addressKind && c.groups.get(id) != nil {
		c.dirty.addressSpans.Insert(id.name)
	}
}

// syncDirtySpans recomputes the spans of the dirty policies, in parallel (a span
// only reads the policy and its AppliedToGroups), and publishes each policy in turn
// when it or its span changed.
func (c *Compiler) syncDirtySpans() {
	policies := make([]*policy, 0, c.dirty.spans.Len())
	for key := range c.dirty.spans {
		if p := c.policies[key]; p != nil {
			policies = append(policies, p)
		}
	}
	spans := make([]*nodeSpan, len(policies))
	orderedFanOut(len(policies), func(i int) { spans[i] = c.policySpan(policies[i]) }, func(i int) {
		c.publishPolicy(policies[i], spans[i])
	})
}

// policySpan is the union of the spans of a policy's AppliedToGroups.
func (c *Compiler) policySpan(p *policy) *nodeSpan {
	var u spanUnion
	for _, name := range p.appliedTo {
		if g := c.groups.get(groupID{appliedToKind, name}); g != nil {
			u.add(g.span)
		}
	}
	return u.result()
}

// publishPolicy publishes a policy when it or its span changed; a changed span
// marks the spans of its AddressGroups dirty.
func (c *Compiler) publishPolicy(p *policy, span *nodeSpan) {
	spanChanged := !p.published || !span.equal(p.span)
	if !spanChanged && !p.changed {
		return
	}
	if err := c.sink.UpsertNetworkPolicy(p.np, span.nodes); err != nil {
		c.reportSinkError("NetworkPolicy", p.np.Name, err)
		return
	}
	p.span, p.published, p.changed = span, true, false
	if spanChanged {
		for _, name := range p.addresses {
			c.dirty.addressSpans.Insert(name)
		}
	}
}

// syncAddressSpan recomputes an AddressGroup's span: the union of the spans of the
// policies that use it.
func (c *Compiler) syncAddressSpan(name string) {
	g := c.groups.get(groupID{addressKind, name})
	if g == nil {
		return
	}
	var u spanUnion
	for key := range g.refs.All() {
		if p := c.policies[key]; p != nil {
			u.add(p.span)
		}
	}
	if span := u.result(); !g.published || !span.equal(g.span) {
		g.span = span
		c.dirty.addressPublish.Insert(name)
	}
}
