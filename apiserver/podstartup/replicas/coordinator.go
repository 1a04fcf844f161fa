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

package replicas

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/podstartup"
)

// Local is this replica's part of a Pod start (*podstartup.Barrier implements it).
type Local interface {
	Confirm(ctx context.Context, s *controlplane.PodStartup) ([]string, podstartup.Coverage, error)
}

// AckSink records the acknowledgements other replicas received for this one
// (*podstartup.Tracker implements it).
type AckSink interface {
	Report(node string, v podstartup.Versions)
}

// Config configures a Coordinator.
type Config struct {
	// Client reaches strata's etcd. Required.
	Client *clientv3.Client
	// Prefix is --etcd-prefix; the keys are under <Prefix>/podstartup/.
	Prefix string
	// Epoch is this process's numbering of its stores. Required.
	Epoch string
	// Local does this replica's part of the other replicas' Pod starts. Required.
	Local Local
	// Acks receives the sync reports of this epoch posted to other replicas. Required.
	Acks AckSink
	// OnLost is called when the registration is lost; nil does nothing.
	OnLost func()
	// Computed tells whether this replica's computation is complete; the
	// replica registers only then, so the others never wait for a replica that
	// cannot confirm yet (its API serves no agent before either). Nil: at once.
	Computed func() error
	// Rejoin runs before the replica registers again after its registration
	// was lost: Pods may have started meanwhile without it, and it must compute
	// with their saved addresses before it serves again. Nil: nothing.
	Rejoin func(ctx context.Context) error
	// LeaseTTL is the registration's etcd lease: how long the other replicas
	// wait for a replica killed without a word. Default 10s.
	LeaseTTL time.Duration
	// ConfirmTimeout bounds this replica's part of another's Pod start. Default 20s.
	ConfirmTimeout time.Duration
}

// Defaults fills zero values.
func (c *Config) Defaults() {
	if c.LeaseTTL == 0 {
		c.LeaseTTL = 10 * time.Second
	}
	if c.ConfirmTimeout == 0 {
		c.ConfirmTimeout = 20 * time.Second
	}
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	if c.Client == nil || c.Epoch == "" || c.Local == nil || c.Acks == nil {
		return errors.New("podstartup replicas: Client, Epoch, Local and Acks are required")
	}
	if c.LeaseTTL < 2*time.Second {
		return fmt.Errorf("podstartup replicas: LeaseTTL %s is under 2s", c.LeaseTTL)
	}
	if c.ConfirmTimeout < 0 {
		return fmt.Errorf("podstartup replicas: negative ConfirmTimeout %s", c.ConfirmTimeout)
	}
	return nil
}

// Coordinator is one replica's side of the barrier across replicas.
type Coordinator struct {
	cfg  Config
	root string

	mu          sync.Mutex
	lease       clientv3.LeaseID            // 0 while not registered
	live        map[string]clientv3.LeaseID // epoch → lease, mirrored
	gone        map[string]bool             // epochs seen live, then deleted
	liveSynced  bool
	following   bool          // the announcements are listed and watched
	liveChanged chan struct{} // closed and replaced at every change of live
	handling    map[string]context.CancelFunc
	stopRun     context.CancelFunc // ends Run (Close); nil until Run starts
}

var (
	_ podstartup.Peers     = (*Coordinator)(nil)
	_ podstartup.Forwarder = (*Coordinator)(nil)
)

// New returns a Coordinator; Run starts it.
func New(cfg Config) (*Coordinator, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Coordinator{cfg: cfg, root: cfg.Prefix + "/podstartup/", live: map[string]clientv3.LeaseID{}, gone: map[string]bool{},
		liveChanged: make(chan struct{}), handling: map[string]context.CancelFunc{}}, nil
}

// Ready tells whether this replica is registered and knows the live replicas:
// until then its controlplane API must not serve.
func (c *Coordinator) Ready() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.lease == 0:
		return errors.New("this replica's epoch is not registered in etcd")
	case !c.liveSynced:
		return errors.New("the live strata-apiserver replicas are not known yet")
	}
	return nil
}

// Run registers this replica and follows the other replicas until ctx ends.
func (c *Coordinator) Run(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c.mu.Lock()
	c.stopRun = cancel
	c.mu.Unlock()
	var wg sync.WaitGroup
	wg.Go(func() { c.register(ctx) })
	wg.Go(func() { c.follow(ctx, c.root+"epochs/", c.epochsFollower()) })
	wg.Go(func() { c.follow(ctx, c.root+"acks/"+c.cfg.Epoch+"/", c.acksFollower()) })
	wg.Go(func() { c.follow(ctx, c.root+"requests/", c.requestsFollower(ctx)) })
	wg.Wait()
}

// Close withdraws this replica's registration (a graceful shutdown): the others
// stop waiting for it at once.
func (c *Coordinator) Close(ctx context.Context) error {
	c.mu.Lock()
	lease, stop := c.lease, c.stopRun
	c.mu.Unlock()
	if stop != nil {
		stop() // no registration again after the revoke
	}
	if lease == 0 {
		return nil
	}
	if _, err := c.cfg.Client.Revoke(ctx, lease); err != nil {
		return fmt.Errorf("revoking the lease of epoch %s: %w", c.cfg.Epoch, err)
	}
	return nil
}

// broadcastLocked wakes the waiters on live; c.mu is held.
func (c *Coordinator) broadcastLocked() {
	close(c.liveChanged)
	c.liveChanged = make(chan struct{})
}

// isGone tells whether epoch was live and has been withdrawn or expired.
func (c *Coordinator) isGone(epoch string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gone[epoch]
}

// others returns the live epochs but this one, and a channel closed at the next
// change.
func (c *Coordinator) others() ([]string, <-chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, 0, len(c.live))
	for e := range c.live {
		if e != c.cfg.Epoch {
			out = append(out, e)
		}
	}
	return out, c.liveChanged
}
