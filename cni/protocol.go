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
	"io"

	"github.com/containernetworking/cni/pkg/types"
)

// ProtocolVersion is the version of Request and Response. The agent refuses
// requests of another version with ErrIncompatibleProtocol.
const ProtocolVersion = 1

// MaxMessageSize bounds a Request or Response on the wire.
const MaxMessageSize = 4 << 20

// Command is a CNI command (CNI_COMMAND).
type Command string

// The commands the agent serves.
const (
	CmdAdd    Command = "ADD"
	CmdDel    Command = "DEL"
	CmdCheck  Command = "CHECK"
	CmdStatus Command = "STATUS"
)

// Error codes beyond the CNI spec's (types.Err*), in the plugin-specific range.
const (
	// ErrIPAMFailure: no address could be allocated or released.
	ErrIPAMFailure uint = 101
	// ErrConfigInterfaceFailure: the veth, its addresses and routes, or its OVS
	// port could not be set up.
	ErrConfigInterfaceFailure uint = 102
	// ErrCheckInterfaceFailure: CHECK found the interface differing from
	// prevResult.
	ErrCheckInterfaceFailure uint = 103
	// ErrIncompatibleProtocol: the plugin and the agent speak different
	// versions of this protocol.
	ErrIncompatibleProtocol uint = 202
)

// Request is one CNI invocation, forwarded by the plugin.
type Request struct {
	// Version is ProtocolVersion.
	Version int     `json:"version"`
	Command Command `json:"command"`
	// ContainerID, Netns, IfName, Args and Path are CNI_CONTAINERID, CNI_NETNS,
	// CNI_IFNAME, CNI_ARGS and CNI_PATH.
	ContainerID string `json:"containerID,omitempty"`
	Netns       string `json:"netns,omitempty"`
	IfName      string `json:"ifName,omitempty"`
	Args        string `json:"args,omitempty"`
	Path        string `json:"path,omitempty"`
	// NetworkConfig is the plugin's stdin, byte for byte.
	NetworkConfig []byte `json:"networkConfig"`
}

// Response is the agent's answer: the CNI result to print (ADD; empty
// otherwise), or an error.
type Response struct {
	Result []byte       `json:"result,omitempty"`
	Error  *types.Error `json:"error,omitempty"`
}

// Validate checks the fields every command needs.
func (r *Request) Validate() error {
	if r.Version != ProtocolVersion {
		return fmt.Errorf("version: %d, want %d", r.Version, ProtocolVersion)
	}
	switch r.Command {
	case CmdAdd, CmdCheck:
		if r.Netns == "" {
			return fmt.Errorf("netns: required for %s", r.Command)
		}
		fallthrough
	case CmdDel:
		if r.ContainerID == "" {
			return fmt.Errorf("containerID: required for %s", r.Command)
		}
		if r.IfName == "" {
			return fmt.Errorf("ifName: required for %s", r.Command)
		}
	case CmdStatus:
	default:
		return fmt.Errorf("command: %q is not one of ADD, DEL, CHECK, STATUS", r.Command)
	}
	if len(r.NetworkConfig) == 0 {
		return errors.New("networkConfig: required")
	}
	return nil
}

// WriteMessage encodes a Request or Response.
func WriteMessage(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding %T: %w", v, err)
	}
	if len(b) > MaxMessageSize {
		return fmt.Errorf("encoding %T: %d bytes, more than %d", v, len(b), MaxMessageSize)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("writing %T: %w", v, err)
	}
	return nil
}

// ReadMessage decodes one Request or Response of at most MaxMessageSize bytes.
func ReadMessage(r io.Reader, v any) error {
	dec := json.NewDecoder(io.LimitReader(r, MaxMessageSize+1))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decoding %T: %w", v, err)
	}
	return nil
}
