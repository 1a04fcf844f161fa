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

package policy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"k8s.io/client-go/tools/cache"
)

// readiness tracks whether the computation has published a complete state: every
// informer delivered its initial list and the first pass over all of it has been
// handed to the Sink. Until then the published objects are partial, and serving
// them would let an agent replace its flows with less than the policies say.
type readiness struct {
	published atomic.Bool
	informers []*informerSync
}

// informerSync is one informer's sync state, with the last error its list or
// watch returned (for example an object in etcd that cannot be decoded: the error
// names its key).
type informerSync struct {
	resource string
	synced   cache.InformerSynced
	mu       sync.Mutex
	lastErr  error
}

// track records inf's sync and its list and watch errors under resource.
func (r *readiness) track(resource string, inf cache.SharedIndexInformer, synced cache.InformerSynced) {
	s := &informerSync{resource: resource, synced: synced}
	// A shared informer takes one error handler, and only before it starts; the
	// computation's informers are its own until Run, so a refusal means another
	// user started it first: the sync is still tracked, only the cause is lost.
	_ = inf.SetWatchErrorHandlerWithContext(func(ctx context.Context, rf *cache.Reflector, err error) {
		s.mu.Lock()
		s.lastErr = err
		s.mu.Unlock()
		cache.DefaultWatchErrorHandler(ctx, rf, err)
	})
	r.informers = append(r.informers, s)
}

// syncedFuncs are the informers' sync functions, for WaitForCacheSync.
func (r *readiness) syncedFuncs() []cache.InformerSynced {
	out := make([]cache.InformerSynced, 0, len(r.informers))
	for _, s := range r.informers {
		out = append(out, s.synced)
	}
	return out
}

// Ready returns nil once the first complete state has been published. Otherwise
// the error says what is missing: the informers that have not synced, each with
// its last list or watch error.
func (r *readiness) Ready() error {
	if r.published.Load() {
		return nil
	}
	var waiting []string
	for _, s := range r.informers {
		if s.synced() {
			continue
		}
		s.mu.Lock()
		err := s.lastErr
		s.mu.Unlock()
		if err != nil {
			waiting = append(waiting, fmt.Sprintf("%s (last error: %v)", s.resource, err))
		} else {
			waiting = append(waiting, s.resource)
		}
	}
	if len(waiting) > 0 {
		return fmt.Errorf("the policy computation waits for its informers to sync: %s", strings.Join(waiting, "; "))
	}
	return errors.New("the policy computation has not published its first complete state yet")
}

// Resources are the resources the computation is fed from, in the order tracked.
func (r *readiness) Resources() []string {
	out := make([]string, 0, len(r.informers))
	for _, s := range r.informers {
		out = append(out, s.resource)
	}
	return out
}

// InformerReady returns nil once the informer of resource has synced; before, an
// error with its last list or watch error.
func (r *readiness) InformerReady(resource string) error {
	for _, s := range r.informers {
		if s.resource != resource {
			continue
		}
		if s.synced() {
			return nil
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.lastErr != nil {
			return fmt.Errorf("%s has not synced: %w", resource, s.lastErr)
		}
		return fmt.Errorf("%s has not synced", resource)
	}
	return fmt.Errorf("no informer of %s", resource)
}
