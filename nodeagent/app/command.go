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

// Package app is strata-agent's command: flags → nodeagent.Config → Run.
package app

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	cliflag "k8s.io/component-base/cli/flag"
	"k8s.io/component-base/logs"
	logsapi "k8s.io/component-base/logs/api/v1"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/apis/version"
	"github.com/strata-net/strata/generated/clientset/versioned"
	"github.com/strata-net/strata/nodeagent"
)

// NewCommand returns the strata-agent command.
func NewCommand() *cobra.Command {
	cfg := nodeagent.Config{NodeName: os.Getenv("NODE_NAME")}
	var kubeconfig string
	var printVersion bool
	logOpts := logs.NewOptions()
	cmd := &cobra.Command{
		Use:   "strata-agent",
		Short: "Strata's node agent: enforces tiered network policies in Open vSwitch",
		Long: `strata-agent watches its Node's slice of controlplane.antrea.io (NetworkPolicies,
AddressGroups, AppliedToGroups) and programs the OVS bridge it owns over OpenFlow 1.5.`,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if printVersion {
				fmt.Fprintln(cmd.OutOrStdout(), version.Get().GitVersion)
				return nil
			}
			if err := logsapi.ValidateAndApply(logOpts, nil); err != nil {
				return fmt.Errorf("logging flags: %w", err)
			}
			if len(args) > 0 {
				return fmt.Errorf("unexpected arguments %q: strata-agent takes only flags", args)
			}
			client, err := newClient(kubeconfig)
			if err != nil {
				return err
			}
			agent, err := nodeagent.New(cfg, client)
			if err != nil {
				return err
			}
			klog.InfoS("Starting strata-agent", "version", version.Get().GitVersion, "node", cfg.NodeName)
			return agent.Run(cmd.Context())
		},
	}
	var fss cliflag.NamedFlagSets
	fs := fss.FlagSet("agent")
	fs.StringVar(&cfg.NodeName, "node-name", cfg.NodeName, "The Node this agent runs on (default $NODE_NAME).")
	fs.StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig to reach the controlplane API (through kube-apiserver); empty uses the in-cluster config.")
	fs.StringVar(&cfg.Bridge, "bridge", "br-int", "The OVS bridge the agent owns.")
	fs.StringVar(&cfg.OVSRunDir, "ovs-rundir", "/var/run/openvswitch", "Directory of OVS's db.sock and <bridge>.mgmt.")
	fs.StringVar(&cfg.DatapathType, "datapath-type", "", "system (kernel module) or netdev (userspace); empty detects.")
	fs.StringVar(&cfg.StateDir, "state-dir", "/var/run/strata", "Directory of the state kept across restarts.")
	fs.StringVar(&cfg.AuditLogPath, "audit-log", "/var/log/strata/networkpolicy/np.log", "The audit log of rules with enableLogging.")
	fs.Uint32Var(&cfg.PacketInRate, "packet-in-rate", 5000, "Policy packet-ins per second at most (logging, reject).")
	fs.DurationVar(&cfg.SyncTimeout, "sync-timeout", 0, "How long to wait for the first policy sync before the previous run's flows are deleted (default 5m).")
	fs.BoolVar(&printVersion, "version", false, "Print the version and exit.")
	logsapi.AddFlags(logOpts, fss.FlagSet("logs"))
	for _, f := range fss.FlagSets {
		cmd.Flags().AddFlagSet(f)
	}
	cliflag.SetUsageAndHelpFunc(cmd, fss, 100)
	return cmd
}

func newClient(kubeconfig string) (versioned.Interface, error) {
	var cfg *rest.Config
	var err error
	if kubeconfig != "" {
		cfg, err = clientcmd.BuildConfigFromFlags("", kubeconfig)
	} else {
		cfg, err = rest.InClusterConfig()
	}
	if err != nil {
		return nil, fmt.Errorf("--kubeconfig: %w", err)
	}
	client, err := versioned.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("creating the strata client: %w", err)
	}
	return client, nil
}
