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
	"fmt"
	"io"
	"time"
)

// writeLocked encodes msgs with consecutive xids starting at first into the
// bufio writer. The caller holds wmu. Messages are encoded straight into the
// writer's free space when they fit, so encoding does not allocate.
func (c *Conn) writeLocked(first uint32, msgs ...Message) error {
	for i, m := range msgs {
		if err := c.writeOneLocked(first+uint32(i), m); err != nil {
			return err
		}
	}
	return nil
}

func (c *Conn) writeOneLocked(xid uint32, m Message) error {
	b := c.w.AvailableBuffer()
	b = AppendMessage(b, xid, m)
	if len(b) > MaxMessageLen {
		return fmt.Errorf("%v xid %d is %d bytes, over the 65535 limit", m.MsgType(), xid, len(b))
	}
	if _, err := c.w.Write(b); err != nil {
		return c.writeFailed(err)
	}
	return nil
}

func (c *Conn) writeFailed(err error) error {
	c.closeWithError(fmt.Errorf("write: %w", err))
	return c.closeErr
}

// lockWriter takes the write lock and arms a write deadline from ctx.
func (c *Conn) lockWriter(ctx context.Context) func() {
	c.wmu.Lock()
	if d, ok := ctx.Deadline(); ok {
		_ = c.nc.SetWriteDeadline(d)
	} else {
		_ = c.nc.SetWriteDeadline(time.Time{})
	}
	return c.wmu.Unlock
}

func (c *Conn) flushLocked() error {
	if err := c.w.Flush(); err != nil {
		return c.writeFailed(err)
	}
	return nil
}

// readLoop reads and dispatches messages until the connection fails.
func (c *Conn) readLoop() {
	r := bufio.NewReaderSize(c.nc, 256<<10)
	buf := make([]byte, 0, MaxMessageLen)
	for {
		msg, err := readMessage(r, buf)
		if err != nil {
			c.closeWithError(fmt.Errorf("read: %w", err))
			return
		}
		c.dispatch(msg)
	}
}

func readMessage(r *bufio.Reader, buf []byte) ([]byte, error) {
	buf = buf[:HeaderLen]
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	n := int(be.Uint16(buf[2:]))
	if n < HeaderLen {
		return nil, fmt.Errorf("message length %d", n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(r, buf[HeaderLen:]); err != nil {
		return nil, err
	}
	return buf, nil
}

func (c *Conn) dispatch(b []byte) {
	h, m, err := DecodeMessage(b)
	if err != nil {
		c.logger.Error(err, "Undecodable message from switch", "type", h.Type, "xid", h.Xid)
		// Still complete a request waiting on this xid so it does not hang.
		c.deliver(h.Xid, result{err: err})
		return
	}
	switch msg := m.(type) {
	case Hello:
		select {
		case c.hello <- msg:
		default:
		}
	case EchoRequest:
		go c.replyEcho(h.Xid, msg.Data)
	case ErrorMsg:
		c.deliverError(h.Xid, msg)
	case PacketIn2:
		c.deliverPacketIn(&msg)
	case FlowDescReply:
		c.deliverPart(h.Xid, msg, msg.Flags&MultipartMore != 0)
	case MultipartReply:
		c.deliverPart(h.Xid, msg, msg.Flags&MultipartMore != 0)
	default:
		if !c.deliver(h.Xid, result{msg: m}) {
			c.logger.V(4).Info("Unsolicited message from switch", "type", h.Type, "xid", h.Xid)
		}
	}
}

// replyEcho answers the switch's echo without blocking the reader (the
// writer may be busy streaming a large bundle).
func (c *Conn) replyEcho(xid uint32, data []byte) {
	ctx, cancel := context.WithTimeout(context.Background(), c.cfg.EchoTimeout)
	defer cancel()
	unlock := c.lockWriter(ctx)
	defer unlock()
	if c.writeOneLocked(xid, EchoReply{Data: data}) == nil {
		_ = c.flushLocked()
	}
}

func (c *Conn) deliverPacketIn(p *PacketIn2) {
	select {
	case c.cfg.PacketIns <- p:
	default:
		if c.droppedPacketIns.Add(1)%1000 == 1 {
			c.logger.Info("Packet-in queue full, dropping packet-ins", "dropped", c.droppedPacketIns.Load())
		}
	}
}

// deliver completes the exact request waiting on xid.
func (c *Conn) deliver(xid uint32, r result) bool {
	c.mu.Lock()
	cl, ok := c.pending[xid]
	if ok {
		delete(c.pending, xid)
	}
	c.mu.Unlock()
	if ok {
		if cl.multipart && r.err == nil {
			r.parts = append(cl.parts, r.msg)
		}
		cl.ch <- r
	}
	return ok
}

func (c *Conn) deliverPart(xid uint32, m Message, more bool) {
	if !more {
		c.deliver(xid, result{msg: m})
		return
	}
	c.mu.Lock()
	if cl, ok := c.pending[xid]; ok && cl.multipart {
		cl.parts = append(cl.parts, m)
	}
	c.mu.Unlock()
}

func (c *Conn) deliverError(xid uint32, e ErrorMsg) {
	if c.deliver(xid, result{err: &RequestError{Xid: xid, Err: e}}) {
		return
	}
	c.mu.Lock()
	var owner xidOwner
	for _, o := range c.owners {
		if o.owns(xid) {
			owner = o
			break
		}
	}
	c.mu.Unlock()
	if owner != nil {
		owner.onError(xid, e)
		return
	}
	c.unsolicitedErrs.Add(1)
	c.logger.Error(e, "OpenFlow error for an untracked request", "xid", xid)
}
