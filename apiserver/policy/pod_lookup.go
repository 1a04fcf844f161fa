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
	"net"

	"github.com/strata-net/strata/apiserver/policy/grouping"
)

// LookupPod returns the computation's view of a Pod (do not modify it).
func (c *Controller) LookupPod(namespace, name string) (*grouping.Pod, bool) {
	obj, ok, err := c.pods.GetByKey(namespace + "/" + name)
	if err != nil || !ok {
		return nil, false
	}
	cp, ok := obj.(*cachedPod)
	if !ok {
		return nil, false
	}
	return cp.pod, true
}

// PodByIP returns the running, non-host-network Pod that has ip (a scan of the
// Pods: for requests such as explain, not for the computation).
func (c *Controller) PodByIP(ip net.IP) (*grouping.Pod, bool) {
	for _, obj := range c.pods.List() {
		cp, ok := obj.(*cachedPod)
		if !ok || cp.pod.HostNetwork || cp.pod.Terminated {
			continue
		}
		for _, a := range cp.pod.IPs {
			if net.IP(a).Equal(ip) {
				return cp.pod, true
			}
		}
	}
	return nil, false
}
