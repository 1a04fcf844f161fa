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

// Package app is strata-apiserver's command: flags, then Options → Complete →
// Validate → Config → New → Run.
package app

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	cliflag "k8s.io/component-base/cli/flag"
	logsapi "k8s.io/component-base/logs/api/v1"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/apis/version"
	"github.com/strata-net/strata/apiserver/options"
)

// NewCommand returns the strata-apiserver command.
func NewCommand(ctx context.Context) *cobra.Command {
	o := options.NewOptions()
	var printVersion bool
	cmd := &cobra.Command{
		Use:   "strata-apiserver",
		Short: "Strata's aggregated API server for tiered network policies",
		Long: `strata-apiserver serves Tier, ClusterNetworkPolicy and ClusterGroup
(crd.antrea.io, and the legacy security.antrea.tanzu.vmware.com group), and the
namespaced Antrea NetworkPolicy and Group (crd.antrea.io/v1beta1), from etcd, with
validation, admission and the system Tiers. It runs behind kube-apiserver through
APIService objects, or alone with --standalone.`,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if printVersion {
				fmt.Fprintln(cmd.OutOrStdout(), version.Get().GitVersion)
				return nil
			}
			if err := logsapi.ValidateAndApply(o.Logs, nil); err != nil {
				return fmt.Errorf("logging flags: %w", err)
			}
			if len(args) > 0 {
				return fmt.Errorf("unexpected arguments %q: strata-apiserver takes only flags", args)
			}
			if err := o.Complete(); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return Run(cmd.Context(), o)
		},
	}
	cmd.SetContext(ctx)
	fss := o.Flags()
	fss.FlagSet("strata").BoolVar(&printVersion, "version", false, "Print the version and exit.")
	for _, fs := range fss.FlagSets {
		cmd.Flags().AddFlagSet(fs)
	}
	cliflag.SetUsageAndHelpFunc(cmd, fss, 100)
	return cmd
}

// Run builds the server from completed, validated options and serves until ctx ends.
func Run(ctx context.Context, o *options.Options) error {
	server, cleanup, err := Prepare(ctx, o)
	if err != nil {
		return err
	}
	defer cleanup()
	klog.FromContext(ctx).Info("Starting strata-apiserver", "version", version.Get().GitVersion)
	return server.RunWithContext(ctx)
}
