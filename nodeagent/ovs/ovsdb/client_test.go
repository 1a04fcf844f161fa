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
	"fmt"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeServer listens on a unix socket and lets the test script the server
// side of the current connection; next switches to the client's next
// connection (after a reconnection).
type fakeServer struct {
	t        *testing.T
	sock     string
	l        net.Listener
	accepted chan net.Conn
	conn     net.Conn
	dec      *json.Decoder
	enc      *json.Encoder
}

func startFake(t *testing.T) (*Client, *fakeServer) {
	return startFakeWith(t, Config{})
}

// startFakeWith connects a client with cfg (its SocketPath is the fake's)
// and accepts its first connection.
func startFakeWith(t *testing.T, cfg Config) (*Client, *fakeServer) {
	s := &fakeServer{t: t, sock: filepath.Join(t.TempDir(), "db.sock")}
	s.listen()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cfg.SocketPath = s.sock
	client, err := New(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { client.Close() })
	s.next()
	return client, s
}

// listen (again) on the socket, accepting every connection.
func (s *fakeServer) listen() {
	l, err := net.Listen("unix", s.sock)
	require.NoError(s.t, err)
	accepted := make(chan net.Conn, 10)
	var mu sync.Mutex
	var conns []net.Conn
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			select {
			case accepted <- c:
			default: // more connections than the test reads: closed at cleanup
			}
		}
	}()
	s.t.Cleanup(func() {
		l.Close()
		<-exited
		for _, c := range conns {
			c.Close()
		}
	})
	s.l, s.accepted = l, accepted
}

// stop closes the listener (removing the socket): the server is down.
func (s *fakeServer) stop() {
	require.NoError(s.t, s.l.Close())
}

// next waits up to 10s for the client's next connection and makes it current.
func (s *fakeServer) next() {
	select {
	case c := <-s.accepted:
		require.NoError(s.t, c.SetDeadline(time.Now().Add(10*time.Second)))
		s.conn, s.dec, s.enc = c, json.NewDecoder(c), json.NewEncoder(c)
	case <-time.After(10 * time.Second):
		s.t.Fatal("waiting 10s for the client to connect to the fake server")
	}
}

func (s *fakeServer) read() map[string]json.RawMessage {
	var m map[string]json.RawMessage
	require.NoError(s.t, s.dec.Decode(&m))
	return m
}

func (s *fakeServer) send(v string) {
	_, err := s.conn.Write([]byte(v))
	require.NoError(s.t, err)
}

// reply answers the request req with a JSON result.
func (s *fakeServer) reply(req map[string]json.RawMessage, result string) {
	s.send(`{"id":` + string(req["id"]) + `,"result":` + result + `,"error":null}`)
}

func TestClientProtocol(t *testing.T) {
	client, server := startFake(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	type result struct {
		res []OperationResult
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := client.Transact(ctx, Select("Bridge", nil, "name"))
		done <- result{res, err}
	}()

	req := server.read()
	assert.JSONEq(t, `"transact"`, string(req["method"]))
	assert.JSONEq(t, `["Open_vSwitch",{"op":"select","table":"Bridge","where":[],"columns":["name"]}]`, string(req["params"]))

	// The server probes the client while the transaction is pending.
	server.send(`{"method":"echo","params":["probe"],"id":"echo"}`)
	echo := server.read()
	assert.JSONEq(t, `"echo"`, string(echo["id"]))
	assert.JSONEq(t, `["probe"]`, string(echo["result"]))

	// Unknown notifications and stray replies are ignored.
	server.send(`{"method":"update","params":["nobody",{}],"id":null}`)
	server.send(`{"id":999,"result":[],"error":null}`)
	server.send(`{"id":` + string(req["id"]) + `,"result":[{"rows":[{"name":"br0"}]}],"error":null}`)

	got := <-done
	require.NoError(t, got.err)
	require.Len(t, got.res, 1)
	name, err := got.res[0].Rows[0].String("name")
	require.NoError(t, err)
	assert.Equal(t, "br0", name)

	// Losing the connection fails a pending write with ErrDisconnected; the
	// client reconnects and Done stays open.
	go func() {
		_, err := client.Transact(ctx, MutateOp("Bridge", nil, InsertTo("flood_vlans", Set{1})))
		done <- result{nil, err}
	}()
	server.read()
	server.conn.Close()
	got = <-done
	assert.ErrorIs(t, got.err, ErrDisconnected)
	assert.NotErrorIs(t, got.err, ErrClosed)
	assert.ErrorContains(t, got.err, "the request may have been applied")
	server.next()
	select {
	case <-client.Done():
		t.Fatal("Done closed after the connection was lost")
	default:
	}
}

func TestClientErrors(t *testing.T) {
	tests := []struct {
		name    string
		reply   string
		wantErr string
	}{
		{
			name:    "rpc error object",
			reply:   `{"id":%s,"result":null,"error":{"error":"unknown database","details":"get_schema asked for unknown database \"x\""}}`,
			wantErr: `transact: unknown database: get_schema asked for unknown database "x"`,
		},
		{
			name:    "rpc error string",
			reply:   `{"id":%s,"result":null,"error":"not leader"}`,
			wantErr: "transact: not leader",
		},
		{
			name:    "operation error",
			reply:   `{"id":%s,"result":[{"error":"unknown column","details":"No column nope in table Bridge."}],"error":null}`,
			wantErr: "ovsdb refused operation 0 (select Bridge): unknown column: No column nope in table Bridge.",
		},
		{
			name:    "commit error",
			reply:   `{"id":%s,"result":[{"count":1},{"error":"referential integrity violation","details":"cannot delete"}],"error":null}`,
			wantErr: "ovsdb refused commit: referential integrity violation: cannot delete",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client, server := startFake(t)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			errCh := make(chan error, 1)
			go func() { _, err := client.Transact(ctx, Select("Bridge", nil, "nope")); errCh <- err }()
			req := server.read()
			server.send(fmt.Sprintf(tc.reply, string(req["id"])))
			assert.EqualError(t, <-errCh, tc.wantErr)
		})
	}
}

func TestCallHonoursContext(t *testing.T) {
	client, server := startFake(t)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	errCh := make(chan error, 1)
	go func() { errCh <- client.Echo(ctx) }()
	server.read() // never answered
	err := <-errCh
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorContains(t, err, "echo: waiting for reply")
}
