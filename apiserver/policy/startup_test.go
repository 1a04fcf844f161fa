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

package policy

import (
	"context"
	"net"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
)

// addressesOf returns the IPs of the members of an AddressGroup, by member.
func (s *fakeSink) addressesOf(group string) map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]string{}
	if g := s.address[group]; g != nil {
		for _, m := range g.Members {
			for _, ip := range m.IPs {
				out[m.Pod.Namespace+"/"+m.Pod.Name] = append(out[m.Pod.Namespace+"/"+m.Pod.Name], net.IP(ip).String())
			}
		}
	}
	return out
}

// TestReportPodAddresses starts a Pod whose status has no IP yet (as when its
// agent attaches it): once ReportPodAddresses returns, the AddressGroup of the
// policy that names it as a peer holds the reported address; a report for
// another UID of the same name changes nothing.
func TestReportPodAddresses(t *testing.T) {
	starting := apiPod("default", "client", "n2", "", map[string]string{"app": "client"})
	starting.Status = corev1.PodStatus{Phase: corev1.PodPending}
	kubeObjs := []runtime.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "default"}},
		apiPod("default", "server", "n1", "10.0.0.2", map[string]string{"app": "server"}), starting,
	}
	crdObjs := []runtime.Object{
		&crdv1beta1.Tier{ObjectMeta: metav1.ObjectMeta{Name: "securityops"}, Spec: crdv1beta1.TierSpec{Priority: 100}},
		acnp("drop", "securityops", 5, []crdv1beta1.AppliedTo{{PodSelector: sel("app", "server")}},
			ruleFrom(crdv1beta1.RuleActionDrop, "DropClients", crdv1beta1.NetworkPolicyPeer{PodSelector: sel("app", "client")})),
	}
	c, _, sink := startController(t, kubeObjs, crdObjs)
	group := groupName(t, "", nil, sel("app", "client"))
	if got := sink.addressesOf(group)["default/client"]; len(got) != 0 {
		t.Fatalf("the starting Pod has addresses %v before any report", got)
	}
	short, cancelShort := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancelShort()
	if err := c.ReportPodAddresses(short, StartingPod{Namespace: "default", Name: "client", UID: "uid-other", NodeName: "n2", IPs: []net.IP{net.ParseIP("10.0.1.99")}}); err == nil {
		t.Fatal("a report for another UID (not in the informer) returned before its deadline")
	}
	short2, cancelShort2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancelShort2()
	if err := c.ReportPodAddresses(short2, StartingPod{Namespace: "default", Name: "client", UID: starting.UID, NodeName: "n1", IPs: []net.IP{net.ParseIP("10.0.1.98")}}); err == nil {
		t.Fatal("a report from another Node than the Pod's returned before its deadline")
	}
	if got := sink.addressesOf(group)["default/client"]; len(got) != 0 {
		t.Fatalf("a report for another UID gave the Pod addresses %v", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.ReportPodAddresses(ctx, StartingPod{Namespace: "default", Name: "client", UID: starting.UID, NodeName: "n2", IPs: []net.IP{net.ParseIP("10.0.1.7")}}); err != nil {
		t.Fatalf("ReportPodAddresses: %v", err)
	}
	if got := sink.addressesOf(group)["default/client"]; len(got) != 1 || got[0] != "10.0.1.7" {
		t.Fatalf("once reported, the AddressGroup holds %v for the starting Pod, want [10.0.1.7]", got)
	}

	// The sandbox is created again and gets another address; the status still
	// shows the old one: the report wins.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel2()
	if err := c.ReportPodAddresses(ctx2, StartingPod{Namespace: "default", Name: "client", UID: starting.UID, NodeName: "n2", IPs: []net.IP{net.ParseIP("10.0.1.8")}}); err != nil {
		t.Fatalf("ReportPodAddresses: %v", err)
	}
	if got := sink.addressesOf(group)["default/client"]; len(got) != 1 || got[0] != "10.0.1.8" {
		t.Fatalf("after a new sandbox, the AddressGroup holds %v, want [10.0.1.8]", got)
	}
}
