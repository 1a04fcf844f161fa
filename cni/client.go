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
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"time"
)

// ErrUnavailable wraps every failure to get an answer from the agent: nothing
// listens on the socket, the connection broke, or the timeout passed. The
// plugin answers TRY_AGAIN_LATER for it.
var ErrUnavailable = errors.New("strata-agent unavailable")

// Client sends Requests to the agent.
type Client struct {
	SocketPath string
	// Timeout bounds one Do, from dial to response; default DefaultTimeout.
	Timeout time.Duration
}

// NewClient returns a client of the agent at socketPath.
func NewClient(socketPath string, timeout time.Duration) *Client {
	return &Client{SocketPath: socketPath, Timeout: timeout}
}

// Do sends req (Version filled in) and returns the agent's Response. Transport
// failures wrap ErrUnavailable; a Response carrying an Error is not an error
// of Do.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", c.SocketPath)
	if err != nil {
		return nil, fmt.Errorf("%w: connecting to %s: %v", ErrUnavailable, c.SocketPath, err)
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	req.Version = ProtocolVersion
	if err := WriteMessage(conn, req); err != nil {
		return nil, fmt.Errorf("%w: sending %s to %s: %v", ErrUnavailable, req.Command, c.SocketPath, err)
	}
	var resp Response
	if err := ReadMessage(conn, &resp); err != nil {
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		if errors.As(err, &syntax) || errors.As(err, &typ) {
			return nil, fmt.Errorf("malformed answer to %s from %s: %w", req.Command, c.SocketPath, err)
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w: no answer to %s from %s within %s", ErrUnavailable, req.Command, c.SocketPath, timeout)
		}
		return nil, fmt.Errorf("%w: reading the answer to %s from %s: %v", ErrUnavailable, req.Command, c.SocketPath, err)
	}
	return &resp, nil
}
