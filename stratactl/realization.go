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
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	systemv1beta1 "github.com/strata-net/strata/apis/system/v1beta1"
	"github.com/strata-net/strata/generated/clientset/versioned"
)

func newGetCommand(newClient ClientFunc, g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "get",
		Short: "Show Strata's computed state",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newRealizationCommand(newClient, g), newFeatureGatesCommand(newClient, g))
	return cmd
}

func newRealizationCommand(newClient ClientFunc, g *globalOptions) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "realization [CLUSTERNETWORKPOLICY...]",
		Aliases: []string{"realizations"},
		Short:   "Show where ClusterNetworkPolicies are realized, Node by Node",
		Long: `Without names: one line per ClusterNetworkPolicy with its tier, priority, phase and
how many Nodes realized it. With names: for each policy, every Node that needs it
(the Nodes running the Pods it applies to) with the state its agent reported:
Realized (the current generation is in Open vSwitch), Failed (with the agent's
message) or Pending (no report of the current generation yet).`,
		Example: `  stratactl get realization
  stratactl get realization acnp11
  stratactl get realization acnp11 -o yaml`,
		RunE: func(cmd *cobra.Command, names []string) error {
			format := outputFormat(output)
			if err := format.validate(); err != nil {
				return err
			}
			client, _, err := newClient()
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), g.timeout)
			defer cancel()
			r := realizationReader{client: client}
			if len(names) == 0 {
				return r.printAll(ctx, cmd.OutOrStdout(), format)
			}
			return r.printNamed(ctx, cmd.OutOrStdout(), format, names)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "output format: json or yaml (the NetworkPolicyRealization objects)")
	return cmd
}

// realizationReader joins ClusterNetworkPolicies with their realizations.
type realizationReader struct {
	client versioned.Interface
}

// policyRealization is one policy and its realization (nil when not computed).
type policyRealization struct {
	policy      *crdv1beta1.ClusterNetworkPolicy
	realization *systemv1beta1.NetworkPolicyRealization
}

func (r realizationReader) printAll(ctx context.Context, w io.Writer, format outputFormat) error {
	policies, err := r.client.CrdV1beta1().ClusterNetworkPolicies().List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing ClusterNetworkPolicies: %w", err)
	}
	realizations, err := r.client.SystemV1beta1().NetworkPolicyRealizations().List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing networkpolicyrealizations: %w", err)
	}
	byUID := map[string]*systemv1beta1.NetworkPolicyRealization{}
	for i := range realizations.Items {
		byUID[realizations.Items[i].SourceRef.UID] = &realizations.Items[i]
	}
	all := make([]policyRealization, 0, len(policies.Items))
	for i := range policies.Items {
		p := &policies.Items[i]
		all = append(all, policyRealization{policy: p, realization: byUID[string(p.UID)]})
	}
	if format != "" {
		return format.print(w, realizations)
	}
	return printSummary(w, all)
}

func (r realizationReader) printNamed(ctx context.Context, w io.Writer, format outputFormat, names []string) error {
	all := make([]policyRealization, 0, len(names))
	for _, name := range names {
		pr, err := r.one(ctx, name)
		if err != nil {
			return err
		}
		all = append(all, pr)
	}
	if format != "" {
		list := &systemv1beta1.NetworkPolicyRealizationList{}
		for _, pr := range all {
			if pr.realization != nil {
				list.Items = append(list.Items, *pr.realization)
			}
		}
		return format.print(w, list)
	}
	for i, pr := range all {
		if i > 0 {
			fmt.Fprintln(w)
		}
		if err := printNodes(w, pr); err != nil {
			return err
		}
	}
	return nil
}

// one reads a policy and its realization; a policy not computed yet (its Tier is
// missing, or the server is still computing) has none.
func (r realizationReader) one(ctx context.Context, name string) (policyRealization, error) {
	p, err := r.client.CrdV1beta1().ClusterNetworkPolicies().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return policyRealization{}, fmt.Errorf("reading ClusterNetworkPolicy %q: %w", name, err)
	}
	rz, err := r.client.SystemV1beta1().NetworkPolicyRealizations().Get(ctx, string(p.UID), metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return policyRealization{policy: p}, nil
	case err != nil:
		return policyRealization{}, fmt.Errorf("reading the realization of ClusterNetworkPolicy %q: %w", name, err)
	}
	return policyRealization{policy: p, realization: rz}, nil
}

// counts returns how many Nodes need the policy and how many are in each state.
func counts(rz *systemv1beta1.NetworkPolicyRealization) (nodes int, by map[systemv1beta1.RealizationState]int) {
	by = map[systemv1beta1.RealizationState]int{}
	for _, n := range rz.Nodes {
		by[n.State]++
	}
	return len(rz.Nodes), by
}

func printSummary(w io.Writer, all []policyRealization) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTIER\tPRIORITY\tGENERATION\tPHASE\tNODES\tREALIZED\tFAILED\tPENDING")
	for _, pr := range all {
		p := pr.policy
		cells := []string{p.Name, p.Spec.Tier, strconv.FormatFloat(p.Spec.Priority, 'f', -1, 64),
			strconv.FormatInt(p.Generation, 10), phase(p)}
		if pr.realization == nil {
			cells = append(cells, "-", "-", "-", "-")
		} else {
			n, by := counts(pr.realization)
			cells = append(cells, strconv.Itoa(n), strconv.Itoa(by[systemv1beta1.RealizationRealized]),
				strconv.Itoa(by[systemv1beta1.RealizationFailed]), strconv.Itoa(by[systemv1beta1.RealizationPending]))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}

func printNodes(w io.Writer, pr policyRealization) error {
	p := pr.policy
	fmt.Fprintf(w, "ClusterNetworkPolicy %s: tier %s, priority %s, generation %d, phase %s\n",
		p.Name, p.Spec.Tier, strconv.FormatFloat(p.Spec.Priority, 'f', -1, 64), p.Generation, phase(p))
	rz := pr.realization
	switch {
	case rz == nil:
		_, err := fmt.Fprintln(w, "Not computed yet: its Tier does not exist, or strata-apiserver is still computing.")
		return err
	case len(rz.Nodes) == 0:
		_, err := fmt.Fprintln(w, "No Node needs it: it applies to no Pod that runs on a Node.")
		return err
	}
	n, by := counts(rz)
	fmt.Fprintf(w, "Realized on %d of %d Nodes (failed %d, pending %d).\n", by[systemv1beta1.RealizationRealized], n,
		by[systemv1beta1.RealizationFailed], by[systemv1beta1.RealizationPending])
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tSTATE\tREPORTED GENERATION\tMESSAGE")
	for _, node := range rz.Nodes {
		reported := "-"
		if node.ReportedGeneration != 0 {
			reported = strconv.FormatInt(node.ReportedGeneration, 10)
		}
		fmt.Fprintln(tw, strings.Join([]string{node.NodeName, string(node.State), reported, node.Message}, "\t"))
	}
	return tw.Flush()
}

// phase is the status phase, or Pending before the first status write.
func phase(p *crdv1beta1.ClusterNetworkPolicy) string {
	if p.Status.Phase == "" {
		return string(crdv1beta1.NetworkPolicyPending)
	}
	return string(p.Status.Phase)
}
