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

package podsync

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/nodeagent/ovs/ovsdb"
	"github.com/strata-net/strata/nodeagent/pipeline"
	"github.com/strata-net/strata/nodeagent/types"
)

// The external_ids of a Pod port.
const (
	KeyPodName      = "strata.io/pod-name"
	KeyPodNamespace = "strata.io/pod-namespace"
	KeyPodIPs       = "strata.io/pod-ips" // comma-separated
	KeyContainerID  = "strata.io/container-id"
	KeyNetNS        = "strata.io/netns"
	KeyMAC          = "attached-mac" // the Pod side's MAC, as OVS integrations name it
)

// PodSink receives the Pods (the pipeline's PodFlows).
type PodSink interface {
	AddPod(ctx context.Context, pod pipeline.Pod) error
	DeletePod(ctx context.Context, ref types.PodRef) error
}

// Config configures the Pod port synchronisation.
type Config struct {
	OVSDB  *ovsdb.Client
	Bridge string
	Pods   PodSink
	// Changed is told about every Pod added, changed or removed, so the policy
	// rules that target it are reconciled again.
	Changed func(types.PodRef)
}

// Syncer follows the Pod ports of a bridge.
type Syncer struct {
	cfg   Config
	mu    sync.Mutex // serialises Sync
	known map[types.PodRef]pipeline.Pod
}

// New returns a Syncer.
func New(cfg Config) (*Syncer, error) {
	if cfg.OVSDB == nil || cfg.Bridge == "" || cfg.Pods == nil {
		return nil, errors.New("podsync: OVSDB, Bridge and Pods are required")
	}
	if cfg.Changed == nil {
		cfg.Changed = func(types.PodRef) {}
	}
	return &Syncer{cfg: cfg, known: map[types.PodRef]pipeline.Pod{}}, nil
}

// Run synchronises once, then on every change of the Interface table, until ctx ends.
func (s *Syncer) Run(ctx context.Context) error {
	mon, err := s.cfg.OVSDB.Monitor(ctx, map[string][]string{"Interface": {"name", "ofport", "external_ids"}})
	if err != nil {
		return fmt.Errorf("podsync: monitoring the Interface table: %w", err)
	}
	for {
		if _, err := mon.Next(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("podsync: reading the Interface monitor: %w", err)
		}
		if err := s.Sync(ctx); err != nil {
			klog.FromContext(ctx).Error(err, "Synchronising the Pod ports failed; retrying on the next change")
		}
	}
}

// Sync reads the Pod ports and adds, changes or removes Pods to match.
func (s *Syncer) Sync(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ports, err := s.cfg.OVSDB.ListPorts(ctx, ovsdb.PortFilter{Bridge: s.cfg.Bridge})
	if err != nil {
		return fmt.Errorf("listing the ports of %s: %w", s.cfg.Bridge, err)
	}
	seen := map[types.PodRef]bool{}
	var errs []error
	for _, port := range ports {
		pod, ok, err := podOfPort(port)
		if err != nil {
			errs = append(errs, err)
		}
		if !ok {
			continue
		}
		seen[pod.Ref] = true
		if old, known := s.known[pod.Ref]; known && equalPod(old, pod) {
			continue
		}
		if err := s.cfg.Pods.AddPod(ctx, pod); err != nil {
			errs = append(errs, fmt.Errorf("adding the flows of Pod %s/%s: %w", pod.Ref.Namespace, pod.Ref.Name, err))
			continue
		}
		s.known[pod.Ref] = pod
		s.cfg.Changed(pod.Ref)
	}
	for ref := range s.known {
		if seen[ref] {
			continue
		}
		if err := s.cfg.Pods.DeletePod(ctx, ref); err != nil {
			errs = append(errs, fmt.Errorf("removing the flows of Pod %s/%s: %w", ref.Namespace, ref.Name, err))
			continue
		}
		delete(s.known, ref)
		s.cfg.Changed(ref)
	}
	return errors.Join(errs...)
}

// podOfPort reads a Pod port; false for other ports and for Pod ports without an
// ofport yet.
func podOfPort(p ovsdb.PortInfo) (pipeline.Pod, bool, error) {
	ids := p.ExternalIDs
	name, ns := ids[KeyPodName], ids[KeyPodNamespace]
	if name == "" || ns == "" || p.OFPort <= 0 {
		return pipeline.Pod{}, false, nil
	}
	pod := pipeline.Pod{Ref: types.PodRef{Namespace: ns, Name: name}, OFPort: p.OFPort}
	mac, err := net.ParseMAC(ids[KeyMAC])
	if err != nil {
		return pipeline.Pod{}, false, fmt.Errorf("port %s: external_ids %s=%q: %w", p.Name, KeyMAC, ids[KeyMAC], err)
	}
	pod.MAC = mac
	for _, s := range strings.Split(ids[KeyPodIPs], ",") {
		if ip := net.ParseIP(strings.TrimSpace(s)); ip != nil {
			pod.IPs = append(pod.IPs, ip)
		}
	}
	if len(pod.IPs) == 0 {
		return pipeline.Pod{}, false, fmt.Errorf("port %s: external_ids %s=%q has no IP", p.Name, KeyPodIPs, ids[KeyPodIPs])
	}
	return pod, true, nil
}

func equalPod(a, b pipeline.Pod) bool {
	if a.OFPort != b.OFPort || a.MAC.String() != b.MAC.String() || len(a.IPs) != len(b.IPs) {
		return false
	}
	for i := range a.IPs {
		if !a.IPs[i].Equal(b.IPs[i]) {
			return false
		}
	}
	return true
}

// WaitSynced polls Sync until it succeeds or timeout passes.
func (s *Syncer) WaitSynced(ctx context.Context, timeout time.Duration) error {
	var last error
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		last = s.Sync(ctx)
		return last == nil, nil
	})
	if err != nil {
		return fmt.Errorf("podsync: waiting %s for the Pod ports of %s: %w (last: %v)", timeout, s.cfg.Bridge, err, last)
	}
	return nil
}
