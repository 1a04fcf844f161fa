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

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/klog/v2"
)

// ServicePorts computes the ports of svc this Node proxies, one per valid
// spec.ports entry in spec order, from svc and its EndpointSlices (those
// labelled kubernetes.io/service-name=svc in its namespace; others are
// ignored). It returns nil when svc is not proxied (headless, ExternalName,
// labelled service.kubernetes.io/service-proxy-name) or has no valid port.
// Invalid data (addresses, ports, protocols) is logged and skipped, never
// fatal. Each ServicePort owns its slices.
func ServicePorts(ctx context.Context, svc *corev1.Service, eps []*discoveryv1.EndpointSlice, nodeName string) []ServicePort {
	if reason := skipReason(svc); reason != "" {
		klog.FromContext(ctx).V(4).Info("Service not proxied", "service", klog.KObj(svc), "reason", reason)
		return nil
	}
	ips := clusterIPs(ctx, svc)
	if len(ips) == 0 {
		return nil
	}
	candidates := collectEndpoints(ctx, svc, eps, ips, nodeName)
	ports := make([]ServicePort, 0, len(svc.Spec.Ports))
	for i := range svc.Spec.Ports {
		sp, ok := frontend(ctx, svc, &svc.Spec.Ports[i], ips)
		if !ok {
			continue
		}
		if hasPort(ports, sp.Key) {
			klog.FromContext(ctx).Error(nil, "Ignoring repeated Service port", "service", klog.KObj(svc), "port", sp.Key)
			continue
		}
		sp.ClusterEndpoints, sp.LocalEndpoints = usableEndpoints(candidates[portID{name: sp.Key.PortName, protocol: sp.Key.Protocol}])
		ports = append(ports, sp)
	}
	if len(ports) == 0 {
		return nil
	}
	return ports
}

func hasPort(ports []ServicePort, k PortKey) bool {
	for i := range ports {
		if ports[i].Key == k {
			return true
		}
	}
	return false
}
