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
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/wait"
)

// fastReconnect makes the tests' clients redial within milliseconds.
var fastReconnect = Config{MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond}

func testContext(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// TestReconnectInFlight drops the connection while a request waits for its
// reply: requests whose replay is harmless are sent again on the next
// connection and succeed; others fail with ErrDisconnected. Either way the
// next request goes out on the new connection.
func TestReconnectInFlight(t *testing.T) {
	tests := []struct {
		name       string
		call       func(ctx context.Context, c *Client) error
		wantMethod string
		result     string // the reply on the new connection, if resent
		resent     bool
	}{
		{
			name: "a write fails and may have been applied",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.AddPort(ctx, PortConfig{Bridge: "br0", Name: "p0"})
				return err
			},
			wantMethod: "transact",
		},
		{
			name: "a read is sent again",
			call: func(ctx context.Context, c *Client) error {
				_, err := c.ListPorts(ctx, PortFilter{})
				return err
			},
			wantMethod: "transact", result: `[{"rows":[]},{"rows":[]}]`, resent: true,
		},
		{
			name: "setting a map key is sent again",
			call: func(ctx context.Context, c *Client) error {
				return c.SetBridgeExternalID(ctx, "br0", "k", "v")
			},
			wantMethod: "transact", result: `[{"count":1}]`, resent: true,
		},
		{
			name:       "an echo is sent again",
			call:       func(ctx context.Context, c *Client) error { return c.Echo(ctx) },
			wantMethod: "echo", result: `["strata-echo"]`, resent: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client, server := startFakeWith(t, fastReconnect)
			ctx := testContext(t, 10*time.Second)
			errc := make(chan error, 1)
			go func() { errc <- tc.call(ctx, client) }()
			first := server.read()
			assert.JSONEq(t, `"`+tc.wantMethod+`"`, string(first["method"]))
			server.conn.Close()
			server.next()
			if tc.resent {
				again := server.read()
				assert.JSONEq(t, string(first["params"]), string(again["params"]), "the same request")
				server.reply(again, tc.result)
				require.NoError(t, <-errc)
			} else {
				err := <-errc
				assert.ErrorIs(t, err, ErrDisconnected)
				assert.ErrorContains(t, err, "the request may have been applied")
			}
			go func() { errc <- client.Echo(ctx) }()
			server.reply(server.read(), `["strata-echo"]`)
			require.NoError(t, <-errc, "an echo on the new connection")
			assert.Equal(t, int64(2), client.Connects())
			assert.NoError(t, client.Err())
		})
	}
}

// TestCallWhileServerDown: with ovsdb-server gone, a call waits for the
// connection until its context ends (the error wraps ErrDisconnected and
// the context's error), and a call with time left goes through once the
// server is back.
func TestCallWhileServerDown(t *testing.T) {
	client, server := startFakeWith(t, fastReconnect)
	server.stop()
	server.conn.Close()
	err := waitErr(t, "the client to notice the lost connection", func() error { return client.Err() })
	assert.ErrorIs(t, err, ErrDisconnected)

	err = client.Echo(testContext(t, 100*time.Millisecond))
	assert.ErrorIs(t, err, ErrDisconnected)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorContains(t, err, "echo: waiting for the connection to "+server.sock)

	errc := make(chan error, 1)
	go func() {
		_, err := client.AddPort(testContext(t, 10*time.Second), PortConfig{Bridge: "br0", Name: "p0"})
		errc <- err
	}()
	server.listen()
	server.next()
	req := server.read()
	assert.Contains(t, string(req["params"]), `"p0"`)
	server.reply(req, `[{"uuid":["uuid","7a0e6f1e-0000-4000-8000-000000000001"]},{"uuid":["uuid","7a0e6f1e-0000-4000-8000-000000000002"]},{"count":1}]`)
	require.NoError(t, <-errc)
	assert.Equal(t, int64(2), client.Connects())
}

// TestClose ends the client, connected or reconnecting: waiting and later
// calls fail with ErrClosed, monitors end, Done is closed.
func TestClose(t *testing.T) {
	tests := []struct {
		name       string
		serverDown bool
	}{
		{name: "connected"},
		{name: "reconnecting", serverDown: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			client, server := startFakeWith(t, fastReconnect)
			ctx := testContext(t, 10*time.Second)
			monc := make(chan *Monitor, 1)
			go func() {
				mon, err := client.Monitor(ctx, map[string][]string{"Bridge": {"name"}})
				assert.NoError(t, err)
				monc <- mon
			}()
			server.reply(server.read(), `{}`)
			mon := <-monc
			errc := make(chan error, 1)
			if tc.serverDown {
				server.stop()
				server.conn.Close()
				go func() { errc <- client.Echo(ctx) }() // waits for a connection
			} else {
				go func() { errc <- client.Echo(ctx) }() // waits for its reply
				server.read()
			}
			require.NoError(t, client.Close())
			assert.ErrorIs(t, <-errc, ErrClosed)
			assert.ErrorIs(t, client.Echo(ctx), ErrClosed)
			assert.ErrorIs(t, client.Err(), ErrClosed)
			_, err := mon.Next(ctx) // the initial content
			require.NoError(t, err)
			_, err = mon.Next(ctx)
			assert.ErrorIs(t, err, ErrClosed)
			select {
			case <-client.Done():
			default:
				t.Fatal("Done open after Close")
			}
		})
	}
}

// waitErr polls cond every 5ms for up to 10s until it returns an error, and
// returns that error.
func waitErr(t *testing.T, what string, cond func() error) error {
	t.Helper()
	var got error
	err := wait.PollUntilContextTimeout(context.Background(), 5*time.Millisecond, 10*time.Second, true,
		func(context.Context) (bool, error) {
			got = cond()
			return got != nil, nil
		})
	require.NoError(t, err, "waiting 10s for %s", what)
	return got
}

// jsonOf marshals v for comparisons with assert.JSONEq.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}
