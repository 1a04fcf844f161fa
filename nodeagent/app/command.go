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
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	cliflag "k8s.io/component-base/cli/flag"
	"k8s.io/component-base/logs"
	logsapi "k8s.io/component-base/logs/api/v1"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/apis/version"
	"github.com/strata-net/strata/generated/clientset/versioned"
	"github.com/strata-net/strata/nodeagent"
	"github.com/strata-net/strata/nodeagent/agentserver"
	"github.com/strata-net/strata/nodeagent/cpclient"
	"github.com/strata-net/strata/nodeagent/traceapi"
)

// NewCommand returns the strata-agent command.
func NewCommand() *cobra.Command {
	cfg := nodeagent.Config{NodeName: os.Getenv("NODE_NAME")}
	var kubeconfig string
	var cpServers []string
	var cpCAFile string
	var printVersion, podNetwork bool
	srvCfg := agentserver.Config{Port: agentserver.DefaultPort}
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
			restCfg, err := restConfig(kubeconfig)
			if err != nil {
				return err
			}
			cpCfg, err := controlplaneConfig(restCfg, cpServers, cpCAFile)
			if err != nil {
				return err
			}
			client, err := versioned.NewForConfig(cpCfg)
			if err != nil {
				return fmt.Errorf("creating the strata client: %w", err)
			}
			kube, err := kubernetes.NewForConfig(restCfg)
			if err != nil {
				return fmt.Errorf("creating the Kubernetes client: %w", err)
			}
			if podNetwork {
				cfg.Kube = kube
			}
			agent, err := nodeagent.New(cfg, client)
			if err != nil {
				return err
			}
			srvCfg.Kube, srvCfg.NodeName, srvCfg.ReadyChecks = kube, cfg.NodeName, agent.ReadyChecks()
			klog.InfoS("Starting strata-agent", "version", version.Get().GitVersion, "node", cfg.NodeName)
			return run(cmd.Context(), agent, srvCfg)
		},
	}
	var fss cliflag.NamedFlagSets
	fs := fss.FlagSet("agent")
	fs.StringVar(&cfg.NodeName, "node-name", cfg.NodeName, "The Node this agent runs on (default $NODE_NAME).")
	fs.StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig of kube-apiserver, for the controlplane API (aggregated) and, with --pod-network, Nodes; empty uses the in-cluster config.")
	fs.StringSliceVar(&cpServers, "controlplane-servers", nil,
		"strata-apiserver URLs (https://host:port, comma-separated) the agent watches the controlplane API at directly, instead of through kube-apiserver; "+
			"when the current one fails (unreachable, or 502/503/504) the next request goes to the next one, after the watches' jittered back-off. "+
			"One Service address works too (the Service picks a replica). Credentials come from --kubeconfig.")
	fs.StringVar(&cpCAFile, "controlplane-ca-file", "", "CA of the strata-apiservers' serving certificates, with --controlplane-servers (default: --kubeconfig's CA).")
	fs.StringVar(&cfg.Bridge, "bridge", "br-int", "The OVS bridge the agent owns.")
	fs.StringVar(&cfg.OVSRunDir, "ovs-rundir", "/var/run/openvswitch", "Directory of OVS's db.sock and <bridge>.mgmt.")
	fs.StringVar(&cfg.DatapathType, "datapath-type", "", "system (kernel module) or netdev (userspace); empty detects.")
	fs.StringVar(&cfg.StateDir, "state-dir", nodeagent.DefaultStateDir, "Directory of the state kept across restarts and reboots (the policies enforced while strata-apiserver is unreachable); not a tmpfs.")
	fs.StringVar(&cfg.AuditLogPath, "audit-log", "/var/log/strata/networkpolicy/np.log", "The audit log of rules with enableLogging.")
	fs.Uint32Var(&cfg.PacketInRate, "packet-in-rate", 5000, "Policy packet-ins per second at most (logging, reject).")
	fs.DurationVar(&cfg.FQDNMinTTL, "fqdn-min-ttl", 0, "The shortest time an address learnt from a DNS response is kept for FQDN rules (0: 5s).")
	fs.DurationVar(&cfg.SyncTimeout, "sync-timeout", 0, "How long the first policy sync may take before the agent warns, and again every interval after (default 5m); the previous run's flows stay until a complete sync replaces them.")
	fs.DurationVar(&cfg.StatsInterval, "stats-interval", 0, "How often the agent reports its rules' traffic counts to strata-apiserver (stats.antrea.io; default 1m).")
	fs.BoolVar(&printVersion, "version", false, "Print the version and exit.")
	pfs := fss.FlagSet("pod network")
	pfs.BoolVar(&podNetwork, "pod-network", false, "Run the node's Pod network: wait for the Node's spec.podCIDR, create the gateway port, "+
		"turn on forwarding and keep a route to every other Node's Pod CIDR via its InternalIP (reads and watches Nodes through --kubeconfig).")
	pfs.StringVar(&cfg.HostNetNS, "host-netns", "", "The node's host network namespace, a path or a name under /run/netns; empty is the agent's own.")
	pfs.StringVar(&cfg.GatewayName, "gateway-name", "strata-gw0", "The gateway port and host interface.")
	pfs.IntVar(&cfg.MTU, "mtu", 1500, "MTU of the gateway and the Pod interfaces.")
	pfs.DurationVar(&cfg.PodCIDRTimeout, "pod-cidr-timeout", 0, "How long to wait for the Node's spec.podCIDR (default 5m).")
	pfs.BoolVar(&cfg.HostIngressPolicy, "host-ingress-policy", false, "Apply Pods' ingress policy to traffic from their own node too "+
		"(probes, host processes); by default the node's own traffic is always allowed, as Kubernetes specifies.")
	cfs := fss.FlagSet("CNI (with --pod-network)")
	cfs.StringVar(&cfg.CNI.SocketPath, "cni-socket", "/var/run/strata/cni.sock", "The CNI server's unix socket.")
	cfs.StringVar(&cfg.CNI.BinDir, "cni-bin-dir", "/opt/cni/bin", "Where the agent installs the strata plugin.")
	cfs.StringVar(&cfg.CNI.ConfDir, "cni-conf-dir", "/etc/cni/net.d", "Where the agent writes the network config list.")
	cfs.StringVar(&cfg.CNI.PluginBinary, "cni-plugin", "", "The strata-cni binary to install (default: strata-cni next to this executable).")
	cfs.StringVar(&cfg.CNI.IPAMDataDir, "cni-ipam-dir", "/var/lib/cni/networks", "The allocated Pod addresses (host-local's format).")
	sfs := fss.FlagSet("agent server")
	sfs.StringVar(&srvCfg.BindAddress, "bind-address", "0.0.0.0", "The address of the agent's HTTPS server (/healthz, /readyz, /metrics).")
	sfs.IntVar(&srvCfg.Port, "secure-port", srvCfg.Port, "The port of the agent's HTTPS server; 0 turns the server off.")
	sfs.StringVar(&srvCfg.TLSCertFile, "tls-cert-file", "", "The server's certificate; empty: a self-signed certificate made at start.")
	sfs.StringVar(&srvCfg.TLSKeyFile, "tls-private-key-file", "", "The key of --tls-cert-file.")
	sfs.StringVar(&srvCfg.ClientCAFile, "client-ca-file", "", "CA bundle that signs the client certificates the server accepts; "+
		"without it clients authenticate with bearer tokens only (TokenReview). Every request but /healthz, /livez and /readyz "+
		"is authorized by SubjectAccessReview (a non-resource request: path and lower-case method).")
	logsapi.AddFlags(logOpts, fss.FlagSet("logs"))
	for _, f := range fss.FlagSets {
		cmd.Flags().AddFlagSet(f)
	}
	cliflag.SetUsageAndHelpFunc(cmd, fss, 100)
	return cmd
}

// run runs the agent and, unless --secure-port=0, its HTTPS server; the first
// to fail stops both.
func run(ctx context.Context, agent *nodeagent.Agent, srvCfg agentserver.Config) error {
	if srvCfg.Port == 0 {
		return agent.Run(ctx)
	}
	srv, err := agentserver.New(srvCfg)
	if err != nil {
		return err
	}
	srv.Handle(traceapi.Path, agent.TraceHandler())
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srvErr := make(chan error, 1)
	go func() {
		srvErr <- srv.Run(ctx)
		cancel()
	}()
	agentErr := agent.Run(ctx)
	cancel()
	if err := <-srvErr; err != nil && agentErr == nil {
		return err
	}
	return agentErr
}

// restConfig is the client configuration of kube-apiserver, which serves the
// controlplane API (aggregated) and Nodes.
func restConfig(kubeconfig string) (*rest.Config, error) {
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
	// client-go's default (5 QPS, burst 10) would queue the Pod start-up barrier
	// behind the agent's own reports when many Pods start at once: every Pod waits
	// for one POST podstartups, and its Node's acknowledgements are POSTs too.
	cfg.QPS, cfg.Burst = clientQPS, clientBurst
	return cfg, nil
}

// controlplaneConfig is the client configuration of the controlplane API:
// kube-apiserver's (aggregated), or the --controlplane-servers list.
func controlplaneConfig(kube *rest.Config, servers []string, caFile string) (*rest.Config, error) {
	if len(servers) == 0 {
		if caFile != "" {
			return nil, fmt.Errorf("--controlplane-ca-file: only with --controlplane-servers")
		}
		return kube, nil
	}
	cfg, pool, err := cpclient.New(cpclient.Config{Servers: servers, Base: kube, CAFile: caFile})
	if err != nil {
		return nil, err
	}
	klog.InfoS("Watching the controlplane API at strata-apiserver directly", "servers", servers, "first", pool.Current())
	return cfg, nil
}

// clientQPS and clientBurst bound the agent's requests to kube-apiserver and,
// through it, strata-apiserver.
const (
	clientQPS   = 100
	clientBurst = 200
)
