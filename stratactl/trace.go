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
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	cpv1beta2 "github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/nodeagent/traceapi"
)

// defaultAgentPort is strata-agent's --secure-port default.
const defaultAgentPort = 10351

// errDisagree is returned when the datapath and explain disagree.
var errDisagree = errors.New("the datapath and explain disagree")

// traceOptions are the flags of stratactl trace.
type traceOptions struct {
	explainOptions
	agentPort      int
	agentAddresses []string
	agentCAFile    string
	insecureAgent  bool
}

func newTraceCommand(newClient ClientFunc, g *globalOptions) *cobra.Command {
	o := &traceOptions{explainOptions: explainOptions{protocol: "TCP"}, agentPort: defaultAgentPort}
	cmd := &cobra.Command{
		Use:   "trace SRC DST --port P",
		Short: "Trace a connection through the agents' Open vSwitch and compare with explain",
		Long: `Trace asks strata-apiserver to explain a connection from SRC to DST (NAMESPACE/NAME or
an IP address), then asks the agent of the source's Node and of the destination's
Node (GET /trace on their HTTPS server, with the kubeconfig's credentials) to trace
its first packet through their real Open vSwitch pipeline, and prints the datapath's
verdict and rule beside explain's for each side. Any disagreement is printed and
the command exits non-zero.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 2 {
				return fmt.Errorf("want 2 arguments, SRC and DST (NAMESPACE/NAME or an IP address), got %d", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.run(cmd.Context(), cmd.OutOrStdout(), newClient, g, args[0], args[1])
		},
	}
	f := cmd.Flags()
	f.Int32Var(&o.port, "port", 0, "the destination port (required)")
	f.StringVar(&o.protocol, "protocol", "TCP", "the protocol: TCP, UDP or SCTP")
	f.IntVar(&o.agentPort, "agent-port", defaultAgentPort, "the agents' HTTPS port (their --secure-port)")
	f.StringSliceVar(&o.agentAddresses, "agent-address", nil,
		"NODE=HOST:PORT: reach NODE's agent there instead of its InternalIP and --agent-port (repeatable)")
	f.StringVar(&o.agentCAFile, "agent-ca-file", "", "the CA that signs the agents' serving certificates")
	f.BoolVar(&o.insecureAgent, "insecure-skip-agent-tls-verify", false,
		"do not verify the agents' serving certificates (agents with self-signed certificates)")
	return cmd
}

// validate checks the flags, naming the bad one.
func (o *traceOptions) validate() (map[string]string, error) {
	if o.port < 1 || o.port > 65535 {
		return nil, fmt.Errorf("--port %d: required, between 1 and 65535", o.port)
	}
	if o.agentPort < 1 || o.agentPort > 65535 {
		return nil, fmt.Errorf("--agent-port %d: must be between 1 and 65535", o.agentPort)
	}
	if o.insecureAgent && o.agentCAFile != "" {
		return nil, errors.New("--agent-ca-file and --insecure-skip-agent-tls-verify: give one or neither")
	}
	addrs := map[string]string{}
	for _, a := range o.agentAddresses {
		node, hostPort, ok := strings.Cut(a, "=")
		if _, _, err := net.SplitHostPort(hostPort); !ok || node == "" || err != nil {
			return nil, fmt.Errorf("--agent-address %q: want NODE=HOST:PORT", a)
		}
		addrs[node] = hostPort
	}
	return addrs, nil
}

func (o *traceOptions) run(ctx context.Context, w io.Writer, newClient ClientFunc, g *globalOptions, src, dst string) error {
	addrs, err := o.validate()
	if err != nil {
		return err
	}
	req, err := o.request(src, dst)
	if err != nil {
		return err
	}
	ev, err := evaluate(ctx, newClient, g, req)
	if err != nil {
		return err
	}
	resp := ev.Response
	client, err := o.agentClient(g)
	if err != nil {
		return err
	}
	traces := map[string]*traceapi.Response{}
	for _, s := range []*cpv1beta2.EvaluationSide{&resp.Egress, &resp.Ingress} {
		if s.Pod == nil || s.NodeName == "" || traces[s.NodeName] != nil {
			continue
		}
		addr, err := o.agentAddress(ctx, g, addrs, s.NodeName)
		if err != nil {
			return err
		}
		if traces[s.NodeName], err = traceOn(ctx, client, addr, resp, req); err != nil {
			return fmt.Errorf("tracing on Node %s (%s): %w", s.NodeName, addr, err)
		}
	}
	return printTrace(w, resp, traces)
}

// agentClient is an HTTP client with the kubeconfig's credentials and the
// agents' TLS settings.
func (o *traceOptions) agentClient(g *globalOptions) (*http.Client, error) {
	cfg, err := g.restConfig()
	if err != nil {
		return nil, err
	}
	cfg = rest.CopyConfig(cfg)
	cfg.TLSClientConfig.CAData, cfg.TLSClientConfig.CAFile, cfg.TLSClientConfig.ServerName = nil, o.agentCAFile, ""
	cfg.TLSClientConfig.Insecure = o.insecureAgent
	client, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, fmt.Errorf("the client of the agents: %w", err)
	}
	return client, nil
}

// agentAddress is HOST:PORT of a Node's agent: --agent-address, else its
// InternalIP and --agent-port.
func (o *traceOptions) agentAddress(ctx context.Context, g *globalOptions, addrs map[string]string, node string) (string, error) {
	if a, ok := addrs[node]; ok {
		return a, nil
	}
	cfg, err := g.restConfig()
	if err != nil {
		return "", err
	}
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return "", fmt.Errorf("the Kubernetes client: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, g.timeout)
	defer cancel()
	n, err := kube.CoreV1().Nodes().Get(ctx, node, metav1.GetOptions{})
	if err != nil {
		return "", fmt.Errorf("finding Node %s's agent: %w", node, err)
	}
	for _, a := range n.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			return net.JoinHostPort(a.Address, strconv.Itoa(o.agentPort)), nil
		}
	}
	return "", fmt.Errorf("Node %s has no InternalIP: give --agent-address %s=HOST:PORT", node, node)
}

// traceOn asks one agent for the trace of the connection.
func traceOn(ctx context.Context, client *http.Client, addr string, resp *cpv1beta2.NetworkPolicyEvaluationResponse,
	req *cpv1beta2.NetworkPolicyEvaluationRequest) (*traceapi.Response, error) {
	q := url.Values{traceapi.ParamSrc: {resp.Egress.IP}, traceapi.ParamDst: {resp.Ingress.IP},
		traceapi.ParamProtocol: {string(req.Protocol)}, traceapi.ParamPort: {strconv.Itoa(int(req.Port))}}
	u := url.URL{Scheme: "https", Host: addr, Path: traceapi.Path, RawQuery: q.Encode()}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	hresp, err := client.Do(hreq)
	if err != nil {
		return nil, err
	}
	defer hresp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(hresp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if hresp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", hresp.Status, strings.TrimSpace(string(body)))
	}
	var out traceapi.Response
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("decoding the trace: %w", err)
	}
	return &out, nil
}

// printTrace prints explain's and the datapath's verdict side by side and
// returns errDisagree when they differ.
func printTrace(w io.Writer, resp *cpv1beta2.NetworkPolicyEvaluationResponse, traces map[string]*traceapi.Response) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SIDE\tNODE\tEXPLAIN\tDATAPATH\tDATAPATH RULE\t")
	disagree := false
	for _, side := range []struct {
		name string
		s    *cpv1beta2.EvaluationSide
		get  func(*traceapi.Response) *traceapi.Side
	}{
		{"Egress", &resp.Egress, func(r *traceapi.Response) *traceapi.Side { return r.Egress }},
		{"Ingress", &resp.Ingress, func(r *traceapi.Response) *traceapi.Side { return r.Ingress }},
	} {
		explained := side.s.Verdict + " (" + side.s.DecidedBy + ")"
		t := traces[side.s.NodeName]
		switch {
		case side.s.Pod == nil:
			fmt.Fprintf(tw, "%s\t-\t%s\tnot a Pod: no agent\t\t\n", side.name, explained)
		case t == nil || side.get(t) == nil:
			// the packet did not get there: only an earlier denial explains it
			note := "not reached"
			if side.name == "Ingress" && resp.Egress.Verdict == "Allow" {
				note, disagree = "not reached  DISAGREE", true
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\t\n", side.name, side.s.NodeName, explained, note)
		default:
			d := side.get(t)
			rule := d.Policy + " " + d.RuleName
			if d.Isolation {
				rule = "K8s NetworkPolicy isolation"
			}
			if d.AuditPolicy != "" {
				rule += " (audited, not deciding: " + d.AuditPolicy + " " + d.AuditRuleName + ")"
			}
			mark := ""
			if d.Verdict != side.s.Verdict {
				mark, disagree = "  DISAGREE", true
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s%s\t%s\t\n", side.name, side.s.NodeName, explained, d.Verdict, mark, strings.TrimSpace(rule))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if disagree {
		return errDisagree
	}
	fmt.Fprintf(w, "Verdict: %s (explain and the datapath agree)\n", resp.Verdict)
	return nil
}
