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

package localcluster

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strata-net/strata/test/e2e/framework"
)

const (
	// probeInterval is how often each pair is probed.
	probeInterval = 200 * time.Millisecond
	// probeTimeout bounds one connection attempt: a Drop is a timeout.
	probeTimeout = 1 * time.Second
)

// probePair is a connection the prober keeps trying: from the network namespace
// of a Pod to an address, which policy either forbids or allows.
type probePair struct {
	name      string
	src       *source // the source Pod
	srcName   string
	addr      string // ip:port
	forbidden bool
}

// source is a Pod the prober connects from: its network namespace, which changes
// when the Pod is deleted and created again. A Pod being deleted has no process
// left to send anything: retire cancels the attempts still in flight from its
// namespace (whose SYN retransmissions would otherwise pass once the Pod's
// address leaves the policy's groups) and makes new ones wait for its successor.
type source struct {
	mu     sync.Mutex
	netns  string // "" while retired
	ctx    context.Context
	cancel context.CancelFunc
}

func newSource(netns string) *source {
	s := &source{}
	s.use(netns)
	return s
}

// use makes the prober connect from netns.
func (s *source) use(netns string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.netns = netns
	s.ctx, s.cancel = context.WithCancel(context.Background())
}

// retire stops every attempt from the current namespace.
func (s *source) retire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.netns = ""
	if s.cancel != nil {
		s.cancel()
	}
}

// current is the namespace to connect from and the context of its attempts; ""
// while retired.
func (s *source) current() (string, context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.netns, s.ctx
}

// probeLog is what the prober saw of one pair: every success of a forbidden
// connection, and the intervals during which an allowed one failed.
type probeLog struct {
	mu         sync.Mutex
	successes  []time.Time // forbidden connections that connected
	failing    time.Time   // allowed: start of the current outage, zero when up
	outages    []outage
	lastErr    error
	attempts   int
	okAttempts int
}

// outage is a time an allowed connection failed, from its first failed attempt to
// its next success (open when end is zero).
type outage struct{ start, end time.Time }

// prober probes every pair from its own goroutine until stopped.
type prober struct {
	pairs  []probePair
	logs   map[string]*probeLog
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func startProber(ctx context.Context, pairs []probePair) *prober {
	ctx, cancel := context.WithCancel(ctx)
	p := &prober{pairs: pairs, logs: map[string]*probeLog{}, cancel: cancel}
	for _, pair := range pairs {
		l := &probeLog{}
		p.logs[pair.name] = l
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.run(ctx, pair, l)
		}()
	}
	return p
}

// run probes pair every probeInterval until ctx ends. An allowed pair is probed
// in turn (it answers at once); a forbidden one is dropped and so times out after
// probeTimeout, so each of its attempts runs on its own and one starts every
// interval all the same.
func (p *prober) run(ctx context.Context, pair probePair, l *probeLog) {
	tick := time.NewTicker(probeInterval)
	defer tick.Stop()
	var attempts sync.WaitGroup
	defer attempts.Wait()
	for {
		if netns, attemptCtx := pair.src.current(); netns != "" {
			attempt := func() { l.record(pair, dialFrom(attemptCtx, netns, pair.addr)) }
			if pair.forbidden {
				attempts.Go(attempt)
			} else {
				attempt()
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (p *prober) stop() {
	p.cancel()
	p.wg.Wait()
}

func (l *probeLog) record(pair probePair, err error) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.attempts++
	if err == nil {
		l.okAttempts++
	} else {
		l.lastErr = err
	}
	switch {
	case pair.forbidden && err == nil:
		l.successes = append(l.successes, now)
	case !pair.forbidden && err != nil && l.failing.IsZero():
		l.failing = now
		l.outages = append(l.outages, outage{start: now})
	case !pair.forbidden && err == nil && !l.failing.IsZero():
		l.failing = time.Time{}
		l.outages[len(l.outages)-1].end = now
	}
}

// mark is a point in the probe logs: counts taken at one moment.
type mark struct {
	at        time.Time
	successes map[string]int
	outages   map[string]int
}

func (p *prober) mark() mark {
	m := mark{at: time.Now(), successes: map[string]int{}, outages: map[string]int{}}
	for name, l := range p.logs {
		l.mu.Lock()
		m.successes[name], m.outages[name] = len(l.successes), len(l.outages)
		l.mu.Unlock()
	}
	return m
}

// since sums what happened after m: forbidden successes, and the longest outage of
// an allowed pair that started after m (an open one counts up to now).
func (p *prober) since(m mark) (forbidden int, longest time.Duration, detail []string) {
	for _, pair := range p.pairs {
		l := p.logs[pair.name]
		l.mu.Lock()
		if pair.forbidden {
			if n := len(l.successes) - m.successes[pair.name]; n > 0 {
				forbidden += n
				first, last := l.successes[m.successes[pair.name]], l.successes[len(l.successes)-1]
				detail = append(detail, fmt.Sprintf("%s connected %d times, from %s to %s", pair.name, n,
					first.Format("15:04:05.000"), last.Format("15:04:05.000")))
			}
		}
		for _, o := range l.outages[m.outages[pair.name]:] {
			end := o.end
			if end.IsZero() {
				end = time.Now()
			}
			if d := end.Sub(o.start); d > longest {
				longest = d
			}
			detail = append(detail, fmt.Sprintf("%s down %s", pair.name, end.Sub(o.start).Round(time.Millisecond)))
		}
		l.mu.Unlock()
	}
	return forbidden, longest, detail
}

// up tells whether every allowed pair's last attempt succeeded.
func (p *prober) up() error {
	var down []string
	for _, pair := range p.pairs {
		l := p.logs[pair.name]
		l.mu.Lock()
		if !pair.forbidden && !l.failing.IsZero() {
			down = append(down, fmt.Sprintf("%s (since %s: %v)", pair.name, time.Since(l.failing).Round(time.Millisecond), l.lastErr))
		}
		l.mu.Unlock()
	}
	if len(down) > 0 {
		return fmt.Errorf("allowed connections down: %s", strings.Join(down, "; "))
	}
	return nil
}

// dialFrom connects to addr over TCP from inside the network namespace netns;
// ctx ends the attempt early.
func dialFrom(ctx context.Context, netns, addr string) error {
	return framework.DialFrom(ctx, netns, addr, probeTimeout)
}

// podNetNS is the network namespace of a Pod of the local cluster, from its node
// substitute's state (nodes/K/vnode/pods/UID/state.json).
func podNetNS(t *testing.T, node int, uid string) string {
	t.Helper()
	netns, err := lc.PodNetNS(node, uid)
	if err != nil {
		t.Fatal(err)
	}
	return netns
}
