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
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMonitorSurvivesReconnect: after a reconnection the client sends the
// monitor's request again with the same id, and Next returns the changes
// missed meanwhile (computed from the new initial content), then the updates
// of the new connection.
func TestMonitorSurvivesReconnect(t *testing.T) {
	client, server := startFakeWith(t, fastReconnect)
	ctx := testContext(t, 10*time.Second)
	monc := make(chan *Monitor, 1)
	go func() {
		mon, err := client.Monitor(ctx, map[string][]string{"Interface": {"name", "ofport"}})
		assert.NoError(t, err)
		monc <- mon
	}()
	req := server.read()
	var params []json.RawMessage
	require.NoError(t, json.Unmarshal(req["params"], &params))
	require.Len(t, params, 3)
	id := string(params[1])
	server.reply(req, `{"Interface":{
		"u1":{"new":{"name":"a","ofport":1}},
		"u2":{"new":{"name":"b","ofport":2}}}}`)
	mon := <-monc
	require.NotNil(t, mon)

	steps := []struct {
		name   string
		server func()
		want   string // Next's update, as JSON
	}{
		{
			name: "the initial content",
			want: `{"Interface":{"u1":{"new":{"name":"a","ofport":1}},"u2":{"new":{"name":"b","ofport":2}}}}`,
		},
		{
			name: "an update",
			server: func() {
				server.send(`{"method":"update","id":null,"params":[` + id + `,
					{"Interface":{"u2":{"old":{"ofport":2},"new":{"name":"b","ofport":3}}}}]}`)
			},
			want: `{"Interface":{"u2":{"old":{"ofport":2},"new":{"name":"b","ofport":3}}}}`,
		},
		{
			name: "the changes missed while disconnected",
			server: func() {
				server.conn.Close()
				server.next()
				again := server.read()
				assert.JSONEq(t, `"monitor"`, string(again["method"]))
				assert.JSONEq(t, string(req["params"]), string(again["params"]), "the same request and id")
				server.reply(again, `{"Interface":{
					"u1":{"new":{"name":"a","ofport":5}},
					"u3":{"new":{"name":"c","ofport":4}}}}`)
			},
			want: `{"Interface":{
				"u1":{"old":{"ofport":1},"new":{"name":"a","ofport":5}},
				"u2":{"old":{"name":"b","ofport":3}},
				"u3":{"new":{"name":"c","ofport":4}}}}`,
		},
		{
			name: "an update on the new connection",
			server: func() {
				server.send(`{"method":"update","id":null,"params":[` + id + `,
					{"Interface":{"u3":{"old":{"name":"c","ofport":4}}}}]}`)
			},
			want: `{"Interface":{"u3":{"old":{"name":"c","ofport":4}}}}`,
		},
		{
			name: "nothing missed across another reconnection",
			server: func() {
				server.conn.Close()
				server.next()
				server.reply(server.read(), `{"Interface":{"u1":{"new":{"name":"a","ofport":5}}}}`)
			},
			want: `{"Interface":{}}`,
		},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			if step.server != nil {
				step.server()
			}
			got, err := mon.Next(ctx)
			require.NoError(t, err)
			assert.JSONEq(t, step.want, jsonOf(t, got))
		})
	}
}
