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
	"net"
	"sync"
	"testing"
	"time"
)

// badCookie makes the fake switch reject a flow mod with OFPBMC_BAD_PREREQ.
const badCookie = 0xbad

// fakeSwitch speaks just enough OpenFlow to exercise Conn: it answers the
// handshake, barriers, echoes, bundles and flow dumps, and rejects flow mods
// whose cookie is badCookie.
type fakeSwitch struct {
	t      testing.TB
	nc     net.Conn
	wmu    sync.Mutex
	mu     sync.Mutex
	flows  []Flow
	bundle []FlowMod
	echoed chan EchoReply
}

func newFakeSwitch(t testing.TB) (*fakeSwitch, net.Conn) {
	ours, theirs := net.Pipe()
	fs := &fakeSwitch{t: t, nc: theirs, echoed: make(chan EchoReply, 4)}
	go fs.serve()
	t.Cleanup(func() { _ = theirs.Close() })
	return fs, ours
}

func (fs *fakeSwitch) send(xid uint32, m Message) {
	fs.wmu.Lock()
	defer fs.wmu.Unlock()
	_, _ = fs.nc.Write(AppendMessage(nil, xid, m))
}

func (fs *fakeSwitch) serve() {
	r := bufio.NewReader(fs.nc)
	buf := make([]byte, 0, MaxMessageLen)
	for {
		b, err := readMessage(r, buf)
		if err != nil {
			return
		}
		h, m, err := DecodeMessage(b)
		if err != nil {
			fs.send(h.Xid, ErrorMsg{Type: 1, Code: 6, Data: append([]byte(nil), b...)})
			continue
		}
		fs.handle(h, m, b)
	}
}

func (fs *fakeSwitch) handle(h Header, m Message, raw []byte) {
	switch msg := m.(type) {
	case Hello:
		fs.send(h.Xid, Hello{VersionBitmap: 1 << Version})
	case FeaturesRequest:
		fs.send(h.Xid, FeaturesReply{DatapathID: 0x77, NTables: 254})
	case BarrierRequest:
		fs.send(h.Xid, BarrierReply{})
	case EchoRequest:
		fs.send(h.Xid, EchoReply{Data: msg.Data})
	case EchoReply:
		fs.echoed <- msg
	case FlowMod:
		fs.flowMod(h.Xid, msg, raw, false)
	case BundleAdd:
		if fm, ok := msg.Message.(FlowMod); ok {
			fs.flowMod(h.Xid, fm, raw, true)
		}
	case BundleControl:
		fs.bundleControl(h.Xid, msg)
	case FlowDescRequest:
		fs.dump(h.Xid)
	}
}

func (fs *fakeSwitch) flowMod(xid uint32, fm FlowMod, raw []byte, bundled bool) {
	if fm.Cookie == badCookie {
		fs.send(xid, ErrorMsg{Type: 4, Code: 9, Data: append([]byte(nil), raw...)})
		return
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if bundled {
		fs.bundle = append(fs.bundle, fm)
	} else {
		fs.flows = append(fs.flows, fm.Flow)
	}
}

func (fs *fakeSwitch) bundleControl(xid uint32, bc BundleControl) {
	fs.mu.Lock()
	switch bc.Type {
	case BundleCommitRequest:
		for _, fm := range fs.bundle {
			fs.flows = append(fs.flows, fm.Flow)
		}
		fs.bundle = nil
	case BundleDiscardRequest:
		fs.bundle = nil
	}
	fs.mu.Unlock()
	bc.Type++
	fs.send(xid, bc)
}

// dump replies in parts of two flows.
func (fs *fakeSwitch) dump(xid uint32) {
	fs.mu.Lock()
	flows := append([]Flow(nil), fs.flows...)
	fs.mu.Unlock()
	for i := 0; i < len(flows) || i == 0; i += 2 {
		part := FlowDescReply{}
		for _, f := range flows[i:min(i+2, len(flows))] {
			part.Flows = append(part.Flows, FlowStats{Flow: f, PacketCount: 1})
		}
		if i+2 < len(flows) {
			part.Flags = MultipartMore
		}
		fs.send(xid, part)
	}
}

func (fs *fakeSwitch) installed() []Flow {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]Flow(nil), fs.flows...)
}

// dialFake returns a connected Conn and its fake switch.
func dialFake(t testing.TB, cfg Config) (*Conn, *fakeSwitch) {
	fs, nc := newFakeSwitch(t)
	cfg.Addr = "fake"
	cfg.Dial = func(context.Context) (net.Conn, error) { return nc, nil }
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, cfg)
	if err != nil {
		t.Fatalf("dial fake switch: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c, fs
}

func bufioReader(nc net.Conn) *bufio.Reader { return bufio.NewReader(nc) }
