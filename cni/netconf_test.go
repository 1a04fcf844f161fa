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
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/containernetworking/cni/pkg/types"
	types100 "github.com/containernetworking/cni/pkg/types/100"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseNetConf(t *testing.T) {
	tests := []struct {
		name      string
		conf      string
		wantField string // "" means valid
		wantCode  uint
	}{
		{name: "minimal", conf: `{"cniVersion":"1.0.0","name":"strata","type":"strata"}`},
		{name: "full", conf: `{"cniVersion":"1.1.0","name":"strata","type":"strata","mtu":1450,
			"agentSocket":"/run/strata/cni.sock","timeoutSeconds":30,"ipam":{"type":"host-local"}}`},
		{name: "old version", conf: `{"cniVersion":"0.3.1","name":"strata","type":"strata"}`},
		{name: "runtime extras ignored", conf: `{"cniVersion":"1.0.0","name":"strata","type":"strata",
			"runtimeConfig":{"portMappings":[]},"args":{"x":1}}`},
		{name: "not JSON", conf: `{"cniVersion":`, wantField: "", wantCode: types.ErrDecodingFailure},
		{name: "missing name", conf: `{"cniVersion":"1.0.0","type":"strata"}`, wantField: "name", wantCode: types.ErrInvalidNetworkConfig},
		{name: "bad name", conf: `{"cniVersion":"1.0.0","name":"a b","type":"strata"}`, wantField: "name", wantCode: types.ErrInvalidNetworkConfig},
		{name: "wrong type", conf: `{"cniVersion":"1.0.0","name":"n","type":"bridge"}`, wantField: "type", wantCode: types.ErrInvalidNetworkConfig},
		{name: "missing type", conf: `{"cniVersion":"1.0.0","name":"n"}`, wantField: "type", wantCode: types.ErrInvalidNetworkConfig},
		{name: "unsupported version", conf: `{"cniVersion":"9.9.9","name":"n","type":"strata"}`, wantField: "cniVersion", wantCode: types.ErrIncompatibleCNIVersion},
		{name: "ipam dhcp", conf: `{"cniVersion":"1.0.0","name":"n","type":"strata","ipam":{"type":"dhcp"}}`, wantField: "ipam.type", wantCode: types.ErrInvalidNetworkConfig},
		{name: "ipam ranges", conf: `{"cniVersion":"1.0.0","name":"n","type":"strata","ipam":{"type":"host-local","ranges":[]}}`, wantField: "ipam.ranges", wantCode: types.ErrInvalidNetworkConfig},
		{name: "ipam not object", conf: `{"cniVersion":"1.0.0","name":"n","type":"strata","ipam":"host-local"}`, wantCode: types.ErrDecodingFailure},
		{name: "mtu too small", conf: `{"cniVersion":"1.0.0","name":"n","type":"strata","mtu":10}`, wantField: "mtu", wantCode: types.ErrInvalidNetworkConfig},
		{name: "relative socket", conf: `{"cniVersion":"1.0.0","name":"n","type":"strata","agentSocket":"cni.sock"}`, wantField: "agentSocket", wantCode: types.ErrInvalidNetworkConfig},
		{name: "negative timeout", conf: `{"cniVersion":"1.0.0","name":"n","type":"strata","timeoutSeconds":-1}`, wantField: "timeoutSeconds", wantCode: types.ErrInvalidNetworkConfig},
		{name: "bad prevResult", conf: `{"cniVersion":"1.0.0","name":"n","type":"strata","prevResult":{"ips":"x"}}`, wantField: "prevResult", wantCode: types.ErrInvalidNetworkConfig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conf, err := ParseNetConf([]byte(tc.conf))
			if tc.wantCode == 0 {
				require.NoError(t, err)
				assert.Equal(t, PluginType, conf.Type)
				return
			}
			require.Error(t, err)
			var ce *ConfigError
			require.True(t, errors.As(err, &ce), "%T", err)
			assert.Equal(t, tc.wantField, ce.Field)
			assert.Equal(t, tc.wantCode, AsError(err).Code)
			if tc.wantField != "" {
				assert.Contains(t, err.Error(), tc.wantField+":")
			}
		})
	}
}

func TestNetConfDefaults(t *testing.T) {
	conf, err := ParseNetConf([]byte(`{"cniVersion":"1.0.0","name":"n","type":"strata"}`))
	require.NoError(t, err)
	assert.Equal(t, DefaultSocketPath, conf.Socket())
	assert.Equal(t, DefaultTimeout, conf.Timeout())
	conf.AgentSocket, conf.TimeoutSeconds = "/x.sock", 3
	assert.Equal(t, "/x.sock", conf.Socket())
	assert.Equal(t, 3*time.Second, conf.Timeout())
}

func TestNetConfMarshalRoundTrip(t *testing.T) {
	in := `{"agentSocket":"/run/s.sock","cniVersion":"1.0.0","ipam":{"type":"host-local"},"mtu":1450,"name":"n","timeoutSeconds":9,"type":"strata"}`
	conf, err := ParseNetConf([]byte(in))
	require.NoError(t, err)
	assert.Equal(t, 1450, conf.MTU)
	assert.Equal(t, "/run/s.sock", conf.AgentSocket)
	assert.Equal(t, 9, conf.TimeoutSeconds)
	for _, v := range []any{conf, *conf} {
		out, err := json.Marshal(v)
		require.NoError(t, err)
		assert.JSONEq(t, in, string(out))
	}
}

func TestParseNetConfPrevResult(t *testing.T) {
	conf, err := ParseNetConf([]byte(`{"cniVersion":"1.0.0","name":"n","type":"strata","prevResult":{
		"cniVersion":"1.0.0","interfaces":[{"name":"eth0","mac":"02:00:00:00:00:01","sandbox":"/run/netns/x"}],
		"ips":[{"interface":0,"address":"10.244.1.5/24","gateway":"10.244.1.1"}]}}`))
	require.NoError(t, err)
	res, err := types100.NewResultFromResult(conf.PrevResult)
	require.NoError(t, err)
	require.Len(t, res.IPs, 1)
	assert.Equal(t, "10.244.1.5/24", res.IPs[0].Address.String())
}

func TestParseArgs(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    PodArgs
		wantErr string
	}{
		{name: "empty", in: ""},
		{name: "kubelet", in: "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0;K8S_POD_INFRA_CONTAINER_ID=abc;K8S_POD_UID=u1",
			want: PodArgs{Name: "web-0", Namespace: "default", UID: "u1", InfraContainerID: "abc"}},
		{name: "trailing separator", in: "K8S_POD_NAME=a;", want: PodArgs{Name: "a"}},
		{name: "empty value", in: "K8S_POD_NAME=", want: PodArgs{}},
		{name: "no equals", in: "K8S_POD_NAME", wantErr: "CNI_ARGS"},
		{name: "empty key", in: "=x", wantErr: "CNI_ARGS"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseArgs(tc.in)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestRequirePod(t *testing.T) {
	assert.ErrorContains(t, PodArgs{Namespace: "ns"}.RequirePod(), ArgPodName)
	assert.ErrorContains(t, PodArgs{Name: "p"}.RequirePod(), ArgPodNamespace)
	assert.NoError(t, PodArgs{Name: "p", Namespace: "ns"}.RequirePod())
}
