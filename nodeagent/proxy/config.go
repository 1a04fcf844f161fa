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
	"errors"
	"fmt"
	"time"

	"k8s.io/client-go/kubernetes"
)

// Config configures a Tracker. Zero durations and sizes take the defaults of
// Defaults.
type Config struct {
	// Kube watches Services and EndpointSlices on kube-apiserver.
	Kube kubernetes.Interface
	// NodeName is this Node: endpoints with this nodeName are local.
	NodeName string
	// Sink installs the Service ports.
	Sink Sink
	// Workers is how many Services are synced at once. Default 2.
	Workers int
	// Resync is the informers' resync period: every Service is computed
	// again, and synced only if its ports changed. Default 15m (kube-proxy's
	// configSyncPeriod).
	Resync time.Duration
	// RetryBackoff is the wait before syncing again a Service the Sink
	// failed on, per Service. Default 500ms doubling up to 5m.
	RetryBackoff Backoff
}

// Backoff is an exponential backoff: Initial, doubled after each failure up
// to Max.
type Backoff struct {
	Initial time.Duration
	Max     time.Duration
}

// The defaults.
const (
	DefaultWorkers      = 2
	DefaultResync       = 15 * time.Minute
	DefaultRetryInitial = 500 * time.Millisecond
	DefaultRetryMax     = 5 * time.Minute
)

// Defaults fills the zero values.
func (c *Config) Defaults() {
	if c.Workers == 0 {
		c.Workers = DefaultWorkers
	}
	if c.Resync == 0 {
		c.Resync = DefaultResync
	}
	if c.RetryBackoff.Initial == 0 {
		c.RetryBackoff.Initial = DefaultRetryInitial
	}
	if c.RetryBackoff.Max == 0 {
		c.RetryBackoff.Max = max(DefaultRetryMax, c.RetryBackoff.Initial)
	}
}

// Validate reports every invalid field.
func (c *Config) Validate() error {
	var errs []error
	if c.Kube == nil {
		errs = append(errs, errors.New("proxy: Kube is required"))
	}
	if c.NodeName == "" {
		errs = append(errs, errors.New("proxy: NodeName is required"))
	}
	if c.Sink == nil {
		errs = append(errs, errors.New("proxy: Sink is required"))
	}
	if c.Workers <= 0 {
		errs = append(errs, fmt.Errorf("proxy: Workers must be positive, not %d", c.Workers))
	}
	if c.Resync <= 0 {
		errs = append(errs, fmt.Errorf("proxy: Resync must be positive, not %v", c.Resync))
	}
	if b := c.RetryBackoff; b.Initial <= 0 || b.Max < b.Initial {
		errs = append(errs, fmt.Errorf("proxy: RetryBackoff must have 0 < Initial <= Max, not %v and %v", b.Initial, b.Max))
	}
	return errors.Join(errs...)
}
