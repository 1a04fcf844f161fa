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
	"github.com/strata-net/strata/apiserver/policy/grouping"
)

// appliedToMember returns the AppliedToGroup member of a Pod, or nil when the Pod is
// excluded: not scheduled, host-network or terminated.
func appliedToMember(p *grouping.Pod) *controlplane.GroupMember {
	if p.NodeName == "" || p.HostNetwork || p.Terminated {
		return nil
	}
	return &controlplane.GroupMember{
		Pod:   &controlplane.PodReference{Name: p.Name, Namespace: p.Namespace},
		Ports: namedPorts(p.Ports),
	}
}

// addressMember returns the AddressGroup member of a Pod, or nil when the Pod is
// excluded: host-network, terminated or without an IP.
func addressMember(p *grouping.Pod) *controlplane.GroupMember {
	if p.HostNetwork || p.Terminated || len(p.IPs) == 0 {
		return nil
	}
	ips := make([]controlplane.IPAddress, len(p.IPs))
	for i, ip := range p.IPs {
		ips[i] = controlplane.IPAddress(ip)
	}
	return &controlplane.GroupMember{
		Pod:   &controlplane.PodReference{Name: p.Name, Namespace: p.Namespace},
		IPs:   ips,
		Ports: namedPorts(p.Ports),
	}
}

func namedPorts(ports []grouping.NamedPort) []controlplane.NamedPort {
	if len(ports) == 0 {
		return nil
	}
	out := make([]controlplane.NamedPort, len(ports))
	for i, p := range ports {
		out[i] = controlplane.NamedPort{Name: p.Name, Port: p.Port, Protocol: controlplane.Protocol(p.Protocol)}
	}
	return out
}
