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
	"errors"
	"fmt"

	"k8s.io/klog/v2"
)

// ErrNotFound is wrapped by errors about a bridge or row that does not exist.
var ErrNotFound = errors.New("not found")

// BridgeConfig describes a bridge. The zero value of a field means "OVS
// default" (and, on update, resets the column to that default), except
// ExternalIDs, which is merged key by key into the existing map.
type BridgeConfig struct {
	Name string
	// DatapathType is "netdev" (userspace) or "system" (kernel module).
	DatapathType string
	// Protocols are OpenFlow versions, e.g. ["OpenFlow15"].
	Protocols []string
	// FailMode is "secure" (no flows without a controller) or "standalone".
	FailMode string
	// DatapathID sets other_config:datapath-id; 0 lets vswitchd choose.
	DatapathID  uint64
	ExternalIDs map[string]string
}

// Validate checks the config for values the database would refuse.
func (c BridgeConfig) Validate() error {
	if c.Name == "" {
		return errors.New("bridge name is empty")
	}
	switch c.FailMode {
	case "", "secure", "standalone":
	default:
		return fmt.Errorf("bridge %q: invalid fail mode %q", c.Name, c.FailMode)
	}
	return nil
}

// CreateBridge creates the bridge with its local internal port (like
// "ovs-vsctl add-br"), or, if a bridge of that name exists, updates it to
// cfg. Each path is one transaction.
func (c *Client) CreateBridge(ctx context.Context, cfg BridgeConfig) error {
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("create bridge: %w", err)
	}
	_, found, err := c.lookupUUID(ctx, "Bridge", cfg.Name)
	if err != nil {
		return fmt.Errorf("create bridge %q: %w", cfg.Name, err)
	}
	if found {
		return c.updateBridge(ctx, cfg)
	}
	return c.insertBridge(ctx, cfg)
}

func (c *Client) insertBridge(ctx context.Context, cfg BridgeConfig) error {
	row := bridgeRow(cfg)
	row["name"] = cfg.Name
	row["external_ids"] = StringMap(cfg.ExternalIDs)
	row["ports"] = Set{NamedUUID("port")}
	if cfg.DatapathID != 0 {
		row["other_config"] = StringMap(map[string]string{"datapath-id": datapathID(cfg.DatapathID)})
	}
	res, err := c.Transact(ctx,
		Insert("Interface", map[string]any{"name": cfg.Name, "type": "internal"}, "iface"),
		Insert("Port", map[string]any{"name": cfg.Name, "interfaces": Set{NamedUUID("iface")}}, "port"),
		Insert("Bridge", row, "bridge"),
		MutateOp("Open_vSwitch", nil, InsertTo("bridges", Set{NamedUUID("bridge")})),
	)
	if err != nil {
		return fmt.Errorf("create bridge %q: %w", cfg.Name, err)
	}
	if res[3].Count != 1 {
		return fmt.Errorf("create bridge %q: Open_vSwitch row %w (database not initialized)", cfg.Name, ErrNotFound)
	}
	klog.FromContext(ctx).V(2).Info("Created OVS bridge", "bridge", cfg.Name, "datapathType", cfg.DatapathType)
	return nil
}

func (c *Client) updateBridge(ctx context.Context, cfg BridgeConfig) error {
	where := []Condition{Equal("name", cfg.Name)}
	dpid := DeleteFrom("other_config", StringSet("datapath-id"))
	mutations := []Mutation{dpid}
	if cfg.DatapathID != 0 {
		mutations = append(mutations, InsertTo("other_config",
			Map{{Key: "datapath-id", Value: datapathID(cfg.DatapathID)}}))
	}
	mutations = append(mutations, setKeys("external_ids", cfg.ExternalIDs)...)
	res, err := c.Transact(ctx,
		Update("Bridge", where, bridgeRow(cfg)),
		MutateOp("Bridge", where, mutations...),
	)
	if err != nil {
		return fmt.Errorf("update bridge %q: %w", cfg.Name, err)
	}
	if res[0].Count != 1 {
		return fmt.Errorf("update bridge %q: %w", cfg.Name, ErrNotFound)
	}
	klog.FromContext(ctx).V(2).Info("Updated existing OVS bridge", "bridge", cfg.Name)
	return nil
}

// DeleteBridge deletes the bridge with its ports and interfaces. Deleting a
// bridge that does not exist succeeds.
func (c *Client) DeleteBridge(ctx context.Context, name string) error {
	uuid, found, err := c.lookupUUID(ctx, "Bridge", name)
	if err != nil || !found {
		if err != nil {
			err = fmt.Errorf("delete bridge %q: %w", name, err)
		}
		return err
	}
	// Replaying the deletion is harmless, so it is sent again if the
	// connection drops meanwhile.
	_, err = c.transact(ctx, true,
		MutateOp("Open_vSwitch", nil, DeleteFrom("bridges", Set{uuid})),
		Delete("Bridge", []Condition{Equal("_uuid", uuid)}),
	)
	if err != nil {
		return fmt.Errorf("delete bridge %q: %w", name, err)
	}
	klog.FromContext(ctx).V(2).Info("Deleted OVS bridge", "bridge", name)
	return nil
}

// bridgeRow holds the mutable columns that CreateBridge converges.
func bridgeRow(cfg BridgeConfig) map[string]any {
	failMode := Set{}
	if cfg.FailMode != "" {
		failMode = Set{cfg.FailMode}
	}
	return map[string]any{
		"datapath_type": cfg.DatapathType,
		"protocols":     StringSet(cfg.Protocols...),
		"fail_mode":     failMode,
	}
}

func datapathID(id uint64) string {
	return fmt.Sprintf("%016x", id)
}

// setKeys returns mutations setting every key of m in a string map column,
// leaving other keys alone. It returns nil for an empty m.
func setKeys(column string, m map[string]string) []Mutation {
	if len(m) == 0 {
		return nil
	}
	pairs := StringMap(m)
	keys := make(Set, 0, len(pairs))
	for _, p := range pairs {
		keys = append(keys, p.Key)
	}
	return []Mutation{DeleteFrom(column, keys), InsertTo(column, pairs)}
}

// lookupUUID returns the _uuid of the row of table whose name is name.
func (c *Client) lookupUUID(ctx context.Context, table, name string) (UUID, bool, error) {
	res, err := c.Transact(ctx, Select(table, []Condition{Equal("name", name)}, "_uuid"))
	if err != nil {
		return "", false, err
	}
	if len(res[0].Rows) == 0 {
		return "", false, nil
	}
	uuid, err := res[0].Rows[0].UUID()
	return uuid, err == nil, err
}
