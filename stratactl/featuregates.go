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

package stratactl

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	systemv1beta1 "github.com/strata-net/strata/apis/system/v1beta1"
)

func newFeatureGatesCommand(newClient ClientFunc, g *globalOptions) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "featuregates",
		Aliases: []string{"featuregate", "fg"},
		Short:   "Show strata-apiserver's feature gates and whether they are on",
		Long: `Show the feature gates of the strata-apiserver behind the kubeconfig, as the server
applied them (its configuration file, the ConfigMap kube-system/strata-config, then
--feature-gates).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format := outputFormat(output)
			if err := format.validate(); err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), g.timeout)
			defer cancel()
			info, err := serverInfo(ctx, newClient, g)
			if err != nil {
				return err
			}
			if format != "" {
				return format.print(cmd.OutOrStdout(), info.FeatureGates)
			}
			return printFeatureGates(cmd.OutOrStdout(), info.FeatureGates)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "output format: json or yaml")
	return cmd
}

func printFeatureGates(w io.Writer, gates []systemv1beta1.FeatureGate) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "strata-apiserver feature gates")
	fmt.Fprintln(tw, "FEATUREGATE\tSTATUS\tSTAGE")
	for _, g := range gates {
		status := "Disabled"
		if g.Enabled {
			status = "Enabled"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", g.Name, status, g.Stage)
	}
	return tw.Flush()
}
