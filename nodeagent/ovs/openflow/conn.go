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
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"k8s.io/klog/v2"
)

// ErrClosed is wrapped by every error caused by a closed connection.
var ErrClosed = errors.New("openflow connection closed")

// Config configures a connection to a bridge's management socket.
type Config struct {
	// Addr is the socket: "unix:/run/openvswitch/br-int.mgmt" or a plain path.
	Addr string
	// ControllerID is sent as NXT_SET_CONTROLLER_ID; controller(id=N)
	// packet-ins only reach the connection with that id. 0 keeps OVS's default.
	ControllerID uint16
	// MissSendLen is SET_CONFIG miss_send_len (default 0xffff: whole packets).
	MissSendLen uint16
	// EchoInterval is how often we probe the switch (default 5s, <0 disables).
	EchoInterval time.Duration
	// EchoTimeout closes the connection when an echo is not answered (default 10s).
	EchoTimeout time.Duration
	// PacketIns receives NXT_PACKET_IN2 messages. Nil: a channel of
	// PacketInQueue entries is created. The reader never blocks on it: when
	// full, packet-ins are dropped and counted (Stats).
	PacketIns     chan *PacketIn2
	PacketInQueue int
	// WriteBuffer is the bufio size for outgoing messages (default 256 KiB).
	WriteBuffer int
	// Dial overrides how the socket is opened (tests).
	Dial func(ctx context.Context) (net.Conn, error)
}

// Defaults fills zero values.
func (c *Config) Defaults() {
	if c.MissSendLen == 0 {
		c.MissSendLen = 0xffff
	}
	if c.EchoInterval == 0 {
		c.EchoInterval = 5 * time.Second
	}
	if c.EchoTimeout == 0 {
		c.EchoTimeout = 10 * time.Second
	}
	if c.PacketInQueue == 0 {
		c.PacketInQueue = 256
	}
	if c.PacketIns == nil {
		c.PacketIns = make(chan *PacketIn2, c.PacketInQueue)
	}
	if c.WriteBuffer == 0 {
		c.WriteBuffer = 256 << 10
	}
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	if c.Addr == "" && c.Dial == nil {
		return errors.New("openflow config: Addr is required")
	}
	return nil
}

func (c *Config) dial(ctx context.Context) (net.Conn, error) {
	if c.Dial != nil {
		return c.Dial(ctx)
	}
	var d net.Dialer
	return d.DialContext(ctx, "unix", strings.TrimPrefix(c.Addr, "unix:"))
}

// Conn is one OpenFlow 1.5 session with a switch. It is safe for concurrent
// use: every request gets its own xid and result channel, and a single
// reader goroutine dispatches replies, errors and packet-ins.
type Conn struct {
	cfg    Config
	nc     net.Conn
	logger klog.Logger

	wmu  sync.Mutex
	w    *bufio.Writer
	wbuf []byte

	nextXid atomic.Uint32

	mu      sync.Mutex
	pending map[uint32]*call
	owners  []xidOwner

	features FeaturesReply
	hello    chan Hello
	done     chan struct{}
	closeErr error
	once     sync.Once

	droppedPacketIns atomic.Uint64
	unsolicitedErrs  atomic.Uint64
}

// Stats are connection counters.
type Stats struct {
	DroppedPacketIns  uint64
	UnsolicitedErrors uint64
}

// call is one outstanding request waiting for its reply.
type call struct {
	ch        chan result
	multipart bool
	parts     []Message
}

type result struct {
	msg   Message
	parts []Message
	err   error
}

// xidOwner receives errors for a range of xids (a batch or a bundle).
type xidOwner interface {
	owns(xid uint32) bool
	onError(xid uint32, e ErrorMsg)
}

// Dial connects, performs the handshake (HELLO, FEATURES, SET_CONFIG,
// controller id, NXT2 packet-in format, BARRIER) and starts the reader.
func Dial(ctx context.Context, cfg Config) (*Conn, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	nc, err := cfg.dial(ctx)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", cfg.Addr, err)
	}
	c := &Conn{
		cfg: cfg, nc: nc, w: bufio.NewWriterSize(nc, cfg.WriteBuffer),
		logger:  klog.FromContext(ctx).WithValues("switch", cfg.Addr),
		pending: map[uint32]*call{}, hello: make(chan Hello, 1), done: make(chan struct{}),
	}
	c.nextXid.Store(uint32(time.Now().UnixNano()) & 0x0fffffff)
	go c.readLoop()
	if err := c.handshake(ctx); err != nil {
		c.closeWithError(err)
		return nil, fmt.Errorf("openflow handshake with %s: %w", cfg.Addr, err)
	}
	if cfg.EchoInterval > 0 {
		go c.keepalive()
	}
	return c, nil
}

func (c *Conn) handshake(ctx context.Context) error {
	if err := c.Send(ctx, Hello{VersionBitmap: 1 << Version}); err != nil {
		return err
	}
	select {
	case h := <-c.hello:
		if h.VersionBitmap != 0 && h.VersionBitmap&(1<<Version) == 0 {
			return fmt.Errorf("switch does not speak OpenFlow 1.5 (version bitmap 0x%x)", h.VersionBitmap)
		}
	case <-c.done:
		return c.closeErr
	case <-ctx.Done():
		return fmt.Errorf("waiting for HELLO: %w", ctx.Err())
	}
	reply, err := c.Request(ctx, FeaturesRequest{})
	if err != nil {
		return fmt.Errorf("features: %w", err)
	}
	fr, ok := reply.(FeaturesReply)
	if !ok {
		return fmt.Errorf("features: unexpected reply %T", reply)
	}
	c.features = fr
	setup := []Message{SetConfig{MissSendLen: c.cfg.MissSendLen}, SetPacketInFormat{Format: PacketInFormatNXT2}}
	if c.cfg.ControllerID != 0 {
		setup = append(setup, SetControllerID{ID: c.cfg.ControllerID})
	}
	return c.Exec(ctx, setup...)
}

// Features returns the switch's FEATURES_REPLY from the handshake.
func (c *Conn) Features() FeaturesReply { return c.features }

// PacketIns returns the channel packet-ins are delivered on.
func (c *Conn) PacketIns() <-chan *PacketIn2 { return c.cfg.PacketIns }

// Done is closed when the connection is closed.
func (c *Conn) Done() <-chan struct{} { return c.done }

// Err returns why the connection closed (nil while open).
func (c *Conn) Err() error {
	select {
	case <-c.done:
		return c.closeErr
	default:
		return nil
	}
}

// Stats returns connection counters.
func (c *Conn) Stats() Stats {
	return Stats{DroppedPacketIns: c.droppedPacketIns.Load(), UnsolicitedErrors: c.unsolicitedErrs.Load()}
}

// Close closes the connection and fails every outstanding request.
func (c *Conn) Close() error {
	c.closeWithError(errors.New("closed by caller"))
	return nil
}

func (c *Conn) closeWithError(err error) {
	c.once.Do(func() {
		c.closeErr = fmt.Errorf("%w: %w", ErrClosed, err)
		_ = c.nc.Close()
		close(c.done)
		c.mu.Lock()
		pending := c.pending
		c.pending = map[uint32]*call{}
		c.mu.Unlock()
		for _, cl := range pending {
			cl.ch <- result{err: c.closeErr}
		}
	})
}

// allocXids reserves n consecutive xids and returns the first. Xid 0 and
// ranges that wrap around are skipped.
func (c *Conn) allocXids(n int) uint32 {
	for {
		last := c.nextXid.Add(uint32(n))
		first := last - uint32(n) + 1
		if first != 0 && first <= last {
			return first
		}
	}
}

func (c *Conn) addOwner(o xidOwner) {
	c.mu.Lock()
	c.owners = append(c.owners, o)
	c.mu.Unlock()
}

func (c *Conn) removeOwner(o xidOwner) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, x := range c.owners {
		if x == o {
			c.owners = append(c.owners[:i], c.owners[i+1:]...)
			return
		}
	}
}

func (c *Conn) keepalive() {
	t := time.NewTicker(c.cfg.EchoInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), c.cfg.EchoTimeout)
		_, err := c.Request(ctx, EchoRequest{})
		cancel()
		if err != nil && !errors.Is(err, ErrClosed) {
			c.logger.Error(err, "Echo to switch failed, closing connection")
			c.closeWithError(fmt.Errorf("echo: %w", err))
			return
		}
	}
}
