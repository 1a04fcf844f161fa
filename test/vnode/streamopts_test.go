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

package vnode

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
)

// TestKubeletStreamOptions checks that exec and attach requests reach
// virtual-kubelet's handlers with the streams a kubelet would open.
func TestKubeletStreamOptions(t *testing.T) {
	cases := []struct {
		name, path, query string
		wantStderr        string
	}{
		{name: "exec with tty and stderr drops stderr", path: "/exec/default/p/c", query: "command=sh&command=-c&command=true&output=1&error=1&tty=1"},
		{name: "attach with tty and stderr drops stderr", path: "/attach/default/p/c", query: "output=1&error=1&tty=1"},
		{name: "exec without tty keeps stderr", path: "/exec/default/p/c", query: "command=sh&command=-c&command=true&output=1&error=1", wantStderr: "1"},
		{name: "tty=true is no tty for a kubelet", path: "/exec/default/p/c", query: "command=sh&command=-c&command=true&output=1&error=1&tty=true", wantStderr: "1"},
		{name: "other paths are untouched", path: "/containerLogs/default/p/c", query: "error=1&tty=1", wantStderr: "1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got *http.Request
			h := kubeletStreamOptions(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = r }))
			sent := httptest.NewRequest(http.MethodPost, tc.path+"?"+tc.query, nil)
			h.ServeHTTP(httptest.NewRecorder(), sent)
			if got == nil {
				t.Fatal("the request did not reach the handler")
			}
			if stderr := got.FormValue("error"); stderr != tc.wantStderr {
				t.Errorf("error=%q, want %q", stderr, tc.wantStderr)
			}
			if q := got.URL.Query(); q.Get("error") != tc.wantStderr {
				t.Errorf("query %q: error=%q, want %q", got.URL.RawQuery, q.Get("error"), tc.wantStderr)
			}
			want, _ := url.ParseQuery(tc.query)
			for _, param := range []string{"command", "output", "tty"} {
				if g := got.URL.Query()[param]; !slices.Equal(g, want[param]) {
					t.Errorf("%s=%q, want %q", param, g, want[param])
				}
			}
			if got.URL.Path != tc.path || got.RequestURI != got.URL.RequestURI() {
				t.Errorf("path %q, request URI %q, URL %q", got.URL.Path, got.RequestURI, got.URL.RequestURI())
			}
		})
	}
}
