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

	"k8s.io/klog/v2"
)

// mapColumn addresses one string map column of the rows matching where;
// what names it in errors and logs, e.g. `bridge "br-int" external_ids`.
type mapColumn struct {
	table  string
	where  []Condition
	column string
	what   string
}

func bridgeExternalIDs(bridge string) mapColumn {
	return mapColumn{table: "Bridge", where: []Condition{Equal("name", bridge)}, column: "external_ids",
		what: fmt.Sprintf("bridge %q external_ids", bridge)}
}

func ovsOtherConfig() mapColumn {
	return mapColumn{table: "Open_vSwitch", column: "other_config", what: "Open_vSwitch other_config"}
}

// BridgeExternalIDs returns the bridge's external_ids.
func (c *Client) BridgeExternalIDs(ctx context.Context, bridge string) (map[string]string, error) {
	return c.getMap(ctx, bridgeExternalIDs(bridge))
}

// SetBridgeExternalID sets one key of the bridge's external_ids, leaving the
// other keys untouched.
func (c *Client) SetBridgeExternalID(ctx context.Context, bridge, key, value string) error {
	return c.mutateMap(ctx, bridgeExternalIDs(bridge), SetKey("external_ids", key, value), key)
}

// RemoveBridgeExternalID removes one key of the bridge's external_ids.
func (c *Client) RemoveBridgeExternalID(ctx context.Context, bridge, key string) error {
	return c.mutateMap(ctx, bridgeExternalIDs(bridge), []Mutation{DeleteFrom("external_ids", StringSet(key))}, key)
}

// OtherConfig returns the Open_vSwitch table's other_config.
func (c *Client) OtherConfig(ctx context.Context) (map[string]string, error) {
	return c.getMap(ctx, ovsOtherConfig())
}

// SetOtherConfig sets one key of Open_vSwitch other_config, for example
// flow-restore-wait=true before restarting ovs-vswitchd.
func (c *Client) SetOtherConfig(ctx context.Context, key, value string) error {
	return c.mutateMap(ctx, ovsOtherConfig(), SetKey("other_config", key, value), key)
}

// RemoveOtherConfig removes one key of Open_vSwitch other_config.
func (c *Client) RemoveOtherConfig(ctx context.Context, key string) error {
	return c.mutateMap(ctx, ovsOtherConfig(), []Mutation{DeleteFrom("other_config", StringSet(key))}, key)
}

func (c *Client) getMap(ctx context.Context, mc mapColumn) (map[string]string, error) {
	res, err := c.Transact(ctx, Select(mc.table, mc.where, mc.column))
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", mc.what, err)
	}
	if len(res[0].Rows) == 0 {
		return nil, fmt.Errorf("get %s: row %w", mc.what, ErrNotFound)
	}
	m, err := res[0].Rows[0].StringMap(mc.column)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", mc.what, err)
	}
	return m, nil
}

// mutateMap sets or removes one key; replaying it is harmless, so it is sent
// again if the connection drops while it is in flight.
func (c *Client) mutateMap(ctx context.Context, mc mapColumn, mutations []Mutation, key string) error {
	res, err := c.transact(ctx, true, MutateOp(mc.table, mc.where, mutations...))
	if err != nil {
		return fmt.Errorf("update %s key %q: %w", mc.what, key, err)
	}
	if res[0].Count == 0 {
		return fmt.Errorf("update %s key %q: row %w", mc.what, key, ErrNotFound)
	}
	klog.FromContext(ctx).V(4).Info("Updated OVSDB map column", "column", mc.what, "key", key)
	return nil
}
