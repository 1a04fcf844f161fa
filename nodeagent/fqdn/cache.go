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

package fqdn

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"k8s.io/klog/v2"
)

// DefaultMinTTL is the shortest time an address is kept unless configured.
const DefaultMinTTL = 5 * time.Second

// Config configures a Cache.
type Config struct {
	// MinTTL is the shortest time an address is kept (see the package doc).
	// Default 5 s.
	MinTTL time.Duration
	// MaxNames bounds the names kept; a response naming a new name beyond
	// it is not learnt (and logged). Default 100000.
	MaxNames int
	// RetryDelay is how long Run waits before retrying a failed OnChange.
	// Default 1 s.
	RetryDelay time.Duration
	// Now is the clock (tests). Default time.Now.
	Now func() time.Time
	// StatePath, when set, keeps the cache across restarts: Load reads the
	// addresses that have not expired, and Run saves the cache at most
	// every SaveInterval after a change. A restarted agent then installs
	// the FQDN rules with the addresses its Pods may still use (their
	// resolvers cache the answers), a Drop rule included.
	StatePath string
	// SaveInterval paces the saves. Default 1 s.
	SaveInterval time.Duration
}

// Defaults fills zero values.
func (c *Config) Defaults() {
	if c.MinTTL == 0 {
		c.MinTTL = DefaultMinTTL
	}
	if c.MaxNames == 0 {
		c.MaxNames = 100000
	}
	if c.RetryDelay == 0 {
		c.RetryDelay = time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.SaveInterval == 0 {
		c.SaveInterval = time.Second
	}
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	if c.MinTTL < 0 {
		return fmt.Errorf("fqdn: negative MinTTL %s", c.MinTTL)
	}
	if c.MaxNames < 0 {
		return fmt.Errorf("fqdn: negative MaxNames %d", c.MaxNames)
	}
	return nil
}

// Cache holds the learnt addresses of names with their expiry. It is safe
// for concurrent use.
type Cache struct {
	cfg Config
	mu  sync.Mutex
	// names maps a normalized name to its addresses' expiry times.
	names map[string]map[netip.Addr]time.Time
	// wake tells Run that an earlier expiry may exist.
	wake chan struct{}
	// dirty says that the cache changed since the last save.
	dirty bool
	// lastSave is when Run last saved (Run's goroutine only).
	lastSave time.Time
}

// New returns an empty cache.
func New(cfg Config) (*Cache, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Cache{cfg: cfg, names: map[string]map[netip.Addr]time.Time{}, wake: make(chan struct{}, 1)}, nil
}

// Learn records the addresses of a response and returns the names that
// gained an address (sorted); refreshing a known address changes no name.
func (c *Cache) Learn(ctx context.Context, recs []Record) []string {
	now := c.cfg.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	changed := map[string]bool{}
	for _, r := range recs {
		addrs, ok := c.names[r.Name]
		if !ok {
			if len(c.names) >= c.cfg.MaxNames {
				klog.FromContext(ctx).Info("Not learning a DNS name: the FQDN cache is full", "name", r.Name, "maxNames", c.cfg.MaxNames)
				continue
			}
			addrs = map[netip.Addr]time.Time{}
			c.names[r.Name] = addrs
		}
		if _, known := addrs[r.Addr]; !known {
			changed[r.Name] = true
		}
		addrs[r.Addr] = now.Add(max(r.TTL, c.cfg.MinTTL))
	}
	if len(recs) > 0 {
		c.dirty = true
		c.poke()
	}
	return sortedKeys(changed)
}

func (c *Cache) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Addresses are the current addresses of the names a pattern matches,
// sorted, each once.
func (c *Cache) Addresses(pattern string) []netip.Addr {
	pattern = Normalize(pattern)
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []netip.Addr
	if !strings.Contains(pattern, "*") {
		for a := range c.names[pattern] {
			out = append(out, a)
		}
	} else {
		for name, addrs := range c.names {
			if glob(pattern, name) {
				for a := range addrs {
					out = append(out, a)
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b netip.Addr) int { return a.Compare(b) })
	return slices.Compact(out)
}

// expire removes the addresses whose time has come and returns the names
// that lost one (sorted), and the next expiry (zero when none).
func (c *Cache) expire(now time.Time) (changed []string, next time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lost := map[string]bool{}
	for name, addrs := range c.names {
		for a, exp := range addrs {
			switch {
			case !exp.After(now):
				delete(addrs, a)
				lost[name] = true
			case next.IsZero() || exp.Before(next):
				next = exp
			}
		}
		if len(addrs) == 0 {
			delete(c.names, name)
		}
	}
	if len(lost) > 0 {
		c.dirty = true
	}
	return sortedKeys(lost), next
}

// OnChange is told the names whose addresses changed; an error makes Run
// tell it again later.
type OnChange func(ctx context.Context, names []string) error

// Run expires addresses as their TTLs run out and tells onChange, and
// saves the cache (Config.StatePath), until ctx ends. Names whose onChange
// failed are retried with the next ones.
func (c *Cache) Run(ctx context.Context, onChange OnChange) {
	logger := klog.FromContext(ctx)
	pending := map[string]bool{}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		names, next := c.expire(c.cfg.Now())
		for _, n := range names {
			pending[n] = true
		}
		wait := time.Hour
		if !next.IsZero() {
			wait = max(next.Sub(c.cfg.Now()), 0)
		}
		if len(pending) > 0 {
			if err := onChange(ctx, sortedKeys(pending)); err != nil {
				logger.Error(err, "Updating the rules of expired DNS addresses; retrying", "names", len(pending))
				wait = min(wait, c.cfg.RetryDelay)
			} else {
				clear(pending)
			}
		}
		wait = min(wait, c.saveDue(ctx))
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			c.lastSave = time.Time{}
			_ = c.saveDue(context.WithoutCancel(ctx)) // what changed since the last save
			return
		case <-c.wake: // Go 1.23 timers: Reset needs no drain
		case <-timer.C:
		}
	}
}

// saveDue saves the cache when it changed and SaveInterval has passed since
// the last save, and returns how long until the next save may be due.
func (c *Cache) saveDue(ctx context.Context) time.Duration {
	if c.cfg.StatePath == "" {
		return time.Hour
	}
	if since := c.cfg.Now().Sub(c.lastSave); since < c.cfg.SaveInterval {
		return c.cfg.SaveInterval - since
	}
	if err := c.save(); err != nil {
		klog.FromContext(ctx).Error(err, "Saving the FQDN cache; retrying")
	}
	c.lastSave = c.cfg.Now()
	return c.cfg.SaveInterval
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
