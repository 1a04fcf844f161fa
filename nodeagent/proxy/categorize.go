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

package proxy

// usableEndpoints picks, from the deduplicated and sorted candidates of one
// Service port, the backends of each traffic policy, by Kubernetes' rule
// (kube-proxy's CategorizeEndpoints): Cluster uses the ready endpoints, or,
// when none is ready, the serving terminating ones; Local the same among the
// endpoints on this Node only. kube-proxy runs one proxier per IP family,
// so the rule applies to each family on its own: ready IPv6 endpoints do not
// keep terminating IPv4 ones out of the IPv4 set. Topology hints
// (trafficDistribution, hints.forZones/forNodes) are ignored: every usable
// endpoint is used.
func usableEndpoints(cs []candidate) (cluster, local []Endpoint) {
	if len(cs) > 0 {
		cluster = make([]Endpoint, 0, len(cs))
	}
	for len(cs) > 0 {
		n := familyRun(cs)
		cluster = appendUsable(cluster, cs[:n], false)
		local = appendUsable(local, cs[:n], true)
		cs = cs[n:]
	}
	if len(cluster) == 0 {
		cluster = nil
	}
	return cluster, local
}

// familyRun is the number of leading candidates of cs[0]'s family (sorted
// candidates have IPv4 first).
func familyRun(cs []candidate) int {
	for i := range cs {
		if cs[i].IP.Is4() != cs[0].IP.Is4() {
			return i
		}
	}
	return len(cs)
}

// appendUsable appends the ready candidates of cs (local ones only when
// localOnly) to dst, or, when there are none, the serving terminating ones.
func appendUsable(dst []Endpoint, cs []candidate, localOnly bool) []Endpoint {
	start := len(dst)
	for _, c := range cs {
		if c.ready && (c.Local || !localOnly) {
			dst = append(dst, c.Endpoint)
		}
	}
	if len(dst) > start {
		return dst
	}
	for _, c := range cs {
		if c.serving && c.terminating && (c.Local || !localOnly) {
			dst = append(dst, c.Endpoint)
		}
	}
	return dst
}
