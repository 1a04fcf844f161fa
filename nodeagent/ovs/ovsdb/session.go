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
	"fmt"
	"net"
	"sync"
	"time"

	"k8s.io/klog/v2"
)

// session is one connection to ovsdb-server: it matches replies to requests
// by id, answers the server's echo probes and hands "update" notifications
// to the client. It ends for good when the connection does; the Client
// then dials a new one.
type session struct {
	conn     net.Conn
	logger   klog.Logger
	started  time.Time
	onUpdate func(s *session, params json.RawMessage)

	writeMu sync.Mutex
	enc     *json.Encoder

	mu      sync.Mutex
	nextID  uint64
	pending map[uint64]*pendingCall
	err     error // why the session ended; wraps ErrDisconnected or is ErrClosed

	done chan struct{} // closed when the reader has exited
}

type pendingCall struct {
	ch chan response
	// onResult, if set, runs in the reader with the result before the reply
	// is delivered and before any later notification is handled (it queues
	// a monitor's initial content ahead of its updates).
	onResult func(json.RawMessage) error
}

type response struct {
	result json.RawMessage
	err    error
}

// request is a JSON-RPC request or (with ID nil) a notification.
type request struct {
	Method string `json:"method"`
	Params any    `json:"params"`
	ID     any    `json:"id"`
}

// reply is a JSON-RPC response sent by the client (to the server's echo).
type reply struct {
	Result json.RawMessage `json:"result"`
	Error  any             `json:"error"`
	ID     json.RawMessage `json:"id"`
}

// message is any JSON-RPC message received from the server.
type message struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
}

// notSentError is a call's error when its session had ended before the
// request was written: the server never saw it, so it can be sent again.
type notSentError struct{ err error }

func (e notSentError) Error() string { return e.err.Error() }
func (e notSentError) Unwrap() error { return e.err }

// dialSession dials the unix socket and starts the reader.
func dialSession(ctx context.Context, path string, logger klog.Logger,
	onUpdate func(*session, json.RawMessage)) (*session, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, err
	}
	s := &session{conn: conn, logger: logger, started: time.Now(), onUpdate: onUpdate,
		enc: json.NewEncoder(conn), pending: map[uint64]*pendingCall{}, done: make(chan struct{})}
	go s.readLoop()
	return s, nil
}

// alive tells whether the connection is still up.
func (s *session) alive() bool {
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// Err returns why the session ended, nil while it is up.
func (s *session) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// close ends the session with reason (what pending calls fail with) and
// waits for the reader to exit.
func (s *session) close(reason error) error {
	s.mu.Lock()
	if s.err == nil {
		s.err = reason
	}
	s.mu.Unlock()
	err := s.conn.Close()
	<-s.done
	return err
}

// call sends a request and returns its result. If the session ends first,
// the error wraps ErrDisconnected; it is a notSentError when the request
// was never written.
func (s *session) call(ctx context.Context, method string, params any, onResult func(json.RawMessage) error) (json.RawMessage, error) {
	id, pc, err := s.register(onResult)
	if err != nil {
		return nil, notSentError{err}
	}
	defer s.unregister(id)
	if err := s.write(ctx, request{Method: method, Params: params, ID: id}); err != nil {
		// Part of the request may be on the stream: the session cannot go on.
		_ = s.close(fmt.Errorf("%w: send request: %w", ErrDisconnected, err))
		return nil, fmt.Errorf("%w (the request may have been applied)", s.Err())
	}
	select {
	case resp := <-pc.ch:
		return resp.result, resp.err
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for reply: %w", context.Cause(ctx))
	case <-s.done:
		select {
		case resp := <-pc.ch: // the reply came just before the connection ended
			return resp.result, resp.err
		default:
		}
		return nil, fmt.Errorf("%w (the request may have been applied)", s.Err())
	}
}

func (s *session) register(onResult func(json.RawMessage) error) (uint64, *pendingCall, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return 0, nil, s.err
	}
	s.nextID++
	pc := &pendingCall{ch: make(chan response, 1), onResult: onResult}
	s.pending[s.nextID] = pc
	return s.nextID, pc, nil
}

func (s *session) unregister(id uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.pending, id)
}

func (s *session) write(ctx context.Context, v any) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	deadline, _ := ctx.Deadline() // zero time clears any previous deadline
	if err := s.conn.SetWriteDeadline(deadline); err != nil {
		return err
	}
	return s.enc.Encode(v)
}
