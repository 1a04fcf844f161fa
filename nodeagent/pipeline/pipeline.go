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
	"errors"
	"fmt"
	"sync"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
)

// Switch hands out the current OpenFlow connection to the bridge
// (*openflow.Client implements it; it waits while reconnecting).
type Switch interface {
	Conn(ctx context.Context) (*openflow.Conn, error)
}

// Config configures a Pipeline.
type Config struct {
	// Switch is where flows go. Required.
	Switch Switch
	// Interfaces resolves rule targets to OVS ports and IPs. Default: the
	// Pods added through the pipeline's PodFlows.
	Interfaces PodInterfaces
	// Round goes into the top 16 bits of every cookie (see NextRound).
	// Default 1.
	Round uint16
	// ControllerID is the controller(id=...) of packet-ins; it must match
	// the connection's openflow.Config.ControllerID. 0 reaches every
	// controller connection.
	ControllerID uint16
	// PacketInRate limits policy packet-ins per second (meter 256, burst
	// twice the rate). Default 5000.
	PacketInRate uint32
	// NoPacketInMeter leaves the meter out (datapaths without meters).
	NoPacketInMeter bool
	// ReplayBundleSize is the number of flow mods per bundle when replaying
	// after a reconnect (OVS commits huge bundles slowly). Default 5000.
	ReplayBundleSize int
	// FQDNs resolves the FQDN peers of egress rules (nodeagent/fqdn.Cache).
	// With it, the DNS responses to the Pods of such rules are paused for
	// the controller (packet-in userdata [PacketInCategoryDNS]), which must
	// resume them (openflow.Resume) after learning their addresses; without
	// it, rules with FQDN peers fail to compile.
	FQDNs FQDNResolver
	// Gateway is the node's gateway port (gateway.go). Without it the
	// bridge only connects local Pods.
	Gateway *Gateway
}

// Defaults fills zero values.
func (c *Config) Defaults() {
	if c.Round == 0 {
		c.Round = 1
	}
	if c.PacketInRate == 0 {
		c.PacketInRate = defaultInRate
	}
	if c.ReplayBundleSize == 0 {
		c.ReplayBundleSize = 5000
	}
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	if c.Switch == nil {
		return errors.New("pipeline: Switch is required")
	}
	if c.ReplayBundleSize < 0 {
		return fmt.Errorf("pipeline: negative ReplayBundleSize %d", c.ReplayBundleSize)
	}
	if c.Gateway != nil {
		return c.Gateway.validate()
	}
	return nil
}

// Pipeline owns the bridge's flows, groups and meter: the static tables,
// the Pods' flows (PodFlows) and the policy rules' flows (PolicyFlows). It
// keeps every flow in memory as the desired state, installs each change as
// one atomic bundle of the difference, and replays everything after a
// reconnect.
type Pipeline struct {
	cfg   Config
	base  baseConfig
	build flowBuilder

	// mu serializes changes to the desired state and what is sent to OVS.
	mu       sync.Mutex
	flows    *flowState
	groups   *groupState
	pods     *PodFlows
	policies *PolicyFlows
	services *ServiceFlows
	// log records the change being made (undo.go); logs counts them.
	log  *undoLog
	logs uint64
	// unconfirmed are the changes whose install failed without an answer
	// from OVS, oldest first; the next successful install or replay
	// confirms them.
	unconfirmed []*undoLog
	// deletes are flow deletions that go with the next bundle beside the
	// desired-state difference (learned flows that a change makes stale).
	deletes []openflow.FlowMod
}

// New returns a pipeline holding the static flows; nothing is sent until
// the first OnConnect (Replay).
func New(cfg Config) (*Pipeline, error) {
	registerMetrics()
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p := &Pipeline{
		cfg:    cfg,
		base:   baseConfig{round: cfg.Round, controllerID: cfg.ControllerID, meter: !cfg.NoPacketInMeter},
		build:  flowBuilder{round: cfg.Round},
		flows:  newFlowState(cookie(cfg.Round, categoryPolicy, 0)),
		groups: newGroupState(),
	}
	for _, f := range baseFlows(p.base) {
		p.flows.addOwned(ownerBase, f)
	}
	if cfg.Gateway != nil {
		p.cfg.Gateway = cfg.Gateway.clone()
		for _, f := range p.build.gatewayFlows(p.cfg.Gateway) {
			p.flows.addOwned(ownerGateway, f)
		}
	}
	p.pods = newPodFlows(p)
	if p.cfg.Interfaces == nil {
		p.cfg.Interfaces = p.pods
	}
	p.policies = newPolicyFlows(p)
	p.services = newServiceFlows(p)
	return p, nil
}

// Pods returns the Pod flow part (for the CNI server).
func (p *Pipeline) Pods() *PodFlows { return p.pods }

// Policies returns the policy rule part (for nodeagent/policy).
func (p *Pipeline) Policies() *PolicyFlows { return p.policies }

// Services returns the Service proxy part (a proxy.Sink).
func (p *Pipeline) Services() *ServiceFlows { return p.services }

// Round is the cookie round of this pipeline.
func (p *Pipeline) Round() uint16 { return p.cfg.Round }

// update applies change to the desired state and installs the difference
// in one bundle. The connection is taken before the lock: OnConnect (which
// takes the lock) runs before the openflow Client hands connections out.
//
// The change is rolled back when it fails itself, and when OVS refuses the
// bundle (a *RefusedError): OVS then holds what it held before, and nothing
// of the change is resent later, so one refused rule costs that rule only.
// When the install fails otherwise (the connection broke), it is unknown
// whether OVS committed the bundle: the changed keys stay dirty for the
// next update, or the replay after the reconnect, and the change is kept
// as unconfirmed until one of them succeeds.
func (p *Pipeline) update(ctx context.Context, change func() error) error {
	conn, err := p.cfg.Switch.Conn(ctx)
	if err != nil {
		return fmt.Errorf("getting the OpenFlow connection: %w", err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	log := p.begin()
	err = change()
	p.end()
	if err != nil {
		p.rollback(log)
		return err
	}
	err = p.syncLocked(ctx, conn)
	switch {
	case err == nil:
		p.unconfirmed = nil
	case ovsRefused(err):
		refused := p.refusal(err)
		p.rollback(log)
		return refused
	default:
		p.unconfirmed = append(p.unconfirmed, log)
	}
	return err
}

// deleteWithBundle queues flow deletions for the bundle of the current
// change (undone with it).
func (p *Pipeline) deleteWithBundle(mods ...openflow.FlowMod) {
	if len(mods) == 0 {
		return
	}
	n := len(p.deletes)
	p.onUndo(func() { p.deletes = p.deletes[:min(n, len(p.deletes))] })
	p.deletes = append(p.deletes, mods...)
}

// syncLocked installs the difference between the desired and the installed
// state and the queued deletions in one bundle. The deletions are sent
// once: a broken-off bundle's learned flows are harmless (proxy_affinity.go).
func (p *Pipeline) syncLocked(ctx context.Context, conn *openflow.Conn) error {
	mods, changes := p.flows.diff()
	mods = append(mods, p.deletes...)
	p.deletes = nil
	upserts, deletes, groupChanges := p.groups.diff()
	if len(mods)+len(upserts)+len(deletes) > 0 {
		if err := timedBundle(ctx, conn, upserts, mods, deletes); err != nil {
			return fmt.Errorf("installing %d flow and %d group changes: %w", len(mods), len(upserts)+len(deletes), err)
		}
	}
	p.flows.applied(changes)
	p.groups.applied(groupChanges)
	return nil
}

// fixedSwitch is a Switch with one connection.
type fixedSwitch struct{ conn *openflow.Conn }

func (s fixedSwitch) Conn(context.Context) (*openflow.Conn, error) { return s.conn, nil }

// FixedSwitch is a Switch that always returns conn (tests, tools).
func FixedSwitch(conn *openflow.Conn) Switch { return fixedSwitch{conn: conn} }
