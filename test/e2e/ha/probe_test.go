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

package ha

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/strata-net/strata/test/e2e/framework"
)

const (
	// probeInterval is how often each pair is probed (the fault suite's prober).
	probeInterval = 200 * time.Millisecond
	// probeTimeout bounds one connection attempt: a Drop is a timeout.
	probeTimeout = 1 * time.Second
)

// pair is a connection probed all along: from a Pod's network namespace to a
// server, which policy forbids or allows.
type pair struct {
	name      string
	netns     string
	addr      string
	forbidden bool
}

// probeCounts is what the prober saw of one pair.
type probeCounts struct {
	attempts, successes int
	forbiddenAt         []time.Time // successes of a forbidden pair
	lastErr             error
}

// prober connects every pair every probeInterval until stopped.
type prober struct {
	mu     sync.Mutex
	counts map[string]*probeCounts
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func startProber(ctx context.Context, pairs []pair) *prober {
	ctx, cancel := context.WithCancel(ctx)
	p := &prober{counts: map[string]*probeCounts{}, cancel: cancel}
	for _, pr := range pairs {
		p.counts[pr.name] = &probeCounts{}
		p.wg.Go(func() { p.run(ctx, pr) })
	}
	return p
}

// run starts an attempt every interval; each attempt runs on its own, since a
// dropped one lasts probeTimeout.
func (p *prober) run(ctx context.Context, pr pair) {
	tick := time.NewTicker(probeInterval)
	defer tick.Stop()
	var attempts sync.WaitGroup
	defer attempts.Wait()
	for {
		attempts.Go(func() { p.record(pr, dialFrom(ctx, pr.netns, pr.addr)) })
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (p *prober) record(pr pair, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.counts[pr.name]
	c.attempts++
	if err != nil {
		c.lastErr = err
		return
	}
	c.successes++
	if pr.forbidden {
		c.forbiddenAt = append(c.forbiddenAt, time.Now())
	}
}

// forbiddenSuccesses lists every success of a forbidden pair so far.
func (p *prober) forbiddenSuccesses() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for name, c := range p.counts {
		for _, at := range c.forbiddenAt {
			out = append(out, fmt.Sprintf("%s at %s", name, at.Format("15:04:05.000")))
		}
	}
	return out
}

// summary is "name: successes/attempts" of every pair.
func (p *prober) summary() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for name, c := range p.counts {
		out = append(out, fmt.Sprintf("%s: %d/%d connected", name, c.successes, c.attempts))
	}
	return out
}

func (p *prober) stop() {
	p.cancel()
	p.wg.Wait()
}

// dialFrom connects to addr over TCP from inside the network namespace netns.
func dialFrom(ctx context.Context, netns, addr string) error {
	return framework.DialFrom(ctx, netns, addr, probeTimeout)
}
