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

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	apimachineryversion "k8s.io/apimachinery/pkg/version"

	systemv1beta1 "github.com/strata-net/strata/apis/system/v1beta1"
	"github.com/strata-net/strata/apis/version"
)

// versions is what stratactl version prints with -o json|yaml.
type versions struct {
	Client apimachineryversion.Info      `json:"stratactl"`
	Server *systemv1beta1.ControllerInfo `json:"apiserver,omitempty"`
}

func newVersionCommand(newClient ClientFunc, g *globalOptions) *cobra.Command {
	var output string
	var clientOnly bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version of stratactl and of the strata-apiserver it talks to",
		Long: `Print stratactl's version and the version of the strata-apiserver behind the
kubeconfig's kube-apiserver (system.antrea.io/v1beta1 controllerinfos/strata-apiserver).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format := outputFormat(output)
			if err := format.validate(); err != nil {
				return err
			}
			v := versions{Client: version.Get()}
			if !clientOnly {
				info, err := serverInfo(cmd.Context(), newClient, g)
				if err != nil {
					// The client's version is still worth printing.
					fmt.Fprintf(cmd.OutOrStdout(), "stratactlVersion: %s\n", v.Client.GitVersion)
					return err
				}
				v.Server = info
			}
			if format != "" {
				return format.print(cmd.OutOrStdout(), v)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "stratactlVersion: %s\n", v.Client.GitVersion)
			if v.Server != nil {
				fmt.Fprintf(cmd.OutOrStdout(), "apiserverVersion: %s\n", v.Server.Version)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "output format: json or yaml (full build information)")
	cmd.Flags().BoolVar(&clientOnly, "client", false, "print only stratactl's version; do not contact the server")
	return cmd
}

func serverInfo(ctx context.Context, newClient ClientFunc, g *globalOptions) (*systemv1beta1.ControllerInfo, error) {
	client, host, err := newClient()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	info, err := client.SystemV1beta1().ControllerInfos().Get(ctx, systemv1beta1.ControllerInfoName, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("reading strata-apiserver's version (controllerinfos/%s) through %s: %w",
			systemv1beta1.ControllerInfoName, host, err)
	}
	return info, nil
}
