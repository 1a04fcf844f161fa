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
	"github.com/spf13/pflag"

	"github.com/strata-net/strata/apiserver/reports"
)

func addSharedReportsFlag(fs *pflag.FlagSet, shared *bool) {
	fs.BoolVar(shared, "shared-realization-reports", *shared,
		"Keep the state the replicas share in strata's etcd: the node agents' realization reports (under <etcd-prefix>/realizationreports/), so that the status writer counts the reports posted to every replica, and the Pod start-up barrier's announcements, acknowledgements and starting Pods' addresses (under <etcd-prefix>/podstartup/), so that a Pod starts only once every replica's agents installed it (docs/high-availability.md). Ignored with --standalone.")
}

// sharedReports is how the reports reach etcd (the --etcd-* flags, or the
// embedded etcd); nil when they stay in memory: --shared-realization-reports=false
// or --standalone (one server, no policy computation).
func (o *Options) sharedReports() *reports.EtcdConfig {
	if !o.SharedReports || o.Standalone {
		return nil
	}
	sc := o.Recommended.Etcd.StorageConfig
	return &reports.EtcdConfig{Endpoints: append([]string(nil), sc.Transport.ServerList...),
		CertFile: sc.Transport.CertFile, KeyFile: sc.Transport.KeyFile, CAFile: sc.Transport.TrustedCAFile, Prefix: sc.Prefix}
}
