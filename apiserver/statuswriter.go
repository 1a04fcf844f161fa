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

package apiserver

import (
	"context"
	"fmt"

	"k8s.io/client-go/kubernetes"

	"github.com/strata-net/strata/apiserver/leader"
	"github.com/strata-net/strata/apiserver/policy"
)

// statusWriter is the status aggregator and, with several replicas, the elector of
// the one replica that writes.
type statusWriter struct {
	aggregator *policy.StatusAggregator
	elector    *leader.Elector // nil: this replica always writes
}

// run starts the aggregator and the campaign for the status Lease until ctx ends.
func (w statusWriter) run(ctx context.Context) {
	go w.aggregator.Run(ctx)
	if w.elector != nil {
		go w.elector.Run(ctx)
	}
}

// statusElector builds the elector of the status writer when leader election is
// configured, and makes the aggregator write only while this replica leads.
func (c CompletedConfig) statusElector(aggregator *policy.StatusAggregator) (*leader.Elector, error) {
	le := c.ExtraConfig.LeaderElection
	if le == nil {
		return nil, nil
	}
	if c.ExtraConfig.KubeClientConfig == nil {
		return nil, fmt.Errorf("leader election: the Lease needs kube-apiserver (not with --standalone)")
	}
	cfg := *le
	if cfg.Client == nil {
		client, err := kubernetes.NewForConfig(c.ExtraConfig.KubeClientConfig)
		if err != nil {
			return nil, fmt.Errorf("leader election: creating kube-apiserver's client: %w", err)
		}
		cfg.Client = client
	}
	cfg.OnElected = aggregator.StartTerm
	elector, err := leader.New(cfg)
	if err != nil {
		return nil, err
	}
	aggregator.WriteWhileLeading(elector)
	return elector, nil
}
