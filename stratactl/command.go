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

// Package stratactl is Strata's command-line tool: the versions of the client and of
// the strata-apiserver it reaches through the kubeconfig, and the realization of
// ClusterNetworkPolicies (Antrea's and the upstream policy.networking.k8s.io ones)
// on every Node. It talks to kube-apiserver like kubectl (policy.networking.k8s.io),
// and through the aggregation layer to strata-apiserver's system.antrea.io and
// crd.antrea.io groups.
package stratactl

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	npaversioned "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned"

	"github.com/strata-net/strata/generated/clientset/versioned"
)

// defaultTimeout bounds every request.
const defaultTimeout = 10 * time.Second

// ClientFunc returns a client of the Strata API; tests replace it.
type ClientFunc func() (versioned.Interface, string, error)

// PolicyClientFunc returns a client of kube-apiserver's upstream
// policy.networking.k8s.io API (ClusterNetworkPolicies); tests replace it.
type PolicyClientFunc func() (npaversioned.Interface, error)

// globalOptions are the flags every command shares.
type globalOptions struct {
	kubeconfig, context string
	timeout             time.Duration
}

// NewCommand returns the stratactl command with its subcommands. A nil newClient
// or newPolicyClient reads the kubeconfig (--kubeconfig, $KUBECONFIG,
// ~/.kube/config).
func NewCommand(newClient ClientFunc, newPolicyClient PolicyClientFunc) *cobra.Command {
	opts := &globalOptions{timeout: defaultTimeout}
	if newClient == nil {
		newClient = opts.client
	}
	if newPolicyClient == nil {
		newPolicyClient = opts.policyClient
	}
	cmd := &cobra.Command{
		Use:   "stratactl",
		Short: "stratactl shows the state of Strata's tiered network policies",
		Long: `stratactl talks to strata-apiserver through kube-apiserver, with the same kubeconfig
as kubectl: the versions of both ends, and where each ClusterNetworkPolicy is realized.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	f := cmd.PersistentFlags()
	f.StringVar(&opts.kubeconfig, "kubeconfig", "", "path of the kubeconfig (default: $KUBECONFIG, then ~/.kube/config)")
	f.StringVar(&opts.context, "context", "", "the kubeconfig context to use (default: its current context)")
	f.DurationVar(&opts.timeout, "request-timeout", defaultTimeout, "how long to wait for each answer of the server")
	cmd.AddCommand(newVersionCommand(newClient, opts), newGetCommand(clients{strata: newClient, policies: newPolicyClient}, opts),
		newExplainCommand(newClient, opts), newTraceCommand(newClient, opts))
	return cmd
}

// client builds a client of the Strata API from the kubeconfig; the string is the
// server's address, for error messages.
func (o *globalOptions) client() (versioned.Interface, string, error) {
	cfg, err := o.restConfig()
	if err != nil {
		return nil, "", err
	}
	client, err := versioned.NewForConfig(cfg)
	if err != nil {
		return nil, "", fmt.Errorf("creating the client of %s: %w", cfg.Host, err)
	}
	return client, cfg.Host, nil
}

// policyClient builds a client of policy.networking.k8s.io from the kubeconfig.
func (o *globalOptions) policyClient() (npaversioned.Interface, error) {
	cfg, err := o.restConfig()
	if err != nil {
		return nil, err
	}
	client, err := npaversioned.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("creating the client of policy.networking.k8s.io at %s: %w", cfg.Host, err)
	}
	return client, nil
}

func (o *globalOptions) restConfig() (*rest.Config, error) {
	if o.timeout <= 0 {
		return nil, fmt.Errorf("--request-timeout must be positive, got %s", o.timeout)
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = o.kubeconfig
	overrides := &clientcmd.ConfigOverrides{CurrentContext: o.context}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("reading the kubeconfig: %w", err)
	}
	cfg.Timeout = o.timeout
	return cfg, nil
}
