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
	"errors"
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
// returned by Next is the initial content of the monitored tables. The
// monitor survives reconnections: the client sends its request again on the
// new connection and turns the new initial content into the changes missed
// meanwhile (compared with the rows the monitor had reported), which Next
// returns as one update, possibly empty.
type Monitor struct {
	id     string
	client *Client
	tables map[string][]string

	// sess is the connection the monitor is subscribed on; guarded by
	// client.mu.
	sess *session

	mu     sync.Mutex
	rows   rowCache
	queue  []TableUpdates
	err    error
	signal chan struct{}
}

// Monitor starts monitoring columns of tables (table name to columns; no
// columns means all). It waits for a connection, bounded by ctx. Updates are
// queued without bound until read with Next, so a slow reader never blocks
// the connection. Call Cancel when done.
func (c *Client) Monitor(ctx context.Context, tables map[string][]string) (*Monitor, error) {
	m := &Monitor{client: c, tables: tables, rows: rowCache{}, signal: make(chan struct{}, 1)}
	for {
		s, err := c.session(ctx)
		if err != nil {
			return nil, fmt.Errorf("monitor: %w", err)
		}
		c.mu.Lock()
		if c.sess != s {
			c.mu.Unlock()
			continue // reconnected meanwhile
		}
		c.nextMonitor++
		m.id = "strata-monitor-" + strconv.FormatUint(c.nextMonitor, 10)
		m.sess = s
		c.monitors[m.id] = m
		c.mu.Unlock()
		_, err = s.call(ctx, "monitor", m.params(), m.snapshot)
		switch {
		case err == nil:
			return m, nil
		case errors.Is(err, ErrDisconnected):
			// Registered: the next connection subscribes it, and its
			// initial content arrives then.
			return m, nil
		default:
			c.removeMonitor(m.id)
			return nil, fmt.Errorf("monitor: %w", err)
		}
	}
}

// params is the monitor request: [database, id, {table: {columns}}].
func (m *Monitor) params() []any {
	reqs := make(map[string]map[string]any, len(m.tables))
	for table, cols := range m.tables {
		req := map[string]any{}
		if len(cols) > 0 {
			req["columns"] = cols
		}
		reqs[table] = req
	}
	return []any{Database, m.id, reqs}
}

// Next returns the next batch of updates, waiting until one arrives, the
// monitor ends (Cancel, Close, or the server refusing it after a
// reconnection) or ctx is done.
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

// Cancel stops queueing updates and sends monitor_cancel on the connection
// the monitor is subscribed on, if it is still up.
func (m *Monitor) Cancel(ctx context.Context) error {
	c := m.client
	c.mu.Lock()
	delete(c.monitors, m.id)
	s := m.sess
	c.mu.Unlock()
	m.close(fmt.Errorf("monitor %s cancelled", m.id))
	if s == nil || !s.alive() {
		return nil
	}
	if _, err := s.call(ctx, "monitor_cancel", []any{m.id}, nil); err != nil && !errors.Is(err, ErrDisconnected) {
		return fmt.Errorf("monitor_cancel: %w", err)
	}
	return nil
}

// snapshot takes the result of a monitor request (the initial content) and
// queues the difference from the rows reported so far: all of it the first
// time, the changes missed while disconnected after a reconnection.
func (m *Monitor) snapshot(raw json.RawMessage) error {
	var u TableUpdates
	if err := json.Unmarshal(raw, &u); err != nil {
		return fmt.Errorf("decode monitor initial content: %w", err)
	}
	m.mu.Lock()
	if m.err == nil {
		m.queue = append(m.queue, m.rows.resync(m.tables, u))
	}
	m.mu.Unlock()
	m.wake()
	return nil
}

// push queues an update notification.
func (m *Monitor) push(raw json.RawMessage) error {
	var u TableUpdates
	if err := json.Unmarshal(raw, &u); err != nil {
		return fmt.Errorf("decode monitor update: %w", err)
	}
	m.mu.Lock()
	if m.err == nil {
		m.rows.apply(u)
		m.queue = append(m.queue, u)
	}
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

// handleUpdate dispatches an "update" notification of session s: params
// [id, updates].
func (c *Client) handleUpdate(s *session, params json.RawMessage) {
	var p []json.RawMessage
	var id string
	if err := json.Unmarshal(params, &p); err != nil || len(p) != 2 || json.Unmarshal(p[0], &id) != nil {
		c.logger.V(4).Info("Ignoring malformed OVSDB update", "params", string(params))
		return
	}
	c.mu.Lock()
	m := c.monitors[id]
	if m != nil && m.sess != s {
		m = nil // subscribed on another connection
	}
	c.mu.Unlock()
	if m == nil {
		return
	}
	if err := m.push(p[1]); err != nil {
		c.logger.Error(err, "Dropping OVSDB monitor update", "monitor", id)
	}
}
