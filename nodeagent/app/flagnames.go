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

package app

import (
	"errors"
	"fmt"

	"github.com/strata-net/strata/nodeagent"
)

// configFlags maps the fields of nodeagent.Config (their paths, as in
// nodeagent.FieldError) to the flags bound to them. Kube is set by --pod-network
// and --kubeconfig, not bound to a flag of its own.
var configFlags = map[string]string{
	"NodeName":          "node-name",
	"Bridge":            "bridge",
	"OVSRunDir":         "ovs-rundir",
	"DatapathType":      "datapath-type",
	"StateDir":          "state-dir",
	"AuditLogPath":      "audit-log",
	"PacketInRate":      "packet-in-rate",
	"FQDNMinTTL":        "fqdn-min-ttl",
	"SyncTimeout":       "sync-timeout",
	"StatsInterval":     "stats-interval",
	"HostNetNS":         "host-netns",
	"GatewayName":       "gateway-name",
	"MTU":               "mtu",
	"PodCIDRTimeout":    "pod-cidr-timeout",
	"HostIngressPolicy": "host-ingress-policy",
	"CNI.SocketPath":    "cni-socket",
	"CNI.BinDir":        "cni-bin-dir",
	"CNI.ConfDir":       "cni-conf-dir",
	"CNI.PluginBinary":  "cni-plugin",
	"CNI.IPAMDataDir":   "cni-ipam-dir",
}

// withFlagNames names the flag of every invalid Config field in err ("--mtu: ...");
// other errors are returned as they are.
func withFlagNames(err error) error {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs := joined.Unwrap()
		named := make([]error, len(errs))
		for i, e := range errs {
			named[i] = withFlagName(e)
		}
		return errors.Join(named...)
	}
	return withFlagName(err)
}

func withFlagName(err error) error {
	var fe *nodeagent.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	if flag, ok := configFlags[fe.Field]; ok {
		return fmt.Errorf("--%s: %w", flag, fe.Err)
	}
	return err
}
