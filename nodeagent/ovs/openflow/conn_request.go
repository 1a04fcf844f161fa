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
	"strings"
	"sync"
)

// RequestError is an OFPT_ERROR mapped back to the request that caused it.
// Index is the position of the message in the Exec/Bundle call (-1 for
// single requests) and Msg the message itself, when known.
type RequestError struct {
	Xid   uint32
	Index int
	Msg   Message
	Err   ErrorMsg
}

func (e *RequestError) Error() string {
	switch {
	case e.Msg == nil:
		return fmt.Sprintf("xid %d: %v", e.Xid, e.Err)
	case e.Index < 0:
		return fmt.Sprintf("%s: %v", describe(e.Msg), e.Err)
	}
	return fmt.Sprintf("message %d (%s): %v", e.Index, describe(e.Msg), e.Err)
}

// Unwrap returns the switch's error.
func (e *RequestError) Unwrap() error { return e.Err }

func describe(m Message) string {
	if s, ok := m.(fmt.Stringer); ok {
		return s.String()
	}
	return m.MsgType().String()
}

// BatchError collects the errors of an Exec or Bundle call.
type BatchError struct {
	Errors []*RequestError
	// Commit is the error of the bundle commit itself, if any.
	Commit error
}

func (e *BatchError) Error() string {
	var parts []string
	if e.Commit != nil {
		parts = append(parts, "commit: "+e.Commit.Error())
	}
	for _, r := range e.Errors {
		parts = append(parts, r.Error())
	}
	return strings.Join(parts, "; ")
}

// Unwrap exposes every error to errors.Is/As.
func (e *BatchError) Unwrap() []error {
	out := make([]error, 0, len(e.Errors)+1)
	if e.Commit != nil {
		out = append(out, e.Commit)
	}
	for _, r := range e.Errors {
		out = append(out, r)
	}
	return out
}

func (c *Conn) register(xid uint32, multipart bool) *call {
	cl := &call{ch: make(chan result, 1), multipart: multipart}
	c.mu.Lock()
	c.pending[xid] = cl
	c.mu.Unlock()
	return cl
}

func (c *Conn) unregister(xid uint32) {
	c.mu.Lock()
	delete(c.pending, xid)
	c.mu.Unlock()
}

func (c *Conn) wait(ctx context.Context, xid uint32, cl *call) (result, error) {
	select {
	case r := <-cl.ch:
		return r, r.err
	case <-ctx.Done():
		c.unregister(xid)
		return result{}, fmt.Errorf("waiting for reply to xid %d: %w", xid, ctx.Err())
	}
}

// Send writes messages without waiting for anything. Errors the switch
// reports for them are logged as unsolicited.
func (c *Conn) Send(ctx context.Context, msgs ...Message) error {
	first := c.allocXids(len(msgs))
	unlock := c.lockWriter(ctx)
	defer unlock()
	if err := c.writeLocked(first, msgs...); err != nil {
		return err
	}
	return c.flushLocked()
}

// Request sends m and waits for the reply with the same xid (or the
// OFPT_ERROR for it, returned as *RequestError).
func (c *Conn) Request(ctx context.Context, m Message) (Message, error) {
	r, err := c.request(ctx, m, false)
	if err != nil {
		return nil, err
	}
	return r.msg, nil
}

func (c *Conn) request(ctx context.Context, m Message, multipart bool) (result, error) {
	xid := c.allocXids(1)
	cl := c.register(xid, multipart)
	if err := c.Send1(ctx, xid, m); err != nil {
		c.unregister(xid)
		return result{}, err
	}
	r, err := c.wait(ctx, xid, cl)
	var re *RequestError
	if errors.As(err, &re) {
		re.Index, re.Msg = -1, m
	}
	return r, err
}

// Send1 writes one message with a caller-chosen xid.
func (c *Conn) Send1(ctx context.Context, xid uint32, m Message) error {
	unlock := c.lockWriter(ctx)
	defer unlock()
	if err := c.writeOneLocked(xid, m); err != nil {
		return err
	}
	return c.flushLocked()
}

// batch collects errors for a contiguous xid range.
type batch struct {
	first uint32
	n     int
	msgs  func(i int) Message
	mu    sync.Mutex
	errs  []*RequestError
}

func (b *batch) owns(xid uint32) bool { return xid-b.first < uint32(b.n) }

func (b *batch) onError(xid uint32, e ErrorMsg) {
	i := int(xid - b.first)
	b.mu.Lock()
	b.errs = append(b.errs, &RequestError{Xid: xid, Index: i, Msg: b.msgs(i), Err: e})
	b.mu.Unlock()
}

func (b *batch) collected() []*RequestError {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.errs
}

// Exec sends msgs followed by a BARRIER and waits for it. OVS processes
// messages in order, so every error for msgs has arrived by then; they are
// returned as a *BatchError whose entries name the failing message.
func (c *Conn) Exec(ctx context.Context, msgs ...Message) error {
	first := c.allocXids(len(msgs) + 1)
	b := &batch{first: first, n: len(msgs), msgs: func(i int) Message { return msgs[i] }}
	barrier := first + uint32(len(msgs))
	cl := c.register(barrier, false)
	c.addOwner(b)
	defer c.removeOwner(b)
	if err := c.writeBatch(ctx, first, msgs, barrier); err != nil {
		c.unregister(barrier)
		return err
	}
	if _, err := c.wait(ctx, barrier, cl); err != nil {
		return fmt.Errorf("barrier: %w", err)
	}
	if errs := b.collected(); len(errs) > 0 {
		return &BatchError{Errors: errs}
	}
	return nil
}

func (c *Conn) writeBatch(ctx context.Context, first uint32, msgs []Message, barrier uint32) error {
	unlock := c.lockWriter(ctx)
	defer unlock()
	if err := c.writeLocked(first, msgs...); err != nil {
		return err
	}
	if err := c.writeOneLocked(barrier, BarrierRequest{}); err != nil {
		return err
	}
	return c.flushLocked()
}

// Barrier waits until the switch has processed everything sent before.
func (c *Conn) Barrier(ctx context.Context) error {
	_, err := c.Request(ctx, BarrierRequest{})
	return err
}

// DumpFlows sends a FLOW_DESC request and returns every flow of the
// (possibly multi-part) reply.
func (c *Conn) DumpFlows(ctx context.Context, req FlowDescRequest) ([]FlowStats, error) {
	r, err := c.request(ctx, req, true)
	if err != nil {
		return nil, fmt.Errorf("dump flows: %w", err)
	}
	var out []FlowStats
	for _, p := range r.parts {
		fr, ok := p.(FlowDescReply)
		if !ok {
			return nil, fmt.Errorf("dump flows: unexpected reply %T", p)
		}
		out = append(out, fr.Flows...)
	}
	return out, nil
}
