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
	"errors"
	"maps"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/types"
)

const testNode = "node-a"

// eventually polls cond until it holds or 10s pass.
func eventually(t *testing.T, cond func(c *assert.CollectT), msgAndArgs ...any) {
	t.Helper()
	assert.EventuallyWithT(t, cond, 10*time.Second, 2*time.Millisecond, msgAndArgs...)
}

func ipAddr(s string) v1beta2.IPAddress { return netip.MustParseAddr(s).AsSlice() }

func ipNet(s string) v1beta2.IPNet {
	p := netip.MustParsePrefix(s)
	return v1beta2.IPNet{IP: p.Addr().AsSlice(), PrefixLength: int32(p.Bits())}
}

func pod(ns, name string, ips ...string) v1beta2.GroupMember {
	m := v1beta2.GroupMember{Pod: &v1beta2.PodReference{Namespace: ns, Name: name}}
	for _, ip := range ips {
		m.IPs = append(m.IPs, ipAddr(ip))
	}
	return m
}

func withPorts(m v1beta2.GroupMember, ports ...v1beta2.NamedPort) v1beta2.GroupMember {
	m.Ports = ports
	return m
}

func atg(name string, members ...v1beta2.GroupMember) *v1beta2.AppliedToGroup {
	return &v1beta2.AppliedToGroup{ObjectMeta: metav1.ObjectMeta{Name: name, UID: k8stypes.UID("uid-" + name)},
		GroupMembers: members}
}

func ag(name string, members ...v1beta2.GroupMember) *v1beta2.AddressGroup {
	return &v1beta2.AddressGroup{ObjectMeta: metav1.ObjectMeta{Name: name, UID: k8stypes.UID("uid-" + name)},
		GroupMembers: members}
}

func ptr[T any](v T) *T { return &v }

// acnp is an Antrea ClusterNetworkPolicy in tier 250 at priority 5.
func acnp(name string, gen int64, appliedTo []string, rules ...v1beta2.NetworkPolicyRule) *v1beta2.NetworkPolicy {
	return &v1beta2.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: k8stypes.UID(name), Generation: gen},
		Rules:      rules, AppliedToGroups: appliedTo,
		Priority: ptr(5.0), TierPriority: ptr(int32(250)),
		SourceRef: &v1beta2.NetworkPolicyReference{Type: v1beta2.AntreaClusterNetworkPolicy,
			Name: "src-" + name, UID: k8stypes.UID(name)},
	}
}

// k8sNP is a K8s NetworkPolicy (no priorities, no reported status).
func k8sNP(name string, appliedTo []string, rules ...v1beta2.NetworkPolicyRule) *v1beta2.NetworkPolicy {
	return &v1beta2.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: k8stypes.UID(name), Generation: 1},
		Rules:      rules, AppliedToGroups: appliedTo,
		SourceRef: &v1beta2.NetworkPolicyReference{Type: v1beta2.K8sNetworkPolicy,
			Namespace: "ns1", Name: "src-" + name, UID: k8stypes.UID(name)},
	}
}

// ingress is an ingress rule at index from the AddressGroups, allowing TCP port.
func ingress(index int32, port int, ags ...string) v1beta2.NetworkPolicyRule {
	return v1beta2.NetworkPolicyRule{Direction: v1beta2.DirectionIn, Priority: index,
		Action:   ptr(v1beta2.RuleActionAllow),
		From:     v1beta2.NetworkPolicyPeer{AddressGroups: ags},
		Services: []v1beta2.Service{{Protocol: ptr(v1beta2.ProtocolTCP), Port: ptr(intstr.FromInt32(int32(port)))}},
	}
}

// ruleIDs returns the IDs of the rules of np, in rule order.
func ruleIDsOf(np *v1beta2.NetworkPolicy) []types.RuleID {
	var out []types.RuleID
	for i := range np.Rules {
		r := &np.Rules[i]
		appliedTo := r.AppliedToGroups
		if len(appliedTo) == 0 {
			appliedTo = np.AppliedToGroups
		}
		out = append(out, ruleID(np, r, appliedTo))
	}
	return out
}

// reconcileCall is one call of the fake Reconciler.
type reconcileCall struct {
	op  string // "reconcile" or "forget"
	ids []types.RuleID
}

// fakeReconciler installs rules in a map; fail makes a Reconcile call fail (all
// or nothing) when it returns an error for one of the rules.
type fakeReconciler struct {
	mu         sync.Mutex
	installed  map[types.RuleID]*types.CompletedRule
	calls      []reconcileCall
	fail       func(r *types.CompletedRule) error
	failForget error
}

func newFakeReconciler() *fakeReconciler {
	return &fakeReconciler{installed: map[types.RuleID]*types.CompletedRule{}}
}

func (f *fakeReconciler) Reconcile(_ context.Context, rules []*types.CompletedRule) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	call := reconcileCall{op: "reconcile"}
	for _, r := range rules {
		call.ids = append(call.ids, r.ID)
	}
	f.calls = append(f.calls, call)
	for _, r := range rules {
		if f.fail == nil {
			break
		}
		if err := f.fail(r); err != nil {
			return err
		}
	}
	for _, r := range rules {
		f.installed[r.ID] = r
	}
	return nil
}

func (f *fakeReconciler) Forget(_ context.Context, ids []types.RuleID) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, reconcileCall{op: "forget", ids: slices.Clone(ids)})
	if f.failForget != nil {
		return f.failForget
	}
	for _, id := range ids {
		delete(f.installed, id)
	}
	return nil
}

func (f *fakeReconciler) setFail(fn func(r *types.CompletedRule) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = fn
}

// installedIDs returns the IDs of the installed rules, sorted.
func (f *fakeReconciler) installedIDs() []types.RuleID {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Sorted(maps.Keys(f.installed))
}

func (f *fakeReconciler) rule(id types.RuleID) *types.CompletedRule {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.installed[id]
}

func (f *fakeReconciler) callLog() []reconcileCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// fakeReporter records the reported statuses; fail makes reports fail.
type fakeReporter struct {
	mu      sync.Mutex
	reports []v1beta2.NetworkPolicyStatus
	fail    error
}

func (f *fakeReporter) ReportStatus(_ context.Context, st *v1beta2.NetworkPolicyStatus) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	f.reports = append(f.reports, *st.DeepCopy())
	return nil
}

func (f *fakeReporter) setFail(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = err
}

// of returns the reports of one policy, in order.
func (f *fakeReporter) of(name string) []v1beta2.NetworkPolicyNodeStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []v1beta2.NetworkPolicyNodeStatus
	for _, r := range f.reports {
		if r.Name == name {
			out = append(out, r.Nodes...)
		}
	}
	return out
}

func (f *fakeReporter) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reports)
}

var errOVS = errors.New("OFPBMC_BAD_PREREQ (a prerequisite was not met)")

func nan() float64 {
	zero := 0.0
	return zero / zero
}

func (f *fakeReconciler) setFailForget(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failForget = err
}

// callsSince returns the calls after the first mark ones.
func (f *fakeReconciler) callsSince(mark int) []reconcileCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls[mark:])
}
