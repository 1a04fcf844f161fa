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

import "bytes"

// rowCache is what a monitor has reported: table → row UUID → the monitored
// columns. After a reconnection it turns the new initial content into the
// changes missed meanwhile.
type rowCache map[string]map[string]Row

// apply folds an update into the cache.
func (c rowCache) apply(u TableUpdates) {
	for table, rows := range u {
		for uuid, ru := range rows {
			if ru.New == nil {
				delete(c[table], uuid)
				continue
			}
			if c[table] == nil {
				c[table] = map[string]Row{}
			}
			// A modify's New holds every monitored column; merging keeps the
			// cache whole should a server send only the changed ones.
			row := Row{}
			if ru.Old != nil {
				for col, v := range c[table][uuid] {
					row[col] = v
				}
			}
			for col, v := range ru.New {
				row[col] = v
			}
			c[table][uuid] = row
		}
	}
}

// resync replaces the cache with snap, the initial content of the monitored
// tables, and returns the changes from the old content: inserts, modifies
// (Old holds the previous values of the changed columns, as the server
// sends them) and deletes (Old holds the row). The result has an entry for
// every table, like an initial content, even when nothing changed.
func (c rowCache) resync(tables map[string][]string, snap TableUpdates) TableUpdates {
	delta := make(TableUpdates, len(tables))
	for table := range tables {
		delta[table] = map[string]RowUpdate{}
	}
	for table, rows := range snap {
		if delta[table] == nil {
			delta[table] = map[string]RowUpdate{}
		}
		for uuid, ru := range rows {
			if ru.New == nil {
				continue
			}
			prev, known := c[table][uuid]
			if !known {
				delta[table][uuid] = RowUpdate{New: ru.New}
			} else if old := changedColumns(prev, ru.New); len(old) > 0 {
				delta[table][uuid] = RowUpdate{Old: old, New: ru.New}
			}
		}
	}
	for table, rows := range c {
		for uuid, prev := range rows {
			if _, ok := snap[table][uuid]; !ok {
				if delta[table] == nil {
					delta[table] = map[string]RowUpdate{}
				}
				delta[table][uuid] = RowUpdate{Old: prev}
			}
		}
	}
	for table := range c {
		delete(c, table)
	}
	c.apply(snap)
	return delta
}

// changedColumns returns the previous values of the columns that differ
// between prev and next.
func changedColumns(prev, next Row) Row {
	var old Row
	for col, v := range prev {
		if nv, ok := next[col]; !ok || !bytes.Equal(v, nv) {
			if old == nil {
				old = Row{}
			}
			old[col] = v
		}
	}
	return old
}
