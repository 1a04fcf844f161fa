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

package proxy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// sinkCall is one call a recordingSink received.
type sinkCall struct {
	Op      string // "sync" or "delete"
	Service ServiceRef
	Ports   []ServicePort
	Err     error
}

func (c sinkCall) String() string {
	return fmt.Sprintf("%s %s (%d ports, err %v)", c.Op, c.Service, len(c.Ports), c.Err)
}

// recordingSink records every call and fails the next fail[svc] calls of a
// Service.
type recordingSink struct {
	mu    sync.Mutex
	calls []sinkCall
	fail  map[ServiceRef]int
}

var errSinkFailure = errors.New("injected Sink failure")

func newRecordingSink() *recordingSink { return &recordingSink{fail: map[ServiceRef]int{}} }

func (s *recordingSink) SyncService(_ context.Context, svc ServiceRef, ports []ServicePort) error {
	return s.record(sinkCall{Op: "sync", Service: svc, Ports: ports})
}

func (s *recordingSink) DeleteService(_ context.Context, svc ServiceRef) error {
	return s.record(sinkCall{Op: "delete", Service: svc})
}

func (s *recordingSink) record(c sinkCall) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail[c.Service] > 0 {
		s.fail[c.Service]--
		c.Err = errSinkFailure
	}
	s.calls = append(s.calls, c)
	return c.Err
}

// failNext makes the next n calls for svc fail.
func (s *recordingSink) failNext(svc ServiceRef, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail[svc] = n
}

// snapshot returns the calls so far.
func (s *recordingSink) snapshot() []sinkCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// callsFor returns the calls so far for svc.
func (s *recordingSink) callsFor(svc ServiceRef) []sinkCall {
	var out []sinkCall
	for _, c := range s.snapshot() {
		if c.Service == svc {
			out = append(out, c)
		}
	}
	return out
}
