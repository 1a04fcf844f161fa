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
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

const (
	testNode  = "node-a"
	otherNode = "node-b"
	testNS    = "ns"
)

// service builds a ClusterIP Service 10.96.0.10 with port "http" TCP 80,
// changed by mods.
func service(name string, mods ...func(*corev1.Service)) *corev1.Service {
	s := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: name},
		Spec: corev1.ServiceSpec{
			Type:       corev1.ServiceTypeClusterIP,
			ClusterIP:  "10.96.0.10",
			ClusterIPs: []string{"10.96.0.10"},
			Ports:      []corev1.ServicePort{{Name: "http", Protocol: corev1.ProtocolTCP, Port: 80}},
		},
	}
	for _, m := range mods {
		m(s)
	}
	return s
}

func withType(t corev1.ServiceType) func(*corev1.Service) {
	return func(s *corev1.Service) { s.Spec.Type = t }
}

func withClusterIPs(ips ...string) func(*corev1.Service) {
	return func(s *corev1.Service) {
		s.Spec.ClusterIPs = ips
		s.Spec.ClusterIP = ""
		if len(ips) > 0 {
			s.Spec.ClusterIP = ips[0]
		}
	}
}

func withPorts(ports ...corev1.ServicePort) func(*corev1.Service) {
	return func(s *corev1.Service) { s.Spec.Ports = ports }
}

func withLabel(k, v string) func(*corev1.Service) {
	return func(s *corev1.Service) {
		if s.Labels == nil {
			s.Labels = map[string]string{}
		}
		s.Labels[k] = v
	}
}

// slice builds an EndpointSlice of Service svc with the ports "name/PROTO:port"
// (PROTO optional, TCP) and endpoints.
func slice(name, svc string, family discoveryv1.AddressType, ports []string, eps ...discoveryv1.Endpoint) *discoveryv1.EndpointSlice {
	s := &discoveryv1.EndpointSlice{
		ObjectMeta: metav1.ObjectMeta{Namespace: testNS, Name: name,
			Labels: map[string]string{discoveryv1.LabelServiceName: svc}},
		AddressType: family,
		Endpoints:   eps,
	}
	for _, p := range ports {
		s.Ports = append(s.Ports, slicePortSpec(p))
	}
	return s
}

func slicePortSpec(spec string) discoveryv1.EndpointPort {
	name, rest, _ := strings.Cut(spec, ":")
	name, proto, ok := strings.Cut(name, "/")
	if !ok {
		proto = "TCP"
	}
	port, err := strconv.ParseInt(rest, 10, 32)
	if err != nil {
		panic(spec)
	}
	return discoveryv1.EndpointPort{Name: ptr.To(name), Protocol: ptr.To(corev1.Protocol(proto)), Port: ptr.To(int32(port))}
}

// Endpoint conditions.
var (
	readyC       = discoveryv1.EndpointConditions{Ready: ptr.To(true), Serving: ptr.To(true), Terminating: ptr.To(false)}
	notReadyC    = discoveryv1.EndpointConditions{Ready: ptr.To(false), Serving: ptr.To(false), Terminating: ptr.To(false)}
	termServingC = discoveryv1.EndpointConditions{Ready: ptr.To(false), Serving: ptr.To(true), Terminating: ptr.To(true)}
	termDownC    = discoveryv1.EndpointConditions{Ready: ptr.To(false), Serving: ptr.To(false), Terminating: ptr.To(true)}
	nilC         = discoveryv1.EndpointConditions{}
)

func ep(addr, node string, c discoveryv1.EndpointConditions) discoveryv1.Endpoint {
	e := discoveryv1.Endpoint{Addresses: []string{addr}, Conditions: c}
	if node != "" {
		e.NodeName = ptr.To(node)
	}
	return e
}

// eps builds expected endpoints from "ip:port@node" (node optional).
func eps(specs ...string) []Endpoint {
	var out []Endpoint
	for _, s := range specs {
		ap, node, _ := strings.Cut(s, "@")
		a := netip.MustParseAddrPort(ap)
		out = append(out, Endpoint{IP: a.Addr(), Port: a.Port(), NodeName: node, Local: node == testNode})
	}
	return out
}

func addrs(ips ...string) []netip.Addr {
	var out []netip.Addr
	for _, ip := range ips {
		out = append(out, netip.MustParseAddr(ip))
	}
	return out
}

// httpPort is the ServicePort of service("web") without endpoints.
func httpPort(name string, mods ...func(*ServicePort)) ServicePort {
	p := ServicePort{
		Key:        PortKey{Service: ServiceRef{Namespace: testNS, Name: name}, PortName: "http", Protocol: TCP},
		ClusterIPs: addrs("10.96.0.10"),
		Port:       80,
	}
	for _, m := range mods {
		m(&p)
	}
	return p
}
