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
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testFlow(i int, cookie uint64) FlowMod {
	return AddFlow(Flow{Table: 1, Priority: uint16(100 + i), Cookie: cookie,
		Match: MustMatch(InPort(uint32(i + 1))), Instructions: Apply(Output{Port: 1})})
}

func TestConnHandshake(t *testing.T) {
	c, _ := dialFake(t, Config{ControllerID: 7})
	assert.Equal(t, uint64(0x77), c.Features().DatapathID)
	assert.NoError(t, c.Err())
}

func TestConnExecMapsErrorsToMessages(t *testing.T) {
	c, fs := dialFake(t, Config{})
	ctx := context.Background()
	msgs := []Message{testFlow(0, 1), testFlow(1, 1), testFlow(2, badCookie), testFlow(3, 1), testFlow(4, badCookie)}
	err := c.Exec(ctx, msgs...)
	var be *BatchError
	require.ErrorAs(t, err, &be)
	require.Len(t, be.Errors, 2)
	assert.Equal(t, 2, be.Errors[0].Index)
	assert.Equal(t, msgs[2], be.Errors[0].Msg)
	assert.Equal(t, 4, be.Errors[1].Index)
	assert.ErrorIs(t, err, ErrorMsg{Type: 4, Code: 9})
	assert.Contains(t, err.Error(), "OFPBMC_BAD_PREREQ (a prerequisite was not met)")
	assert.Contains(t, err.Error(), "message 2 (ADD cookie=0xbad,table=1,priority=102,in_port=0x3")
	assert.Len(t, fs.installed(), 3)
}

func TestConnConcurrentRequests(t *testing.T) {
	c, _ := dialFake(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			data := []byte(fmt.Sprint(i))
			r, err := c.Request(ctx, EchoRequest{Data: data})
			if err == nil && string(r.(EchoReply).Data) != string(data) {
				err = fmt.Errorf("echo %d got %q", i, r.(EchoReply).Data)
			}
			if err == nil && i%2 == 0 {
				err = c.Exec(ctx, testFlow(i, 1))
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
}

func TestConnBundleDiscardsOnError(t *testing.T) {
	c, fs := dialFake(t, Config{})
	ctx := context.Background()
	mods := []FlowMod{testFlow(0, 1), testFlow(1, badCookie), testFlow(2, 1)}
	err := c.BundleFlowMods(ctx, mods)
	var be *BatchError
	require.ErrorAs(t, err, &be)
	require.Len(t, be.Errors, 1)
	assert.Equal(t, 1, be.Errors[0].Index)
	assert.Equal(t, mods[1], be.Errors[0].Msg)
	assert.Empty(t, fs.installed(), "nothing may be installed from a failed bundle")

	require.NoError(t, c.BundleFlowMods(ctx, []FlowMod{testFlow(0, 1), testFlow(2, 1)}))
	assert.Len(t, fs.installed(), 2)
}

func TestConnDumpFlowsMultipart(t *testing.T) {
	c, _ := dialFake(t, Config{})
	ctx := context.Background()
	var msgs []Message
	for i := 0; i < 5; i++ {
		msgs = append(msgs, testFlow(i, 1))
	}
	require.NoError(t, c.Exec(ctx, msgs...))
	flows, err := c.DumpFlows(ctx, FlowDescRequest{Table: TableAll})
	require.NoError(t, err)
	require.Len(t, flows, 5)
	for i, f := range flows {
		assert.Equal(t, msgs[i].(FlowMod).Flow, f.Flow)
	}
}

func TestConnPacketInAndSwitchEcho(t *testing.T) {
	c, fs := dialFake(t, Config{})
	pi := PacketIn2{Packet: []byte{1, 2, 3}, TableID: 19, Userdata: []byte{1, 2}, Metadata: MustMatch(RegField(0, 5))}
	fs.send(0, pi)
	fs.send(99, EchoRequest{Data: []byte("hi")})
	select {
	case got := <-c.PacketIns():
		assert.Equal(t, pi.Userdata, got.Userdata)
		assert.Equal(t, uint32(5), got.Reg(0))
	case <-time.After(5 * time.Second):
		t.Fatal("no packet-in")
	}
	select {
	case e := <-fs.echoed:
		assert.Equal(t, "hi", string(e.Data))
	case <-time.After(5 * time.Second):
		t.Fatal("switch echo not answered")
	}
}

func TestConnCloseFailsPending(t *testing.T) {
	ours, theirs := net.Pipe()
	go func() { // a switch that completes the handshake and then hangs up on the next request
		r, buf := bufioReader(theirs), make([]byte, MaxMessageLen)
		for {
			h, err := readMessage(r, buf)
			if err != nil {
				return
			}
			hdr, _ := ParseHeader(h)
			switch {
			case hdr.Type == TypeHello:
				_, _ = theirs.Write(AppendMessage(nil, hdr.Xid, Hello{}))
			case hdr.Type == TypeFeaturesReq:
				_, _ = theirs.Write(AppendMessage(nil, hdr.Xid, FeaturesReply{}))
			case hdr.Type == TypeBarrierReq:
				_, _ = theirs.Write(AppendMessage(nil, hdr.Xid, BarrierReply{}))
			case hdr.Type == TypeEchoRequest:
				_ = theirs.Close()
				return
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, Config{Addr: "fake", Dial: func(context.Context) (net.Conn, error) { return ours, nil }})
	require.NoError(t, err)
	_, err = c.Request(ctx, EchoRequest{})
	require.ErrorIs(t, err, ErrClosed)
	<-c.Done()
	assert.True(t, errors.Is(c.Err(), ErrClosed))
}

func TestClientReconnectsAndSignalsReplay(t *testing.T) {
	var mu sync.Mutex
	var switches []*fakeSwitch
	var conns []net.Conn
	replays := make(chan bool, 4)
	cl, err := NewClient(ClientConfig{
		Conn: Config{Addr: "fake", Dial: func(context.Context) (net.Conn, error) {
			fs, nc := newFakeSwitch(t)
			mu.Lock()
			switches, conns = append(switches, fs), append(conns, fs.nc)
			mu.Unlock()
			return nc, nil
		}},
		OnConnect: func(ctx context.Context, c *Conn, reconnect bool) error {
			replays <- reconnect
			return c.Exec(ctx, testFlow(0, 1))
		},
		MinBackoff: time.Millisecond,
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- cl.Run(ctx) }()
	require.False(t, <-replays)
	c1, err := cl.Conn(ctx)
	require.NoError(t, err)
	mu.Lock()
	_ = conns[0].Close() // the switch goes away
	mu.Unlock()
	select {
	case r := <-replays:
		assert.True(t, r, "second connect must be flagged as reconnect")
	case <-time.After(10 * time.Second):
		t.Fatal("client did not reconnect")
	}
	c2, err := cl.Conn(ctx)
	require.NoError(t, err)
	assert.NotSame(t, c1, c2)
	mu.Lock()
	assert.Len(t, switches[1].installed(), 1, "OnConnect replayed onto the new switch")
	mu.Unlock()
	assert.Equal(t, int64(2), cl.Connects())
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)
}
