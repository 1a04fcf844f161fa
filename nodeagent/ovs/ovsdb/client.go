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
	"sync"

	"k8s.io/klog/v2"
)

// Database is the name of the Open vSwitch database.
const Database = "Open_vSwitch"

// ErrClosed is returned by calls on a client that was closed with Close.
var ErrClosed = errors.New("ovsdb client closed")

// ErrDisconnected is wrapped by the errors of calls that lost their
// connection: a request in flight when ovsdb-server went away (it may or may
// not have been applied), or a wait for the next connection cut short by the
// caller's context. The client reconnects by itself.
var ErrDisconnected = errors.New("ovsdb connection lost")

// Client is an RFC 7047 JSON-RPC client of ovsdb-server that keeps one
// connection up: when it drops, the client dials again with backoff and
// sends its monitors' requests again. It is safe for concurrent use.
type Client struct {
	cfg    Config
	logger klog.Logger
	ctx    context.Context // the client's lifetime: cancelled by Close
	cancel context.CancelFunc

	mu          sync.Mutex
	sess        *session      // the live connection; nil while reconnecting
	ready       chan struct{} // closed when sess is set
	lastErr     error         // why the last connection ended
	closed      bool
	monitors    map[string]*Monitor
	nextMonitor uint64
	connects    int64
	closeErr    error

	done chan struct{} // closed when Close has finished
}

// Connect is New with the default Config for the socket.
func Connect(ctx context.Context, socketPath string) (*Client, error) {
	return New(ctx, Config{SocketPath: socketPath})
}

// New dials ovsdb-server and returns a client that keeps the connection up
// until Close. ctx bounds the first dial only, which must succeed; the
// logger in ctx is kept for the client's lifetime.
func New(ctx context.Context, cfg Config) (*Client, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("ovsdb client: %w", err)
	}
	logger := klog.FromContext(ctx).WithValues("ovsdb", cfg.SocketPath)
	c := &Client{cfg: cfg, logger: logger, ready: make(chan struct{}),
		monitors: map[string]*Monitor{}, done: make(chan struct{})}
	s, err := dialSession(ctx, cfg.SocketPath, logger, c.handleUpdate)
	if err != nil {
		return nil, fmt.Errorf("connect to ovsdb at %s: %w", cfg.SocketPath, err)
	}
	c.ctx, c.cancel = context.WithCancel(klog.NewContext(context.Background(), logger))
	c.publish(s)
	go c.supervise(s)
	logger.V(2).Info("Connected to OVSDB")
	return c, nil
}

// Close stops reconnecting, closes the connection and waits until the
// client's goroutines have exited. Calls and monitors fail with ErrClosed.
func (c *Client) Close() error {
	c.cancel()
	<-c.done
	return c.closeErr
}

// Done is closed once Close has finished. A lost connection does not close
// it: the client reconnects.
func (c *Client) Done() <-chan struct{} { return c.done }

// Err returns nil while connected, ErrClosed after Close, and otherwise
// why the connection was lost (wrapping ErrDisconnected) while the client
// reconnects.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.closed:
		return ErrClosed
	case c.sess != nil:
		return nil
	case c.lastErr != nil:
		return c.lastErr
	default:
		return ErrDisconnected
	}
}

// Connects is the number of connections made so far: 1 after New, one
// more after each reconnection.
func (c *Client) Connects() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.connects
}

// Echo sends an echo request and checks the reply (a liveness probe).
func (c *Client) Echo(ctx context.Context) error {
	params := []string{"strata-echo"}
	var got []string
	if err := c.call(ctx, "echo", params, true, &got); err != nil {
		return err
	}
	if len(got) != 1 || got[0] != params[0] {
		return fmt.Errorf("echo: unexpected reply %q", got)
	}
	return nil
}

// call sends a request and decodes its result into result (if not nil). It
// waits for a connection, bounded by ctx. A request not yet written when its
// connection dropped is sent on the next one; one that was written is sent
// again only if resend is set (its replay must be harmless), and otherwise
// fails with an error wrapping ErrDisconnected.
func (c *Client) call(ctx context.Context, method string, params any, resend bool, result any) error {
	for {
		s, err := c.session(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
		raw, err := s.call(ctx, method, params, nil)
		var notSent notSentError
		if errors.As(err, &notSent) || (resend && errors.Is(err, ErrDisconnected) && ctx.Err() == nil) {
			c.logger.V(4).Info("Sending OVSDB request again on the next connection", "method", method, "err", err)
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
		if result == nil {
			return nil
		}
		if err := json.Unmarshal(raw, result); err != nil {
			return fmt.Errorf("%s: decode result: %w", method, err)
		}
		return nil
	}
}

// session returns the live connection, waiting for one until ctx is done.
func (c *Client) session(ctx context.Context) (*session, error) {
	for {
		c.mu.Lock()
		s, ready, closed, lastErr := c.sess, c.ready, c.closed, c.lastErr
		c.mu.Unlock()
		if closed {
			return nil, ErrClosed
		}
		if s != nil {
			if s.alive() {
				return s, nil
			}
			c.unpublish(s) // the supervisor will notice too; do not spin meanwhile
			continue
		}
		if lastErr == nil {
			lastErr = ErrDisconnected
		}
		select {
		case <-ready:
		case <-c.ctx.Done():
			return nil, ErrClosed
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for the connection to %s: %w: %w", c.cfg.SocketPath, lastErr, context.Cause(ctx))
		}
	}
}
