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

// The Antrea NetworkPolicy (ANNP) cases of TestFieldsOnTraffic, all in the
// Namespace fields-a and the Tier application, prove on real traffic:
//   - annp-appliedto-group: an ANNP applied to a Group of its Namespace applies to
//     the Group's Pods only;
//   - annp-ingress-ports, annp-egress-ports: Allow rules (above a Drop of the rest)
//     of TCP to the named port http (resolved per Pod: 8080 on one server, 8082
//     on the other), UDP to a port (not TCP to it), a port range (port and
//     endPort), a source port range, ICMP echo (with a Drop of ICMP type 13 before
//     it that echo does not match): exactly those connections pass, in ingress
//     rules and in egress rules to a podSelector peer; a rule of SCTP is refused
//     at admission (apis/crd/support.RefusedValues);
//   - annp-egress-actions: the egress actions: Reject (a TCP reset, an ICMP
//     administratively prohibited for UDP), Pass (past the rest of the Tier to
//     the baseline Tier, whose Drop applies), Allow and Drop;
//   - annp-ingress-peers, annp-egress-peers: ipBlock (cidr, and cidr with
//     except), namespaceSelector, a Group, nodeSelector peers (ingress from the
//     other Node's InternalIP; egress to a Node's InternalIP); the np.log line of
//     a rule with enableLogging names the ANNP and the rule and carries its
//     logLabel;
//   - annp-rule-appliedto: rule-level appliedTo by podSelector and by Group, in
//     ingress and egress rules.

const annpFront = "apiVersion: crd.antrea.io/v1beta1\nkind: NetworkPolicy\n"

// annp is an Antrea NetworkPolicy of fields-a in the Tier application.
func annp(name string, priority int, body string) string {
	return fmt.Sprintf("%smetadata: {name: %s, namespace: fields-a}\nspec:\n  tier: application\n  priority: %d\n%s",
		annpFront, name, priority, body)
}

// group is a Group of fields-a.
func group(name, spec string) string {
	return fmt.Sprintf("apiVersion: crd.antrea.io/v1beta1\nkind: Group\nmetadata: {name: %s, namespace: fields-a}\nspec: %s\n---\n", name, spec)
}

// annpPortRules are the rules of annp-ingress-ports and annp-egress-ports, with
// peer the from or to of each and src the first source port of the range.
func annpPortRules(peer string, src int) string {
	return fmt.Sprintf(`  - {action: Allow, name: named-http, %[1]s, ports: [{port: http}]}
  - {action: Allow, name: udp-8081, %[1]s, ports: [{protocol: UDP, port: 8081}]}
  - {action: Allow, name: range-8083-8084, %[1]s, ports: [{protocol: TCP, port: 8083, endPort: 8084}]}
  - {action: Allow, name: source-range, %[1]s, ports: [{protocol: TCP, port: 8085, sourcePort: %[2]d, sourceEndPort: %[3]d}]}
  - {action: Drop, name: timestamp, %[1]s, protocols: [{icmp: {icmpType: 13}}]}
  - {action: Allow, name: echo, %[1]s, protocols: [{icmp: {icmpType: 8, icmpCode: 0}}]}
  - {action: Drop, name: rest}
`, peer, src, src+9)
}

// annpSCTPRefused is an ANNP with a rule of SCTP in dir (ingress or egress) with
// peer its from or to, which admission refuses.
func annpSCTPRefused(name, appliedTo, dir, peer string) []refusedManifest {
	return []refusedManifest{{path: "spec." + dir + "[0].ports[0].protocol", value: "SCTP",
		manifest: annp(name, 5, fmt.Sprintf(`  appliedTo: [%s]
  %s:
  - {action: Allow, name: sctp-9000, %s, ports: [{protocol: SCTP, port: 9000}]}
`, appliedTo, dir, peer))}}
}

// annpPortProbes are the probes of annp-ingress-ports and annp-egress-ports.
func annpPortProbes(src int) []probe {
	return []probe{
		{"a/cli -> a/srv:8080", connects}, {"a/cli -> a/srv-sa:8082", connects},
		{"a/cli -> a/srv:8082", dropped}, {"a/cli -> a/srv-sa:8080", dropped},
		{"a/cli -> a/srv:udp/8081", connects}, {"a/cli -> a/srv:udp/8080", dropped}, {"a/cli -> a/srv:8081", dropped},
		{"a/cli -> a/srv:8083", connects}, {"a/cli -> a/srv:8084", connects}, {"a/cli -> a/srv:8085", dropped},
		{fmt.Sprintf("a/cli:%d -> a/srv:8085", src), connects}, {fmt.Sprintf("a/cli:%d -> a/srv:8085", src+9), connects},
		{fmt.Sprintf("a/cli:%d -> a/srv:8085", src+10), dropped},
		{"a/cli -> a/srv:icmp", connects},
	}
}

func annpFieldCases() []fieldCase {
	return []fieldCase{
		{
			name:   "annp-appliedto-group",
			fields: []string{"NetworkPolicy.spec.appliedTo[].group"},
			manifest: group("fields-srv-sa", "{podSelector: {matchLabels: {pod: srv-sa}}}") + annp("fields-appliedto-group", 5, `  appliedTo: [{group: fields-srv-sa}]
  ingress:
  - {action: Drop, name: from-cli, from: [{podSelector: {matchLabels: {app: cli}}}], ports: [{port: 8080}]}
`),
			probes: []probe{
				{"a/cli -> a/srv-sa:8080", dropped}, {"a/cli -> a/srv:8080", connects}, {"b/cli -> a/srv-sa:8080", connects},
			},
		},
		{
			name: "annp-ingress-ports",
			fields: []string{"NetworkPolicy.spec.ingress[].ports[].protocol", "NetworkPolicy.spec.ingress[].ports[].port",
				"NetworkPolicy.spec.ingress[].ports[].endPort", "NetworkPolicy.spec.ingress[].ports[].sourcePort",
				"NetworkPolicy.spec.ingress[].ports[].sourceEndPort", "NetworkPolicy.spec.ingress[].protocols[].icmp"},
			manifest: annp("fields-ingress-ports", 5, "  appliedTo: [{podSelector: {matchLabels: {app: srv}}}]\n  ingress:\n"+
				annpPortRules("from: [{podSelector: {matchLabels: {pod: cli}}}]", 23000)),
			probes:  append(annpPortProbes(23000), probe{"b/cli -> a/srv:8081", dropped}),
			refused: annpSCTPRefused("fields-ingress-sctp", "{podSelector: {matchLabels: {app: srv}}}", "ingress", "from: [{podSelector: {matchLabels: {pod: cli}}}]"),
		},
		{
			name: "annp-egress-ports",
			fields: []string{"NetworkPolicy.spec.egress[].ports[].protocol", "NetworkPolicy.spec.egress[].ports[].port",
				"NetworkPolicy.spec.egress[].ports[].endPort", "NetworkPolicy.spec.egress[].ports[].sourcePort",
				"NetworkPolicy.spec.egress[].ports[].sourceEndPort", "NetworkPolicy.spec.egress[].protocols[].icmp",
				"NetworkPolicy.spec.egress[].to[].podSelector"},
			manifest: annp("fields-egress-ports", 5, "  appliedTo: [{podSelector: {matchLabels: {pod: cli}}}]\n  egress:\n"+
				annpPortRules("to: [{podSelector: {matchLabels: {app: srv}}}]", 24000)),
			probes:  append(annpPortProbes(24000), probe{"a/cli -> b/srv:8080", dropped}, probe{"a/cli-sa -> a/srv:8081", connects}),
			refused: annpSCTPRefused("fields-egress-sctp", "{podSelector: {matchLabels: {pod: cli}}}", "egress", "to: [{podSelector: {matchLabels: {app: srv}}}]"),
		},
		{
			name:   "annp-egress-actions",
			fields: []string{"NetworkPolicy.spec.egress[].action"},
			manifest: annp("fields-egress-actions", 5, `  appliedTo: [{podSelector: {matchLabels: {pod: cli}}}]
  egress:
  - {action: Reject, name: reject-tcp, to: [{podSelector: {matchLabels: {pod: srv}}}], ports: [{protocol: TCP, port: 8081}]}
  - {action: Reject, name: reject-udp, to: [{podSelector: {matchLabels: {pod: srv}}}], ports: [{protocol: UDP, port: 8081}]}
  - {action: Pass, name: pass, to: [{podSelector: {matchLabels: {pod: srv}}}], ports: [{port: 8082}, {port: 8084}]}
  - {action: Allow, name: allow, to: [{podSelector: {matchLabels: {pod: srv}}}], ports: [{port: 8080}]}
  - {action: Drop, name: drop, to: [{podSelector: {matchLabels: {pod: srv}}}]}
`) + "---\n" + acnp("fields-annp-egress-baseline", "baseline", 5, `  appliedTo: [`+selACli+`]
  egress:
  - {action: Drop, name: drop-8084, to: [`+selASrv+`], ports: [{port: 8084}]}
`),
			probes: []probe{
				{"a/cli -> a/srv:8081", rejected}, {"a/cli -> a/srv:udp/8081", rejected},
				{"a/cli -> a/srv:8082", connects}, {"a/cli -> a/srv:8084", dropped},
				{"a/cli -> a/srv:8080", connects}, {"a/cli -> a/srv:8083", dropped},
				{"a/cli -> b/srv:8081", connects}, {"a/cli -> b/srv:8083", connects},
			},
		},
		{
			name: "annp-ingress-peers",
			fields: []string{"NetworkPolicy.spec.ingress[].from[].ipBlock.cidr", "NetworkPolicy.spec.ingress[].from[].ipBlock.except",
				"NetworkPolicy.spec.ingress[].from[].namespaceSelector", "NetworkPolicy.spec.ingress[].from[].nodeSelector",
				"NetworkPolicy.spec.ingress[].name", "NetworkPolicy.spec.ingress[].enableLogging", "NetworkPolicy.spec.ingress[].logLabel"},
			manifest: annp("fields-ingress-peers", 5, `  appliedTo: [{podSelector: {matchLabels: {pod: srv}}}]
  ingress:
  - {action: Drop, name: from-c-cli, from: [{ipBlock: {cidr: "{{ip "c/cli"}}/32"}}], ports: [{port: 8081}]}
  - {action: Drop, name: from-pods-but-a-cli, from: [{ipBlock: {cidr: `+podsCIDR+`, except: ["{{ip "a/cli"}}/32"]}}], ports: [{port: 8082}]}
  - {action: Drop, name: from-ns-c, from: [{namespaceSelector: {matchLabels: {fields-env: three}}}], ports: [{port: 8083}]}
  - {action: Drop, name: from-worker2, from: [{nodeSelector: {matchLabels: {kubernetes.io/hostname: worker2}}}], ports: [{port: 8084}]}
  - {action: Allow, name: allow-logged, enableLogging: true, logLabel: fields-annp-in, from: [{podSelector: {matchLabels: {pod: cli}}}], ports: [{port: 8085}]}
`),
			probes: []probe{
				{"c/cli -> a/srv:8081", dropped}, {"b/cli -> a/srv:8081", connects},
				{"b/cli -> a/srv:8082", dropped}, {"a/cli -> a/srv:8082", connects},
				{"c/cli -> a/srv:8083", dropped}, {"b/cli -> a/srv:8083", connects},
				{"node2 -> a/srv:8084", dropped}, {"node1 -> a/srv:8084", connects}, {"a/cli -> a/srv:8084", connects},
				{"a/cli -> a/srv:8085", connects},
			},
			logs: []npLogLine{
				{1, "AntreaNetworkPolicy:fields-a/fields-ingress-peers", "allow-logged", "Ingress", "Allow", "a/cli", "a/srv", "8085", "TCP", "fields-annp-in"},
			},
		},
		{
			name: "annp-egress-peers",
			fields: []string{"NetworkPolicy.spec.egress[].to[].ipBlock.cidr", "NetworkPolicy.spec.egress[].to[].ipBlock.except",
				"NetworkPolicy.spec.egress[].to[].namespaceSelector", "NetworkPolicy.spec.egress[].to[].group",
				"NetworkPolicy.spec.egress[].to[].nodeSelector",
				"NetworkPolicy.spec.egress[].name", "NetworkPolicy.spec.egress[].enableLogging", "NetworkPolicy.spec.egress[].logLabel"},
			manifest: group("fields-srv-sa", "{podSelector: {matchLabels: {pod: srv-sa}}}") + annp("fields-egress-peers", 5, `  appliedTo: [{podSelector: {matchLabels: {pod: cli}}}]
  egress:
  - {action: Drop, name: to-b-srv, to: [{ipBlock: {cidr: "{{ip "b/srv"}}/32"}}], ports: [{port: 8081}]}
  - {action: Drop, name: to-pods-but-a-srv, to: [{ipBlock: {cidr: `+podsCIDR+`, except: ["{{ip "a/srv"}}/32"]}}], ports: [{port: 8082}]}
  - {action: Drop, name: to-ns-c, to: [{namespaceSelector: {matchLabels: {fields-env: three}}}], ports: [{port: 8083}]}
  - {action: Drop, name: to-group, to: [{group: fields-srv-sa}], ports: [{port: 8084}]}
  - {action: Drop, name: to-worker1, to: [{nodeSelector: {matchLabels: {kubernetes.io/hostname: worker1}}}], ports: [{port: 18081}]}
  - {action: Reject, name: reject-logged, enableLogging: true, logLabel: fields-annp-out, to: [{podSelector: {matchLabels: {pod: srv}}}], ports: [{port: 8085}]}
`),
			probes: []probe{
				{"a/cli -> b/srv:8081", dropped}, {"a/cli -> c/srv:8081", connects},
				{"a/cli -> b/srv:8082", dropped}, {"a/cli -> a/srv:8082", connects},
				{"a/cli -> c/srv:8083", dropped}, {"a/cli -> b/srv:8083", connects},
				{"a/cli -> a/srv-sa:8084", dropped}, {"a/cli -> a/srv:8084", connects},
				{"a/cli -> node1:18081", dropped}, {"a/cli -> node2:18081", connects},
				{"a/cli -> a/srv:8085", rejected}, {"a/cli -> b/srv:8085", connects},
			},
			logs: []npLogLine{
				{2, "AntreaNetworkPolicy:fields-a/fields-egress-peers", "reject-logged", "Egress", "Reject", "a/cli", "a/srv", "8085", "TCP", "fields-annp-out"},
			},
		},
		{
			name: "annp-rule-appliedto",
			fields: []string{"NetworkPolicy.spec.ingress[].appliedTo[].podSelector", "NetworkPolicy.spec.ingress[].appliedTo[].group",
				"NetworkPolicy.spec.egress[].appliedTo[].podSelector", "NetworkPolicy.spec.egress[].appliedTo[].group"},
			manifest: group("fields-srv", "{podSelector: {matchLabels: {pod: srv}}}") + group("fields-cli", "{podSelector: {matchLabels: {pod: cli}}}") +
				annp("fields-rule-appliedto", 5, `  ingress:
  - {action: Drop, name: to-srv-sa, appliedTo: [{podSelector: {matchLabels: {pod: srv-sa}}}], from: [{podSelector: {matchLabels: {app: cli}}}], ports: [{port: 8081}]}
  - {action: Drop, name: to-group, appliedTo: [{group: fields-srv}], from: [{podSelector: {matchLabels: {app: cli}}}], ports: [{port: 8082}]}
  egress:
  - {action: Drop, name: from-cli-sa, appliedTo: [{podSelector: {matchLabels: {pod: cli-sa}}}], to: [{namespaceSelector: {matchLabels: {fields-env: two}}}], ports: [{port: 8083}]}
  - {action: Drop, name: from-group, appliedTo: [{group: fields-cli}], to: [{namespaceSelector: {matchLabels: {fields-env: two}}}], ports: [{port: 8084}]}
`),
			probes: []probe{
				{"a/cli -> a/srv-sa:8081", dropped}, {"a/cli -> a/srv:8081", connects},
				{"a/cli -> a/srv:8082", dropped}, {"a/cli -> a/srv-sa:8082", connects},
				{"a/cli-sa -> b/srv:8083", dropped}, {"a/cli -> b/srv:8083", connects},
				{"a/cli -> b/srv:8084", dropped}, {"a/cli-sa -> b/srv:8084", connects},
			},
		},
	}
}
