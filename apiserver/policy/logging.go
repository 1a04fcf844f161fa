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

import "strings"

// NamespaceLoggingAnnotation, set to "true" on a Namespace, turns on the audit log
// of the Kubernetes NetworkPolicies in it: every rule of their internal
// NetworkPolicies gets enableLogging, so agents log the connections those rules
// allow and the isolation drops of the Pods they select.
const NamespaceLoggingAnnotation = "networkpolicy.antrea.io/enable-logging"

// NamespaceLogging tells whether a Namespace's annotations turn logging on.
func NamespaceLogging(annotations map[string]string) bool {
	return annotations[NamespaceLoggingAnnotation] == "true"
}

// SetNamespaceLogging records whether the K8s NetworkPolicies of a Namespace log.
// When that changes, only the K8s NetworkPolicies of that Namespace are compiled
// again.
func (c *Compiler) SetNamespaceLogging(namespace string, enabled bool) {
	c.mu.Lock()
	changed := c.setNamespaceLoggingLocked(namespace, enabled)
	c.mu.Unlock()
	if changed {
		c.signal()
	}
}

func (c *Compiler) setNamespaceLoggingLocked(namespace string, enabled bool) bool {
	if c.loggingNamespaces.Has(namespace) == enabled {
		return false
	}
	if enabled {
		c.loggingNamespaces.Insert(namespace)
	} else {
		c.loggingNamespaces.Delete(namespace)
	}
	prefix := k8sNPKey(namespace, "")
	for key := range c.policies {
		if strings.HasPrefix(key, prefix) {
			c.dirty.policies.Insert(key)
		}
	}
	return true
}
