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
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/klog/v2/ktesting"
	"k8s.io/utils/ptr"
)

type computeCase struct {
	name   string
	svc    *corev1.Service
	slices []*discoveryv1.EndpointSlice
	want   []ServicePort
}

func runComputeCases(t *testing.T, cases []computeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, ctx := ktesting.NewTestContext(t)
			got := ServicePorts(ctx, tc.svc, tc.slices, testNode)
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateComparable(netip.Addr{}), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ServicePorts (-want +got):\n%s", diff)
			}
		})
	}
}

const v4, v6 = discoveryv1.AddressTypeIPv4, discoveryv1.AddressTypeIPv6

// oneReady is the slice of web with one ready endpoint on this Node.
var oneReady = []*discoveryv1.EndpointSlice{slice("web-1", "web", v4, []string{"http:8080"}, ep("10.0.0.1", testNode, readyC))}

func withEndpoints(cluster, local []Endpoint) func(*ServicePort) {
	return func(p *ServicePort) { p.ClusterEndpoints, p.LocalEndpoints = cluster, local }
}

// TestServicePortsServiceRules covers which Services are proxied and the
// Service side of their ports.
func TestServicePortsServiceRules(t *testing.T) {
	local := withEndpoints(eps("10.0.0.1:8080@node-a"), eps("10.0.0.1:8080@node-a"))
	runComputeCases(t, []computeCase{
		{name: "ClusterIP", svc: service("web"), slices: oneReady, want: []ServicePort{httpPort("web", local)}},
		{name: "headless is not proxied", svc: service("web", withClusterIPs("None")), slices: oneReady},
		{name: "no cluster IP is not proxied", svc: service("web", withClusterIPs()), slices: oneReady},
		{name: "ExternalName is not proxied", slices: oneReady,
			svc: service("web", withType(corev1.ServiceTypeExternalName), func(s *corev1.Service) { s.Spec.ExternalName = "example.com" })},
		{name: "service-proxy-name label is another proxy's", slices: oneReady,
			svc: service("web", withLabel(LabelServiceProxyName, "other"))},
		{name: "no ports", svc: service("web", withPorts()), slices: oneReady},
		{name: "clusterIP only, without clusterIPs", slices: oneReady,
			svc:  service("web", func(s *corev1.Service) { s.Spec.ClusterIPs = nil }),
			want: []ServicePort{httpPort("web", local)}},
		{name: "NodePort with externalTrafficPolicy Local", slices: oneReady,
			svc: service("web", withType(corev1.ServiceTypeNodePort), func(s *corev1.Service) {
				s.Spec.Ports[0].NodePort = 30080
				s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyLocal
			}),
			want: []ServicePort{httpPort("web", local, func(p *ServicePort) { p.NodePort, p.ExternalLocal = 30080, true })}},
		{name: "LoadBalancer with a NodePort", slices: oneReady,
			svc:  service("web", withType(corev1.ServiceTypeLoadBalancer), func(s *corev1.Service) { s.Spec.Ports[0].NodePort = 31000 }),
			want: []ServicePort{httpPort("web", local, func(p *ServicePort) { p.NodePort = 31000 })}},
		{name: "LoadBalancer without NodePorts (allocateLoadBalancerNodePorts false)", slices: oneReady,
			svc: service("web", withType(corev1.ServiceTypeLoadBalancer), func(s *corev1.Service) {
				s.Spec.AllocateLoadBalancerNodePorts = ptr.To(false)
				s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyLocal
			}),
			want: []ServicePort{httpPort("web", local, func(p *ServicePort) { p.ExternalLocal = true })}},
		{name: "ClusterIP ignores nodePort and externalTrafficPolicy", slices: oneReady,
			svc: service("web", func(s *corev1.Service) {
				s.Spec.Ports[0].NodePort = 30080
				s.Spec.ExternalTrafficPolicy = corev1.ServiceExternalTrafficPolicyLocal
			}),
			want: []ServicePort{httpPort("web", local)}},
		{name: "internalTrafficPolicy Local", slices: oneReady,
			svc: service("web", func(s *corev1.Service) {
				s.Spec.InternalTrafficPolicy = ptr.To(corev1.ServiceInternalTrafficPolicyLocal)
			}),
			want: []ServicePort{httpPort("web", local, func(p *ServicePort) { p.InternalLocal = true })}},
		{name: "internalTrafficPolicy Cluster", slices: oneReady,
			svc: service("web", func(s *corev1.Service) {
				s.Spec.InternalTrafficPolicy = ptr.To(corev1.ServiceInternalTrafficPolicyCluster)
			}),
			want: []ServicePort{httpPort("web", local)}},
		{name: "ClientIP affinity without timeout takes 10800s", slices: oneReady,
			svc:  service("web", func(s *corev1.Service) { s.Spec.SessionAffinity = corev1.ServiceAffinityClientIP }),
			want: []ServicePort{httpPort("web", local, func(p *ServicePort) { p.AffinityTimeout = 10800 * time.Second })}},
		{name: "ClientIP affinity with a timeout", slices: oneReady,
			svc: service("web", func(s *corev1.Service) {
				s.Spec.SessionAffinity = corev1.ServiceAffinityClientIP
				s.Spec.SessionAffinityConfig = &corev1.SessionAffinityConfig{ClientIP: &corev1.ClientIPConfig{TimeoutSeconds: ptr.To[int32](60)}}
			}),
			want: []ServicePort{httpPort("web", local, func(p *ServicePort) { p.AffinityTimeout = time.Minute })}},
		{name: "affinity None ignores its config", slices: oneReady,
			svc: service("web", func(s *corev1.Service) {
				s.Spec.SessionAffinity = corev1.ServiceAffinityNone
				s.Spec.SessionAffinityConfig = &corev1.SessionAffinityConfig{ClientIP: &corev1.ClientIPConfig{TimeoutSeconds: ptr.To[int32](60)}}
			}),
			want: []ServicePort{httpPort("web", local)}},
		{name: "UDP and SCTP ports, empty protocol is TCP", svc: service("dns", withPorts(
			corev1.ServicePort{Name: "dns", Protocol: corev1.ProtocolUDP, Port: 53},
			corev1.ServicePort{Name: "sctp", Protocol: corev1.ProtocolSCTP, Port: 99},
			corev1.ServicePort{Name: "tcp", Port: 53})),
			want: []ServicePort{
				{Key: PortKey{ServiceRef{testNS, "dns"}, "dns", UDP}, ClusterIPs: addrs("10.96.0.10"), Port: 53},
				{Key: PortKey{ServiceRef{testNS, "dns"}, "sctp", SCTP}, ClusterIPs: addrs("10.96.0.10"), Port: 99},
				{Key: PortKey{ServiceRef{testNS, "dns"}, "tcp", TCP}, ClusterIPs: addrs("10.96.0.10"), Port: 53},
			}},
	})
}

// TestServicePortsConditions covers the ready / serving / terminating rules
// for the Cluster and Local sets.
func TestServicePortsConditions(t *testing.T) {
	web := func(e ...discoveryv1.Endpoint) []*discoveryv1.EndpointSlice {
		return []*discoveryv1.EndpointSlice{slice("web-1", "web", v4, []string{"http:8080"}, e...)}
	}
	runComputeCases(t, []computeCase{
		{name: "ready endpoints on both Nodes", svc: service("web"),
			slices: web(ep("10.0.0.1", testNode, readyC), ep("10.0.0.2", otherNode, readyC)),
			want: []ServicePort{httpPort("web", withEndpoints(
				eps("10.0.0.1:8080@node-a", "10.0.0.2:8080@node-b"), eps("10.0.0.1:8080@node-a")))}},
		{name: "nil conditions are ready", svc: service("web"),
			slices: web(ep("10.0.0.1", testNode, nilC)),
			want:   []ServicePort{httpPort("web", withEndpoints(eps("10.0.0.1:8080@node-a"), eps("10.0.0.1:8080@node-a")))}},
		{name: "ready ones only when some are ready", svc: service("web"),
			slices: web(ep("10.0.0.1", testNode, termServingC), ep("10.0.0.2", otherNode, readyC), ep("10.0.0.3", otherNode, notReadyC)),
			want: []ServicePort{httpPort("web", withEndpoints(
				eps("10.0.0.2:8080@node-b"), eps("10.0.0.1:8080@node-a")))}},
		{name: "no ready: serving terminating ones, not the others", svc: service("web"),
			slices: web(ep("10.0.0.1", testNode, termServingC), ep("10.0.0.2", otherNode, termServingC),
				ep("10.0.0.3", otherNode, termDownC), ep("10.0.0.4", testNode, notReadyC)),
			want: []ServicePort{httpPort("web", withEndpoints(
				eps("10.0.0.1:8080@node-a", "10.0.0.2:8080@node-b"), eps("10.0.0.1:8080@node-a")))}},
		{name: "serving nil is serving", svc: service("web"),
			slices: web(ep("10.0.0.1", otherNode, discoveryv1.EndpointConditions{Ready: ptr.To(false), Terminating: ptr.To(true)})),
			want:   []ServicePort{httpPort("web", withEndpoints(eps("10.0.0.1:8080@node-b"), nil))}},
		{name: "not ready, serving, not terminating is never used", svc: service("web"),
			slices: web(ep("10.0.0.1", testNode, discoveryv1.EndpointConditions{Ready: ptr.To(false), Serving: ptr.To(true)})),
			want:   []ServicePort{httpPort("web")}},
		{name: "Local falls back on its own: remote ready, local terminating", svc: service("web"),
			slices: web(ep("10.0.0.1", testNode, termServingC), ep("10.0.0.2", otherNode, readyC)),
			want:   []ServicePort{httpPort("web", withEndpoints(eps("10.0.0.2:8080@node-b"), eps("10.0.0.1:8080@node-a")))}},
		{name: "Local: a ready local one hides the terminating local ones", svc: service("web"),
			slices: web(ep("10.0.0.1", testNode, termServingC), ep("10.0.0.2", testNode, readyC)),
			want:   []ServicePort{httpPort("web", withEndpoints(eps("10.0.0.2:8080@node-a"), eps("10.0.0.2:8080@node-a")))}},
		{name: "Local: none on this Node", svc: service("web"),
			slices: web(ep("10.0.0.2", otherNode, readyC), ep("10.0.0.3", "", readyC)),
			want:   []ServicePort{httpPort("web", withEndpoints(eps("10.0.0.2:8080@node-b", "10.0.0.3:8080"), nil))}},
		{name: "no usable endpoint", svc: service("web"),
			slices: web(ep("10.0.0.1", testNode, termDownC), ep("10.0.0.2", otherNode, notReadyC)),
			want:   []ServicePort{httpPort("web")}},
		{name: "no slice", svc: service("web"), want: []ServicePort{httpPort("web")}},
		{name: "topology hints are ignored", svc: service("web"),
			slices: web(func() discoveryv1.Endpoint {
				e := ep("10.0.0.2", otherNode, readyC)
				e.Hints = &discoveryv1.EndpointHints{ForZones: []discoveryv1.ForZone{{Name: "elsewhere"}}}
				return e
			}(), ep("10.0.0.1", testNode, readyC)),
			want: []ServicePort{httpPort("web", withEndpoints(
				eps("10.0.0.1:8080@node-a", "10.0.0.2:8080@node-b"), eps("10.0.0.1:8080@node-a")))}},
	})
}

// TestServicePortsFamilies covers single- and dual-stack Services.
func TestServicePortsFamilies(t *testing.T) {
	dual := withClusterIPs("10.96.0.10", "fd00::10")
	six := withClusterIPs("fd00::10")
	slices := func(v4c, v6c discoveryv1.EndpointConditions) []*discoveryv1.EndpointSlice {
		return []*discoveryv1.EndpointSlice{
			slice("web-v6", "web", v6, []string{"http:8080"}, ep("fd00::1", testNode, v6c)),
			slice("web-v4", "web", v4, []string{"http:8080"}, ep("10.0.0.1", otherNode, v4c)),
		}
	}
	dualPort := func(cluster, local []Endpoint) ServicePort {
		return httpPort("web", withEndpoints(cluster, local), func(p *ServicePort) { p.ClusterIPs = addrs("10.96.0.10", "fd00::10") })
	}
	runComputeCases(t, []computeCase{
		{name: "dual-stack takes both families, IPv4 first", svc: service("web", dual), slices: slices(readyC, readyC),
			want: []ServicePort{dualPort(eps("10.0.0.1:8080@node-b", "[fd00::1]:8080@node-a"), eps("[fd00::1]:8080@node-a"))}},
		{name: "IPv4-only ignores IPv6 slices", svc: service("web"), slices: slices(readyC, readyC),
			want: []ServicePort{httpPort("web", withEndpoints(eps("10.0.0.1:8080@node-b"), nil))}},
		{name: "IPv6-only ignores IPv4 slices", svc: service("web", six), slices: slices(readyC, readyC),
			want: []ServicePort{httpPort("web", withEndpoints(eps("[fd00::1]:8080@node-a"), eps("[fd00::1]:8080@node-a")),
				func(p *ServicePort) { p.ClusterIPs = addrs("fd00::10") })}},
		{name: "fallback per family: terminating IPv4 beside ready IPv6", svc: service("web", dual), slices: slices(termServingC, readyC),
			want: []ServicePort{dualPort(eps("10.0.0.1:8080@node-b", "[fd00::1]:8080@node-a"), eps("[fd00::1]:8080@node-a"))}},
		{name: "FQDN slices are ignored", svc: service("web"),
			slices: []*discoveryv1.EndpointSlice{slice("web-fqdn", "web", discoveryv1.AddressTypeFQDN, []string{"http:8080"},
				ep("db.example.com", testNode, readyC))},
			want: []ServicePort{httpPort("web")}},
	})
}

// TestServicePortsSlices covers several slices, duplicates, port matching
// and ordering.
func TestServicePortsSlices(t *testing.T) {
	twoPorts := withPorts(corev1.ServicePort{Name: "http", Protocol: corev1.ProtocolTCP, Port: 80},
		corev1.ServicePort{Name: "metrics", Protocol: corev1.ProtocolTCP, Port: 9000})
	metricsPort := func(cluster, local []Endpoint) ServicePort {
		return httpPort("web", withEndpoints(cluster, local), func(p *ServicePort) { p.Key.PortName, p.Port = "metrics", 9000 })
	}
	runComputeCases(t, []computeCase{
		{name: "endpoints of several slices, sorted by address then port", svc: service("web"),
			slices: []*discoveryv1.EndpointSlice{
				slice("web-b", "web", v4, []string{"http:8080"}, ep("10.0.0.9", otherNode, readyC), ep("10.0.0.10", otherNode, readyC)),
				slice("web-a", "web", v4, []string{"http:7070"}, ep("10.0.0.9", otherNode, readyC), ep("10.0.0.2", testNode, readyC)),
			},
			want: []ServicePort{httpPort("web", withEndpoints(
				eps("10.0.0.2:7070@node-a", "10.0.0.9:7070@node-b", "10.0.0.9:8080@node-b", "10.0.0.10:8080@node-b"),
				eps("10.0.0.2:7070@node-a")))}},
		{name: "an endpoint in two slices counts once", svc: service("web"),
			slices: []*discoveryv1.EndpointSlice{
				slice("web-a", "web", v4, []string{"http:8080"}, ep("10.0.0.1", testNode, readyC)),
				slice("web-b", "web", v4, []string{"http:8080"}, ep("10.0.0.1", testNode, readyC), ep("10.0.0.2", otherNode, readyC)),
			},
			want: []ServicePort{httpPort("web", withEndpoints(
				eps("10.0.0.1:8080@node-a", "10.0.0.2:8080@node-b"), eps("10.0.0.1:8080@node-a")))}},
		{name: "of duplicates the non-terminating one wins, whatever the slice order", svc: service("web"),
			slices: []*discoveryv1.EndpointSlice{
				slice("web-a", "web", v4, []string{"http:8080"}, ep("10.0.0.1", otherNode, termServingC)),
				slice("web-b", "web", v4, []string{"http:8080"}, ep("10.0.0.1", testNode, readyC)),
				slice("web-c", "web", v4, []string{"http:8080"}, ep("10.0.0.1", otherNode, termServingC)),
			},
			want: []ServicePort{httpPort("web", withEndpoints(eps("10.0.0.1:8080@node-a"), eps("10.0.0.1:8080@node-a")))}},
		{name: "ports matched by name", svc: service("web", twoPorts),
			slices: []*discoveryv1.EndpointSlice{
				slice("web-a", "web", v4, []string{"metrics:9090", "http:8080", "other:1"}, ep("10.0.0.1", testNode, readyC)),
			},
			want: []ServicePort{
				httpPort("web", withEndpoints(eps("10.0.0.1:8080@node-a"), eps("10.0.0.1:8080@node-a"))),
				metricsPort(eps("10.0.0.1:9090@node-a"), eps("10.0.0.1:9090@node-a")),
			}},
		{name: "ports matched by protocol too", svc: service("dns", withPorts(
			corev1.ServicePort{Name: "dns", Protocol: corev1.ProtocolUDP, Port: 53},
			corev1.ServicePort{Name: "dns-tcp", Protocol: corev1.ProtocolTCP, Port: 53})),
			slices: []*discoveryv1.EndpointSlice{
				slice("dns-a", "dns", v4, []string{"dns/UDP:5353", "dns/TCP:5454", "dns-tcp/UDP:1", "dns-tcp:5353"}, ep("10.0.0.1", testNode, readyC)),
			},
			want: []ServicePort{
				{Key: PortKey{ServiceRef{testNS, "dns"}, "dns", UDP}, ClusterIPs: addrs("10.96.0.10"), Port: 53,
					ClusterEndpoints: eps("10.0.0.1:5353@node-a"), LocalEndpoints: eps("10.0.0.1:5353@node-a")},
				{Key: PortKey{ServiceRef{testNS, "dns"}, "dns-tcp", TCP}, ClusterIPs: addrs("10.96.0.10"), Port: 53,
					ClusterEndpoints: eps("10.0.0.1:5353@node-a"), LocalEndpoints: eps("10.0.0.1:5353@node-a")},
			}},
		{name: "unnamed port", svc: service("web", withPorts(corev1.ServicePort{Protocol: corev1.ProtocolTCP, Port: 80})),
			slices: []*discoveryv1.EndpointSlice{slice("web-a", "web", v4, []string{":8080"}, ep("10.0.0.1", otherNode, readyC))},
			want: []ServicePort{httpPort("web", withEndpoints(eps("10.0.0.1:8080@node-b"), nil),
				func(p *ServicePort) { p.Key.PortName = "" })}},
		{name: "slices of another Service or namespace are ignored", svc: service("web"),
			slices: []*discoveryv1.EndpointSlice{
				slice("api-a", "api", v4, []string{"http:8080"}, ep("10.0.0.1", testNode, readyC)),
				func() *discoveryv1.EndpointSlice {
					s := slice("web-a", "web", v4, []string{"http:8080"}, ep("10.0.0.2", testNode, readyC))
					s.Namespace = "elsewhere"
					return s
				}(),
			},
			want: []ServicePort{httpPort("web")}},
	})
}

// TestServicePortsBadData covers invalid data: skipped, the rest used.
func TestServicePortsBadData(t *testing.T) {
	runComputeCases(t, []computeCase{
		{name: "invalid endpoint addresses", svc: service("web"),
			slices: []*discoveryv1.EndpointSlice{slice("web-a", "web", v4, []string{"http:8080"},
				ep("not-an-ip", testNode, readyC), ep("fd00::1", testNode, readyC), ep("10.0.0.300", testNode, readyC),
				ep("0.0.0.0", testNode, readyC), discoveryv1.Endpoint{Conditions: readyC}, ep("10.0.0.1", testNode, readyC))},
			want: []ServicePort{httpPort("web", withEndpoints(eps("10.0.0.1:8080@node-a"), eps("10.0.0.1:8080@node-a")))}},
		{name: "IPv4 with leading zeros is read as kube-proxy does", svc: service("web"),
			slices: []*discoveryv1.EndpointSlice{slice("web-a", "web", v4, []string{"http:8080"}, ep("010.000.000.001", testNode, readyC))},
			want:   []ServicePort{httpPort("web", withEndpoints(eps("10.0.0.1:8080@node-a"), eps("10.0.0.1:8080@node-a")))}},
		{name: "invalid slice ports", svc: service("web"),
			slices: []*discoveryv1.EndpointSlice{func() *discoveryv1.EndpointSlice {
				s := slice("web-a", "web", v4, []string{"http:0", "http:70000", "http/ICMP:1", "http:8080"}, ep("10.0.0.1", testNode, readyC))
				s.Ports = append(s.Ports, discoveryv1.EndpointPort{Port: ptr.To[int32](1)}, discoveryv1.EndpointPort{Name: ptr.To("http")})
				return s
			}()},
			want: []ServicePort{httpPort("web", withEndpoints(eps("10.0.0.1:8080@node-a"), eps("10.0.0.1:8080@node-a")))}},
		{name: "nil slice port protocol is TCP", svc: service("web"),
			slices: []*discoveryv1.EndpointSlice{func() *discoveryv1.EndpointSlice {
				s := slice("web-a", "web", v4, nil, ep("10.0.0.1", testNode, readyC))
				s.Ports = []discoveryv1.EndpointPort{{Name: ptr.To("http"), Port: ptr.To[int32](8080)}}
				return s
			}()},
			want: []ServicePort{httpPort("web", withEndpoints(eps("10.0.0.1:8080@node-a"), eps("10.0.0.1:8080@node-a")))}},
		{name: "invalid Service ports", svc: service("web", withType(corev1.ServiceTypeNodePort), withPorts(
			corev1.ServicePort{Name: "zero", Port: 0},
			corev1.ServicePort{Name: "big", Port: 65536},
			corev1.ServicePort{Name: "node", Port: 1, NodePort: -1},
			corev1.ServicePort{Name: "icmp", Protocol: "ICMP", Port: 1},
			corev1.ServicePort{Name: "http", Protocol: corev1.ProtocolTCP, Port: 80, NodePort: 30080},
			corev1.ServicePort{Name: "http", Protocol: corev1.ProtocolTCP, Port: 81})),
			want: []ServicePort{httpPort("web", func(p *ServicePort) { p.NodePort = 30080 })}},
		{name: "invalid cluster IPs are skipped", svc: service("web", withClusterIPs("bogus", "10.96.0.10", "10.96.0.11")),
			want: []ServicePort{httpPort("web")}},
		{name: "no valid cluster IP", svc: service("web", withClusterIPs("bogus")), slices: oneReady},
	})
}
