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

import "slices"

// portsEqual tells whether two computations of a Service's ports are the
// same (nil and empty slices are equal).
func portsEqual(a, b []ServicePort) bool {
	return slices.EqualFunc(a, b, servicePortEqual)
}

func servicePortEqual(a, b ServicePort) bool {
	return a.Key == b.Key && a.Port == b.Port && a.NodePort == b.NodePort &&
		a.AffinityTimeout == b.AffinityTimeout && a.InternalLocal == b.InternalLocal &&
		a.ExternalLocal == b.ExternalLocal && slices.Equal(a.ClusterIPs, b.ClusterIPs) &&
		slices.Equal(a.ClusterEndpoints, b.ClusterEndpoints) && slices.Equal(a.LocalEndpoints, b.LocalEndpoints)
}
