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
	"time"

	utilerrors "k8s.io/apimachinery/pkg/util/errors"

	"github.com/strata-net/strata/generated/clientset/versioned"
)

// Config configures a Controller. Zero durations and sizes take the defaults of
// Defaults.
type Config struct {
	// NodeName is this Node; the watches select its slice (fieldSelector nodeName).
	NodeName string
	// Client reaches strata-apiserver's controlplane.antrea.io/v1beta2.
	Client versioned.Interface
	// Reconciler installs the rules.
	Reconciler Reconciler
	// StatusReporter reports the realization of Antrea-native policies and upstream
	// ClusterNetworkPolicies; nil posts through Client (NewClientStatusReporter).
	StatusReporter StatusReporter
	// SyncReporter reports up to which resourceVersions this Node installed what
	// its watches delivered (the Pod start-up barrier waits on it); nil posts
	// through Client (NewClientSyncReporter).
	SyncReporter SyncReporter
	// DatapathSync, when set, returns once the datapath's cached flows reflect the
	// flows installed so far (ovs-vswitchd's revalidator/purge): the datapath keeps
	// wildcarded copies of earlier verdicts, which may still let packets through
	// after their rule changed. It runs after every change of the installed rules,
	// and acknowledgements are reported only after it.
	DatapathSync func(ctx context.Context) error
	// StateDir keeps the last synced state for when strata-apiserver is
	// unreachable at start; "" disables saving and the fallback.
	StateDir string
	// BatchSize is the most rules handed to one Reconcile call, except for the
	// first full sync, which is one batch. Default 100.
	BatchSize int
	// ResyncBackoff is the wait between two watches of a kind after an error.
	// Default 500ms doubling up to 30s, each wait lengthened by up to half
	// (Jitter 0.5) so that the agents of a restarted replica do not all come back
	// at once; reset by a watch that synced.
	ResyncBackoff Backoff
	// RetryBackoff is the wait before retrying a rule the Reconciler failed on, or
	// a status report that failed, per rule or policy. Default 1s doubling up to 5m.
	RetryBackoff Backoff
	// Timeouts are the waits for the initial state.
	Timeouts Timeouts
	// PersistInterval is the least time between two saves of the state. Default 30s.
	PersistInterval time.Duration
}

// Backoff is an exponential backoff: Initial, doubled after each failure up to Max;
// each wait is lengthened by a random fraction of itself up to Jitter (0: none).
type Backoff struct {
	Initial time.Duration
	Max     time.Duration
	Jitter  float64
}

// next is the delay after d: doubled, up to Max.
func (b Backoff) next(d time.Duration) time.Duration { return min(2*d, b.Max) }

// wait is how long to wait for a delay d, given a random number in [0, 1).
func (b Backoff) wait(d time.Duration, random float64) time.Duration {
	return d + time.Duration(float64(d)*b.Jitter*random)
}

// Timeouts are the waits for the initial state.
type Timeouts struct {
	// InitialBookmark is how long each watch waits for the BOOKMARK that ends its
	// initial state before it gives up and watches again. Default 1m.
	InitialBookmark time.Duration
	// Fallback is how long, at start, the Controller waits for the first full sync
	// of the three kinds before it enforces the saved state. Default 10s.
	Fallback time.Duration
}

// The defaults.
const (
	DefaultBatchSize              = 100
	DefaultInitialBookmarkTimeout = time.Minute
	DefaultFallbackTimeout        = 10 * time.Second
	DefaultPersistInterval        = 30 * time.Second
	DefaultResyncJitter           = 0.5
)

// Defaults fills the zero values.
func (c *Config) Defaults() {
	if c.SyncReporter == nil && c.Client != nil {
		c.SyncReporter = NewClientSyncReporter(c.Client)
	}
	if c.StatusReporter == nil && c.Client != nil {
		c.StatusReporter = NewClientStatusReporter(c.Client)
	}
	if c.BatchSize == 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.ResyncBackoff == (Backoff{}) {
		c.ResyncBackoff.Jitter = DefaultResyncJitter
	}
	c.ResyncBackoff.defaults(500*time.Millisecond, 30*time.Second)
	c.RetryBackoff.defaults(time.Second, 5*time.Minute)
	if c.Timeouts.InitialBookmark == 0 {
		c.Timeouts.InitialBookmark = DefaultInitialBookmarkTimeout
	}
	if c.Timeouts.Fallback == 0 {
		c.Timeouts.Fallback = DefaultFallbackTimeout
	}
	if c.PersistInterval == 0 {
		c.PersistInterval = DefaultPersistInterval
	}
}

func (b *Backoff) defaults(initial, limit time.Duration) {
	if b.Initial == 0 {
		b.Initial = initial
	}
	if b.Max == 0 {
		b.Max = max(limit, b.Initial)
	}
}

// Validate reports every invalid field.
func (c *Config) Validate() error {
	var errs []error
	if c.NodeName == "" {
		errs = append(errs, errors.New("NodeName is required"))
	}
	if c.Client == nil {
		errs = append(errs, errors.New("Client is required"))
	}
	if c.Reconciler == nil {
		errs = append(errs, errors.New("Reconciler is required"))
	}
	if c.StatusReporter == nil {
		errs = append(errs, errors.New("StatusReporter is required (Defaults sets it from Client)"))
	}
	if c.SyncReporter == nil {
		errs = append(errs, errors.New("SyncReporter is required (Defaults sets it from Client)"))
	}
	if c.BatchSize <= 0 {
		errs = append(errs, fmt.Errorf("BatchSize must be positive, not %d", c.BatchSize))
	}
	errs = append(errs, c.ResyncBackoff.validate("ResyncBackoff"), c.RetryBackoff.validate("RetryBackoff"))
	for _, d := range []struct {
		name string
		d    time.Duration
	}{{"Timeouts.InitialBookmark", c.Timeouts.InitialBookmark}, {"Timeouts.Fallback", c.Timeouts.Fallback},
		{"PersistInterval", c.PersistInterval}} {
		if d.d <= 0 {
			errs = append(errs, fmt.Errorf("%s must be positive, not %v", d.name, d.d))
		}
	}
	return utilerrors.NewAggregate(errs)
}

func (b Backoff) validate(name string) error {
	if b.Initial <= 0 || b.Max < b.Initial {
		return fmt.Errorf("%s must have 0 < Initial <= Max, not %v and %v", name, b.Initial, b.Max)
	}
	if b.Jitter < 0 || b.Jitter > 1 {
		return fmt.Errorf("%s.Jitter must be within [0, 1], not %v", name, b.Jitter)
	}
	return nil
}
