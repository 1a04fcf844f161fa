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
	"net/netip"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
)

// LabelServiceProxyName marks a Service that another proxy implements;
// kube-proxy, and this Tracker, leave it alone.
const LabelServiceProxyName = "service.kubernetes.io/service-proxy-name"

// skipReason tells why svc is not proxied, or "" when it is: as kube-proxy,
// only Services with a cluster IP (not headless), not ExternalName, and not
// labelled for another proxy.
func skipReason(svc *corev1.Service) string {
	if _, ok := svc.Labels[LabelServiceProxyName]; ok {
		return "labelled " + LabelServiceProxyName
	}
	if svc.Spec.Type == corev1.ServiceTypeExternalName {
		return "type ExternalName"
	}
	if ip := svc.Spec.ClusterIP; ip == "" || ip == corev1.ClusterIPNone {
		return "headless or no cluster IP"
	}
	return ""
}

// clusterIPs parses spec.clusterIPs (spec.clusterIP when clusterIPs is
// empty, as an object from an old API server may have), skipping and
// logging what does not parse and repeated families.
func clusterIPs(ctx context.Context, svc *corev1.Service) []netip.Addr {
	raw := svc.Spec.ClusterIPs
	if len(raw) == 0 {
		raw = []string{svc.Spec.ClusterIP}
	}
	ips := make([]netip.Addr, 0, len(raw))
	for _, s := range raw {
		ip, ok := parseIP(s)
		if !ok || hasFamily(ips, ip) {
			klog.FromContext(ctx).Error(nil, "Ignoring invalid cluster IP", "service", klog.KObj(svc), "clusterIP", s)
			continue
		}
		ips = append(ips, ip)
	}
	return ips
}

// frontend is the Service side of spec.ports[i]: everything but the
// endpoints. ok is false, and the port logged, when the port is invalid.
func frontend(ctx context.Context, svc *corev1.Service, p *corev1.ServicePort, ips []netip.Addr) (sp ServicePort, ok bool) {
	proto, okProto := parseProtocol(p.Protocol)
	port, okPort := portNumber(p.Port, 1)
	nodePort, okNodePort := portNumber(p.NodePort, 0)
	if !okProto || !okPort || !okNodePort {
		klog.FromContext(ctx).Error(nil, "Ignoring invalid Service port", "service", klog.KObj(svc),
			"portName", p.Name, "protocol", p.Protocol, "port", p.Port, "nodePort", p.NodePort)
		return ServicePort{}, false
	}
	external := hasNodePorts(svc)
	if !external {
		nodePort = 0
	}
	return ServicePort{
		Key:             PortKey{Service: ServiceRef{Namespace: svc.Namespace, Name: svc.Name}, PortName: p.Name, Protocol: proto},
		ClusterIPs:      append([]netip.Addr(nil), ips...),
		Port:            port,
		NodePort:        nodePort,
		AffinityTimeout: affinityTimeout(svc),
		InternalLocal:   svc.Spec.InternalTrafficPolicy != nil && *svc.Spec.InternalTrafficPolicy == corev1.ServiceInternalTrafficPolicyLocal,
		ExternalLocal:   external && svc.Spec.ExternalTrafficPolicy == corev1.ServiceExternalTrafficPolicyLocal,
	}, true
}

// hasNodePorts tells whether svc's type allocates NodePorts.
func hasNodePorts(svc *corev1.Service) bool {
	return svc.Spec.Type == corev1.ServiceTypeNodePort || svc.Spec.Type == corev1.ServiceTypeLoadBalancer
}

// affinityTimeout is sessionAffinity ClientIP's timeout, 10800s when the
// Service does not set it (the API server's default); 0 without affinity.
func affinityTimeout(svc *corev1.Service) time.Duration {
	if svc.Spec.SessionAffinity != corev1.ServiceAffinityClientIP {
		return 0
	}
	seconds := corev1.DefaultClientIPServiceAffinitySeconds
	if c := svc.Spec.SessionAffinityConfig; c != nil && c.ClientIP != nil && c.ClientIP.TimeoutSeconds != nil &&
		*c.ClientIP.TimeoutSeconds > 0 {
		seconds = *c.ClientIP.TimeoutSeconds
	}
	return time.Duration(seconds) * time.Second
}
