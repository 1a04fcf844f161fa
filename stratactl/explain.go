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
	"net/netip"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	cpv1beta2 "github.com/strata-net/strata/apis/controlplane/v1beta2"
)

// explainOptions are the flags of stratactl explain.
type explainOptions struct {
	port     int32
	protocol string
	output   string
}

func newExplainCommand(newClient ClientFunc, g *globalOptions) *cobra.Command {
	o := &explainOptions{protocol: "TCP"}
	cmd := &cobra.Command{
		Use:   "explain SRC DST",
		Short: "Explain which rules allow or drop a connection from SRC to DST",
		Long: `Explain asks strata-apiserver (POST networkpolicyevaluations.controlplane.antrea.io)
which rules decide a connection from SRC to DST, each a Pod as NAMESPACE/NAME or an
IP address, and prints the decision path on both sides: the egress rules of the
source's Node, the ingress rules of the destination's, in the order the agents
evaluate them, with the verdict of each side and overall.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 2 {
				return fmt.Errorf("want 2 arguments, SRC and DST (NAMESPACE/NAME or an IP address), got %d", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			format := outputFormat(o.output)
			if err := format.validate(); err != nil {
				return err
			}
			req, err := o.request(args[0], args[1])
			if err != nil {
				return err
			}
			ev, err := evaluate(cmd.Context(), newClient, g, req)
			if err != nil {
				return err
			}
			if format != "" {
				return format.print(cmd.OutOrStdout(), ev)
			}
			return printEvaluation(cmd.OutOrStdout(), ev.Response)
		},
	}
	f := cmd.Flags()
	f.Int32Var(&o.port, "port", 0, "the destination port (default: rules match whatever their ports, as Antrea's evaluation)")
	f.StringVar(&o.protocol, "protocol", "TCP", "the protocol: TCP, UDP or SCTP")
	f.StringVarP(&o.output, "output", "o", "", "output format: json or yaml (default: a table)")
	return cmd
}

// request builds the evaluation request, naming the argument or flag at fault.
func (o *explainOptions) request(src, dst string) (*cpv1beta2.NetworkPolicyEvaluationRequest, error) {
	if o.port < 0 || o.port > 65535 {
		return nil, fmt.Errorf("--port %d: must be between 1 and 65535 (0 or unset: any port)", o.port)
	}
	proto := cpv1beta2.Protocol(strings.ToUpper(o.protocol))
	switch proto {
	case cpv1beta2.ProtocolTCP, cpv1beta2.ProtocolUDP, cpv1beta2.ProtocolSCTP:
	default:
		return nil, fmt.Errorf("--protocol %q: must be TCP, UDP or SCTP", o.protocol)
	}
	s, err := parseEntity("SRC", src)
	if err != nil {
		return nil, err
	}
	d, err := parseEntity("DST", dst)
	if err != nil {
		return nil, err
	}
	return &cpv1beta2.NetworkPolicyEvaluationRequest{Source: s, Destination: d, Protocol: proto, Port: o.port}, nil
}

// parseEntity reads NAMESPACE/NAME or an IP address.
func parseEntity(arg, v string) (cpv1beta2.Entity, error) {
	if ip, err := netip.ParseAddr(v); err == nil {
		return cpv1beta2.Entity{IP: ip.String()}, nil
	}
	ns, name, ok := strings.Cut(v, "/")
	if !ok || ns == "" || name == "" || strings.Contains(name, "/") {
		return cpv1beta2.Entity{}, fmt.Errorf("%s %q: want a Pod as NAMESPACE/NAME or an IP address", arg, v)
	}
	return cpv1beta2.Entity{Pod: &cpv1beta2.PodReference{Namespace: ns, Name: name}}, nil
}

// evaluate posts the request.
func evaluate(ctx context.Context, newClient ClientFunc, g *globalOptions,
	req *cpv1beta2.NetworkPolicyEvaluationRequest) (*cpv1beta2.NetworkPolicyEvaluation, error) {
	client, host, err := newClient()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	ev, err := client.ControlplaneV1beta2().NetworkPolicyEvaluations().Create(ctx,
		&cpv1beta2.NetworkPolicyEvaluation{Request: req}, metav1.CreateOptions{})
	if err != nil {
		return nil, fmt.Errorf("evaluating at %s: %w", host, err)
	}
	if ev.Response == nil {
		return nil, fmt.Errorf("evaluating at %s: the answer has no response", host)
	}
	return ev, nil
}

// printEvaluation prints the verdict and both sides' paths as tables.
func printEvaluation(w io.Writer, r *cpv1beta2.NetworkPolicyEvaluationResponse) error {
	fmt.Fprintf(w, "Verdict: %s%s\n", r.Verdict, decidingRule(r))
	if r.DependsOnDNS {
		fmt.Fprintln(w, "Not certain: an FQDN rule (outcome DependsOnDNS) would decide otherwise if the destination's address was learnt from DNS by the source's agent")
	}
	for _, side := range []struct {
		title string
		s     *cpv1beta2.EvaluationSide
	}{{"Egress", &r.Egress}, {"Ingress", &r.Ingress}} {
		fmt.Fprintf(w, "\n%s at %s: %s (%s)%s\n", side.title, sideEnd(side.s), side.s.Verdict, side.s.DecidedBy, sideNotes(side.s))
		if len(side.s.Steps) == 0 {
			fmt.Fprintln(w, "  no rule applies")
		} else {
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "  #\tSTAGE\tTIER\tPOLICY\tRULE\tACTION\tOUTCOME")
			for i, st := range side.s.Steps {
				fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\t%s\t%s\n", i+1, st.Stage, tier(st.TierPriority, st.PolicyPriority),
					policyName(st.NetworkPolicy), ruleName(st.RuleIndex, st.RuleName), st.Action, st.Outcome)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
		for _, n := range side.s.NotInstalled {
			fmt.Fprintf(w, "  not installed: %s\n", n)
		}
	}
	return nil
}

func decidingRule(r *cpv1beta2.NetworkPolicyEvaluationResponse) string {
	if r.AllowedByDefault {
		return " (allowed by default: no policy applies)"
	}
	if r.NetworkPolicy.Name == "" {
		return ""
	}
	return fmt.Sprintf(" by %s rule %s (%s)", policyName(r.NetworkPolicy), ruleName(r.RuleIndex, r.Rule.Name), r.Rule.Direction)
}

func sideEnd(s *cpv1beta2.EvaluationSide) string {
	out := s.IP
	if s.Pod != nil {
		out = fmt.Sprintf("%s/%s (%s) on %s", s.Pod.Namespace, s.Pod.Name, s.IP, s.NodeName)
	}
	return out
}

func sideNotes(s *cpv1beta2.EvaluationSide) string {
	var notes []string
	if s.Passed {
		notes = append(notes, "passed to K8s NetworkPolicy")
	}
	if s.Isolated {
		notes = append(notes, "isolated by K8s NetworkPolicy")
	}
	if s.DependsOnDNS {
		notes = append(notes, "depends on the agent's DNS cache")
	}
	if len(s.AllowingPolicies) > 0 {
		var names []string
		for _, p := range s.AllowingPolicies {
			names = append(names, policyName(p))
		}
		notes = append(notes, "allowed by "+strings.Join(names, ", "))
	}
	if len(notes) == 0 {
		return ""
	}
	return "; " + strings.Join(notes, "; ")
}

func tier(t *int32, prio string) string {
	if t == nil {
		return "-"
	}
	return fmt.Sprintf("%d/%s", *t, prio)
}

func policyName(p cpv1beta2.NetworkPolicyReference) string {
	kind := map[cpv1beta2.NetworkPolicyType]string{
		cpv1beta2.K8sNetworkPolicy: "K8sNP", cpv1beta2.AntreaClusterNetworkPolicy: "ACNP",
		cpv1beta2.AntreaNetworkPolicy: "ANNP",
	}[p.Type]
	if kind == "" {
		kind = string(p.Type)
	}
	if p.Namespace != "" {
		return fmt.Sprintf("%s:%s/%s", kind, p.Namespace, p.Name)
	}
	return fmt.Sprintf("%s:%s", kind, p.Name)
}

func ruleName(index int32, name string) string {
	if name == "" {
		return fmt.Sprintf("[%d]", index)
	}
	return fmt.Sprintf("[%d] %s", index, name)
}
