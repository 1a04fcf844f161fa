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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRowCacheResync(t *testing.T) {
	tables := map[string][]string{"Interface": {"name", "ofport"}, "Port": nil}
	tests := []struct {
		name   string
		before string // updates applied to an empty cache, as JSON
		snap   string // the new initial content
		want   string
	}{
		{
			name: "first content: every row inserted",
			snap: `{"Interface":{"u1":{"new":{"name":"a","ofport":1}}}}`,
			want: `{"Interface":{"u1":{"new":{"name":"a","ofport":1}}},"Port":{}}`,
		},
		{
			name:   "nothing changed",
			before: `{"Interface":{"u1":{"new":{"name":"a","ofport":1}}}}`,
			snap:   `{"Interface":{"u1":{"new":{"name":"a","ofport":1}}}}`,
			want:   `{"Interface":{},"Port":{}}`,
		},
		{
			name:   "a changed column",
			before: `{"Interface":{"u1":{"new":{"name":"a","ofport":1}}}}`,
			snap:   `{"Interface":{"u1":{"new":{"name":"a","ofport":2}}}}`,
			want:   `{"Interface":{"u1":{"old":{"ofport":1},"new":{"name":"a","ofport":2}}},"Port":{}}`,
		},
		{
			name:   "a deleted row and table emptied",
			before: `{"Interface":{"u1":{"new":{"name":"a","ofport":1}}},"Port":{"p1":{"new":{"name":"a"}}}}`,
			snap:   `{"Interface":{"u1":{"new":{"name":"a","ofport":1}}}}`,
			want:   `{"Interface":{},"Port":{"p1":{"old":{"name":"a"}}}}`,
		},
		{
			name:   "a row modified by an update, then replaced",
			before: `{"Interface":{"u1":{"new":{"name":"a","ofport":1}}}}`,
			snap:   `{"Interface":{"u2":{"new":{"name":"a","ofport":1}}}}`,
			want:   `{"Interface":{"u1":{"old":{"name":"a","ofport":1}},"u2":{"new":{"name":"a","ofport":1}}},"Port":{}}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := rowCache{}
			if tc.before != "" {
				c.apply(decodeUpdates(t, tc.before))
			}
			got := c.resync(tables, decodeUpdates(t, tc.snap))
			assert.JSONEq(t, tc.want, jsonOf(t, got))
			assert.JSONEq(t, `{"Interface":{},"Port":{}}`, jsonOf(t, c.resync(tables, decodeUpdates(t, tc.snap))),
				"the cache holds the new content")
		})
	}
}

func TestRowCacheApply(t *testing.T) {
	c := rowCache{}
	c.apply(decodeUpdates(t, `{"Interface":{"u1":{"new":{"name":"a","ofport":1,"error":"x"}}}}`))
	c.apply(decodeUpdates(t, `{"Interface":{"u1":{"old":{"ofport":1},"new":{"ofport":2}}}}`))
	assert.JSONEq(t, `{"Interface":{"u1":{"name":"a","ofport":2,"error":"x"}}}`, jsonOf(t, c), "a partial modify merges")
	c.apply(decodeUpdates(t, `{"Interface":{"u1":{"old":{"name":"a","ofport":2}}}}`))
	assert.JSONEq(t, `{"Interface":{}}`, jsonOf(t, c), "a delete removes the row")
}

func decodeUpdates(t *testing.T, s string) TableUpdates {
	t.Helper()
	var u TableUpdates
	require.NoError(t, json.Unmarshal([]byte(s), &u))
	return u
}
