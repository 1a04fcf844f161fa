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
	"sort"
	"sync"
)

// Bundle is an open OpenFlow bundle: messages added to it are streamed to
// the switch as BUNDLE_ADD_MESSAGEs without waiting for replies, and applied
// (atomically, in order by default) on Commit. Errors are mapped back to the
// added message by xid. A Bundle is used by one goroutine at a time.
type Bundle struct {
	c       *Conn
	id      uint32
	flags   BundleFlags
	openXid uint32
	open    *call

	mu     sync.Mutex
	blocks []bundleBlock
	n      int
	errs   []*RequestError
}

// bundleBlock is one Add call: xids [first, first+n) are messages
// [idx0, idx0+n) of the bundle.
type bundleBlock struct {
	first uint32
	n     int
	idx0  int
	msg   func(i int) Message
}

// BundleOptions configure a bundle.
type BundleOptions struct {
	// Flags default to BundleAtomic|BundleOrdered.
	Flags BundleFlags
}

var bundleIDs sync.Mutex
var nextBundleID uint32

// OpenBundle sends OPEN_REQUEST; the reply is checked by Commit.
func (c *Conn) OpenBundle(ctx context.Context, opts BundleOptions) (*Bundle, error) {
	if opts.Flags == 0 {
		opts.Flags = BundleAtomic | BundleOrdered
	}
	bundleIDs.Lock()
	nextBundleID++
	id := nextBundleID
	bundleIDs.Unlock()
	b := &Bundle{c: c, id: id, flags: opts.Flags, openXid: c.allocXids(1)}
	b.open = c.register(b.openXid, false)
	c.addOwner(b)
	if err := c.Send1(ctx, b.openXid, BundleControl{BundleID: id, Type: BundleOpenRequest, Flags: opts.Flags}); err != nil {
		c.unregister(b.openXid)
		c.removeOwner(b)
		return nil, fmt.Errorf("bundle open: %w", err)
	}
	return b, nil
}

// Len is the number of messages added so far.
func (b *Bundle) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n
}

// Add streams msgs into the bundle. The slice is kept (to name offending
// messages in errors) until Commit or Discard returns.
func (b *Bundle) Add(ctx context.Context, msgs ...Message) error { return addToBundle(ctx, b, msgs) }

// AddFlowMods streams flow mods into the bundle without boxing them.
func (b *Bundle) AddFlowMods(ctx context.Context, mods ...FlowMod) error {
	return addToBundle(ctx, b, mods)
}

func addToBundle[M Message](ctx context.Context, b *Bundle, msgs []M) error {
	if len(msgs) == 0 {
		return nil
	}
	c := b.c
	first := c.allocXids(len(msgs))
	b.mu.Lock()
	b.blocks = append(b.blocks, bundleBlock{first: first, n: len(msgs), idx0: b.n, msg: func(i int) Message { return msgs[i] }})
	b.n += len(msgs)
	b.mu.Unlock()
	unlock := c.lockWriter(ctx)
	defer unlock()
	for i := range msgs {
		buf := appendBundleAdd(c.w.AvailableBuffer(), first+uint32(i), b.id, b.flags, msgs[i])
		if len(buf) > MaxMessageLen {
			return fmt.Errorf("bundle message %d is %d bytes, over the 65535 limit", b.n-len(msgs)+i, len(buf))
		}
		if _, err := c.w.Write(buf); err != nil {
			return c.writeFailed(err)
		}
	}
	return nil
}

// appendBundleAdd encodes BUNDLE_ADD_MESSAGE(inner m) with inner xid = xid.
func appendBundleAdd[M Message](b []byte, xid, id uint32, flags BundleFlags, m M) []byte {
	start := len(b)
	b = append(b, Version, byte(TypeBundleAdd), 0, 0, byte(xid>>24), byte(xid>>16), byte(xid>>8), byte(xid))
	b = appendU32(b, id)
	b = append(b, 0, 0)
	b = appendU16(b, uint16(flags))
	b = Append(b, xid, m)
	be.PutUint16(b[start+2:], uint16(len(b)-start))
	return b
}

func (b *Bundle) owns(xid uint32) bool {
	_, ok := b.lookup(xid)
	return ok || xid == b.openXid
}

// lookup finds the block holding xid (blocks are in increasing xid order).
func (b *Bundle) lookup(xid uint32) (int, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := sort.Search(len(b.blocks), func(i int) bool { return b.blocks[i].first+uint32(b.blocks[i].n) > xid })
	if i < len(b.blocks) && xid-b.blocks[i].first < uint32(b.blocks[i].n) {
		return i, true
	}
	return 0, false
}

func (b *Bundle) onError(xid uint32, e ErrorMsg) {
	i, ok := b.lookup(xid)
	re := &RequestError{Xid: xid, Index: -1, Err: e}
	if ok {
		b.mu.Lock()
		blk := b.blocks[i]
		b.mu.Unlock()
		re.Index = blk.idx0 + int(xid-blk.first)
		re.Msg = blk.msg(int(xid - blk.first))
	}
	b.mu.Lock()
	b.errs = append(b.errs, re)
	b.mu.Unlock()
}

func (b *Bundle) collected() []*RequestError {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.errs
}

// Commit applies the bundle. A BARRIER first collects every BUNDLE_ADD
// error; if there is any, the bundle is discarded instead of committed, so
// a bundle with one bad message never changes the switch. Errors come back
// as a *BatchError naming the offending messages.
func (b *Bundle) Commit(ctx context.Context) error {
	defer b.c.removeOwner(b)
	if _, err := b.c.wait(ctx, b.openXid, b.open); err != nil {
		b.discard(ctx)
		return fmt.Errorf("bundle open: %w", err)
	}
	if err := b.c.Barrier(ctx); err != nil {
		return fmt.Errorf("bundle barrier: %w", err)
	}
	if errs := b.collected(); len(errs) > 0 {
		b.discard(ctx)
		return &BatchError{Errors: errs, Commit: errors.New("bundle discarded: a message was rejected")}
	}
	_, err := b.c.Request(ctx, BundleControl{BundleID: b.id, Type: BundleCommitRequest, Flags: b.flags})
	if errs := b.collected(); err != nil || len(errs) > 0 {
		return &BatchError{Errors: errs, Commit: err}
	}
	return nil
}

// Discard abandons the bundle.
func (b *Bundle) Discard(ctx context.Context) error {
	defer b.c.removeOwner(b)
	return b.discard(ctx)
}

func (b *Bundle) discard(ctx context.Context) error {
	_, err := b.c.Request(ctx, BundleControl{BundleID: b.id, Type: BundleDiscardRequest, Flags: b.flags})
	return err
}

// BundleFlowMods installs mods in one atomic bundle (open, add, commit).
func (c *Conn) BundleFlowMods(ctx context.Context, mods []FlowMod) error {
	b, err := c.OpenBundle(ctx, BundleOptions{})
	if err != nil {
		return err
	}
	if err := b.AddFlowMods(ctx, mods...); err != nil {
		_ = b.Discard(ctx)
		return err
	}
	return b.Commit(ctx)
}

// BundleFlowModsChunked installs mods in consecutive bundles of at most
// chunk flow mods each. Each chunk is atomic, the whole is not: use it for
// bulk (re)installs where the end state matters (replay after reconnect),
// because OVS commits large bundles superlinearly (100k flows: ~5.6s in one
// bundle, ~2s in 1k-flow bundles on the development machine).
func (c *Conn) BundleFlowModsChunked(ctx context.Context, mods []FlowMod, chunk int) error {
	if chunk <= 0 {
		chunk = len(mods)
	}
	for lo := 0; lo < len(mods); lo += chunk {
		if err := c.BundleFlowMods(ctx, mods[lo:min(lo+chunk, len(mods))]); err != nil {
			return fmt.Errorf("flows %d..%d: %w", lo, min(lo+chunk, len(mods))-1, err)
		}
	}
	return nil
}
