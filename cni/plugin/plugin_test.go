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

package plugin

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"testing"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/strata-net/strata/cni"
)

// fakeAgent answers every request with resp and records the requests.
type fakeAgent struct {
	sock string
	got  chan cni.Request
}

func startFakeAgent(t *testing.T, resp cni.Response) *fakeAgent {
	t.Helper()
	a := &fakeAgent{sock: filepath.Join(t.TempDir(), "cni.sock"), got: make(chan cni.Request, 10)}
	l, err := net.Listen("unix", a.sock)
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			var req cni.Request
			if cni.ReadMessage(c, &req) == nil {
				a.got <- req
				_ = cni.WriteMessage(c, &resp)
			}
			c.Close()
		}
	}()
	return a
}

func confFor(sock string) []byte {
	return []byte(fmt.Sprintf(`{"cniVersion":"1.0.0","name":"strata","type":"strata","agentSocket":%q,"timeoutSeconds":5}`, sock))
}

func cmdArgs(conf []byte) *skel.CmdArgs {
	return &skel.CmdArgs{ContainerID: "c1", Netns: "/run/netns/p1", IfName: "eth0",
		Args: "K8S_POD_NAME=p1;K8S_POD_NAMESPACE=ns", Path: "/opt/cni/bin", StdinData: conf}
}

func TestForwardResult(t *testing.T) {
	result := `{"cniVersion":"1.0.0","ips":[{"address":"10.244.1.2/24"}]}`
	agent := startFakeAgent(t, cni.Response{Result: []byte(result)})
	conf := confFor(agent.sock)
	var out bytes.Buffer
	require.NoError(t, forward(cni.CmdAdd, cmdArgs(conf), &out))
	assert.Equal(t, result, out.String())
	req := <-agent.got
	assert.Equal(t, cni.Request{Version: cni.ProtocolVersion, Command: cni.CmdAdd, ContainerID: "c1", Netns: "/run/netns/p1",
		IfName: "eth0", Args: "K8S_POD_NAME=p1;K8S_POD_NAMESPACE=ns", Path: "/opt/cni/bin", NetworkConfig: conf}, req)
}

func TestForwardErrors(t *testing.T) {
	agentErr := startFakeAgent(t, cni.Response{Error: types.NewError(cni.ErrIPAMFailure, "no addresses left", "10.244.1.0/24")})
	agentEmpty := startFakeAgent(t, cni.Response{})
	missing := filepath.Join(t.TempDir(), "missing.sock")
	tests := []struct {
		name     string
		cmd      cni.Command
		conf     []byte
		wantCode uint
		wantMsg  string
	}{
		{name: "add without agent", cmd: cni.CmdAdd, conf: confFor(missing), wantCode: types.ErrTryAgainLater, wantMsg: "not reachable"},
		{name: "del without agent", cmd: cni.CmdDel, conf: confFor(missing), wantCode: types.ErrTryAgainLater, wantMsg: "not reachable"},
		{name: "check without agent", cmd: cni.CmdCheck, conf: confFor(missing), wantCode: types.ErrTryAgainLater, wantMsg: "not reachable"},
		{name: "status without agent", cmd: cni.CmdStatus, conf: confFor(missing), wantCode: types.ErrPluginNotAvailable, wantMsg: "not reachable"},
		{name: "agent error passed through", cmd: cni.CmdAdd, conf: confFor(agentErr.sock), wantCode: cni.ErrIPAMFailure, wantMsg: "no addresses left"},
		{name: "add without result", cmd: cni.CmdAdd, conf: confFor(agentEmpty.sock), wantCode: types.ErrInternal, wantMsg: "without a result"},
		{name: "bad type before dialing", cmd: cni.CmdAdd, conf: []byte(`{"cniVersion":"1.0.0","name":"n","type":"bridge"}`),
			wantCode: types.ErrInvalidNetworkConfig, wantMsg: "type:"},
		{name: "bad ipam", cmd: cni.CmdAdd, conf: []byte(`{"cniVersion":"1.0.0","name":"n","type":"strata","ipam":{"type":"static"}}`),
			wantCode: types.ErrInvalidNetworkConfig, wantMsg: "ipam.type:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := forward(tc.cmd, cmdArgs(tc.conf), &out)
			var cniErr *types.Error
			require.True(t, errors.As(err, &cniErr), "want a CNI error, got %v", err)
			assert.Equal(t, tc.wantCode, cniErr.Code, cniErr.Msg)
			assert.Contains(t, cniErr.Msg, tc.wantMsg)
			assert.Empty(t, out.String())
		})
	}
}

func TestFuncs(t *testing.T) {
	f := Funcs()
	assert.NotNil(t, f.Add)
	assert.NotNil(t, f.Del)
	assert.NotNil(t, f.Check)
	assert.NotNil(t, f.Status)
}
