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

package openflow

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/klog/v2"
)

// ClientConfig configures a reconnecting client.
type ClientConfig struct {
	Conn Config
	// OnConnect runs after every handshake, before the connection is handed
	// out by Client.Conn: replay groups, meters and flows here (after an
	// ovs-vswitchd restart the switch is empty). reconnect is false for the
	// first connection. An error closes the connection and retries.
	OnConnect func(ctx context.Context, c *Conn, reconnect bool) error
	// MinBackoff and MaxBackoff bound the delay between attempts
	// (defaults 100ms and 5s).
	MinBackoff time.Duration
	MaxBackoff time.Duration
}

// Defaults fills zero values.
func (c *ClientConfig) Defaults() {
	c.Conn.Defaults()
	if c.MinBackoff == 0 {
		c.MinBackoff = 100 * time.Millisecond
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = 5 * time.Second
	}
}

// Client keeps one connection to a bridge alive: it reconnects with
// backoff when the connection drops (e.g. ovs-vswitchd restarts) and calls
// OnConnect so the caller can replay its state. Packet-ins from every
// connection arrive on one channel.
type Client struct {
	cfg      ClientConfig
	mu       sync.Mutex
	conn     *Conn
	ready    chan struct{}
	connects atomic.Int64
}

// NewClient validates cfg and returns a client; call Run to connect.
func NewClient(cfg ClientConfig) (*Client, error) {
	cfg.Defaults()
	if err := cfg.Conn.Validate(); err != nil {
		return nil, err
	}
	return &Client{cfg: cfg, ready: make(chan struct{})}, nil
}

// PacketIns returns the packet-in channel shared by all connections.
func (c *Client) PacketIns() <-chan *PacketIn2 { return c.cfg.Conn.PacketIns }

// Connects is the number of successful (re)connections so far.
func (c *Client) Connects() int64 { return c.connects.Load() }

// Connected tells whether a connection is up now (handshake and OnConnect
// done, not lost since).
func (c *Client) Connected() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conn != nil && c.conn.Err() == nil
}

// DroppedPacketIns is the number of packet-ins the current connection dropped
// because the queue was full (0 without a connection).
func (c *Client) DroppedPacketIns() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn == nil {
		return 0
	}
	return c.conn.Stats().DroppedPacketIns
}

// Conn waits until a connection is ready (handshake and OnConnect done).
func (c *Client) Conn(ctx context.Context) (*Conn, error) {
	for {
		c.mu.Lock()
		conn, ready := c.conn, c.ready
		c.mu.Unlock()
		if conn != nil && conn.Err() == nil {
			return conn, nil
		}
		select {
		case <-ready:
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for openflow connection to %s: %w", c.cfg.Conn.Addr, ctx.Err())
		}
	}
}

// Run connects and reconnects until ctx is done; it returns ctx.Err().
func (c *Client) Run(ctx context.Context) error {
	logger := klog.FromContext(ctx).WithValues("switch", c.cfg.Conn.Addr)
	backoff := c.cfg.MinBackoff
	for {
		conn, err := c.connect(ctx)
		if err == nil {
			backoff = c.cfg.MinBackoff
			logger.Info("OpenFlow connection ready", "connects", c.connects.Load())
			select {
			case <-conn.Done():
				logger.Info("OpenFlow connection lost, reconnecting", "reason", conn.Err())
				c.setConn(nil)
			case <-ctx.Done():
				_ = conn.Close()
				c.setConn(nil)
				return ctx.Err()
			}
		} else if ctx.Err() == nil {
			logger.V(2).Info("OpenFlow connect failed", "err", err, "retryIn", backoff)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, c.cfg.MaxBackoff)
	}
}

func (c *Client) connect(ctx context.Context) (*Conn, error) {
	conn, err := Dial(ctx, c.cfg.Conn)
	if err != nil {
		return nil, err
	}
	if c.cfg.OnConnect != nil {
		if err := c.cfg.OnConnect(ctx, conn, c.connects.Load() > 0); err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("on connect: %w", err)
		}
	}
	if conn.Err() != nil {
		return nil, errors.Join(errors.New("connection closed during OnConnect"), conn.Err())
	}
	c.connects.Add(1)
	c.setConn(conn)
	return conn, nil
}

func (c *Client) setConn(conn *Conn) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.conn = conn
	if conn != nil {
		close(c.ready)
	} else {
		c.ready = make(chan struct{})
	}
}
