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
	"net"
	"sync"

	"k8s.io/klog/v2"
)

// Database is the name of the Open vSwitch database.
const Database = "Open_vSwitch"

// ErrClosed is returned by calls on a client whose connection is gone.
var ErrClosed = errors.New("ovsdb connection closed")

// Client is an RFC 7047 JSON-RPC client on one connection. It is safe for
// concurrent use. It does not reconnect: after Done is closed, Connect again.
type Client struct {
	conn   net.Conn
	logger klog.Logger

	writeMu sync.Mutex
	enc     *json.Encoder

	mu       sync.Mutex
	nextID   uint64
	pending  map[uint64]*pendingCall
	monitors map[string]*Monitor
	err      error

	done chan struct{}
}

type pendingCall struct {
	ch      chan response
	monitor *Monitor // set for "monitor" calls: the reader queues the initial state
}

type response struct {
	result json.RawMessage
	err    error
}

// request is a JSON-RPC request or (with ID nil) a notification.
type request struct {
	Method string `json:"method"`
	Params any    `json:"params"`
	ID     any    `json:"id"`
}

// reply is a JSON-RPC response sent by the client (to the server's echo).
type reply struct {
	Result json.RawMessage `json:"result"`
	Error  any             `json:"error"`
	ID     json.RawMessage `json:"id"`
}

// message is any JSON-RPC message received from the server.
type message struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
}

// Connect dials the ovsdb-server unix socket (for example <rundir>/db.sock)
// and starts the reader goroutine. ctx bounds the dial only; the logger in
// ctx is kept for the connection's lifetime.
func Connect(ctx context.Context, socketPath string) (*Client, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", socketPath)
	if err != nil {
		return nil, fmt.Errorf("connect to ovsdb at %s: %w", socketPath, err)
	}
	c := &Client{
		conn:     conn,
		logger:   klog.FromContext(ctx).WithValues("ovsdb", socketPath),
		enc:      json.NewEncoder(conn),
		pending:  map[uint64]*pendingCall{},
		monitors: map[string]*Monitor{},
		done:     make(chan struct{}),
	}
	go c.readLoop()
	c.logger.V(2).Info("Connected to OVSDB")
	return c, nil
}

// Close closes the connection and waits for the reader goroutine to exit.
// Pending calls fail with ErrClosed.
func (c *Client) Close() error {
	err := c.conn.Close()
	<-c.done
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// Done is closed when the connection is lost or closed.
func (c *Client) Done() <-chan struct{} { return c.done }

// Err returns why the connection ended, or nil while it is up.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Echo sends an echo request and checks the reply (a liveness probe).
func (c *Client) Echo(ctx context.Context) error {
	params := []string{"strata-echo"}
	var got []string
	if err := c.call(ctx, "echo", params, nil, &got); err != nil {
		return err
	}
	if len(got) != 1 || got[0] != params[0] {
		return fmt.Errorf("echo: unexpected reply %q", got)
	}
	return nil
}

// call sends a request and decodes its result into result (if not nil).
func (c *Client) call(ctx context.Context, method string, params any, mon *Monitor, result any) error {
	id, pc, err := c.register(mon)
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	defer c.unregister(id)
	if err := c.write(ctx, request{Method: method, Params: params, ID: id}); err != nil {
		return fmt.Errorf("%s: send request: %w", method, err)
	}
	select {
	case resp := <-pc.ch:
		if resp.err != nil {
			return fmt.Errorf("%s: %w", method, resp.err)
		}
		if result == nil {
			return nil
		}
		if err := json.Unmarshal(resp.result, result); err != nil {
			return fmt.Errorf("%s: decode result: %w", method, err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: waiting for reply: %w", method, context.Cause(ctx))
	case <-c.done:
		return fmt.Errorf("%s: %w", method, c.closedErr())
	}
}

func (c *Client) register(mon *Monitor) (uint64, *pendingCall, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return 0, nil, c.err
	}
	c.nextID++
	pc := &pendingCall{ch: make(chan response, 1), monitor: mon}
	c.pending[c.nextID] = pc
	return c.nextID, pc, nil
}

func (c *Client) unregister(id uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.pending, id)
}

func (c *Client) write(ctx context.Context, v any) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	deadline, _ := ctx.Deadline() // zero time clears any previous deadline
	if err := c.conn.SetWriteDeadline(deadline); err != nil {
		return err
	}
	return c.enc.Encode(v)
}

func (c *Client) closedErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		return ErrClosed
	}
	return c.err
}
