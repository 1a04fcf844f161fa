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
	"k8s.io/apimachinery/pkg/labels"

	"github.com/strata-net/strata/apiserver/policy/grouping"
)

// The methods below are how informer handlers (and tests) tell the computation what
// changed. They only record the change; the processing loop does the work.

// UpsertPod records a new or changed Pod. The Pod is not modified afterwards, but
// for its members' Memo made here when it has none yet.
func (c *Compiler) UpsertPod(p *grouping.Pod) {
	memoizeMembers(p)
	c.mu.Lock()
	c.index.UpsertPod(p)
	c.mu.Unlock()
	c.signal()
}

// DeletePod records a deleted Pod.
func (c *Compiler) DeletePod(namespace, name string) {
	c.mu.Lock()
	c.index.DeletePod(namespace, name)
	c.mu.Unlock()
	c.signal()
}

// UpsertNamespace records a new Namespace or new labels of a Namespace.
func (c *Compiler) UpsertNamespace(name string, l labels.Set) {
	c.mu.Lock()
	c.index.UpsertNamespace(name, l)
	c.markPerNamespacePolicies()
	c.mu.Unlock()
	c.signal()
}

// DeleteNamespace records a deleted Namespace.
func (c *Compiler) DeleteNamespace(name string) {
	c.mu.Lock()
	c.index.DeleteNamespace(name)
	c.markPerNamespacePolicies()
	c.setNamespaceLoggingLocked(name, false)
	c.mu.Unlock()
	c.signal()
}

// markPerNamespacePolicies marks the policies compiled per Namespace: their rules
// follow the set of Namespaces.
func (c *Compiler) markPerNamespacePolicies() {
	for key := range c.perNamespace {
		c.dirty.policies.Insert(key)
	}
}

// ClusterNetworkPolicyChanged records a change of a ClusterNetworkPolicy.
func (c *Compiler) ClusterNetworkPolicyChanged(name string) { c.markPolicy(acnpKey(name)) }

// UpstreamClusterNetworkPolicyChanged records a change of an upstream
// ClusterNetworkPolicy (policy.networking.k8s.io).
func (c *Compiler) UpstreamClusterNetworkPolicyChanged(name string) { c.markPolicy(cnpKey(name)) }

// AntreaNetworkPolicyChanged records a change of an Antrea NetworkPolicy (ANNP).
func (c *Compiler) AntreaNetworkPolicyChanged(namespace, name string) {
	c.markPolicy(annpKey(namespace, name))
}

// GroupChanged records a change of a Group.
func (c *Compiler) GroupChanged(namespace, name string) {
	c.mu.Lock()
	c.dirty.clusterGroups.Insert(namespacedGroupKey(namespace, name))
	c.mu.Unlock()
	c.signal()
}

// K8sNetworkPolicyChanged records a change of a Kubernetes NetworkPolicy.
func (c *Compiler) K8sNetworkPolicyChanged(namespace, name string) {
	c.markPolicy(k8sNPKey(namespace, name))
}

func (c *Compiler) markPolicy(key string) {
	c.mu.Lock()
	c.dirty.policies.Insert(key)
	c.mu.Unlock()
	c.signal()
}

// TierChanged records a new or changed Tier: the policies waiting for it, and those in
// it, are compiled again.
func (c *Compiler) TierChanged(name string) {
	c.mu.Lock()
	for key, tier := range c.waitingForTier {
		if tier == name {
			c.dirty.policies.Insert(key)
		}
	}
	for key, p := range c.policies {
		if p.np.TierPriority != nil && p.tier == name {
			c.dirty.policies.Insert(key)
		}
	}
	c.mu.Unlock()
	c.signal()
}

// ClusterGroupChanged records a change of a ClusterGroup.
func (c *Compiler) ClusterGroupChanged(name string) {
	c.mu.Lock()
	c.dirty.clusterGroups.Insert(name)
	c.mu.Unlock()
	c.signal()
}

// ServiceChanged records a change of a Service: the ClusterGroups referring to it,
// and the policies whose toServices name it, are compiled again.
func (c *Compiler) ServiceChanged(namespace, name string) {
	key := namespace + "/" + name
	c.mu.Lock()
	for cgName, g := range c.clusterGroups {
		if g.service == key {
			c.dirty.clusterGroups.Insert(cgName)
		}
	}
	for pKey, p := range c.policies {
		if p.services.Has(key) {
			c.dirty.policies.Insert(pKey)
		}
	}
	c.mu.Unlock()
	c.signal()
}
