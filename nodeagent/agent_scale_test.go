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
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/pipeline"
	agenttypes "github.com/strata-net/strata/nodeagent/types"
)

// scale is the shape of a generated controlplane state: rules over local Pods
// with peer addresses, the shape of nodeagent/pipeline's install benchmark.
type scale struct {
	pods, rules, peers int
	// rulesPerPolicy rules share a policy and its AppliedToGroup of 5 Pods.
	rulesPerPolicy int
}

// defaultScale is 10k rules over 1k Pods and 100k peer addresses;
// STRATA_BENCH_RULES=N scales rules and peers down (or up) together.
func defaultScale() scale {
	s := scale{pods: 1000, rules: 10_000, peers: 100_000, rulesPerPolicy: 10}
	if v, err := strconv.Atoi(os.Getenv("STRATA_BENCH_RULES")); err == nil && v > 0 {
		s.peers = s.peers * v / s.rules
		s.rules = v
	}
	return s
}

// scalePods are the local Pods p<i>, 10.0.x.y, on ofport i+1 (no veths: the
// flows only need the numbers).
func scalePods(s scale) []pipeline.Pod {
	pods := make([]pipeline.Pod, 0, s.pods)
	for i := range s.pods {
		mac := net.HardwareAddr{2, 0, 0, 0, byte(i >> 8), byte(i)}
		ip := net.IP{10, 0, byte(i >> 8), byte(i)}
		pods = append(pods, pipeline.Pod{Ref: agenttypes.PodRef{Namespace: "default", Name: fmt.Sprintf("p%d", i)},
			OFPort: int32(i + 1), MAC: mac, IPs: []net.IP{ip}})
	}
	return pods
}

// scaleObjects generates the controlplane state: application-tier policies
// of rulesPerPolicy rules, each applied to 5 Pods (AppliedToGroup atg-<policy>),
// each rule with its own AddressGroup ag-<rule> of remote Pods in 172.16.0.0/12
// and its own TCP port; 70% Allow, 20% Drop, 10% Reject; every fifth rule is
// egress.
func scaleObjects(s scale) (nps, atgs, ags []runtime.Object) {
	peersPerRule := s.peers / s.rules
	actions := []v1beta2.RuleAction{"Allow", "Allow", "Allow", "Allow", "Allow", "Allow", "Allow", "Drop", "Drop", "Reject"}
	tier := tierApplication
	for p := 0; p*s.rulesPerPolicy < s.rules; p++ {
		atg := &v1beta2.AppliedToGroup{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("atg-%d", p)}}
		for t := range 5 {
			atg.GroupMembers = append(atg.GroupMembers, v1beta2.GroupMember{
				Pod: &v1beta2.PodReference{Namespace: "default", Name: fmt.Sprintf("p%d", (p*5+t)%s.pods)}})
		}
		atgs = append(atgs, atg)
		uid, prio := types.UID(fmt.Sprintf("uid-%d", p)), float64(1+p)
		np := &v1beta2.NetworkPolicy{ObjectMeta: metav1.ObjectMeta{Name: string(uid), UID: uid, Generation: 1},
			AppliedToGroups: []string{atg.Name}, TierPriority: &tier, Priority: &prio,
			SourceRef: &v1beta2.NetworkPolicyReference{Type: v1beta2.AntreaClusterNetworkPolicy, Name: fmt.Sprintf("acnp-%d", p), UID: uid}}
		for i := p * s.rulesPerPolicy; i < min((p+1)*s.rulesPerPolicy, s.rules); i++ {
			ag := &v1beta2.AddressGroup{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("ag-%d", i)}}
			for k := i * peersPerRule; k < (i+1)*peersPerRule; k++ {
				ag.GroupMembers = append(ag.GroupMembers, remotePeer(k))
			}
			ags = append(ags, ag)
			r := v1beta2.NetworkPolicyRule{Direction: v1beta2.DirectionIn, Action: action(actions[i%len(actions)]),
				Name: fmt.Sprintf("r%d", i), Priority: int32(i % s.rulesPerPolicy), Services: []v1beta2.Service{tcpService(int32(1000 + i%5000))}}
			peer := v1beta2.NetworkPolicyPeer{AddressGroups: []string{ag.Name}}
			if i%5 == 4 {
				r.Direction, r.To = v1beta2.DirectionOut, peer
			} else {
				r.From = peer
			}
			np.Rules = append(np.Rules, r)
		}
		nps = append(nps, np)
	}
	return nps, atgs, ags
}

// remotePeer is the k-th remote Pod: 172.16.0.0/12 from the bottom.
func remotePeer(k int) v1beta2.GroupMember {
	ip := netip.AddrFrom4([4]byte{172, 16 + byte(k>>16), byte(k >> 8), byte(k)}).AsSlice()
	return v1beta2.GroupMember{Pod: &v1beta2.PodReference{Namespace: "remote", Name: fmt.Sprintf("peer-%d", k)},
		IPs: []v1beta2.IPAddress{ip}}
}

// setScale makes the controlplane serve the generated state.
func (f *fakeControlplane) setScale(s scale) {
	nps, atgs, ags := scaleObjects(s)
	f.set("networkpolicies", nps...)
	f.set("appliedtogroups", atgs...)
	f.set("addressgroups", ags...)
}
