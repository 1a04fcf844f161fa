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
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"time"
)

// savedAddr is one address of a name in the state file.
type savedAddr struct {
	Name    string     `json:"name"`
	Addr    netip.Addr `json:"addr"`
	Expires time.Time  `json:"expires"`
}

// Load reads the state file (Config.StatePath), keeping the addresses that
// have not expired; call it before the cache is used. A missing file is an
// empty cache; on error the cache stays empty.
func (c *Cache) Load() error {
	if c.cfg.StatePath == "" {
		return nil
	}
	data, err := os.ReadFile(c.cfg.StatePath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("fqdn: reading %s: %w", c.cfg.StatePath, err)
	}
	var saved []savedAddr
	if err := json.Unmarshal(data, &saved); err != nil {
		return fmt.Errorf("fqdn: decoding %s: %w", c.cfg.StatePath, err)
	}
	now := c.cfg.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range saved {
		if !s.Expires.After(now) || !s.Addr.IsValid() || s.Name == "" {
			continue
		}
		addrs := c.names[s.Name]
		if addrs == nil {
			addrs = map[netip.Addr]time.Time{}
			c.names[s.Name] = addrs
		}
		addrs[s.Addr] = s.Expires
	}
	return nil
}

// snapshot is the cache as saved, under the lock; it clears the dirty mark.
func (c *Cache) snapshot() ([]savedAddr, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.dirty {
		return nil, false
	}
	c.dirty = false
	out := []savedAddr{}
	for name, addrs := range c.names {
		for a, exp := range addrs {
			out = append(out, savedAddr{Name: name, Addr: a, Expires: exp})
		}
	}
	return out, true
}

// save writes the cache to the state file if it changed since the last save;
// on failure the cache stays dirty.
func (c *Cache) save() error {
	if c.cfg.StatePath == "" {
		return nil
	}
	saved, dirty := c.snapshot()
	if !dirty {
		return nil
	}
	data, err := json.Marshal(saved)
	if err == nil {
		err = writeAtomic(c.cfg.StatePath, data)
	}
	if err != nil {
		c.mu.Lock()
		c.dirty = true
		c.mu.Unlock()
		return fmt.Errorf("fqdn: saving the cache: %w", err)
	}
	return nil
}

// writeAtomic replaces path with data: a reader (a restarted agent) sees the
// old or the new content, also across a crash.
func writeAtomic(path string, data []byte) (err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
