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
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

// BenchmarkServicePorts computes the ports of 1,000 Services of one port
// with 10 endpoints each (one op is all 1,000).
func BenchmarkServicePorts(b *testing.B) {
	const services, endpoints = 1000, 10
	svcs := make([]*corev1.Service, services)
	slicesOf := make([][]*discoveryv1.EndpointSlice, services)
	for i := range services {
		name := fmt.Sprintf("svc-%d", i)
		svcs[i] = service(name, withClusterIPs(fmt.Sprintf("10.96.%d.%d", i/250, i%250+1)))
		var eps []discoveryv1.Endpoint
		for j := range endpoints {
			node := otherNode
			if j%5 == 0 {
				node = testNode
			}
			eps = append(eps, ep(fmt.Sprintf("10.%d.%d.%d", 1+i/250, i%250, j+1), node, readyC))
		}
		slicesOf[i] = []*discoveryv1.EndpointSlice{slice(name+"-1", name, v4, []string{"http:8080"}, eps...)}
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		for i, svc := range svcs {
			if ports := ServicePorts(ctx, svc, slicesOf[i], testNode); len(ports[0].ClusterEndpoints) != endpoints {
				b.Fatalf("%s: %d endpoints", svc.Name, len(ports[0].ClusterEndpoints))
			}
		}
	}
}
