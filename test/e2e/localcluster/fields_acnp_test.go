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

import "fmt"

// The ClusterNetworkPolicy cases of TestFieldsOnTraffic prove on real traffic:
//   - acnp-serviceaccount: a ServiceAccount as appliedTo, as an ingress peer and as
//     an egress peer selects the Pods of that ServiceAccount, not Pods with the same
//     labels and another ServiceAccount;
//   - acnp-ingress-ports: an ingress Allow (above a Drop of the rest) of UDP to
//     one port lets UDP to it through, not TCP to it; of TCP from a source port
//     range, or from one source port, exactly those source ports; of ICMP echo
//     (type 8, code 0), echo, with a Drop of type 13 before it not matching echo;
//     other UDP is dropped; an ingress rule of SCTP is refused at admission
//     (apis/crd/support.RefusedValues);
//   - acnp-egress-ports: egress Drops of UDP to a port (not TCP to it, not UDP to
//     another), the named port http (resolved per destination Pod: 8080 on one
//     server, 8082 on the other), a port range (port and endPort), a source port
//     range, ICMP echo; an egress rule of SCTP is refused at admission;
//   - acnp-egress-actions: egress Reject resets TCP and answers UDP with an ICMP
//     administratively prohibited that reaches the client; egress Pass skips the
//     later Tier's Drop and goes on to the baseline Tier, whose Drop applies;
//   - acnp-namespaces: peers of the applied-to Pod's own Namespace (namespaces
//     match Self) and of the Namespaces with the same values of a label
//     (sameLabels), in ingress and egress rules, for Pods of three Namespaces;
//   - acnp-namespaces-appliedto: the same per-Namespace peers for a policy applied
//     to a ServiceAccount's Pods and to a ClusterGroup's Pods;
//   - acnp-ingress-nodeselector: an ingress Drop from a nodeSelector peer drops
//     what the selected Node sends to a Pod of the other Node (from its
//     InternalIP), not what a Pod of the selected Node sends; what a Pod's own
//     Node sends it always passes (the agent's default, as Kubernetes specifies
//     for a Pod's Node: --host-ingress-policy applies policy to it);
//   - acnp-logging: the logLabel of an ingress Allow and of an egress Drop is the
//     last field of the connection's np.log line, on the Node that enforced it;
//   - acnp-ingress-appliedto, acnp-egress-appliedto: rule-level appliedTo by
//     podSelector, namespaceSelector, ClusterGroup and ServiceAccount, each rule
//     applying to its own Pods only;
//   - acnp-egress-except: an egress ipBlock's except.

// Peers and appliedTo entries of the cases.
const (
	selACli   = `{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: fields-a}}, podSelector: {matchLabels: {pod: cli}}}`
	selASrv   = `{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: fields-a}}, podSelector: {matchLabels: {pod: srv}}}`
	selASrvs  = `{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: fields-a}}, podSelector: {matchLabels: {app: srv}}}`
	selBSrv   = `{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: fields-b}}, podSelector: {matchLabels: {app: srv}}}`
	selAAll   = `{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: fields-a}}}`
	saFields  = `{serviceAccount: {name: fields-sa, namespace: fields-a}}`
	podsCIDR  = `10.244.0.0/16` // the Pod CIDR of the local cluster (kube-controller-manager's node IPAM)
	acnpFront = "apiVersion: crd.antrea.io/v1beta1\nkind: ClusterNetworkPolicy\n"
)

// acnp is a ClusterNetworkPolicy with its spec's body after tier and priority.
func acnp(name, tier string, priority int, body string) string {
	return fmt.Sprintf("%smetadata: {name: %s}\nspec:\n  tier: %s\n  priority: %d\n%s", acnpFront, name, tier, priority, body)
}

func acnpFieldCases() []fieldCase {
	return []fieldCase{
		{
			name: "acnp-serviceaccount",
			fields: []string{"ClusterNetworkPolicy.spec.appliedTo[].serviceAccount",
				"ClusterNetworkPolicy.spec.ingress[].from[].serviceAccount", "ClusterNetworkPolicy.spec.egress[].to[].serviceAccount"},
			manifest: acnp("fields-sa", "securityops", 5, `  appliedTo: [`+saFields+`]
  ingress:
  - {action: Drop, name: any-to-8081, ports: [{port: 8081}]}
  - {action: Drop, name: from-sa, from: [`+saFields+`], ports: [{port: 8082}]}
  egress:
  - {action: Drop, name: to-sa, to: [`+saFields+`], ports: [{port: 8083}]}
`),
			probes: []probe{
				{"a/cli -> a/srv-sa:8081", dropped}, {"a/cli -> a/srv:8081", connects},
				{"a/cli-sa -> a/srv-sa:8082", dropped}, {"a/cli -> a/srv-sa:8082", connects},
				{"a/cli-sa -> a/srv-sa:8083", dropped}, {"a/cli-sa -> a/srv:8083", connects}, {"a/cli -> a/srv-sa:8083", connects},
			},
		},
		{
			name: "acnp-ingress-ports",
			fields: []string{"ClusterNetworkPolicy.spec.ingress[].ports[].protocol", "ClusterNetworkPolicy.spec.ingress[].ports[].sourcePort",
				"ClusterNetworkPolicy.spec.ingress[].ports[].sourceEndPort", "ClusterNetworkPolicy.spec.ingress[].protocols[].icmp"},
			manifest: acnp("fields-ingress-ports", "securityops", 5, `  appliedTo: [`+selASrvs+`]
  ingress:
  - {action: Allow, name: udp-8083, from: [`+selACli+`], ports: [{protocol: UDP, port: 8083}]}
  - {action: Allow, name: from-21000-21009, from: [`+selACli+`], ports: [{protocol: TCP, port: 8081, sourcePort: 21000, sourceEndPort: 21009}]}
  - {action: Allow, name: from-21020, from: [`+selACli+`], ports: [{protocol: TCP, port: 8082, sourcePort: 21020}]}
  - {action: Drop, name: timestamp, from: [`+selACli+`], protocols: [{icmp: {icmpType: 13}}]}
  - {action: Allow, name: echo, from: [`+selACli+`], protocols: [{icmp: {icmpType: 8, icmpCode: 0}}]}
  - {action: Drop, name: rest, from: [`+selACli+`]}
`),
			probes: []probe{
				{"a/cli -> a/srv:udp/8083", connects}, {"a/cli -> a/srv:8083", dropped},
				{"a/cli:21000 -> a/srv:8081", connects}, {"a/cli:21009 -> a/srv:8081", connects},
				{"a/cli:21010 -> a/srv:8081", dropped}, {"a/cli:20999 -> a/srv:8081", dropped},
				{"a/cli:21020 -> a/srv:8082", connects}, {"a/cli:21021 -> a/srv:8082", dropped},
				{"a/cli -> a/srv:icmp", connects},
				{"a/cli -> a/srv:8080", dropped}, {"a/cli -> a/srv:udp/8080", dropped}, {"b/cli -> a/srv:8080", connects},
			},
			refused: []refusedManifest{{path: "spec.ingress[0].ports[1].protocol", value: "SCTP",
				manifest: acnp("fields-ingress-sctp", "securityops", 5, `  appliedTo: [`+selASrvs+`]
  ingress:
  - {action: Allow, name: tcp-and-sctp, from: [`+selACli+`], ports: [{protocol: TCP, port: 8081}, {protocol: SCTP, port: 9000}]}
`)}},
		},
		{
			name: "acnp-egress-ports",
			fields: []string{"ClusterNetworkPolicy.spec.egress[].ports[].protocol", "ClusterNetworkPolicy.spec.egress[].ports[].port",
				"ClusterNetworkPolicy.spec.egress[].ports[].endPort", "ClusterNetworkPolicy.spec.egress[].ports[].sourcePort",
				"ClusterNetworkPolicy.spec.egress[].ports[].sourceEndPort", "ClusterNetworkPolicy.spec.egress[].protocols[].icmp"},
			manifest: acnp("fields-egress-ports", "securityops", 5, `  appliedTo: [`+selACli+`]
  egress:
  - {action: Drop, name: udp-8081, to: [`+selASrvs+`], ports: [{protocol: UDP, port: 8081}]}
  - {action: Drop, name: named-http, to: [`+selASrvs+`], ports: [{port: http}]}
  - {action: Drop, name: range-8083-8084, to: [`+selASrvs+`], ports: [{protocol: TCP, port: 8083, endPort: 8084}]}
  - {action: Drop, name: from-22000-22009, to: [`+selASrvs+`], ports: [{protocol: TCP, port: 8085, sourcePort: 22000, sourceEndPort: 22009}]}
  - {action: Drop, name: echo, to: [`+selASrvs+`], protocols: [{icmp: {icmpType: 8}}]}
`),
			probes: []probe{
				{"a/cli -> a/srv:udp/8081", dropped}, {"a/cli -> a/srv:udp/8080", connects}, {"a/cli -> a/srv:8081", connects},
				{"a/cli -> a/srv:8080", dropped}, {"a/cli -> a/srv-sa:8082", dropped},
				{"a/cli -> a/srv:8082", connects}, {"a/cli -> a/srv-sa:8080", connects},
				{"a/cli -> a/srv:8083", dropped}, {"a/cli -> a/srv:8084", dropped},
				{"a/cli:22000 -> a/srv:8085", dropped}, {"a/cli:22009 -> a/srv:8085", dropped},
				{"a/cli:22010 -> a/srv:8085", connects}, {"a/cli -> a/srv:8085", connects},
				{"a/cli -> a/srv:icmp", dropped}, {"a/cli -> b/srv:icmp", connects},
			},
			refused: []refusedManifest{{path: "spec.egress[1].ports[0].protocol", value: "SCTP",
				manifest: acnp("fields-egress-sctp", "securityops", 5, `  appliedTo: [`+selACli+`]
  egress:
  - {action: Drop, name: udp-8081, to: [`+selASrvs+`], ports: [{protocol: UDP, port: 8081}]}
  - {action: Drop, name: sctp-9000, to: [`+selASrvs+`], ports: [{protocol: SCTP, port: 9000}]}
`)}},
		},
		{
			name:   "acnp-egress-actions",
			fields: []string{"ClusterNetworkPolicy.spec.egress[].action"},
			manifest: acnp("fields-egress-actions", "securityops", 5, `  appliedTo: [`+selACli+`]
  egress:
  - {action: Reject, name: reject-tcp, to: [`+selASrv+`], ports: [{protocol: TCP, port: 8081}]}
  - {action: Reject, name: reject-udp, to: [`+selASrv+`], ports: [{protocol: UDP, port: 8081}]}
  - {action: Pass, name: pass, to: [`+selASrv+`], ports: [{port: 8082}, {port: 8084}]}
`) + "---\n" + acnp("fields-egress-actions-app", "application", 5, `  appliedTo: [`+selACli+`]
  egress:
  - {action: Drop, name: drop-srv, to: [`+selASrv+`]}
`) + "---\n" + acnp("fields-egress-actions-baseline", "baseline", 5, `  appliedTo: [`+selACli+`]
  egress:
  - {action: Drop, name: drop-8084, to: [`+selASrv+`], ports: [{port: 8084}]}
`),
			probes: []probe{
				{"a/cli -> a/srv:8081", rejected}, {"a/cli -> a/srv:udp/8081", rejected},
				{"a/cli -> b/srv:8081", connects}, {"a/cli -> b/srv:udp/8081", connects},
				{"a/cli -> a/srv:8082", connects}, {"a/cli -> a/srv:8084", dropped}, {"a/cli -> a/srv:8080", dropped},
			},
		},
		{
			name: "acnp-namespaces",
			fields: []string{"ClusterNetworkPolicy.spec.ingress[].from[].namespaces.match", "ClusterNetworkPolicy.spec.ingress[].from[].namespaces.sameLabels",
				"ClusterNetworkPolicy.spec.egress[].to[].namespaces.match", "ClusterNetworkPolicy.spec.egress[].to[].namespaces.sameLabels"},
			manifest: acnp("fields-namespaces", "securityops", 5, `  appliedTo: [{namespaceSelector: {matchExpressions: [{key: fields-team, operator: Exists}]}}]
  ingress:
  - {action: Drop, name: from-self, from: [{namespaces: {match: Self}, podSelector: {matchLabels: {app: cli}}}], ports: [{port: 8081}]}
  - {action: Drop, name: from-same-team, from: [{namespaces: {sameLabels: [fields-team]}}], ports: [{port: 8082}]}
  egress:
  - {action: Drop, name: to-self, to: [{namespaces: {match: Self}}], ports: [{port: 8083}]}
  - {action: Drop, name: to-same-team, to: [{namespaces: {sameLabels: [fields-team]}, podSelector: {matchLabels: {app: srv}}}], ports: [{port: 8084}]}
`),
			probes: []probe{
				{"a/cli -> a/srv:8081", dropped}, {"c/cli -> c/srv:8081", dropped}, {"b/cli -> a/srv:8081", connects},
				{"b/cli -> a/srv:8082", dropped}, {"c/cli -> c/srv:8082", dropped},
				{"c/cli -> a/srv:8082", connects}, {"a/cli -> c/srv:8082", connects},
				{"a/cli -> a/srv:8083", dropped}, {"b/cli -> b/srv:8083", dropped}, {"a/cli -> b/srv:8083", connects},
				{"a/cli -> b/srv:8084", dropped}, {"c/cli -> c/srv:8084", dropped},
				{"a/cli -> c/srv:8084", connects}, {"c/cli -> a/srv:8084", connects},
			},
		},
		{
			name:   "acnp-namespaces-appliedto",
			fields: []string{"ClusterNetworkPolicy.spec.ingress[].from[].namespaces.match"},
			manifest: `apiVersion: crd.antrea.io/v1beta1
kind: ClusterGroup
metadata: {name: fields-srv-b}
spec: {namespaceSelector: {matchLabels: {fields-env: two}}, podSelector: {matchLabels: {app: srv}}}
---
` + acnp("fields-namespaces-sa", "securityops", 5, `  appliedTo: [`+saFields+`]
  ingress:
  - {action: Drop, name: from-self, from: [{namespaces: {match: Self}}], ports: [{port: 8081}]}
`) + "---\n" + acnp("fields-namespaces-group", "securityops", 6, `  appliedTo: [{group: fields-srv-b}]
  ingress:
  - {action: Drop, name: from-self, from: [{namespaces: {match: Self}}], ports: [{port: 8082}]}
`),
			probes: []probe{
				{"a/cli -> a/srv-sa:8081", dropped}, {"b/cli -> a/srv-sa:8081", connects},
				{"b/cli -> b/srv:8082", dropped}, {"a/cli -> b/srv:8082", connects},
			},
		},
		{
			name:   "acnp-ingress-nodeselector",
			fields: []string{"ClusterNetworkPolicy.spec.ingress[].from[].nodeSelector"},
			manifest: acnp("fields-from-nodes", "securityops", 5, `  appliedTo: [`+selASrv+`, {namespaceSelector: {matchLabels: {fields-env: three}}, podSelector: {matchLabels: {app: srv}}}]
  ingress:
  - {action: Drop, name: from-worker2, from: [{nodeSelector: {matchLabels: {kubernetes.io/hostname: worker2}}}], ports: [{port: 8081}]}
  - {action: Drop, name: from-worker1, from: [{nodeSelector: {matchLabels: {kubernetes.io/hostname: worker1}}}], ports: [{port: 8082}]}
`),
			probes: []probe{
				// a/srv is on worker1, c/srv on worker2; a/cli is a Pod on worker2.
				{"node2 -> a/srv:8081", dropped}, {"node1 -> c/srv:8082", dropped},
				{"node2 -> a/srv:8082", connects}, {"node1 -> c/srv:8081", connects}, {"a/cli -> a/srv:8081", connects},
				// A Pod's own Node always reaches it (the agent's default, as
				// Kubernetes specifies; --host-ingress-policy applies the Pod's
				// ingress policy to it, and the peer has the Node's gateway address).
				{"node1 -> a/srv:8082", connects}, {"node2 -> c/srv:8081", connects},
			},
		},
		{
			name:   "acnp-logging",
			fields: []string{"ClusterNetworkPolicy.spec.ingress[].logLabel", "ClusterNetworkPolicy.spec.egress[].logLabel"},
			manifest: acnp("fields-log-in", "securityops", 5, `  appliedTo: [`+selASrv+`]
  ingress:
  - {action: Allow, name: allow-logged, enableLogging: true, logLabel: fields-in-label, from: [`+selACli+`], ports: [{port: 8080}]}
`) + "---\n" + acnp("fields-log-out", "securityops", 5, `  appliedTo: [`+selACli+`]
  egress:
  - {action: Drop, name: drop-logged, enableLogging: true, logLabel: fields-out-label, to: [`+selBSrv+`], ports: [{port: 8081}]}
`),
			probes: []probe{
				{"a/cli -> a/srv:8080", connects}, {"a/cli -> b/srv:8081", dropped}, {"a/cli -> b/srv:8080", connects},
			},
			logs: []npLogLine{
				{1, "AntreaClusterNetworkPolicy:fields-log-in", "allow-logged", "Ingress", "Allow", "a/cli", "a/srv", "8080", "TCP", "fields-in-label"},
				{2, "AntreaClusterNetworkPolicy:fields-log-out", "drop-logged", "Egress", "Drop", "a/cli", "b/srv", "8081", "TCP", "fields-out-label"},
			},
		},
		{
			name: "acnp-ingress-appliedto",
			fields: []string{"ClusterNetworkPolicy.spec.ingress[].appliedTo[].podSelector", "ClusterNetworkPolicy.spec.ingress[].appliedTo[].namespaceSelector",
				"ClusterNetworkPolicy.spec.ingress[].appliedTo[].group", "ClusterNetworkPolicy.spec.ingress[].appliedTo[].serviceAccount"},
			manifest: `apiVersion: crd.antrea.io/v1beta1
kind: ClusterGroup
metadata: {name: fields-srv-c}
spec: {namespaceSelector: {matchLabels: {fields-env: three}}, podSelector: {matchLabels: {app: srv}}}
---
` + acnp("fields-ingress-appliedto", "securityops", 5, `  ingress:
  - {action: Drop, name: to-srv-sa, appliedTo: [{podSelector: {matchLabels: {pod: srv-sa}}}], from: [`+selAAll+`], ports: [{port: 8081}]}
  - {action: Drop, name: to-ns-b, appliedTo: [{namespaceSelector: {matchLabels: {fields-env: two}}}], from: [`+selAAll+`], ports: [{port: 8082}]}
  - {action: Drop, name: to-group, appliedTo: [{group: fields-srv-c}], from: [`+selAAll+`], ports: [{port: 8083}]}
  - {action: Drop, name: to-sa, appliedTo: [`+saFields+`], from: [`+selAAll+`], ports: [{port: 8084}]}
`),
			probes: []probe{
				{"a/cli -> a/srv-sa:8081", dropped}, {"a/cli -> a/srv:8081", connects}, {"a/cli -> b/srv:8081", connects},
				{"a/cli -> b/srv:8082", dropped}, {"a/cli -> c/srv:8082", connects}, {"a/cli -> a/srv-sa:8082", connects},
				{"a/cli -> c/srv:8083", dropped}, {"a/cli -> b/srv:8083", connects},
				{"a/cli -> a/srv-sa:8084", dropped}, {"a/cli -> a/srv:8084", connects},
			},
		},
		{
			name: "acnp-egress-appliedto",
			fields: []string{"ClusterNetworkPolicy.spec.egress[].appliedTo[].podSelector", "ClusterNetworkPolicy.spec.egress[].appliedTo[].namespaceSelector",
				"ClusterNetworkPolicy.spec.egress[].appliedTo[].group", "ClusterNetworkPolicy.spec.egress[].appliedTo[].serviceAccount"},
			manifest: `apiVersion: crd.antrea.io/v1beta1
kind: ClusterGroup
metadata: {name: fields-cli-c}
spec: {namespaceSelector: {matchLabels: {fields-env: three}}, podSelector: {matchLabels: {app: cli}}}
---
` + acnp("fields-egress-appliedto", "securityops", 5, `  egress:
  - {action: Drop, name: from-cli-sa, appliedTo: [{podSelector: {matchLabels: {pod: cli-sa}}}], to: [`+selBSrv+`], ports: [{port: 8081}]}
  - {action: Drop, name: from-ns-c, appliedTo: [{namespaceSelector: {matchLabels: {fields-env: three}}}], to: [`+selBSrv+`], ports: [{port: 8082}]}
  - {action: Drop, name: from-group, appliedTo: [{group: fields-cli-c}], to: [`+selBSrv+`], ports: [{port: 8083}]}
  - {action: Drop, name: from-sa, appliedTo: [`+saFields+`], to: [`+selBSrv+`], ports: [{port: 8084}]}
`),
			probes: []probe{
				{"a/cli-sa -> b/srv:8081", dropped}, {"a/cli -> b/srv:8081", connects}, {"c/cli -> b/srv:8081", connects},
				{"c/cli -> b/srv:8082", dropped}, {"a/cli -> b/srv:8082", connects}, {"a/cli-sa -> b/srv:8082", connects},
				{"c/cli -> b/srv:8083", dropped}, {"b/cli -> b/srv:8083", connects},
				{"a/cli-sa -> b/srv:8084", dropped}, {"a/cli -> b/srv:8084", connects},
			},
		},
		{
			name:   "acnp-egress-except",
			fields: []string{"ClusterNetworkPolicy.spec.egress[].to[].ipBlock.except"},
			manifest: acnp("fields-egress-except", "securityops", 5, `  appliedTo: [`+selACli+`]
  egress:
  - {action: Drop, name: pods-but-a-srv, to: [{ipBlock: {cidr: `+podsCIDR+`, except: ["{{ip "a/srv"}}/32"]}}], ports: [{port: 8080}]}
`),
			probes: []probe{
				{"a/cli -> a/srv:8080", connects}, {"a/cli -> b/srv:8080", dropped}, {"a/cli -> c/srv:8080", dropped},
				{"a/cli -> b/srv:8081", connects},
			},
		},
	}
}
