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
	npav1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"
	npaversioned "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned"

	systemv1beta1 "github.com/strata-net/strata/apis/system/v1beta1"
	"github.com/strata-net/strata/generated/clientset/versioned"
)

func newGetCommand(c clients, g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "get",
		Short: "Show Strata's computed state",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newRealizationCommand(c, g), newFeatureGatesCommand(c.strata, g), newStatsCommand(c.strata, g))
	return cmd
}

func newRealizationCommand(c clients, g *globalOptions) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "realization [NAME | acnp/NAME | cnp/NAME ...]",
		Aliases: []string{"realizations"},
		Short:   "Show where ClusterNetworkPolicies are realized, Node by Node",
		Long: `Without names: one line per ClusterNetworkPolicy with its tier, priority, phase and
how many Nodes realized it: Antrea's (crd.antrea.io), named NAME, then the upstream
ones (policy.networking.k8s.io), named cnp/NAME. With names: for each policy, every
Node that needs it (the Nodes running the Pods it applies to) with the state its
agent reported: Realized (the current generation is in Open vSwitch), Failed (with
the agent's message) or Pending (no report of the current generation yet).

A NAME (or acnp/NAME) is an Antrea ClusterNetworkPolicy, cnp/NAME an upstream
ClusterNetworkPolicy. The phase of an upstream policy sums up its Accepted and
Realized conditions (shown with the Nodes): Failed when a part is refused or a Node
failed, Realized when every Node realized it, Pending before strata-apiserver wrote
conditions of its current generation, Realizing meanwhile.`,
		Example: `  stratactl get realization
  stratactl get realization acnp11
  stratactl get realization cnp/admin-deny -o yaml`,
		RunE: func(cmd *cobra.Command, names []string) error {
			format := outputFormat(output)
			if err := format.validate(); err != nil {
				return err
			}
			client, _, err := c.strata()
			if err != nil {
				return err
			}
			policies, err := c.policies()
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), g.timeout)
			defer cancel()
			r := realizationReader{client: client, policies: policies}
			if len(names) == 0 {
				return r.printAll(ctx, cmd.OutOrStdout(), format)
			}
			return r.printNamed(ctx, cmd.OutOrStdout(), format, names)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "output format: json or yaml (the NetworkPolicyRealization objects)")
	return cmd
}

// realizationReader joins ClusterNetworkPolicies of both kinds with their
// realizations.
type realizationReader struct {
	client   versioned.Interface
	policies npaversioned.Interface
}

// policyRealization is one policy and its realization (nil when not computed).
type policyRealization struct {
	policy      policyInfo
	realization *systemv1beta1.NetworkPolicyRealization
}

func (r realizationReader) printAll(ctx context.Context, w io.Writer, format outputFormat) error {
	infos, err := r.listPolicies(ctx)
	if err != nil {
		return err
	}
	realizations, err := r.client.SystemV1beta1().NetworkPolicyRealizations().List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing networkpolicyrealizations: %w", err)
	}
	if format != "" {
		return format.print(w, realizations)
	}
	byUID := map[string]*systemv1beta1.NetworkPolicyRealization{}
	for i := range realizations.Items {
		byUID[realizations.Items[i].SourceRef.UID] = &realizations.Items[i]
	}
	all := make([]policyRealization, 0, len(infos))
	for _, p := range infos {
		all = append(all, policyRealization{policy: p, realization: byUID[string(p.uid)]})
	}
	return printSummary(w, all)
}

// listPolicies lists Antrea's ClusterNetworkPolicies, then the upstream ones
// (none when kube-apiserver does not serve policy.networking.k8s.io).
func (r realizationReader) listPolicies(ctx context.Context) ([]policyInfo, error) {
	antrea, err := r.client.CrdV1beta1().ClusterNetworkPolicies().List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing ClusterNetworkPolicies: %w", err)
	}
	upstream, err := r.policies.PolicyV1beta1().ClusterNetworkPolicies().List(ctx, metav1.ListOptions{})
	switch {
	case apierrors.IsNotFound(err):
		upstream = &npav1beta1.ClusterNetworkPolicyList{}
	case err != nil:
		return nil, fmt.Errorf("listing ClusterNetworkPolicies.policy.networking.k8s.io: %w", err)
	}
	infos := make([]policyInfo, 0, len(antrea.Items)+len(upstream.Items))
	for i := range antrea.Items {
		infos = append(infos, antreaInfo(&antrea.Items[i]))
	}
	for i := range upstream.Items {
		infos = append(infos, upstreamInfo(&upstream.Items[i]))
	}
	return infos, nil
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
func (r realizationReader) one(ctx context.Context, arg string) (policyRealization, error) {
	p, err := r.read(ctx, arg)
	if err != nil {
		return policyRealization{}, err
	}
	rz, err := r.client.SystemV1beta1().NetworkPolicyRealizations().Get(ctx, string(p.uid), metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return policyRealization{policy: p}, nil
	case err != nil:
		return policyRealization{}, fmt.Errorf("reading the realization of %s %q: %w", p.kind, arg, err)
	}
	return policyRealization{policy: p, realization: rz}, nil
}

// read reads the policy a NAME argument names.
func (r realizationReader) read(ctx context.Context, arg string) (policyInfo, error) {
	kind, name, err := parsePolicyName(arg)
	if err != nil {
		return policyInfo{}, err
	}
	if kind == upstreamKind {
		p, err := r.policies.PolicyV1beta1().ClusterNetworkPolicies().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return policyInfo{}, fmt.Errorf("reading ClusterNetworkPolicy.policy.networking.k8s.io %q: %w", name, err)
		}
		return upstreamInfo(p), nil
	}
	p, err := r.client.CrdV1beta1().ClusterNetworkPolicies().Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return policyInfo{}, fmt.Errorf("reading ClusterNetworkPolicy %q: %w", name, err)
	}
	return antreaInfo(p), nil
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
		cells := []string{p.name, p.tier, p.priority, strconv.FormatInt(p.generation, 10), p.phase}
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
	fmt.Fprintf(w, "%s %s: tier %s, priority %s, generation %d, phase %s\n", p.kind, p.name, p.tier, p.priority, p.generation, p.phase)
	for _, c := range p.conditions {
		fmt.Fprintf(w, "%s: %s (%s, generation %d): %s\n", c.Type, c.Status, c.Reason, c.ObservedGeneration, c.Message)
	}
	rz := pr.realization
	switch {
	case rz == nil:
		_, err := fmt.Fprintf(w, "Not computed yet: %s.\n", p.notComputed)
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
