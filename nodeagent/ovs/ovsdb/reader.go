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

// readLoop decodes messages until the connection fails, then ends the
// session: pending calls fail with its error.
func (s *session) readLoop() {
	dec := json.NewDecoder(s.conn)
	var err error
	for {
		var msg message
		if err = dec.Decode(&msg); err != nil {
			break
		}
		s.dispatch(msg)
	}
	s.shutdown(err)
}

func (s *session) dispatch(msg message) {
	switch {
	case msg.Method == "echo":
		s.replyEcho(msg)
	case msg.Method == "update":
		s.onUpdate(s, msg.Params)
	case msg.Method != "":
		s.logger.V(4).Info("Ignoring OVSDB notification", "method", msg.Method)
	default:
		s.handleResponse(msg)
	}
}

// replyEcho answers the server's inactivity probe with its own params.
func (s *session) replyEcho(msg message) {
	ctx, cancel := context.WithTimeout(context.Background(), echoReplyTimeout)
	defer cancel()
	if err := s.write(ctx, reply{Result: msg.Params, ID: msg.ID}); err != nil {
		s.logger.Error(err, "Failed to reply to OVSDB echo")
	}
}

func (s *session) handleResponse(msg message) {
	id, err := strconv.ParseUint(string(msg.ID), 10, 64)
	if err != nil {
		s.logger.V(4).Info("Ignoring OVSDB response with unknown id", "id", string(msg.ID))
		return
	}
	s.mu.Lock()
	pc := s.pending[id]
	s.mu.Unlock()
	if pc == nil {
		return // the caller gave up (context done)
	}
	resp := response{result: msg.Result}
	if len(msg.Error) > 0 && string(msg.Error) != "null" {
		resp.err = decodeRPCError(msg.Error)
	} else if pc.onResult != nil {
		resp.err = pc.onResult(msg.Result)
	}
	pc.ch <- resp
}

// shutdown records why the session ended (unless close gave a reason) and
// wakes the pending calls.
func (s *session) shutdown(readErr error) {
	if readErr == nil || errors.Is(readErr, io.EOF) || errors.Is(readErr, net.ErrClosed) {
		readErr = ErrDisconnected
	} else {
		readErr = fmt.Errorf("%w: %w", ErrDisconnected, readErr)
	}
	s.mu.Lock()
	if s.err == nil {
		s.err = readErr
	}
	err := s.err
	s.mu.Unlock()
	close(s.done)
	s.logger.V(2).Info("OVSDB connection ended", "reason", err)
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
