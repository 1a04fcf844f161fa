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
	"net"
	"time"
)

// supervise waits for the connection to drop and reconnects, until Close.
func (c *Client) supervise(s *session) {
	defer close(c.done)
	b := newBackoff(c.cfg.MinBackoff, c.cfg.MaxBackoff)
	for {
		select {
		case <-s.done:
		case <-c.ctx.Done():
			c.shutdown(s)
			return
		}
		if time.Since(s.started) >= c.cfg.MaxBackoff {
			b.reset() // a connection that lasted: start over at MinBackoff
		}
		c.unpublish(s)
		c.logger.Info("OVSDB connection lost; reconnecting", "reason", s.Err())
		next, ok := c.reconnect(b)
		if !ok {
			c.shutdown(nil)
			return
		}
		s = next
	}
}

// reconnect dials with backoff until a connection is up with every monitor
// subscribed again, and publishes it. It returns false when the client is
// closed.
func (c *Client) reconnect(b *backoff) (*session, bool) {
	lost := time.Now()
	for attempt := 1; ; attempt++ {
		delay := b.next()
		select {
		case <-c.ctx.Done():
			return nil, false
		case <-time.After(delay):
		}
		s, monitors, err := c.attempt()
		if err == nil {
			c.logger.Info("Reconnected to OVSDB", "attempts", attempt,
				"downtime", time.Since(lost).Round(time.Millisecond), "monitors", monitors)
			return s, true
		}
		if c.ctx.Err() != nil {
			return nil, false
		}
		c.logger.V(2).Info("OVSDB reconnection attempt failed", "attempt", attempt, "err", err)
	}
}

// attempt dials once and subscribes the monitors again, bounded by
// AttemptTimeout.
func (c *Client) attempt() (*session, int, error) {
	ctx, cancel := context.WithTimeout(c.ctx, c.cfg.AttemptTimeout)
	defer cancel()
	s, err := dialSession(ctx, c.cfg.SocketPath, c.logger, c.handleUpdate)
	if err != nil {
		return nil, 0, fmt.Errorf("connect to ovsdb at %s: %w", c.cfg.SocketPath, err)
	}
	n, err := c.resubscribe(ctx, s)
	if err != nil {
		_ = s.close(fmt.Errorf("%w: %w", ErrDisconnected, err))
		return nil, 0, err
	}
	return s, n, nil
}

// resubscribe sends the request of every monitor not yet subscribed on s,
// then publishes s. Each monitor's new initial content is turned into the
// changes it missed (see Monitor). A monitor the server now refuses ends
// with the error; the others go on. It returns how many monitors it sent.
func (c *Client) resubscribe(ctx context.Context, s *session) (int, error) {
	sent := 0
	for {
		c.mu.Lock()
		var todo []*Monitor
		for _, m := range c.monitors {
			if m.sess != s {
				m.sess = s
				todo = append(todo, m)
			}
		}
		if len(todo) == 0 {
			c.mu.Unlock()
			c.publish(s)
			return sent, nil
		}
		c.mu.Unlock()
		for _, m := range todo {
			_, err := s.call(ctx, "monitor", m.params(), m.snapshot)
			switch {
			case err == nil:
				sent++
			case errors.Is(err, ErrDisconnected) || ctx.Err() != nil:
				return sent, fmt.Errorf("sending monitor %s again: %w", m.id, err)
			default:
				c.removeMonitor(m.id)
				m.close(fmt.Errorf("sending monitor %s again after reconnecting: %w", m.id, err))
				c.logger.Error(err, "OVSDB refused a monitor after reconnecting; it ends", "monitor", m.id)
			}
		}
	}
}

// publish makes s the live connection and wakes the calls waiting for one.
func (c *Client) publish(s *session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sess = s
	c.lastErr = nil
	c.connects++
	close(c.ready)
}

// unpublish forgets s if it is the live connection.
func (c *Client) unpublish(s *session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess != s {
		return
	}
	c.sess = nil
	c.lastErr = s.Err()
	c.ready = make(chan struct{})
}

// shutdown closes the client for good: the connection s (if any) is closed,
// calls and monitors fail with ErrClosed.
func (c *Client) shutdown(s *session) {
	c.mu.Lock()
	c.closed = true
	c.sess = nil
	monitors := c.monitors
	c.monitors = map[string]*Monitor{}
	c.mu.Unlock()
	if s != nil {
		if err := s.close(ErrClosed); err != nil && !errors.Is(err, net.ErrClosed) {
			c.closeErr = err
		}
	}
	for _, m := range monitors {
		m.close(ErrClosed)
	}
	c.logger.V(2).Info("OVSDB client closed")
}
