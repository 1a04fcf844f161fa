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
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
)

// RowUpdate is the change of one row: Old is nil for an insert, New is nil
// for a delete. For a modify, Old holds only the changed columns.
type RowUpdate struct {
	Old Row `json:"old,omitempty"`
	New Row `json:"new,omitempty"`
}

// TableUpdates maps table name to row UUID to the row's change.
type TableUpdates map[string]map[string]RowUpdate

// Monitor receives the updates of one "monitor" request. The first update
// returned by Next is the initial content of the monitored tables.
type Monitor struct {
	id     string
	client *Client

	mu     sync.Mutex
	queue  []TableUpdates
	err    error
	signal chan struct{}
}

// Monitor starts monitoring columns of tables (table name to columns; no
// columns means all). Updates are queued without bound until read with Next,
// so a slow reader never blocks the connection. Call Cancel when done.
func (c *Client) Monitor(ctx context.Context, tables map[string][]string) (*Monitor, error) {
	m := &Monitor{client: c, signal: make(chan struct{}, 1)}
	c.mu.Lock()
	c.nextID++
	m.id = "strata-monitor-" + strconv.FormatUint(c.nextID, 10)
	c.monitors[m.id] = m
	c.mu.Unlock()

	reqs := make(map[string]map[string]any, len(tables))
	for table, cols := range tables {
		req := map[string]any{}
		if len(cols) > 0 {
			req["columns"] = cols
		}
		reqs[table] = req
	}
	if err := c.call(ctx, "monitor", []any{Database, m.id, reqs}, m, nil); err != nil {
		c.removeMonitor(m.id)
		return nil, err
	}
	return m, nil
}

// Next returns the next batch of updates, waiting until one arrives, the
// connection ends or ctx is done.
func (m *Monitor) Next(ctx context.Context) (TableUpdates, error) {
	for {
		m.mu.Lock()
		if len(m.queue) > 0 {
			u := m.queue[0]
			m.queue = m.queue[1:]
			m.mu.Unlock()
			return u, nil
		}
		err := m.err
		m.mu.Unlock()
		if err != nil {
			return nil, err
		}
		select {
		case <-m.signal:
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for monitor update: %w", context.Cause(ctx))
		}
	}
}

// Cancel sends monitor_cancel and stops queueing updates. It is a no-op on a
// closed connection.
func (m *Monitor) Cancel(ctx context.Context) error {
	m.client.removeMonitor(m.id)
	m.close(fmt.Errorf("monitor %s cancelled", m.id))
	select {
	case <-m.client.done:
		return nil
	default:
	}
	return m.client.call(ctx, "monitor_cancel", []any{m.id}, nil, nil)
}

// pushRaw queues an encoded table-updates object.
func (m *Monitor) pushRaw(raw json.RawMessage) error {
	var u TableUpdates
	if err := json.Unmarshal(raw, &u); err != nil {
		return fmt.Errorf("decode monitor update: %w", err)
	}
	m.mu.Lock()
	m.queue = append(m.queue, u)
	m.mu.Unlock()
	m.wake()
	return nil
}

func (m *Monitor) close(err error) {
	m.mu.Lock()
	if m.err == nil {
		m.err = err
	}
	m.mu.Unlock()
	m.wake()
}

func (m *Monitor) wake() {
	select {
	case m.signal <- struct{}{}:
	default:
	}
}

func (c *Client) removeMonitor(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.monitors, id)
}

// handleUpdate dispatches an "update" notification: params [id, updates].
func (c *Client) handleUpdate(params json.RawMessage) {
	var p []json.RawMessage
	var id string
	if err := json.Unmarshal(params, &p); err != nil || len(p) != 2 || json.Unmarshal(p[0], &id) != nil {
		c.logger.V(4).Info("Ignoring malformed OVSDB update", "params", string(params))
		return
	}
	c.mu.Lock()
	m := c.monitors[id]
	c.mu.Unlock()
	if m == nil {
		return
	}
	if err := m.pushRaw(p[1]); err != nil {
		c.logger.Error(err, "Dropping OVSDB monitor update", "monitor", id)
	}
}
