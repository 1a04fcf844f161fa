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

// Package unixctl calls Open vSwitch daemons' control commands (what ovs-appctl
// sends): one JSON-RPC request over the daemon's unix socket, one reply.
package unixctl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

type request struct {
	Method string   `json:"method"`
	Params []string `json:"params"`
	ID     int      `json:"id"`
}

type reply struct {
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
	ID     int             `json:"id"`
}

// Call sends method with params to the daemon listening on socket and returns its
// answer; the daemon's error is returned as an error. ctx bounds the call.
func Call(ctx context.Context, socket, method string, params ...string) (string, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", socket)
	if err != nil {
		return "", fmt.Errorf("unixctl %s: %w", method, err)
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	if params == nil {
		params = []string{}
	}
	if err := json.NewEncoder(conn).Encode(request{Method: method, Params: params}); err != nil {
		return "", fmt.Errorf("unixctl %s: sending: %w", method, err)
	}
	var r reply
	if err := json.NewDecoder(conn).Decode(&r); err != nil {
		return "", fmt.Errorf("unixctl %s: reading the reply: %w", method, errors.Join(err, ctx.Err()))
	}
	if len(r.Error) > 0 && string(r.Error) != "null" {
		return "", fmt.Errorf("unixctl %s: %s", method, text(r.Error))
	}
	return text(r.Result), nil
}

// text is a JSON string's value, or the raw JSON.
func text(raw json.RawMessage) string {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	return string(raw)
}

// Socket is the control socket of daemon (e.g. "ovs-vswitchd") in the OVS run
// directory: <daemon>.ctl when it was started with that --unixctl path,
// otherwise <daemon>.<pid>.ctl, the pid from <daemon>.pid.
func Socket(runDir, daemon string) (string, error) {
	named := filepath.Join(runDir, daemon+".ctl")
	if _, err := os.Stat(named); err == nil {
		return named, nil
	}
	data, err := os.ReadFile(filepath.Join(runDir, daemon+".pid"))
	if err != nil {
		return "", fmt.Errorf("finding the control socket of %s: %w", daemon, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return "", fmt.Errorf("finding the control socket of %s: %s.pid holds %q", daemon, daemon, data)
	}
	return filepath.Join(runDir, fmt.Sprintf("%s.%d.ctl", daemon, pid)), nil
}
