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

package support

import (
	"reflect"
	"slices"
	"strings"

	crdv1alpha1 "github.com/strata-net/strata/apis/crd/v1alpha1"
	crdv1alpha2 "github.com/strata-net/strata/apis/crd/v1alpha2"
	"github.com/strata-net/strata/apis/crd/v1beta1"
	securityv1alpha1 "github.com/strata-net/strata/apis/security/v1alpha1"
)

// Every JSON field of every served kind and version is in exactly one of the lists
// below, by its path from the kind (ClusterNetworkPolicy.spec.ingress[].from[].fqdn);
// a listed path covers the fields under it. TestFieldsListed walks the API types and
// fails on a field no list covers and on a listed path that no longer exists;
// docs/fields.md is rendered from the lists (TestFieldsDoc).

// Enforced are the fields enforced exactly, each with the tests that prove it on
// real traffic: "TestName" or "TestName/subtest", comma-separated (Tests says where
// each runs and what it feeds in).
var Enforced = map[string]string{
	"ClusterNetworkPolicy.spec.egress[].to[].fqdn":                      "TestOVSFQDN, TestFQDN",
	"NetworkPolicy.spec.egress[].to[].fqdn":                             "TestOVSFQDN",
	"ClusterNetworkPolicy.spec.tier":                                    "TestWalkthrough/3.3, TestWalkthrough/5.2",
	"ClusterNetworkPolicy.spec.priority":                                "TestANNP",
	"ClusterNetworkPolicy.spec.appliedTo[].podSelector":                 "TestWalkthrough/3.2",
	"ClusterNetworkPolicy.spec.appliedTo[].namespaceSelector":           "TestWalkthrough/4.4, TestFaults",
	"ClusterNetworkPolicy.spec.appliedTo[].group":                       "TestWalkthrough/5.4",
	"ClusterNetworkPolicy.spec.appliedTo[].serviceAccount":              "TestFieldsOnTraffic/acnp-serviceaccount",
	"ClusterNetworkPolicy.spec.ingress[].action":                        "TestWalkthrough/3.2, TestANNP, TestRejectMidStream, TestAgentEnforces, TestAgentRejectUDP, TestAgentPassThenBaseline",
	"ClusterNetworkPolicy.spec.ingress[].ports[].protocol":              "TestFaults, TestAgentRejectUDP, TestAgentDropAfterOneWayUDPAllow, TestFieldsOnTraffic/acnp-ingress-ports",
	"ClusterNetworkPolicy.spec.ingress[].ports[].port":                  "TestFaults, TestOVSPolicies/named port",
	"ClusterNetworkPolicy.spec.ingress[].ports[].endPort":               "TestOVSPolicies/port range",
	"ClusterNetworkPolicy.spec.ingress[].ports[].sourcePort":            "TestFieldsOnTraffic/acnp-ingress-ports",
	"ClusterNetworkPolicy.spec.ingress[].ports[].sourceEndPort":         "TestFieldsOnTraffic/acnp-ingress-ports",
	"ClusterNetworkPolicy.spec.ingress[].protocols[].icmp":              "TestFieldsOnTraffic/acnp-ingress-ports",
	"ClusterNetworkPolicy.spec.ingress[].from[].ipBlock.cidr":           "TestOVSPolicies/ipBlock with except",
	"ClusterNetworkPolicy.spec.ingress[].from[].ipBlock.except":         "TestOVSPolicies/ipBlock with except",
	"ClusterNetworkPolicy.spec.ingress[].from[].podSelector":            "TestWalkthrough/3.2, TestFaults",
	"ClusterNetworkPolicy.spec.ingress[].from[].namespaceSelector":      "TestWalkthrough/4.4, TestFaults",
	"ClusterNetworkPolicy.spec.ingress[].from[].namespaces.match":       "TestFieldsOnTraffic/acnp-namespaces, TestFieldsOnTraffic/acnp-namespaces-appliedto",
	"ClusterNetworkPolicy.spec.ingress[].from[].namespaces.sameLabels":  "TestFieldsOnTraffic/acnp-namespaces",
	"ClusterNetworkPolicy.spec.ingress[].from[].group":                  "TestWalkthrough/5.4",
	"ClusterNetworkPolicy.spec.ingress[].from[].serviceAccount":         "TestFieldsOnTraffic/acnp-serviceaccount",
	"ClusterNetworkPolicy.spec.ingress[].from[].nodeSelector":           "TestFieldsOnTraffic/acnp-ingress-nodeselector",
	"ClusterNetworkPolicy.spec.ingress[].name":                          "TestAgentEnforces",
	"ClusterNetworkPolicy.spec.ingress[].enableLogging":                 "TestAgentEnforces, TestAgentRejectUDP",
	"ClusterNetworkPolicy.spec.ingress[].logLabel":                      "TestFieldsOnTraffic/acnp-logging",
	"ClusterNetworkPolicy.spec.ingress[].appliedTo[].podSelector":       "TestFieldsOnTraffic/acnp-ingress-appliedto",
	"ClusterNetworkPolicy.spec.ingress[].appliedTo[].namespaceSelector": "TestFieldsOnTraffic/acnp-ingress-appliedto",
	"ClusterNetworkPolicy.spec.ingress[].appliedTo[].group":             "TestFieldsOnTraffic/acnp-ingress-appliedto",
	"ClusterNetworkPolicy.spec.ingress[].appliedTo[].serviceAccount":    "TestFieldsOnTraffic/acnp-ingress-appliedto",
	"ClusterNetworkPolicy.spec.egress[].action":                         "TestFieldsOnTraffic/acnp-egress-actions, TestFieldsOnTraffic/acnp-egress-ports, TestPodStartup, TestNodeSelectorPeer",
	"ClusterNetworkPolicy.spec.egress[].ports[].protocol":               "TestFieldsOnTraffic/acnp-egress-ports, TestFieldsOnTraffic/acnp-egress-actions",
	"ClusterNetworkPolicy.spec.egress[].ports[].port":                   "TestFieldsOnTraffic/acnp-egress-ports",
	"ClusterNetworkPolicy.spec.egress[].ports[].endPort":                "TestFieldsOnTraffic/acnp-egress-ports",
	"ClusterNetworkPolicy.spec.egress[].ports[].sourcePort":             "TestFieldsOnTraffic/acnp-egress-ports",
	"ClusterNetworkPolicy.spec.egress[].ports[].sourceEndPort":          "TestFieldsOnTraffic/acnp-egress-ports",
	"ClusterNetworkPolicy.spec.egress[].protocols[].icmp":               "TestFieldsOnTraffic/acnp-egress-ports",
	"ClusterNetworkPolicy.spec.egress[].to[].ipBlock.cidr":              "TestOVSPolicies/egress rules",
	"ClusterNetworkPolicy.spec.egress[].to[].ipBlock.except":            "TestFieldsOnTraffic/acnp-egress-except",
	"ClusterNetworkPolicy.spec.egress[].to[].podSelector":               "TestPodStartup",
	"ClusterNetworkPolicy.spec.egress[].to[].namespaceSelector":         "TestPodStartup",
	"ClusterNetworkPolicy.spec.egress[].to[].namespaces.match":          "TestFieldsOnTraffic/acnp-namespaces",
	"ClusterNetworkPolicy.spec.egress[].to[].namespaces.sameLabels":     "TestFieldsOnTraffic/acnp-namespaces",
	"ClusterNetworkPolicy.spec.egress[].to[].group":                     "TestNodeSelectorPeer",
	"ClusterNetworkPolicy.spec.egress[].to[].serviceAccount":            "TestFieldsOnTraffic/acnp-serviceaccount",
	"ClusterNetworkPolicy.spec.egress[].to[].nodeSelector":              "TestNodeSelectorPeer",
	"ClusterNetworkPolicy.spec.egress[].name":                           "TestOVSPacketIns",
	"ClusterNetworkPolicy.spec.egress[].enableLogging":                  "TestOVSPacketIns",
	"ClusterNetworkPolicy.spec.egress[].logLabel":                       "TestFieldsOnTraffic/acnp-logging",
	"ClusterNetworkPolicy.spec.egress[].toServices[].name":              "TestOVSToServices, TestToServices",
	"ClusterNetworkPolicy.spec.egress[].toServices[].namespace":         "TestOVSToServices, TestToServices",
	"ClusterNetworkPolicy.spec.egress[].appliedTo[].podSelector":        "TestFieldsOnTraffic/acnp-egress-appliedto",
	"ClusterNetworkPolicy.spec.egress[].appliedTo[].namespaceSelector":  "TestFieldsOnTraffic/acnp-egress-appliedto",
	"ClusterNetworkPolicy.spec.egress[].appliedTo[].group":              "TestFieldsOnTraffic/acnp-egress-appliedto",
	"ClusterNetworkPolicy.spec.egress[].appliedTo[].serviceAccount":     "TestFieldsOnTraffic/acnp-egress-appliedto",
	"NetworkPolicy.spec.tier":                                           "TestANNP",
	"NetworkPolicy.spec.priority":                                       "TestANNP",
	"NetworkPolicy.spec.appliedTo[].podSelector":                        "TestANNP",
	"NetworkPolicy.spec.appliedTo[].group":                              "TestFieldsOnTraffic/annp-appliedto-group",
	"NetworkPolicy.spec.ingress[].action":                               "TestANNP",
	"NetworkPolicy.spec.ingress[].ports[].protocol":                     "TestFieldsOnTraffic/annp-ingress-ports, TestANNP",
	"NetworkPolicy.spec.ingress[].ports[].port":                         "TestFieldsOnTraffic/annp-ingress-ports, TestANNP",
	"NetworkPolicy.spec.ingress[].ports[].endPort":                      "TestFieldsOnTraffic/annp-ingress-ports",
	"NetworkPolicy.spec.ingress[].ports[].sourcePort":                   "TestFieldsOnTraffic/annp-ingress-ports",
	"NetworkPolicy.spec.ingress[].ports[].sourceEndPort":                "TestFieldsOnTraffic/annp-ingress-ports",
	"NetworkPolicy.spec.ingress[].protocols[].icmp":                     "TestFieldsOnTraffic/annp-ingress-ports",
	"NetworkPolicy.spec.ingress[].from[].ipBlock.cidr":                  "TestFieldsOnTraffic/annp-ingress-peers",
	"NetworkPolicy.spec.ingress[].from[].ipBlock.except":                "TestFieldsOnTraffic/annp-ingress-peers",
	"NetworkPolicy.spec.ingress[].from[].podSelector":                   "TestANNP",
	"NetworkPolicy.spec.ingress[].from[].namespaceSelector":             "TestFieldsOnTraffic/annp-ingress-peers",
	"NetworkPolicy.spec.ingress[].from[].group":                         "TestANNP",
	"NetworkPolicy.spec.ingress[].from[].nodeSelector":                  "TestFieldsOnTraffic/annp-ingress-peers",
	"NetworkPolicy.spec.ingress[].name":                                 "TestFieldsOnTraffic/annp-ingress-peers",
	"NetworkPolicy.spec.ingress[].enableLogging":                        "TestFieldsOnTraffic/annp-ingress-peers",
	"NetworkPolicy.spec.ingress[].logLabel":                             "TestFieldsOnTraffic/annp-ingress-peers",
	"NetworkPolicy.spec.ingress[].appliedTo[].podSelector":              "TestFieldsOnTraffic/annp-rule-appliedto",
	"NetworkPolicy.spec.ingress[].appliedTo[].group":                    "TestFieldsOnTraffic/annp-rule-appliedto",
	"NetworkPolicy.spec.egress[].action":                                "TestFieldsOnTraffic/annp-egress-actions, TestFieldsOnTraffic/annp-egress-ports",
	"NetworkPolicy.spec.egress[].ports[].protocol":                      "TestFieldsOnTraffic/annp-egress-ports, TestFieldsOnTraffic/annp-egress-actions",
	"NetworkPolicy.spec.egress[].ports[].port":                          "TestFieldsOnTraffic/annp-egress-ports",
	"NetworkPolicy.spec.egress[].ports[].endPort":                       "TestFieldsOnTraffic/annp-egress-ports",
	"NetworkPolicy.spec.egress[].ports[].sourcePort":                    "TestFieldsOnTraffic/annp-egress-ports",
	"NetworkPolicy.spec.egress[].ports[].sourceEndPort":                 "TestFieldsOnTraffic/annp-egress-ports",
	"NetworkPolicy.spec.egress[].protocols[].icmp":                      "TestFieldsOnTraffic/annp-egress-ports",
	"NetworkPolicy.spec.egress[].to[].ipBlock.cidr":                     "TestFieldsOnTraffic/annp-egress-peers",
	"NetworkPolicy.spec.egress[].to[].ipBlock.except":                   "TestFieldsOnTraffic/annp-egress-peers",
	"NetworkPolicy.spec.egress[].to[].podSelector":                      "TestFieldsOnTraffic/annp-egress-ports",
	"NetworkPolicy.spec.egress[].to[].namespaceSelector":                "TestFieldsOnTraffic/annp-egress-peers",
	"NetworkPolicy.spec.egress[].to[].group":                            "TestFieldsOnTraffic/annp-egress-peers",
	"NetworkPolicy.spec.egress[].to[].nodeSelector":                     "TestFieldsOnTraffic/annp-egress-peers",
	"NetworkPolicy.spec.egress[].name":                                  "TestFieldsOnTraffic/annp-egress-peers",
	"NetworkPolicy.spec.egress[].enableLogging":                         "TestFieldsOnTraffic/annp-egress-peers",
	"NetworkPolicy.spec.egress[].logLabel":                              "TestFieldsOnTraffic/annp-egress-peers",
	"NetworkPolicy.spec.egress[].toServices[].name":                     "TestOVSToServices, TestToServices/annp",
	"NetworkPolicy.spec.egress[].toServices[].namespace":                "TestOVSToServices, TestToServices/annp",
	"NetworkPolicy.spec.egress[].appliedTo[].podSelector":               "TestFieldsOnTraffic/annp-rule-appliedto",
	"NetworkPolicy.spec.egress[].appliedTo[].group":                     "TestFieldsOnTraffic/annp-rule-appliedto",
	"ClusterGroup.spec.podSelector":                                     "TestWalkthrough/5.4",
	"ClusterGroup.spec.namespaceSelector":                               "TestFieldsOnTraffic/clustergroup-peers",
	"ClusterGroup.spec.nodeSelector":                                    "TestNodeSelectorPeer",
	"ClusterGroup.spec.ipBlock":                                         "TestFieldsOnTraffic/clustergroup-peers",
	"ClusterGroup.spec.ipBlocks":                                        "TestFieldsOnTraffic/clustergroup-peers",
	"ClusterGroup.spec.serviceReference":                                "TestWalkthrough/5.4",
	"ClusterGroup.spec.childGroups":                                     "TestWalkthrough/5.4",
	"Group.spec.podSelector":                                            "TestANNP",
	"Group.spec.namespaceSelector":                                      "TestFieldsOnTraffic/group-peers",
	"Group.spec.ipBlocks":                                               "TestFieldsOnTraffic/group-peers",
	"Group.spec.serviceReference":                                       "TestFieldsOnTraffic/group-peers",
	"Group.spec.childGroups":                                            "TestANNP",
	"Tier.spec.priority":                                                "TestAgentPassThenBaseline, TestWalkthrough/5.4",
}

// Refused are the fields this Strata version refuses (Policy, Rule, Peer, AppliedTo,
// GroupSpec): admission answers 422 naming the field, and the computation reports an
// object stored by an older version as not realizable. The value says what is refused.
var Refused = map[string]string{
	"ClusterNetworkPolicy.spec.appliedTo[].externalEntitySelector":           "ExternalEntities (VMs and other non-Pod workloads)",
	"ClusterNetworkPolicy.spec.appliedTo[].service":                          "policies applied to a Service (NodePort traffic)",
	"ClusterNetworkPolicy.spec.appliedTo[].nodeSelector":                     "Node policies (the Nodes' own traffic)",
	"ClusterNetworkPolicy.spec.ingress[].protocols[].igmp":                   "IGMP (multicast)",
	"ClusterNetworkPolicy.spec.ingress[].l7Protocols":                        "layer-7 (HTTP, TLS) rules",
	"ClusterNetworkPolicy.spec.ingress[].from[].externalEntitySelector":      "ExternalEntities (VMs and other non-Pod workloads)",
	"ClusterNetworkPolicy.spec.ingress[].from[].scope":                       "scope ClusterSet (Multi-cluster); Cluster, the default, is accepted",
	"ClusterNetworkPolicy.spec.ingress[].toServices":                         "toServices (a Service as destination, before DNAT)",
	"ClusterNetworkPolicy.spec.ingress[].appliedTo[].externalEntitySelector": "ExternalEntities (VMs and other non-Pod workloads)",
	"ClusterNetworkPolicy.spec.ingress[].appliedTo[].service":                "policies applied to a Service (NodePort traffic)",
	"ClusterNetworkPolicy.spec.ingress[].appliedTo[].nodeSelector":           "Node policies (the Nodes' own traffic)",
	"ClusterNetworkPolicy.spec.egress[].protocols[].igmp":                    "IGMP (multicast)",
	"ClusterNetworkPolicy.spec.egress[].l7Protocols":                         "layer-7 (HTTP, TLS) rules",
	"ClusterNetworkPolicy.spec.egress[].to[].externalEntitySelector":         "ExternalEntities (VMs and other non-Pod workloads)",
	"ClusterNetworkPolicy.spec.egress[].to[].scope":                          "scope ClusterSet (Multi-cluster); an egress peer takes no scope (validation)",
	"ClusterNetworkPolicy.spec.egress[].toServices[].scope":                  "scope ClusterSet (Multi-cluster); Cluster, the default, is accepted",
	"ClusterNetworkPolicy.spec.egress[].appliedTo[].externalEntitySelector":  "ExternalEntities (VMs and other non-Pod workloads)",
	"ClusterNetworkPolicy.spec.egress[].appliedTo[].service":                 "policies applied to a Service (NodePort traffic)",
	"ClusterNetworkPolicy.spec.egress[].appliedTo[].nodeSelector":            "Node policies (the Nodes' own traffic)",
	"NetworkPolicy.spec.appliedTo[].externalEntitySelector":                  "ExternalEntities (VMs and other non-Pod workloads)",
	"NetworkPolicy.spec.appliedTo[].service":                                 "policies applied to a Service (NodePort traffic)",
	"NetworkPolicy.spec.appliedTo[].nodeSelector":                            "Node policies (the Nodes' own traffic)",
	"NetworkPolicy.spec.ingress[].protocols[].igmp":                          "IGMP (multicast)",
	"NetworkPolicy.spec.ingress[].l7Protocols":                               "layer-7 (HTTP, TLS) rules",
	"NetworkPolicy.spec.ingress[].from[].externalEntitySelector":             "ExternalEntities (VMs and other non-Pod workloads)",
	"NetworkPolicy.spec.ingress[].from[].scope":                              "scope ClusterSet (Multi-cluster); Cluster, the default, is accepted",
	"NetworkPolicy.spec.ingress[].toServices":                                "toServices (a Service as destination, before DNAT)",
	"NetworkPolicy.spec.ingress[].appliedTo[].externalEntitySelector":        "ExternalEntities (VMs and other non-Pod workloads)",
	"NetworkPolicy.spec.ingress[].appliedTo[].service":                       "policies applied to a Service (NodePort traffic)",
	"NetworkPolicy.spec.ingress[].appliedTo[].nodeSelector":                  "Node policies (the Nodes' own traffic)",
	"NetworkPolicy.spec.egress[].protocols[].igmp":                           "IGMP (multicast)",
	"NetworkPolicy.spec.egress[].l7Protocols":                                "layer-7 (HTTP, TLS) rules",
	"NetworkPolicy.spec.egress[].to[].externalEntitySelector":                "ExternalEntities (VMs and other non-Pod workloads)",
	"NetworkPolicy.spec.egress[].to[].scope":                                 "scope ClusterSet (Multi-cluster); an egress peer takes no scope (validation)",
	"NetworkPolicy.spec.egress[].toServices[].scope":                         "scope ClusterSet (Multi-cluster); Cluster, the default, is accepted",
	"NetworkPolicy.spec.egress[].appliedTo[].externalEntitySelector":         "ExternalEntities (VMs and other non-Pod workloads)",
	"NetworkPolicy.spec.egress[].appliedTo[].service":                        "policies applied to a Service (NodePort traffic)",
	"NetworkPolicy.spec.egress[].appliedTo[].nodeSelector":                   "Node policies (the Nodes' own traffic)",
	"ClusterGroup.spec.externalEntitySelector":                               "ExternalEntities (VMs and other non-Pod workloads)",
	"Group.spec.externalEntitySelector":                                      "ExternalEntities (VMs and other non-Pod workloads)",
}

// RefusedValue is a value of an Enforced field that this Strata version refuses.
type RefusedValue struct {
	// Value is the refused value, as written in a manifest.
	Value string
	// Note says why.
	Note string
}

// RefusedValues are the values of Enforced fields this Strata version refuses
// (Rule): admission answers 422 at the field, the message saying which value and
// why, and the computation reports an object stored by an older version with one
// as not realizable (its entries with the value are left out: an Allow or Pass
// installs nothing, a Drop or Reject its other entries). The field's other values
// are enforced, proven by the tests Enforced names.
var RefusedValues = map[string]RefusedValue{
	"ClusterNetworkPolicy.spec.ingress[].ports[].protocol": {Value: "SCTP", Note: sctpNote},
	"ClusterNetworkPolicy.spec.egress[].ports[].protocol":  {Value: "SCTP", Note: sctpNote},
	"NetworkPolicy.spec.ingress[].ports[].protocol":        {Value: "SCTP", Note: sctpNote},
	"NetworkPolicy.spec.egress[].ports[].protocol":         {Value: "SCTP", Note: sctpNote},
}

const sctpNote = "Open vSwitch's userspace connection tracking (3.1) keeps one SCTP entry per pair of " +
	"addresses, without ports: once two Pods have one SCTP association, every SCTP packet between them " +
	"takes the established bypass (an Allow of one port would let the others through, a Drop of a port " +
	"would do nothing)"

// Unproven are fields the computation and the agents implement but that no test
// proves on real traffic (or only some of their values); the value says what is
// missing. Each is to be proven by a test or refused.
var Unproven = map[string]string{}

// NotAllowed are fields that the kind's validation refuses wherever they appear,
// as Antrea does: they are not part of the kind at that position (apis/crd/validation).
var NotAllowed = map[string]string{
	"ClusterNetworkPolicy.spec.ingress[].from[].fqdn":            "FQDN peers are egress only (validation)",
	"NetworkPolicy.spec.ingress[].from[].fqdn":                   "FQDN peers are egress only (validation)",
	"ClusterNetworkPolicy.spec.ingress[].to":                     "an ingress rule selects its sources with from",
	"ClusterNetworkPolicy.spec.egress[].from":                    "an egress rule selects its destinations with to",
	"NetworkPolicy.spec.appliedTo[].namespaceSelector":           "not in a NetworkPolicy's appliedTo (its own Namespace)",
	"NetworkPolicy.spec.appliedTo[].serviceAccount":              "not in a NetworkPolicy (ClusterNetworkPolicy only)",
	"NetworkPolicy.spec.ingress[].to":                            "an ingress rule selects its sources with from",
	"NetworkPolicy.spec.ingress[].from[].namespaces":             "not in a NetworkPolicy (ClusterNetworkPolicy only)",
	"NetworkPolicy.spec.ingress[].from[].serviceAccount":         "not in a NetworkPolicy (ClusterNetworkPolicy only)",
	"NetworkPolicy.spec.ingress[].appliedTo[].namespaceSelector": "not in a NetworkPolicy's appliedTo (its own Namespace)",
	"NetworkPolicy.spec.ingress[].appliedTo[].serviceAccount":    "not in a NetworkPolicy (ClusterNetworkPolicy only)",
	"NetworkPolicy.spec.egress[].from":                           "an egress rule selects its destinations with to",
	"NetworkPolicy.spec.egress[].to[].namespaces":                "not in a NetworkPolicy (ClusterNetworkPolicy only)",
	"NetworkPolicy.spec.egress[].to[].serviceAccount":            "not in a NetworkPolicy (ClusterNetworkPolicy only)",
	"NetworkPolicy.spec.egress[].appliedTo[].namespaceSelector":  "not in a NetworkPolicy's appliedTo (its own Namespace)",
	"NetworkPolicy.spec.egress[].appliedTo[].serviceAccount":     "not in a NetworkPolicy (ClusterNetworkPolicy only)",
	"Group.spec.nodeSelector":                                    "ClusterGroups only",
}

// Descriptive are fields without an effect on traffic: stored and shown only.
var Descriptive = map[string]string{
	"Tier.spec.description": "free text, shown by kubectl",
}

// ServerWritten is the status of each kind: strata-apiserver writes it (the status
// subresource), users cannot.
var ServerWritten = []string{
	"ClusterNetworkPolicy.status", "NetworkPolicy.status", "ClusterGroup.status", "Group.status",
}

// Test is a test named in Enforced or in a note.
type Test struct {
	// Package is the directory of the test's package in the repository.
	Package string
	// Scope says what the test feeds in and which traffic it checks.
	Scope string
	// Pending is true while the test is being written (it does not exist yet).
	Pending bool
}

const (
	scopeCluster  = "local cluster: manifests through kube-apiserver and strata-apiserver, the agents, connections between Pods"
	scopeAgent    = "strata-agent on a private Open vSwitch: controlplane objects in, connections between network namespaces"
	scopePipeline = "the OVS pipeline on a private Open vSwitch: completed rules in, connections between network namespaces"
)

// Tests are the tests named in Enforced.
var Tests = map[string]Test{
	"TestWalkthrough":                  {Package: "test/e2e/seed", Scope: scopeCluster},
	"TestFaults":                       {Package: "test/e2e/localcluster", Scope: scopeCluster},
	"TestPodStartup":                   {Package: "test/e2e/localcluster", Scope: scopeCluster},
	"TestAgentEnforces":                {Package: "nodeagent", Scope: scopeAgent},
	"TestAgentRejectUDP":               {Package: "nodeagent", Scope: scopeAgent},
	"TestAgentDropAfterOneWayUDPAllow": {Package: "nodeagent", Scope: scopeAgent},
	"TestAgentPassThenBaseline":        {Package: "nodeagent", Scope: scopeAgent},
	"TestOVSPolicies":                  {Package: "nodeagent/pipeline", Scope: scopePipeline},
	"TestOVSPacketIns":                 {Package: "nodeagent/pipeline", Scope: scopePipeline},
	"TestOVSToServices":                {Package: "nodeagent/pipeline", Scope: scopePipeline},
	"TestToServices":                   {Package: "test/e2e/localcluster", Scope: scopeCluster},
	"TestOVSFQDN":                      {Package: "nodeagent/pipeline", Scope: scopePipeline},
	"TestFQDN":                         {Package: "test/e2e/localcluster", Scope: scopeCluster},
	"TestANNP":                         {Package: "test/e2e/localcluster", Scope: scopeCluster},
	"TestNodeSelectorPeer":             {Package: "test/e2e/localcluster", Scope: scopeCluster},
	"TestRejectMidStream":              {Package: "test/e2e/localcluster", Scope: scopeCluster},
	"TestFieldsOnTraffic":              {Package: "test/e2e/localcluster", Scope: scopeCluster},
}

// ServedKind is a kind of a served group-version.
type ServedKind struct {
	GroupVersion string
	Kind         string
	// Type is the versioned Go type.
	Type reflect.Type
}

// Served are the policy kinds of every served group-version, the storage version
// first.
var Served = []ServedKind{
	{v1beta1.SchemeGroupVersion.String(), "Tier", reflect.TypeFor[v1beta1.Tier]()},
	{v1beta1.SchemeGroupVersion.String(), "ClusterNetworkPolicy", reflect.TypeFor[v1beta1.ClusterNetworkPolicy]()},
	{v1beta1.SchemeGroupVersion.String(), "NetworkPolicy", reflect.TypeFor[v1beta1.NetworkPolicy]()},
	{v1beta1.SchemeGroupVersion.String(), "ClusterGroup", reflect.TypeFor[v1beta1.ClusterGroup]()},
	{v1beta1.SchemeGroupVersion.String(), "Group", reflect.TypeFor[v1beta1.Group]()},
	{crdv1alpha1.SchemeGroupVersion.String(), "Tier", reflect.TypeFor[crdv1alpha1.Tier]()},
	{crdv1alpha1.SchemeGroupVersion.String(), "ClusterNetworkPolicy", reflect.TypeFor[crdv1alpha1.ClusterNetworkPolicy]()},
	{crdv1alpha2.SchemeGroupVersion.String(), "ClusterGroup", reflect.TypeFor[crdv1alpha2.ClusterGroup]()},
	{securityv1alpha1.SchemeGroupVersion.String(), "Tier", reflect.TypeFor[securityv1alpha1.Tier]()},
	{securityv1alpha1.SchemeGroupVersion.String(), "ClusterNetworkPolicy", reflect.TypeFor[securityv1alpha1.ClusterNetworkPolicy]()},
}

// Field is a JSON field of a served kind.
type Field struct {
	// Path is the field's path from its kind: Kind.spec.ingress[].from[].fqdn.
	Path string
	// Versions are the group-versions whose kind has the field, in the order of
	// Served.
	Versions []string
	// Leaf is true for a field whose value is not one of the API's own structs (a
	// scalar, a label selector, a list of strings, ...).
	Leaf bool
}

// apisPrefix is the package path prefix of the API's own types: the walk descends
// into their fields, and stops at other types (metav1.LabelSelector, IntOrString).
const apisPrefix = "github.com/strata-net/strata/apis/"

// Fields returns every JSON field of every served kind but the object and type
// metadata, each once with the versions that have it, in the order of the types'
// fields.
func Fields() []Field {
	var fields []Field
	index := map[string]int{}
	for _, sk := range Served {
		prev := -1
		var walk func(prefix string, t reflect.Type)
		walk = func(prefix string, t reflect.Type) {
			for i := range t.NumField() {
				sf := t.Field(i)
				name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
				if name == "" || name == "-" || name == "metadata" {
					continue
				}
				path := prefix + "." + name
				ft := deref(sf.Type)
				child := path
				if ft.Kind() == reflect.Slice {
					ft, child = deref(ft.Elem()), path+"[]"
				}
				descend := ft.Kind() == reflect.Struct && strings.HasPrefix(ft.PkgPath(), apisPrefix)
				if i, ok := index[path]; ok {
					fields[i].Versions = append(fields[i].Versions, sk.GroupVersion)
					prev = i
				} else {
					// A field only some versions have goes after the field that
					// precedes it in this version.
					prev++
					fields = slices.Insert(fields, prev, Field{Path: path, Versions: []string{sk.GroupVersion}, Leaf: !descend})
					for p, i := range index {
						if i >= prev {
							index[p] = i + 1
						}
					}
					index[path] = prev
				}
				if descend {
					walk(child, ft)
				}
			}
		}
		walk(sk.Kind, sk.Type)
	}
	return fields
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// Class is how this Strata version treats a field.
type Class string

// The classes of the lists.
const (
	ClassEnforced      Class = "enforced"
	ClassRefused       Class = "refused"
	ClassUnproven      Class = "enforced, unproven"
	ClassNotAllowed    Class = "not allowed"
	ClassDescriptive   Class = "descriptive"
	ClassServerWritten Class = "status, written by the server"
)

// Listed returns the class and note of a path listed as it is.
func Listed(path string) (Class, string, bool) {
	if note, ok := Enforced[path]; ok {
		return ClassEnforced, note, true
	}
	if note, ok := Refused[path]; ok {
		return ClassRefused, note, true
	}
	if note, ok := Unproven[path]; ok {
		return ClassUnproven, note, true
	}
	if note, ok := NotAllowed[path]; ok {
		return ClassNotAllowed, note, true
	}
	if note, ok := Descriptive[path]; ok {
		return ClassDescriptive, note, true
	}
	if slices.Contains(ServerWritten, path) {
		return ClassServerWritten, "", true
	}
	return "", "", false
}

// Classify returns the listed path that covers path (path itself or its closest
// listed ancestor), with its class and note; ok is false when no list covers it.
func Classify(path string) (listed string, class Class, note string, ok bool) {
	for p := path; p != ""; {
		if class, note, ok := Listed(p); ok {
			return p, class, note, true
		}
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			break
		}
		p = strings.TrimSuffix(p[:i], "[]")
	}
	return "", "", "", false
}
