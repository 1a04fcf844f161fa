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

import "sync"

// syncState is what the Tracker knows of the Sink: per Service, the ports
// last synced, and which Services listed at start are still to sync once.
type syncState struct {
	mu sync.Mutex
	// installed holds every Service the Sink may hold ports of. valid is
	// false after a failed call, when they are not known.
	installed map[ServiceRef]installedPorts
	// initial are the Services listed at start not yet synced; nil before
	// the informers synced.
	initial map[ServiceRef]struct{}
}

type installedPorts struct {
	ports []ServicePort
	valid bool
}

func newSyncState() *syncState {
	return &syncState{installed: map[ServiceRef]installedPorts{}}
}

// expect records the Services to sync before HasSynced.
func (s *syncState) expect(refs []ServiceRef) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.initial = make(map[ServiceRef]struct{}, len(refs))
	for _, r := range refs {
		s.initial[r] = struct{}{}
	}
}

// synced records that ref was synced; it tells whether that made the
// initial sync complete.
func (s *syncState) synced(ref ServiceRef) (completed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.initial[ref]; !ok {
		return false
	}
	delete(s.initial, ref)
	return len(s.initial) == 0
}

// initialDone tells whether every Service listed at start was synced.
func (s *syncState) initialDone() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.initial != nil && len(s.initial) == 0
}

// get returns what the Sink holds for ref; ok is false when it holds
// nothing.
func (s *syncState) get(ref ServiceRef) (p installedPorts, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok = s.installed[ref]
	return p, ok
}

// set records that the Sink holds ports for ref (not known unless valid).
func (s *syncState) set(ref ServiceRef, ports []ServicePort, valid bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.installed[ref] = installedPorts{ports: ports, valid: valid}
}

// forget records that the Sink holds nothing for ref.
func (s *syncState) forget(ref ServiceRef) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.installed, ref)
}
