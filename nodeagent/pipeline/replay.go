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
	"slices"

	"k8s.io/klog/v2"

	"github.com/strata-net/strata/nodeagent/ovs/openflow"
)

var (
	errUnknownGroup = openflow.ErrorMsg{Type: 6, Code: 8}  // OFPGMFC_UNKNOWN_GROUP
	errUnknownMeter = openflow.ErrorMsg{Type: 12, Code: 3} // OFPMMFC_UNKNOWN_METER
)

// OnConnect is the openflow.ClientConfig.OnConnect hook: after every
// (re)connection it replays the whole pipeline.
func (p *Pipeline) OnConnect(ctx context.Context, conn *openflow.Conn, reconnect bool) error {
	klog.FromContext(ctx).Info("Replaying the pipeline", "reconnect", reconnect, "round", p.cfg.Round)
	return p.Replay(ctx, conn)
}

// Replay installs the meter, the groups and every desired flow (static,
// Pods, policies) on conn, as after an ovs-vswitchd restart, which loses
// them all. Meter and groups are modified in place, or added when missing,
// so flows of an earlier round that use them keep working. The flows of
// this round are replaced: deleted and added again in the first bundle.
// Policy flows go first and Pod classification last, so no packet is
// forwarded before the policies that apply to it are in place. The desired
// state holds no refused change (undo.go); if OVS refuses the replay and
// changes are unconfirmed (their install broke off), these are rolled back
// and the replay is repeated once.
func (p *Pipeline) Replay(ctx context.Context, conn *openflow.Conn) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.base.meter {
		if err := modifyOrAdd(ctx, conn, meterMod(openflow.MeterModify, p.cfg.PacketInRate),
			meterMod(openflow.MeterAdd, p.cfg.PacketInRate), errUnknownMeter); err != nil {
			return fmt.Errorf("installing the packet-in meter: %w", err)
		}
	}
	for _, g := range baseGroups() {
		mod, add := g, g
		mod.Command, add.Command = openflow.GroupModify, openflow.GroupAdd
		if err := modifyOrAdd(ctx, conn, mod, add, errUnknownGroup); err != nil {
			return fmt.Errorf("installing group %d: %w", g.GroupID, err)
		}
	}
	n, err := p.replayLocked(ctx, conn)
	if err != nil && ovsRefused(err) && len(p.unconfirmed) > 0 {
		// A change whose install broke off may hold what OVS refuses; the
		// callers of those changes got an error and retry them.
		klog.FromContext(ctx).Error(err, "Open vSwitch refused the replay; rolling back the changes it never confirmed and replaying again",
			"changes", len(p.unconfirmed))
		p.rollback(p.unconfirmed...)
		p.unconfirmed = nil
		n, err = p.replayLocked(ctx, conn)
	}
	if err != nil {
		return fmt.Errorf("replaying %d flows: %w", n, err)
	}
	p.unconfirmed = nil
	p.flows.replayed()
	p.groups.replayed()
	klog.FromContext(ctx).V(2).Info("Replayed the pipeline", "flows", n)
	return nil
}

// replayLocked installs the dynamic groups (in one bundle, before the
// flows that use them) and replaces the flows of this round.
func (p *Pipeline) replayLocked(ctx context.Context, conn *openflow.Conn) (int, error) {
	if groups := p.groups.all(); len(groups) > 0 {
		if err := bundle(ctx, conn, groups, nil, nil); err != nil {
			return 0, fmt.Errorf("installing %d Service groups: %w", len(groups), err)
		}
	}
	return p.replayFlowsLocked(ctx, conn)
}

// replayFlowsLocked replaces the flows of this round with every desired
// flow and returns how many there are.
func (p *Pipeline) replayFlowsLocked(ctx context.Context, conn *openflow.Conn) (int, error) {
	flows := p.flows.all()
	slices.SortStableFunc(flows, func(a, b openflow.Flow) int { return replayRank(a) - replayRank(b) })
	mods := make([]openflow.FlowMod, 0, len(flows)+1)
	mods = append(mods, openflow.DeleteCookie(RoundCookie(p.cfg.Round), RoundMask))
	for _, f := range flows {
		mods = append(mods, openflow.AddFlow(f))
	}
	return len(flows), conn.BundleFlowModsChunked(ctx, mods, p.cfg.ReplayBundleSize)
}

// replayRank orders a replay: policy flows, static flows, Pod flows.
func replayRank(f openflow.Flow) int {
	switch uint8((f.Cookie & categoryMask) >> categoryShift) {
	case categoryPolicy:
		return 0
	case categoryBase:
		return 1
	}
	return 2
}

func meterMod(cmd openflow.MeterCommand, rate uint32) openflow.MeterMod {
	m := packetInMeter(rate)
	m.Command = cmd
	return m
}

// modifyOrAdd sends mod, and add if the switch does not know the object.
func modifyOrAdd(ctx context.Context, conn *openflow.Conn, mod, add openflow.Message, unknown openflow.ErrorMsg) error {
	err := conn.Exec(ctx, mod)
	if err == nil || !errors.Is(err, unknown) {
		return err
	}
	return conn.Exec(ctx, add)
}

// DeleteRound deletes every flow of another round (a previous agent's),
// once this round's flows are all installed.
func (p *Pipeline) DeleteRound(ctx context.Context, round uint16) error {
	if round == p.cfg.Round {
		return fmt.Errorf("refusing to delete the flows of the current round %d", round)
	}
	conn, err := p.cfg.Switch.Conn(ctx)
	if err != nil {
		return fmt.Errorf("getting the OpenFlow connection: %w", err)
	}
	if err := conn.Exec(ctx, openflow.DeleteCookie(RoundCookie(round), RoundMask)); err != nil {
		return fmt.Errorf("deleting the flows of round %d: %w", round, err)
	}
	klog.FromContext(ctx).Info("Deleted the flows of a previous round", "round", round)
	return nil
}
