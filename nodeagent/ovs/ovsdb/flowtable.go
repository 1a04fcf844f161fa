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

	"k8s.io/klog/v2"
)

// SetFlowTableNames names OpenFlow tables of the bridge through Flow_Table
// rows referenced from Bridge.flow_tables, in one transaction. An empty name
// removes the table's entry. Tables not in names are left alone. Names become
// usable in ovs-ofctl (table=NAME) and show in dump-flows --names.
func (c *Client) SetFlowTableNames(ctx context.Context, bridge string, names map[uint8]string) error {
	ids := make([]int, 0, len(names))
	for id := range names {
		ids = append(ids, int(id))
	}
	sort.Ints(ids)
	var ops []Operation
	keys, pairs := Set{}, Map{}
	for _, id := range ids {
		keys = append(keys, id)
		name := names[uint8(id)]
		if name == "" {
			continue
		}
		ref := fmt.Sprintf("table%d", id)
		ops = append(ops, Insert("Flow_Table", map[string]any{"name": name}, ref))
		pairs = append(pairs, Pair{Key: id, Value: NamedUUID(ref)})
	}
	ops = append(ops, MutateOp("Bridge", []Condition{Equal("name", bridge)},
		DeleteFrom("flow_tables", keys), InsertTo("flow_tables", pairs)))
	res, err := c.Transact(ctx, ops...)
	if err != nil {
		return fmt.Errorf("set flow table names of bridge %q: %w", bridge, err)
	}
	if res[len(ops)-1].Count != 1 {
		return fmt.Errorf("set flow table names: bridge %q %w", bridge, ErrNotFound)
	}
	klog.FromContext(ctx).V(2).Info("Set OpenFlow table names", "bridge", bridge, "tables", len(names))
	return nil
}

// FlowTableNames returns the bridge's named OpenFlow tables.
func (c *Client) FlowTableNames(ctx context.Context, bridge string) (map[uint8]string, error) {
	res, err := c.Transact(ctx,
		Select("Bridge", []Condition{Equal("name", bridge)}, "flow_tables"),
		Select("Flow_Table", nil, "_uuid", "name"),
	)
	if err != nil {
		return nil, fmt.Errorf("get flow table names of bridge %q: %w", bridge, err)
	}
	if len(res[0].Rows) == 0 {
		return nil, fmt.Errorf("get flow table names: bridge %q %w", bridge, ErrNotFound)
	}
	refs, err := res[0].Rows[0].IntUUIDMap("flow_tables")
	if err != nil {
		return nil, fmt.Errorf("get flow table names of bridge %q: %w", bridge, err)
	}
	byUUID, err := flowTableRowNames(res[1].Rows)
	if err != nil {
		return nil, fmt.Errorf("get flow table names of bridge %q: %w", bridge, err)
	}
	out := make(map[uint8]string, len(refs))
	for id, u := range refs {
		out[uint8(id)] = byUUID[u]
	}
	return out, nil
}

func flowTableRowNames(rows []Row) (map[UUID]string, error) {
	out := make(map[UUID]string, len(rows))
	for _, r := range rows {
		u, err := r.UUID()
		if err != nil {
			return nil, err
		}
		if out[u], err = r.String("name"); err != nil {
			return nil, err
		}
	}
	return out, nil
}
