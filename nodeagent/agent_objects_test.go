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

package nodeagent

import (
	"net"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
)

// Builders of controlplane objects over the test node's two Pods: policies are
// applied to the server Pod (AppliedToGroup atg-server) and their ingress rules
// come from the client Pod (AddressGroup ag-client).

// Tier priorities of the built-in tiers used by the tests.
const (
	tierSecurityOps int32 = 100
	tierApplication int32 = 250
	tierBaseline    int32 = 253
)

func tcpService(port int32) v1beta2.Service {
	p, v := v1beta2.ProtocolTCP, intstr.FromInt32(port)
	return v1beta2.Service{Protocol: &p, Port: &v}
}

func udpService(port int32) v1beta2.Service {
	p, v := v1beta2.ProtocolUDP, intstr.FromInt32(port)
	return v1beta2.Service{Protocol: &p, Port: &v}
}

// fromClient is an ingress rule from the client Pod; action nil is a K8s
// NetworkPolicy rule.
func fromClient(action *v1beta2.RuleAction, name string, index int32, logging bool, svc ...v1beta2.Service) v1beta2.NetworkPolicyRule {
	return v1beta2.NetworkPolicyRule{Direction: v1beta2.DirectionIn, Action: action, Name: name, Priority: index,
		EnableLogging: logging, From: v1beta2.NetworkPolicyPeer{AddressGroups: []string{"ag-client"}}, Services: svc}
}

func action(a v1beta2.RuleAction) *v1beta2.RuleAction { return &a }

// acnpObject is an Antrea ClusterNetworkPolicy named name in a tier, applied to
// the server Pod.
func acnpObject(name string, tier int32, priority float64, rules ...v1beta2.NetworkPolicyRule) *v1beta2.NetworkPolicy {
	uid := types.UID("uid-" + name)
	return &v1beta2.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: string(uid), UID: uid, Generation: 1},
		AppliedToGroups: []string{"atg-server"}, TierPriority: &tier, Priority: &priority, Rules: rules,
		SourceRef: &v1beta2.NetworkPolicyReference{Type: v1beta2.AntreaClusterNetworkPolicy, Name: name, UID: uid}}
}

// k8sNPObject is a Kubernetes NetworkPolicy of Namespace default named name,
// selecting the server Pod.
func k8sNPObject(name string, rules ...v1beta2.NetworkPolicyRule) *v1beta2.NetworkPolicy {
	uid := types.UID("uid-k8s-" + name)
	return &v1beta2.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: string(uid), UID: uid, Generation: 1},
		AppliedToGroups: []string{"atg-server"}, Rules: rules,
		SourceRef: &v1beta2.NetworkPolicyReference{Type: v1beta2.K8sNetworkPolicy, Namespace: "default", Name: name, UID: uid}}
}

func serverGroup() *v1beta2.AppliedToGroup {
	return &v1beta2.AppliedToGroup{ObjectMeta: metav1.ObjectMeta{Name: "atg-server"},
		GroupMembers: []v1beta2.GroupMember{{Pod: &v1beta2.PodReference{Name: "server", Namespace: "default"}}}}
}

func clientGroup() *v1beta2.AddressGroup {
	return &v1beta2.AddressGroup{ObjectMeta: metav1.ObjectMeta{Name: "ag-client"},
		GroupMembers: []v1beta2.GroupMember{{Pod: &v1beta2.PodReference{Name: "client", Namespace: "default"},
			IPs: []v1beta2.IPAddress{v1beta2.IPAddress(net.ParseIP("10.78.0.11").To4())}}}}
}

// setPolicies makes the controlplane serve the policies with the two groups.
func (n *node) setPolicies(nps ...*v1beta2.NetworkPolicy) {
	objs := make([]runtime.Object, 0, len(nps))
	for _, np := range nps {
		objs = append(objs, np)
	}
	n.cp.set("networkpolicies", objs...)
	n.cp.set("appliedtogroups", serverGroup())
	n.cp.set("addressgroups", clientGroup())
}
