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

package options

import (
	"fmt"
	"os"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/util/uuid"

	"github.com/strata-net/strata/apiserver/leader"
)

// leaderDefaults are the Lease's defaults.
func leaderDefaults() leader.Config {
	cfg := leader.Config{}
	cfg.Defaults()
	return cfg
}

func addLeaderFlags(fs *pflag.FlagSet, elect *bool, cfg *leader.Config) {
	fs.BoolVar(elect, "leader-elect", *elect,
		"Elect, through a coordination.k8s.io Lease in kube-apiserver, the one replica that writes policy status; every replica computes and serves the agents (docs/high-availability.md). Ignored with --standalone.")
	fs.StringVar(&cfg.Namespace, "leader-elect-lease-namespace", cfg.Namespace, "Namespace of the status Lease.")
	fs.StringVar(&cfg.Name, "leader-elect-lease-name", cfg.Name, "Name of the status Lease.")
	fs.DurationVar(&cfg.LeaseDuration, "leader-elect-lease-duration", cfg.LeaseDuration,
		"How long the other replicas wait after the leader's last renewal before taking the Lease over (whole seconds).")
	fs.DurationVar(&cfg.RenewDeadline, "leader-elect-renew-deadline", cfg.RenewDeadline,
		"How long the leader tries to renew before it stops writing; below --leader-elect-lease-duration.")
	fs.DurationVar(&cfg.RetryPeriod, "leader-elect-retry-period", cfg.RetryPeriod,
		"Interval between attempts to acquire or renew the Lease; below --leader-elect-renew-deadline.")
}

// leaderElection is the elector's configuration, nil when there is no election:
// --leader-elect=false, or --standalone (no kube-apiserver to hold a Lease).
func (o *Options) leaderElection() *leader.Config {
	if !o.LeaderElect || o.Standalone {
		return nil
	}
	cfg := o.LeaderElection
	cfg.Identity = replicaIdentity()
	return &cfg
}

// replicaIdentity tells replicas apart, also two processes on one host.
func replicaIdentity() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "strata-apiserver"
	}
	return host + "_" + string(uuid.NewUUID())
}

// validateLeaderElection checks the Lease's flags when there is an election.
func (o *Options) validateLeaderElection() []error {
	cfg := o.leaderElection()
	if cfg == nil {
		return nil
	}
	if err := cfg.ValidateLease(); err != nil {
		return []error{fmt.Errorf("--leader-elect-lease-namespace, --leader-elect-lease-name, --leader-elect-lease-duration, --leader-elect-renew-deadline, --leader-elect-retry-period: %w", err)}
	}
	return nil
}
