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

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/strata-net/strata/apiserver/policy/grouping"
)

// podFromAPI converts a Pod into what the grouping index keeps: labels (with the
// ServiceAccount as a label), Node, IPs, named ports and the exclusion flags.
func podFromAPI(p *corev1.Pod) *grouping.Pod {
	l := labels.Set(p.Labels) // informer objects are never modified: shared
	if p.Spec.ServiceAccountName != "" {
		l = make(labels.Set, len(p.Labels)+1)
		for k, v := range p.Labels {
			l[k] = v
		}
		l[serviceAccountLabel] = p.Spec.ServiceAccountName
	}
	gp := &grouping.Pod{
		Namespace:   p.Namespace,
		Name:        p.Name,
		UID:         p.UID,
		Labels:      l,
		NodeName:    p.Spec.NodeName,
		HostNetwork: p.Spec.HostNetwork,
		Terminated:  p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed,
	}
	if len(p.Status.PodIPs) > 0 {
		gp.IPs = make([][]byte, 0, len(p.Status.PodIPs))
	}
	for _, ip := range p.Status.PodIPs {
		if parsed := net.ParseIP(ip.IP); parsed != nil {
			if v4 := parsed.To4(); v4 != nil {
				parsed = v4
			}
			gp.IPs = append(gp.IPs, parsed)
		}
	}
	for _, c := range p.Spec.Containers {
		for _, port := range c.Ports {
			if port.Name != "" {
				gp.Ports = append(gp.Ports, grouping.NamedPort{Name: port.Name, Port: port.ContainerPort, Protocol: string(port.Protocol)})
			}
		}
	}
	return gp
}
