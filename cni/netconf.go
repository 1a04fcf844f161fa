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
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/utils"
	"github.com/containernetworking/cni/pkg/version"
)

const (
	// PluginType is the network config "type" of strata-cni.
	PluginType = "strata"
	// IPAMHostLocal is the only IPAM type: host-local's allocator and on-disk
	// format, run inside the agent.
	IPAMHostLocal = "host-local"
	// DefaultSocketPath is where the agent serves the plugin.
	DefaultSocketPath = "/var/run/strata/cni.sock"
	// DefaultTimeout bounds one plugin request to the agent. It is longer than
	// the agent's own request timeout so that the agent's answer, even a
	// TRY_AGAIN_LATER, arrives before the plugin gives up.
	DefaultTimeout = 60 * time.Second
	minMTU         = 68
	maxMTU         = 65535
)

// SupportedVersions are the CNI spec versions of strata-cni.
var SupportedVersions = version.All

// NetConf is a strata network config.
type NetConf struct {
	types.NetConf
	// MTU of the pod interface; 0 takes the agent's (from its Node).
	MTU int `json:"mtu,omitempty"`
	// AgentSocket is the agent's unix socket; default DefaultSocketPath.
	AgentSocket string `json:"agentSocket,omitempty"`
	// TimeoutSeconds bounds one request to the agent; default DefaultTimeout.
	TimeoutSeconds int `json:"timeoutSeconds,omitempty"`
}

// MarshalJSON encodes the strata fields along with the generic ones (the
// embedded types.NetConf's own MarshalJSON would drop them).
func (c NetConf) MarshalJSON() ([]byte, error) {
	base, err := c.NetConf.MarshalJSON()
	if err != nil {
		return nil, err
	}
	m := map[string]any{}
	if err := json.Unmarshal(base, &m); err != nil {
		return nil, err
	}
	if c.MTU != 0 {
		m["mtu"] = c.MTU
	}
	if c.AgentSocket != "" {
		m["agentSocket"] = c.AgentSocket
	}
	if c.TimeoutSeconds != 0 {
		m["timeoutSeconds"] = c.TimeoutSeconds
	}
	return json.Marshal(m)
}

// ConfigError is a bad network config; Field names the offending key.
type ConfigError struct {
	Field string
	Msg   string
	// Code is the CNI error code: types.ErrIncompatibleCNIVersion for
	// cniVersion, types.ErrDecodingFailure for bad JSON,
	// types.ErrInvalidNetworkConfig otherwise.
	Code uint
}

func (e *ConfigError) Error() string {
	if e.Field == "" {
		return "network config: " + e.Msg
	}
	return fmt.Sprintf("network config: %s: %s", e.Field, e.Msg)
}

func configErr(field, format string, args ...any) *ConfigError {
	return &ConfigError{Field: field, Msg: fmt.Sprintf(format, args...), Code: types.ErrInvalidNetworkConfig}
}

// ParseNetConf decodes and validates a strata network config (the plugin's
// stdin). Errors are *ConfigError naming the field; prevResult is parsed
// into PrevResult.
func ParseNetConf(b []byte) (*NetConf, error) {
	conf := &NetConf{}
	if err := json.Unmarshal(b, conf); err != nil {
		return nil, &ConfigError{Msg: fmt.Sprintf("not valid JSON: %v", err), Code: types.ErrDecodingFailure}
	}
	if err := validateIPAMKeys(b); err != nil {
		return nil, err
	}
	if err := conf.Validate(); err != nil {
		return nil, err
	}
	if err := version.ParsePrevResult(&conf.NetConf); err != nil {
		return nil, configErr("prevResult", "%v", err)
	}
	return conf, nil
}

// Validate checks the fields; it does not look at prevResult.
func (c *NetConf) Validate() error {
	if !slices.Contains(SupportedVersions.SupportedVersions(), c.CNIVersion) {
		e := configErr("cniVersion", "%q is not supported (supported: %s)", c.CNIVersion,
			strings.Join(SupportedVersions.SupportedVersions(), ", "))
		e.Code = types.ErrIncompatibleCNIVersion
		return e
	}
	if c.Name == "" {
		return configErr("name", "required")
	}
	if err := utils.ValidateNetworkName(c.Name); err != nil {
		return configErr("name", "%s", err.Msg)
	}
	if c.Type != PluginType {
		return configErr("type", "%q, want %q", c.Type, PluginType)
	}
	if c.IPAM.Type != "" && c.IPAM.Type != IPAMHostLocal {
		return configErr("ipam.type", "%q is not supported (only %q)", c.IPAM.Type, IPAMHostLocal)
	}
	if c.MTU != 0 && (c.MTU < minMTU || c.MTU > maxMTU) {
		return configErr("mtu", "%d is out of range %d..%d", c.MTU, minMTU, maxMTU)
	}
	if c.TimeoutSeconds < 0 {
		return configErr("timeoutSeconds", "%d is negative", c.TimeoutSeconds)
	}
	if c.AgentSocket != "" && !strings.HasPrefix(c.AgentSocket, "/") {
		return configErr("agentSocket", "%q is not an absolute path", c.AgentSocket)
	}
	return nil
}

// validateIPAMKeys refuses ipam keys other than type: the agent assigns the
// ranges from the Node's podCIDR, so a config that sets them would be ignored
// silently otherwise.
func validateIPAMKeys(b []byte) error {
	var raw struct {
		IPAM json.RawMessage `json:"ipam"`
	}
	if err := json.Unmarshal(b, &raw); err != nil || len(raw.IPAM) == 0 || string(raw.IPAM) == "null" {
		return nil
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw.IPAM, &keys); err != nil {
		return configErr("ipam", "not an object: %v", err)
	}
	var extra []string
	for k := range keys {
		if k != "type" {
			extra = append(extra, "ipam."+k)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return configErr(extra[0], "not allowed: the agent assigns addresses from its Node's podCIDR (only ipam.type may be set)")
	}
	return nil
}

// Socket is AgentSocket or DefaultSocketPath.
func (c *NetConf) Socket() string {
	if c.AgentSocket != "" {
		return c.AgentSocket
	}
	return DefaultSocketPath
}

// Timeout is TimeoutSeconds or DefaultTimeout.
func (c *NetConf) Timeout() time.Duration {
	if c.TimeoutSeconds > 0 {
		return time.Duration(c.TimeoutSeconds) * time.Second
	}
	return DefaultTimeout
}

// AsError turns a ParseNetConf error into a CNI error.
func AsError(err error) *types.Error {
	var ce *ConfigError
	if errors.As(err, &ce) {
		return types.NewError(ce.Code, ce.Error(), "")
	}
	var te *types.Error
	if errors.As(err, &te) {
		return te
	}
	return types.NewError(types.ErrInternal, err.Error(), "")
}
