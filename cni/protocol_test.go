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

package cni

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testConf = []byte(`{"cniVersion":"1.0.0","name":"strata","type":"strata"}`)

func TestMessageRoundTrip(t *testing.T) {
	req := &Request{Version: ProtocolVersion, Command: CmdAdd, ContainerID: "c1", Netns: "/run/netns/p", IfName: "eth0",
		Args: "K8S_POD_NAME=p;K8S_POD_NAMESPACE=ns", Path: "/opt/cni/bin", NetworkConfig: testConf}
	var buf bytes.Buffer
	require.NoError(t, WriteMessage(&buf, req))
	var got Request
	require.NoError(t, ReadMessage(&buf, &got))
	assert.Equal(t, *req, got)

	resp := &Response{Error: types.NewError(types.ErrTryAgainLater, "not ready", "details")}
	buf.Reset()
	require.NoError(t, WriteMessage(&buf, resp))
	assert.Contains(t, buf.String(), `"code":11`)
	var gotResp Response
	require.NoError(t, ReadMessage(&buf, &gotResp))
	assert.Equal(t, *resp, gotResp)
}

func TestReadMessageErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{name: "empty", in: ""},
		{name: "truncated", in: `{"version":1,"command":"AD`},
		{name: "wrong type", in: `{"version":"one"}`},
		{name: "too large", in: `{"args":"` + strings.Repeat("x", MaxMessageSize) + `"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r Request
			assert.Error(t, ReadMessage(strings.NewReader(tc.in), &r))
		})
	}
}

func TestRequestValidate(t *testing.T) {
	valid := func() Request {
		return Request{Version: ProtocolVersion, Command: CmdAdd, ContainerID: "c", Netns: "/n", IfName: "eth0", NetworkConfig: testConf}
	}
	tests := []struct {
		name    string
		mutate  func(*Request)
		wantErr string
	}{
		{name: "valid add", mutate: func(*Request) {}},
		{name: "del without netns", mutate: func(r *Request) { r.Command, r.Netns = CmdDel, "" }},
		{name: "status alone", mutate: func(r *Request) { *r = Request{Version: ProtocolVersion, Command: CmdStatus, NetworkConfig: testConf} }},
		{name: "old version", mutate: func(r *Request) { r.Version = 0 }, wantErr: "version:"},
		{name: "unknown command", mutate: func(r *Request) { r.Command = "GC" }, wantErr: "command:"},
		{name: "add without netns", mutate: func(r *Request) { r.Netns = "" }, wantErr: "netns:"},
		{name: "check without container", mutate: func(r *Request) { r.Command, r.ContainerID = CmdCheck, "" }, wantErr: "containerID:"},
		{name: "del without ifname", mutate: func(r *Request) { r.Command, r.IfName = CmdDel, "" }, wantErr: "ifName:"},
		{name: "no config", mutate: func(r *Request) { r.NetworkConfig = nil }, wantErr: "networkConfig:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := valid()
			tc.mutate(&r)
			err := r.Validate()
			if tc.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tc.wantErr)
		})
	}
}

// fakeAgent serves one socket with handle until the test ends.
func fakeAgent(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "cni.sock")
	l, err := net.Listen("unix", sock)
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				handle(c)
			}()
		}
	}()
	return sock
}

func TestClientDo(t *testing.T) {
	answer := func(resp *Response) func(net.Conn) {
		return func(c net.Conn) {
			var req Request
			if ReadMessage(c, &req) == nil {
				_ = WriteMessage(c, resp)
			}
		}
	}
	tests := []struct {
		name            string
		handle          func(net.Conn) // nil: nothing listens
		wantUnavailable bool
		wantErr         bool
		wantResult      string
	}{
		{name: "result", handle: answer(&Response{Result: []byte(`{"cniVersion":"1.0.0"}`)}), wantResult: `{"cniVersion":"1.0.0"}`},
		{name: "agent error is a response", handle: answer(&Response{Error: types.NewError(7, "bad", "")})},
		{name: "nothing listens", wantUnavailable: true, wantErr: true},
		{name: "closed without answer", handle: func(c net.Conn) { var r Request; _ = ReadMessage(c, &r) }, wantUnavailable: true, wantErr: true},
		{name: "no answer in time", handle: func(c net.Conn) { _, _ = io.Copy(io.Discard, c) }, wantUnavailable: true, wantErr: true},
		{name: "garbage answer", handle: func(c net.Conn) { var r Request; _ = ReadMessage(c, &r); _, _ = c.Write([]byte("{]")) }, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sock := filepath.Join(t.TempDir(), "none.sock")
			if tc.handle != nil {
				sock = fakeAgent(t, tc.handle)
			}
			start := time.Now()
			resp, err := NewClient(sock, 300*time.Millisecond).Do(context.Background(), &Request{Command: CmdAdd, NetworkConfig: testConf})
			assert.Less(t, time.Since(start), 2*time.Second, "bounded by the client timeout")
			if tc.wantErr {
				require.Error(t, err)
				assert.Equal(t, tc.wantUnavailable, errors.Is(err, ErrUnavailable), "%v", err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantResult, string(resp.Result))
		})
	}
}
