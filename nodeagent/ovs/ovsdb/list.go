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

package ovsdb

import (
	"context"
	"fmt"
	"sort"
)

// PortFilter selects ports for ListPorts. Empty fields match everything.
type PortFilter struct {
	// Bridge restricts the result to the ports of this bridge.
	Bridge string
	// Name selects one port by name.
	Name string
	// ExternalIDs must all be present, with these values, on the Port row.
	ExternalIDs map[string]string
}

// PortInfo is a Port joined with its (first) Interface.
type PortInfo struct {
	UUID UUID
	Name string
	Type string
	// OFPort is 0 while unassigned and -1 if vswitchd failed to add it.
	OFPort               int32
	ExternalIDs          map[string]string
	InterfaceExternalIDs map[string]string
	// MAC is the interface's mac_in_use ("" until vswitchd reports it).
	MAC string
}

// ListPorts returns the ports matching f, sorted by name, read in one
// transaction. A bridge's own local port is included. If f.Bridge names a
// missing bridge the error wraps ErrNotFound.
func (c *Client) ListPorts(ctx context.Context, f PortFilter) ([]PortInfo, error) {
	var portWhere []Condition
	if f.Name != "" {
		portWhere = append(portWhere, Equal("name", f.Name))
	}
	if len(f.ExternalIDs) > 0 {
		portWhere = append(portWhere, Includes("external_ids", StringMap(f.ExternalIDs)))
	}
	ops := []Operation{
		Select("Port", portWhere, "_uuid", "name", "interfaces", "external_ids"),
		Select("Interface", nil, "_uuid", "name", "type", "ofport", "external_ids", "mac_in_use"),
	}
	if f.Bridge != "" {
		ops = append(ops, Select("Bridge", []Condition{Equal("name", f.Bridge)}, "ports"))
	}
	res, err := c.Transact(ctx, ops...)
	if err != nil {
		return nil, fmt.Errorf("list ports: %w", err)
	}
	var onBridge map[UUID]bool
	if f.Bridge != "" {
		if onBridge, err = bridgePorts(res[2].Rows, f.Bridge); err != nil {
			return nil, fmt.Errorf("list ports: %w", err)
		}
	}
	ports, err := joinPorts(res[0].Rows, res[1].Rows, onBridge)
	if err != nil {
		return nil, fmt.Errorf("list ports: %w", err)
	}
	return ports, nil
}

func bridgePorts(rows []Row, bridge string) (map[UUID]bool, error) {
	if len(rows) == 0 {
		return nil, fmt.Errorf("bridge %q %w", bridge, ErrNotFound)
	}
	uuids, err := rows[0].UUIDs("ports")
	if err != nil {
		return nil, err
	}
	set := make(map[UUID]bool, len(uuids))
	for _, u := range uuids {
		set[u] = true
	}
	return set, nil
}

// joinPorts joins port rows with interface rows; onBridge (if not nil)
// restricts the ports to that set.
func joinPorts(portRows, ifaceRows []Row, onBridge map[UUID]bool) ([]PortInfo, error) {
	ifaces := make(map[UUID]Row, len(ifaceRows))
	for _, r := range ifaceRows {
		u, err := r.UUID()
		if err != nil {
			return nil, err
		}
		ifaces[u] = r
	}
	var out []PortInfo
	for _, r := range portRows {
		p, err := portInfo(r, ifaces)
		if err != nil {
			return nil, err
		}
		if onBridge == nil || onBridge[p.UUID] {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func portInfo(r Row, ifaces map[UUID]Row) (PortInfo, error) {
	var p PortInfo
	var err error
	if p.UUID, err = r.UUID(); err != nil {
		return p, err
	}
	if p.Name, err = r.String("name"); err != nil {
		return p, err
	}
	if p.ExternalIDs, err = r.StringMap("external_ids"); err != nil {
		return p, err
	}
	ifaceUUIDs, err := r.UUIDs("interfaces")
	if err != nil || len(ifaceUUIDs) == 0 {
		return p, err
	}
	iface, ok := ifaces[ifaceUUIDs[0]]
	if !ok {
		return p, fmt.Errorf("port %q: interface %s missing", p.Name, ifaceUUIDs[0])
	}
	return p, fillInterface(&p, iface)
}

func fillInterface(p *PortInfo, iface Row) error {
	var err error
	if p.Type, err = iface.String("type"); err != nil {
		return err
	}
	ofport, _, err := iface.Int("ofport")
	if err != nil {
		return err
	}
	p.OFPort = int32(ofport)
	if p.InterfaceExternalIDs, err = iface.StringMap("external_ids"); err != nil {
		return err
	}
	p.MAC, err = iface.String("mac_in_use")
	return err
}
