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
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// echoReplyTimeout bounds the write of a reply to the server's echo.
const echoReplyTimeout = 5 * time.Second

// readLoop decodes messages until the connection fails, then fails every
// pending call and monitor.
func (c *Client) readLoop() {
	dec := json.NewDecoder(c.conn)
	var err error
	for {
		var msg message
		if err = dec.Decode(&msg); err != nil {
			break
		}
		c.dispatch(msg)
	}
	c.shutdown(err)
}

func (c *Client) dispatch(msg message) {
	switch {
	case msg.Method == "echo":
		c.replyEcho(msg)
	case msg.Method == "update":
		c.handleUpdate(msg.Params)
	case msg.Method != "":
		c.logger.V(4).Info("Ignoring OVSDB notification", "method", msg.Method)
	default:
		c.handleResponse(msg)
	}
}

// replyEcho answers the server's inactivity probe with its own params.
func (c *Client) replyEcho(msg message) {
	ctx, cancel := context.WithTimeout(context.Background(), echoReplyTimeout)
	defer cancel()
	if err := c.write(ctx, reply{Result: msg.Params, ID: msg.ID}); err != nil {
		c.logger.Error(err, "Failed to reply to OVSDB echo")
	}
}

func (c *Client) handleResponse(msg message) {
	id, err := strconv.ParseUint(string(msg.ID), 10, 64)
	if err != nil {
		c.logger.V(4).Info("Ignoring OVSDB response with unknown id", "id", string(msg.ID))
		return
	}
	c.mu.Lock()
	pc := c.pending[id]
	c.mu.Unlock()
	if pc == nil {
		return // the caller gave up (context done)
	}
	resp := response{result: msg.Result}
	if len(msg.Error) > 0 && string(msg.Error) != "null" {
		resp.err = decodeRPCError(msg.Error)
	} else if pc.monitor != nil {
		resp.err = pc.monitor.pushRaw(msg.Result)
	}
	pc.ch <- resp
}

func (c *Client) shutdown(readErr error) {
	if readErr == nil || errors.Is(readErr, io.EOF) || errors.Is(readErr, net.ErrClosed) {
		readErr = ErrClosed
	} else {
		readErr = fmt.Errorf("%w: %w", ErrClosed, readErr)
	}
	c.mu.Lock()
	c.err = readErr
	monitors := c.monitors
	c.monitors = map[string]*Monitor{}
	c.mu.Unlock()
	for _, m := range monitors {
		m.close(readErr)
	}
	close(c.done)
	c.logger.V(2).Info("OVSDB connection ended", "reason", readErr)
}

// RPCError is a JSON-RPC level error (the request as a whole was refused).
type RPCError struct {
	Err     string `json:"error"`
	Details string `json:"details"`
}

func (e *RPCError) Error() string {
	if e.Details == "" {
		return e.Err
	}
	return e.Err + ": " + e.Details
}

func decodeRPCError(raw json.RawMessage) error {
	e := &RPCError{}
	if err := json.Unmarshal(raw, e); err == nil && e.Err != "" {
		return e
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return &RPCError{Err: s}
	}
	return &RPCError{Err: string(raw)}
}
