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

package podstartup

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/policy"
)

// AddressReporter puts a starting Pod's addresses into the computation and
// returns once they are published (*policy.Controller implements it).
type AddressReporter interface {
	ReportPodAddresses(ctx context.Context, pod policy.StartingPod) error
}

// normalized are the addresses as the computation keeps them (IPv4 in 4 bytes).
func normalized(ips []net.IP) []controlplane.IPAddress {
	out := make([]controlplane.IPAddress, 0, len(ips))
	for _, ip := range ips {
		if v4 := ip.To4(); v4 != nil {
			ip = v4
		}
		out = append(out, controlplane.IPAddress(ip))
	}
	return out
}

// Progressor sends a progress BOOKMARK to a store's watchers and returns its
// resourceVersion, and tells which Nodes' agents watch it (*store.Store
// implements it).
type Progressor interface {
	Progress() (uint64, error)
	WatcherNodes() sets.Set[string]
}

// SpanOfPod returns the Nodes that enforce a rule with the Pod at these addresses
// as a peer: the span of every AddressGroup the Pod is a member of.
type SpanOfPod func(pod controlplane.PodReference, addresses []controlplane.IPAddress) sets.Set[string]

// Config configures a Barrier.
type Config struct {
	// Addresses receives the Pods' addresses. Required.
	Addresses AddressReporter
	// Stores are the three controlplane stores, in Kinds order. Required.
	Stores [3]Progressor
	// PeerSpan finds the Nodes that name the Pod as a peer. Required.
	PeerSpan SpanOfPod
	// Tracker holds the agents' acknowledgements. Required.
	Tracker *Tracker
	// Peers are the other replicas; nil when this process is the only one that
	// serves the agents (no shared etcd state).
	Peers Peers
	// Timeout bounds one Await. Default 20s.
	Timeout time.Duration
}

// Defaults fills zero values.
func (c *Config) Defaults() {
	if c.Timeout == 0 {
		c.Timeout = 20 * time.Second
	}
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	if c.Addresses == nil || c.PeerSpan == nil || c.Tracker == nil || slices.Contains(c.Stores[:], nil) {
		return errors.New("podstartup: Addresses, Stores, PeerSpan and Tracker are required")
	}
	if c.Timeout < 0 {
		return fmt.Errorf("podstartup: negative Timeout %s", c.Timeout)
	}
	return nil
}

// Barrier answers PodStartups.
type Barrier struct {
	cfg Config
}

// New returns a Barrier.
func New(cfg Config) (*Barrier, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Barrier{cfg: cfg}, nil
}

// NotReadyError is an Await that ran out of time: the Nodes that had not
// installed the Pod's state.
type NotReadyError struct {
	Pod     string
	Missing []string
	Waited  time.Duration
	Cause   error
}

func (e *NotReadyError) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("the policies naming Pod %s are not known to be installed after %s: %v", e.Pod, e.Waited, e.Cause)
	}
	return fmt.Sprintf("the policies naming Pod %s are not installed on Node(s) %s after %s",
		e.Pod, strings.Join(e.Missing, ", "), e.Waited)
}

func (e *NotReadyError) Unwrap() error { return e.Cause }

// Await publishes the starting Pod's addresses and waits until every Node that
// must know them (and the Pod's own Node) installed the state that includes them.
// It returns those Nodes, or a *NotReadyError.
func (b *Barrier) Await(ctx context.Context, s *controlplane.PodStartup) ([]string, error) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, b.cfg.Timeout)
	defer cancel()
	pod := s.Pod.Namespace + "/" + s.Pod.Name
	notReady := func(missing []string, err error) error {
		return &NotReadyError{Pod: pod, Missing: missing, Waited: time.Since(start).Round(time.Millisecond), Cause: err}
	}
	var list []string
	var err error
	if b.cfg.Peers == nil {
		list, err = b.awaitAlone(ctx, s, notReady)
	} else {
		list, err = b.awaitWithPeers(ctx, s, notReady)
	}
	if err != nil {
		return nil, err
	}
	addresses := make([]string, 0, len(s.Addresses))
	for _, a := range s.Addresses {
		addresses = append(addresses, net.IP(a).String())
	}
	klog.FromContext(ctx).Info("Pod start-up: its policies are installed", "pod", pod, "addresses", addresses, "nodes", list,
		"duration", time.Since(start))
	return list, nil
}

// awaitAlone is the barrier of the only replica: every Node of the span must
// acknowledge this process's targets.
func (b *Barrier) awaitAlone(ctx context.Context, s *controlplane.PodStartup, notReady func([]string, error) error) ([]string, error) {
	list, target, err := b.publish(ctx, s)
	if err != nil {
		return nil, notReady(nil, err)
	}
	if missing := b.cfg.Tracker.Wait(ctx, list, target); missing != nil {
		return nil, notReady(missing, nil)
	}
	return list, nil
}

// publish puts the Pod's addresses into the computation and sends a progress
// BOOKMARK on every store: it returns the Nodes that must know the Pod (sorted)
// and the stores' resourceVersions that include it.
func (b *Barrier) publish(ctx context.Context, s *controlplane.PodStartup) ([]string, Versions, error) {
	ips := make([]net.IP, 0, len(s.Addresses))
	for _, a := range s.Addresses {
		ips = append(ips, net.IP(a))
	}
	if err := b.cfg.Addresses.ReportPodAddresses(ctx, policy.StartingPod{Namespace: s.Pod.Namespace, Name: s.Pod.Name,
		UID: s.PodUID, NodeName: s.NodeName, IPs: ips}); err != nil {
		return nil, Versions{}, err
	}
	nodes := b.cfg.PeerSpan(s.Pod, normalized(ips))
	nodes.Insert(s.NodeName)
	var target Versions
	for i, st := range b.cfg.Stores {
		rv, err := st.Progress()
		if err != nil {
			return nil, Versions{}, fmt.Errorf("notifying the watchers of %s: %w", Kinds[i], err)
		}
		target[i] = int64(rv)
	}
	return sets.List(nodes), target, nil
}

// JoinPeers makes the barrier wait for the other replicas too. It is called
// before the barrier serves.
func (b *Barrier) JoinPeers(p Peers) { b.cfg.Peers = p }
