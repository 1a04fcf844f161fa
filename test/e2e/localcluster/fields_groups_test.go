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

package localcluster

// The group cases of TestFieldsOnTraffic prove on real traffic:
//   - clustergroup-peers: ClusterGroups used as ingress peers of a
//     ClusterNetworkPolicy: a namespaceSelector (every Pod of the Namespaces),
//     ipBlocks (a cidr with an except), and the singular ipBlock of
//     crd.antrea.io/v1alpha2 (converted into ipBlocks);
//   - group-peers: Groups of the Namespace used as ingress peers of an Antrea
//     NetworkPolicy: a namespaceSelector, ipBlocks, and a serviceReference (the
//     Pods of the Service's selector).

func groupFieldCases() []fieldCase {
	return []fieldCase{
		{
			name:   "clustergroup-peers",
			fields: []string{"ClusterGroup.spec.namespaceSelector", "ClusterGroup.spec.ipBlocks", "ClusterGroup.spec.ipBlock"},
			manifest: `apiVersion: crd.antrea.io/v1beta1
kind: ClusterGroup
metadata: {name: fields-ns-c}
spec: {namespaceSelector: {matchLabels: {fields-env: three}}}
---
apiVersion: crd.antrea.io/v1beta1
kind: ClusterGroup
metadata: {name: fields-ipblocks}
spec: {ipBlocks: [{cidr: ` + podsCIDR + `, except: ["{{ip "a/cli"}}/32", "{{ip "c/cli"}}/32"]}]}
---
apiVersion: crd.antrea.io/v1alpha2
kind: ClusterGroup
metadata: {name: fields-ipblock}
spec: {ipBlock: {cidr: "{{ip "c/cli"}}/32"}}
---
` + acnp("fields-clustergroups", "securityops", 5, `  appliedTo: [`+selASrv+`]
  ingress:
  - {action: Drop, name: from-ns-c, from: [{group: fields-ns-c}], ports: [{port: 8081}]}
  - {action: Drop, name: from-ipblocks, from: [{group: fields-ipblocks}], ports: [{port: 8082}]}
  - {action: Drop, name: from-ipblock, from: [{group: fields-ipblock}], ports: [{port: 8083}]}
`),
			probes: []probe{
				{"c/cli -> a/srv:8081", dropped}, {"b/cli -> a/srv:8081", connects},
				{"b/cli -> a/srv:8082", dropped}, {"a/cli -> a/srv:8082", connects}, {"c/cli -> a/srv:8082", connects},
				{"c/cli -> a/srv:8083", dropped}, {"b/cli -> a/srv:8083", connects},
			},
		},
		{
			name:   "group-peers",
			fields: []string{"Group.spec.namespaceSelector", "Group.spec.ipBlocks", "Group.spec.serviceReference"},
			manifest: group("fields-ns-c", "{namespaceSelector: {matchLabels: {fields-env: three}}}") +
				group("fields-ipblocks", `{ipBlocks: [{cidr: `+podsCIDR+`, except: ["{{ip "a/cli"}}/32", "{{ip "c/cli"}}/32"]}]}`) +
				group("fields-svc", "{serviceReference: {name: cli-sa, namespace: fields-a}}") +
				annp("fields-groups", 5, `  appliedTo: [{podSelector: {matchLabels: {pod: srv}}}]
  ingress:
  - {action: Drop, name: from-ns-c, from: [{group: fields-ns-c}], ports: [{port: 8081}]}
  - {action: Drop, name: from-ipblocks, from: [{group: fields-ipblocks}], ports: [{port: 8082}]}
  - {action: Drop, name: from-svc, from: [{group: fields-svc}], ports: [{port: 8083}]}
`),
			probes: []probe{
				{"c/cli -> a/srv:8081", dropped}, {"b/cli -> a/srv:8081", connects},
				{"b/cli -> a/srv:8082", dropped}, {"a/cli -> a/srv:8082", connects}, {"c/cli -> a/srv:8082", connects},
				{"a/cli-sa -> a/srv:8083", dropped}, {"a/cli -> a/srv:8083", connects},
			},
		},
	}
}
