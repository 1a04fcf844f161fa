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

package stats

import (
	"context"
	"errors"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/generated/clientset/versioned"
	"github.com/strata-net/strata/nodeagent/pipeline"
	"github.com/strata-net/strata/nodeagent/types"
)

// Counters reads the counters of every installed rule (pipeline.PolicyFlows).
type Counters interface {
	RuleCounters(ctx context.Context) (map[types.RuleID]pipeline.RuleCounter, error)
}

// Config configures the collector.
type Config struct {
	// NodeName names the summaries. Required.
	NodeName string
	// Counters are read every Interval. Required.
	Counters Counters
	// Client posts the summaries. Required.
	Client versioned.Interface
	// Interval between reports. Default 60s (as Antrea's agents).
	Interval time.Duration
}

// Defaults fills zero values.
func (c *Config) Defaults() {
	if c.Interval == 0 {
		c.Interval = time.Minute
	}
}

// Validate reports every invalid field.
func (c *Config) Validate() error {
	var errs []error
	if c.NodeName == "" {
		errs = append(errs, errors.New("stats: NodeName is required"))
	}
	if c.Counters == nil || c.Client == nil {
		errs = append(errs, errors.New("stats: Counters and Client are required"))
	}
	if c.Interval < 0 {
		errs = append(errs, fmt.Errorf("--stats-interval: negative %s", c.Interval))
	}
	return errors.Join(errs...)
}

// Collector reports the rules' increments every interval.
type Collector struct {
	cfg Config
	// last are the counters the last successful report covered.
	last map[types.RuleID]pipeline.RuleMetric
}

// New checks cfg.
func New(cfg Config) (*Collector, error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Collector{cfg: cfg, last: map[types.RuleID]pipeline.RuleMetric{}}, nil
}

// Run reports every interval until ctx ends; a failed report is logged and its
// increments go with the next one.
func (c *Collector) Run(ctx context.Context) {
	logger := klog.FromContext(ctx)
	t := time.NewTicker(c.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := c.Report(ctx); err != nil && ctx.Err() == nil {
			logger.Error(err, "Reporting the rules' traffic statistics failed; the counts go with the next report")
		}
	}
}

// Report reads the counters and posts their increments (nothing when none).
func (c *Collector) Report(ctx context.Context) error {
	counters, err := c.cfg.Counters.RuleCounters(ctx)
	if err != nil {
		return fmt.Errorf("reading the rules' counters: %w", err)
	}
	summary := summarize(c.cfg.NodeName, counters, c.last)
	if !summary.empty() {
		_, err := c.cfg.Client.ControlplaneV1beta2().NodeStatsSummaries().Create(ctx, summary.NodeStatsSummary, metav1.CreateOptions{})
		if err != nil {
			return fmt.Errorf("POST nodestatssummaries/%s: %w", c.cfg.NodeName, err)
		}
	}
	c.last = make(map[types.RuleID]pipeline.RuleMetric, len(counters))
	for id, rc := range counters {
		c.last[id] = rc.RuleMetric
	}
	return nil
}
