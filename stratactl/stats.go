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
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	statsv1alpha1 "github.com/strata-net/strata/apis/stats/v1alpha1"
	"github.com/strata-net/strata/generated/clientset/versioned"
)

func newStatsCommand(newClient ClientFunc, g *globalOptions) *cobra.Command {
	var output, namespace, since string
	cmd := &cobra.Command{
		Use:   "stats POLICY",
		Short: "Show a policy's traffic statistics, rule by rule, and its dead rules",
		Long: `The sessions, packets and bytes each rule of a policy counted on every Node
(stats.antrea.io, summed by strata-apiserver from the agents' reports), with when
each rule last had a packet. POLICY is NAME or acnp/NAME (an Antrea
ClusterNetworkPolicy), anp/NAME (an Antrea NetworkPolicy of --namespace) or
netpol/NAME (a Kubernetes NetworkPolicy of --namespace: totals only).

--since lists the dead rules: those without a packet since then (a duration back
from now, e.g. 24h, or an RFC 3339 time). The counting starts when strata-apiserver
starts; when that is after --since, stratactl says so.`,
		Example: `  stratactl get stats acnp-drop-access-to-redis
  stratactl get stats anp/srv-ingress -n test --since 24h`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			format := outputFormat(output)
			if err := format.validate(); err != nil {
				return err
			}
			now := time.Now()
			sinceTime, err := parseSince(since, now)
			if err != nil {
				return err
			}
			client, _, err := newClient()
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), g.timeout)
			defer cancel()
			st, obj, err := readStats(ctx, client, namespace, args[0])
			if err != nil {
				return err
			}
			if format != "" {
				return format.print(cmd.OutOrStdout(), obj)
			}
			return printStats(cmd.OutOrStdout(), st, sinceTime)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "output format: json or yaml (the stats.antrea.io object)")
	cmd.Flags().StringVarP(&namespace, "namespace", "n", "default", "the Namespace of anp/NAME and netpol/NAME")
	cmd.Flags().StringVar(&since, "since", "", "list the rules without a packet since then: a duration back from now (24h) or an RFC 3339 time")
	return cmd
}

// parseSince reads --since: empty (no dead-rule list), a duration back from
// now, or an RFC 3339 time.
func parseSince(s string, now time.Time) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return nil, fmt.Errorf("--since %q: a negative duration", s)
		}
		t := now.Add(-d)
		return &t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, fmt.Errorf("--since %q: neither a duration (24h) nor an RFC 3339 time (2026-01-02T15:04:05Z)", s)
	}
	return &t, nil
}

// policyStats is what is printed of any of the three kinds.
type policyStats struct {
	kind, namespace, name string
	started               metav1.Time
	total                 statsv1alpha1.TrafficStats
	rules                 []statsv1alpha1.RuleTrafficStats
	perRule               bool
}

func readStats(ctx context.Context, client versioned.Interface, namespace, arg string) (policyStats, any, error) {
	kind, name, found := strings.Cut(arg, "/")
	if !found {
		kind, name = "acnp", arg
	}
	c := client.StatsV1alpha1()
	switch kind {
	case "acnp":
		s, err := c.AntreaClusterNetworkPolicyStatses().Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return policyStats{}, nil, fmt.Errorf("reading the stats of ClusterNetworkPolicy %s: %w", name, err)
		}
		return policyStats{kind: "ClusterNetworkPolicy", name: name, started: s.CreationTimestamp, total: s.TrafficStats,
			rules: s.RuleTrafficStats, perRule: true}, s, nil
	case "anp", "annp":
		s, err := c.AntreaNetworkPolicyStatses(namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return policyStats{}, nil, fmt.Errorf("reading the stats of Antrea NetworkPolicy %s/%s: %w", namespace, name, err)
		}
		return policyStats{kind: "NetworkPolicy (Antrea)", namespace: namespace, name: name, started: s.CreationTimestamp,
			total: s.TrafficStats, rules: s.RuleTrafficStats, perRule: true}, s, nil
	case "netpol", "networkpolicy":
		s, err := c.NetworkPolicyStatses(namespace).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return policyStats{}, nil, fmt.Errorf("reading the stats of NetworkPolicy %s/%s: %w", namespace, name, err)
		}
		return policyStats{kind: "NetworkPolicy", namespace: namespace, name: name, started: s.CreationTimestamp,
			total: s.TrafficStats}, s, nil
	}
	return policyStats{}, nil, fmt.Errorf("POLICY %q: the kind must be acnp, anp or netpol", arg)
}

func printStats(w io.Writer, s policyStats, since *time.Time) error {
	name := s.name
	if s.namespace != "" {
		name = s.namespace + "/" + s.name
	}
	fmt.Fprintf(w, "%s %s: %d sessions, %d packets, %d bytes (counted since %s)\n", s.kind, name,
		s.total.Sessions, s.total.Packets, s.total.Bytes, s.started.UTC().Format(time.RFC3339))
	if !s.perRule {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tSESSIONS\tPACKETS\tBYTES\tLAST HIT")
	var dead []string
	for _, r := range s.rules {
		last := "never"
		if r.LastHit != nil {
			last = r.LastHit.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\n", r.Name, r.TrafficStats.Sessions, r.TrafficStats.Packets, r.TrafficStats.Bytes, last)
		if since != nil && (r.LastHit == nil || r.LastHit.Time.Before(*since)) {
			dead = append(dead, r.Name)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if since == nil {
		return nil
	}
	sinceText := since.UTC().Format(time.RFC3339)
	if len(dead) == 0 {
		fmt.Fprintf(w, "No dead rules: every rule had a packet since %s.\n", sinceText)
	} else {
		fmt.Fprintf(w, "Dead rules (no packet since %s): %s\n", sinceText, strings.Join(dead, ", "))
	}
	if s.started.After(*since) {
		fmt.Fprintf(w, "Note: the counting started at %s (strata-apiserver's start), after --since.\n", s.started.UTC().Format(time.RFC3339))
	}
	return nil
}
