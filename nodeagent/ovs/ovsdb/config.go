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
	"errors"
	"fmt"
	"time"
)

// Config configures a Client.
type Config struct {
	// SocketPath is ovsdb-server's unix socket, e.g. <rundir>/db.sock.
	// Required.
	SocketPath string
	// MinBackoff and MaxBackoff bound the delay between reconnection
	// attempts: it doubles from MinBackoff up to MaxBackoff, with jitter, and
	// starts over once a connection has lasted MaxBackoff. Defaults 100ms
	// and 5s.
	MinBackoff, MaxBackoff time.Duration
	// AttemptTimeout bounds one reconnection attempt: the dial and sending
	// the monitor requests again. Default 10s.
	AttemptTimeout time.Duration
}

// Defaults fills the zero fields.
func (c *Config) Defaults() {
	if c.MinBackoff == 0 {
		c.MinBackoff = 100 * time.Millisecond
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = 5 * time.Second
	}
	if c.AttemptTimeout == 0 {
		c.AttemptTimeout = 10 * time.Second
	}
}

// Validate checks the config (after Defaults).
func (c Config) Validate() error {
	var errs []error
	if c.SocketPath == "" {
		errs = append(errs, errors.New("SocketPath: required"))
	}
	if c.MinBackoff <= 0 || c.MaxBackoff < c.MinBackoff {
		errs = append(errs, fmt.Errorf("MinBackoff %v, MaxBackoff %v: want 0 < MinBackoff <= MaxBackoff", c.MinBackoff, c.MaxBackoff))
	}
	if c.AttemptTimeout <= 0 {
		errs = append(errs, fmt.Errorf("AttemptTimeout %v: must be positive", c.AttemptTimeout))
	}
	return errors.Join(errs...)
}
