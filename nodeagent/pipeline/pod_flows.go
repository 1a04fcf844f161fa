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

package pipeline

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync"

	"k8s.io/klog/v2"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
	"github.com/strata-net/strata/nodeagent/packetin"
	"github.com/strata-net/strata/nodeagent/types"
)

// Pod is a local Pod's OVS port, MAC and IPs.
type Pod struct {
	Ref    types.PodRef
	OFPort int32
	MAC    net.HardwareAddr
	IPs    []net.IP
}

// Priorities of the Pod flows.
const (
	podClassifierPriority = 190
	podPriority           = 200
	ndPriority            = 210
)

// PodFlows installs the flows of local Pods: classification, spoof guard
// (IP and ARP; IPv6 neighbor discovery goes to NORMAL), and L3/L2
// forwarding to the Pod's port. It also answers which port and IPs a Pod
// has (PodInterfaces) and which Pod has an IP (for packet-ins).
type PodFlows struct {
	p *Pipeline
	// mu guards the index, which is read without the pipeline lock.
	mu   sync.RWMutex
	pods map[types.PodRef]Pod
	byIP map[netip.Addr]types.PodRef
}

func newPodFlows(p *Pipeline) *PodFlows {
	return &PodFlows{p: p, pods: map[types.PodRef]Pod{}, byIP: map[netip.Addr]types.PodRef{}}
}

func podOwner(ref types.PodRef) ownerKey { return ownerKey("pod/" + ref.Namespace + "/" + ref.Name) }

// AddPod installs (or updates) a Pod's flows in one bundle. Rules that
// select the Pod are re-reconciled by the caller to pick up its port.
func (pf *PodFlows) AddPod(ctx context.Context, pod Pod) error {
	if pod.OFPort <= 0 || len(pod.MAC) != 6 {
		return fmt.Errorf("pod %s/%s: invalid ofport %d or MAC %q", pod.Ref.Namespace, pod.Ref.Name, pod.OFPort, pod.MAC)
	}
	pod = Pod{Ref: pod.Ref, OFPort: pod.OFPort, MAC: slices.Clone(pod.MAC), IPs: slices.Clone(pod.IPs)}
	if err := pf.p.update(ctx, func() error { pf.setPod(pod); return nil }); err != nil {
		return fmt.Errorf("installing the flows of pod %s/%s: %w", pod.Ref.Namespace, pod.Ref.Name, err)
	}
	klog.FromContext(ctx).V(2).Info("Installed pod flows", "pod", klog.KRef(pod.Ref.Namespace, pod.Ref.Name),
		"ofport", pod.OFPort)
	return nil
}

// setPod replaces a Pod's desired flows and index entry.
func (pf *PodFlows) setPod(pod Pod) {
	if old, ok := pf.lookupPod(pod.Ref); ok {
		pf.withdraw(old)
	}
	for _, f := range pf.p.build.podFlows(pod) {
		pf.p.flows.addOwned(podOwner(pod.Ref), f)
	}
	pf.index(pod)
}

// DeletePod removes a Pod's flows; call it before deleting its OVS port so
// that a reused ofport never inherits them. Unknown Pods are ignored.
func (pf *PodFlows) DeletePod(ctx context.Context, ref types.PodRef) error {
	err := pf.p.update(ctx, func() error {
		if old, ok := pf.lookupPod(ref); ok {
			pf.withdraw(old)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("removing the flows of pod %s/%s: %w", ref.Namespace, ref.Name, err)
	}
	return nil
}

// withdraw removes a Pod's flows from the desired state and the index.
func (pf *PodFlows) withdraw(pod Pod) {
	for _, f := range pf.p.build.podFlows(pod) {
		pf.p.flows.removeOwned(podOwner(pod.Ref), f.Key())
	}
	pf.mu.Lock()
	defer pf.mu.Unlock()
	pf.saveIndexLocked(pod)
	delete(pf.pods, pod.Ref)
	for _, ip := range pod.IPs {
		if a, ok := netip.AddrFromSlice(ip); ok && pf.byIP[a.Unmap()] == pod.Ref {
			delete(pf.byIP, a.Unmap())
		}
	}
}

func (pf *PodFlows) index(pod Pod) {
	pf.mu.Lock()
	defer pf.mu.Unlock()
	pf.saveIndexLocked(pod)
	pf.pods[pod.Ref] = pod
	for _, ip := range pod.IPs {
		if a, ok := netip.AddrFromSlice(ip); ok {
			pf.byIP[a.Unmap()] = pod.Ref
		}
	}
}

// saveIndexLocked records how to restore the index entries of pod's name
// and IPs as they are now, when a change is recorded.
func (pf *PodFlows) saveIndexLocked(pod Pod) {
	if pf.p.log == nil {
		return
	}
	undoPod := restoreFunc(pf.pods, pod.Ref)
	var undoIPs []func()
	for _, ip := range pod.IPs {
		if a, ok := netip.AddrFromSlice(ip); ok {
			undoIPs = append(undoIPs, restoreFunc(pf.byIP, a.Unmap()))
		}
	}
	pf.p.onUndo(func() {
		pf.mu.Lock()
		defer pf.mu.Unlock()
		for _, fn := range slices.Backward(undoIPs) {
			fn()
		}
		undoPod()
	})
}

func (pf *PodFlows) lookupPod(ref types.PodRef) (Pod, bool) {
	pf.mu.RLock()
	defer pf.mu.RUnlock()
	pod, ok := pf.pods[ref]
	return pod, ok
}

// Lookup implements PodInterfaces for the Pods added here.
func (pf *PodFlows) Lookup(ref types.PodRef) (Interface, bool) {
	pod, ok := pf.lookupPod(ref)
	if !ok {
		return Interface{}, false
	}
	return Interface{OFPort: pod.OFPort, MAC: pod.MAC, IPs: pod.IPs}, true
}

// PodByIP finds the local Pod with an IP (packetin.PodLookup).
func (pf *PodFlows) PodByIP(ip net.IP) (packetin.PodPort, bool) {
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return packetin.PodPort{}, false
	}
	pf.mu.RLock()
	defer pf.mu.RUnlock()
	ref, ok := pf.byIP[a.Unmap()]
	if !ok {
		return packetin.PodPort{}, false
	}
	return packetin.PodPort{Namespace: ref.Namespace, Name: ref.Name, OFPort: uint32(pf.pods[ref].OFPort)}, true
}

// podFlows are a Pod's flows: classification of its port, spoof guard, L3 and L2
// forwarding to it, and hairpin.
func (b flowBuilder) podFlows(pod Pod) []openflow.Flow {
	port := uint32(pod.OFPort)
	c := cookie(b.round, categoryPod, port)
	var out []openflow.Flow
	add := func(table uint8, prio uint16, instr openflow.Instructions, fields ...openflow.MatchField) {
		out = append(out, openflow.Flow{Table: table, Priority: prio, Cookie: c,
			Match: openflow.MustMatch(fields...), Instructions: instr})
	}
	inPort, src := openflow.InPort(port), openflow.EthSrc(pod.MAC)
	add(Classifier, podClassifierPriority, openflow.Apply(PktSourceField.Load(PktSourcePod)).Goto(SpoofGuard), inPort)
	normal := openflow.Apply(openflow.Output{Port: openflow.PortNormal})
	hasV6 := false
	for _, ip := range pod.IPs {
		a, ok := netip.AddrFromSlice(ip)
		if !ok {
			continue
		}
		a = a.Unmap()
		host := netip.PrefixFrom(a, a.BitLen())
		eth := openflow.EthType(familyOf(a).ethType())
		add(SpoofGuard, podPriority, openflow.Goto(UnSNAT), eth, inPort, src, openflow.IPSrc(host))
		if a.Is4() {
			add(SpoofGuard, podPriority, normal, openflow.EthType(openflow.EthTypeARP), inPort,
				openflow.ARPSPA(host), openflow.ARPSHA(pod.MAC))
		} else {
			hasV6 = true
		}
		add(L3Forwarding, podPriority, openflow.Apply(openflow.SetField{Value: openflow.EthDst(pod.MAC)}).Goto(L2ForwardingCalc),
			eth, openflow.IPDst(host))
		if a.Is4() {
			out = append(out, b.hairpinFlow(c, a))
		}
	}
	if hasV6 {
		for _, typ := range []uint8{135, 136} { // neighbor solicitation, advertisement
			add(SpoofGuard, ndPriority, normal, openflow.EthType(openflow.EthTypeIPv6),
				openflow.IPProto(openflow.IPProtoICMPv6), inPort, src, openflow.ICMPv6Type(typ))
		}
	}
	add(L2ForwardingCalc, podPriority, openflow.Apply(TargetOFPortField.Load(port), OutputField.Load(OutputToPort)).
		Goto(IngressSecurityClassifier), openflow.EthDst(pod.MAC))
	return out
}
