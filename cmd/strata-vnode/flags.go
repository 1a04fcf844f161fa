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

package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	cliflag "k8s.io/component-base/cli/flag"
	"k8s.io/component-base/logs"
	logsapi "k8s.io/component-base/logs/api/v1"

	"github.com/strata-net/strata/test/vnode"
)

func newCommand() *cobra.Command {
	cfg := vnode.Config{Runtime: vnode.RuntimeConfig{NodeName: os.Getenv("NODE_NAME")}}
	logOpts := logs.NewOptions()
	cmd := &cobra.Command{
		Use:   "strata-vnode",
		Short: "A node substitute: a virtual-kubelet node whose Pods are network namespaces with processes",
		Long: `strata-vnode registers a Node and runs the Pods bound to it as network namespaces
attached through the node's CNI plugins (libcni), with agnhost and CoreDNS containers as the
real agnhost and coredns binaries and other images as responders answering with the Pod's
name, each Pod in its own UTS namespace named after it (spec.hostname, else the Pod's
name), each container in its own mount namespace with its volumes, /etc/hostname, /etc/hosts
and the Pod's resolv.conf (--cluster-dns, --cluster-domain, --resolv-conf, as a kubelet's). It serves
the kubelet API (exec, logs, port-forward) on --kubelet-address:--kubelet-port.`,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := logsapi.ValidateAndApply(logOpts, nil); err != nil {
				return fmt.Errorf("logging flags: %w", err)
			}
			if len(args) > 0 {
				return fmt.Errorf("unexpected arguments %q", args)
			}
			return vnode.Run(cmd.Context(), cfg)
		},
	}
	var fss cliflag.NamedFlagSets
	addNodeFlags(fss.FlagSet("node"), &cfg)
	addRuntimeFlags(fss.FlagSet("pods"), &cfg.Runtime)
	logsapi.AddFlags(logOpts, fss.FlagSet("logs"))
	for _, f := range fss.FlagSets {
		cmd.Flags().AddFlagSet(f)
	}
	cliflag.SetUsageAndHelpFunc(cmd, fss, 100)
	cmd.AddCommand(newRespondCommand(), newCleanupCommand())
	return cmd
}

func addNodeFlags(fs *pflag.FlagSet, cfg *vnode.Config) {
	fs.StringVar(&cfg.Runtime.NodeName, "node-name", cfg.Runtime.NodeName, "The Node to register (default $NODE_NAME).")
	fs.StringVar(&cfg.Kubeconfig, "kubeconfig", "", "kubeconfig to reach kube-apiserver. Required.")
	fs.StringVar(&cfg.Runtime.NodeIP, "node-ip", "", "The Node's InternalIP (its underlay address), every Pod's hostIP. Required.")
	fs.StringVar(&cfg.KubeletAddress, "kubelet-address", "127.0.0.1", "Address of the kubelet API, also the Node's Hostname address through which kube-apiserver reaches it.")
	fs.IntVar(&cfg.KubeletPort, "kubelet-port", 10250, "Port of the kubelet API (the Node's daemonEndpoints.kubeletEndpoint).")
	fs.StringVar(&cfg.TLSCertFile, "tls-cert-file", "", "Serving certificate of the kubelet API; empty generates a self-signed one.")
	fs.StringVar(&cfg.TLSKeyFile, "tls-private-key-file", "", "Key of --tls-cert-file.")
	fs.StringVar(&cfg.ClientCAFile, "client-ca-file", "", "When set, the kubelet API requires client certificates signed by this CA.")
	fs.StringVar(&cfg.CPU, "cpu", "4", "The Node's CPU capacity.")
	fs.StringVar(&cfg.Memory, "memory", "8Gi", "The Node's memory capacity.")
	fs.IntVar(&cfg.MaxPods, "max-pods", 110, "The Node's Pod capacity.")
	fs.StringVar(&cfg.KubeletVersion, "kubelet-version", "v1.37.2", "The kubelet version the Node reports.")
	fs.IntVar(&cfg.PodSyncWorkers, "pod-sync-workers", 4, "Pods reconciled in parallel.")
	fs.DurationVar(&cfg.NetworkPollInterval, "network-poll-interval", 0, "How often the CNI config dir is checked for the Node's Ready condition (default 1s).")
}

func addRuntimeFlags(fs *pflag.FlagSet, cfg *vnode.RuntimeConfig) {
	fs.StringVar(&cfg.StateDir, "state-dir", "", "Directory of the Pods' state files and logs. Required.")
	fs.StringVar(&cfg.CNIBinDir, "cni-bin-dir", "/opt/cni/bin", "Directory of the CNI plugins.")
	fs.StringVar(&cfg.CNIConfDir, "cni-conf-dir", "/etc/cni/net.d", "Directory of the CNI network configs (the first in lexical order is used).")
	fs.StringVar(&cfg.CNICacheDir, "cni-cache-dir", "", "libcni's result cache (default <state-dir>/cni-cache).")
	fs.StringVar(&cfg.HostNetNS, "host-netns", "", "The Node's host network namespace (path, or name under --netns-dir): CNI plugins run there, tcpSocket/httpGet probes are dialled from there. Empty: this program's namespace.")
	fs.StringVar(&cfg.NetNSDir, "netns-dir", "/run/netns", "Where Pod network namespaces are mounted.")
	fs.StringVar(&cfg.AgnhostPath, "agnhost", "", "The agnhost binary, run for registry.k8s.io/e2e-test-images/agnhost images and for /agnhost in exec.")
	fs.StringVar(&cfg.CoreDNSPath, "coredns", "", "The coredns binary, run for registry.k8s.io/coredns/coredns images and for /coredns in exec.")
	fs.StringSliceVar(&cfg.ClusterDNS, "cluster-dns", nil, "Comma-separated cluster DNS server IPs, the nameservers of ClusterFirst Pods (as a kubelet's --cluster-dns). Without them ClusterFirst falls back to Default.")
	fs.StringVar(&cfg.ClusterDomain, "cluster-domain", "cluster.local", "The cluster's DNS domain: ClusterFirst Pods search <namespace>.svc.<domain>, svc.<domain> and <domain>.")
	fs.StringVar(&cfg.ResolvConf, "resolv-conf", "/etc/resolv.conf", "The node's resolver configuration, that of Default Pods and the base of ClusterFirst Pods' searches; \"\" gives Default Pods 127.0.0.1 (as a kubelet's --resolv-conf).")
	fs.IntVar(&cfg.APIServerRelayPort, "apiserver-relay-port", 0, "When set, relay TCP from <node-ip>:<port> in the node's host netns to the kubeconfig's kube-apiserver, and give Pods KUBERNETES_SERVICE_HOST=<node-ip>, KUBERNETES_SERVICE_PORT=<port> instead of the kubernetes Service's ClusterIP (until ClusterIPs are reachable). 0: the Service's, as from a kubelet.")
	fs.DurationVar(&cfg.RestartBackoff, "restart-backoff", 0, "First container restart back-off (default 10s), doubled up to --restart-backoff-max.")
	fs.DurationVar(&cfg.RestartBackoffMax, "restart-backoff-max", 0, "Longest container restart back-off (default 5m).")
	fs.DurationVar(&cfg.CNIRetryMax, "cni-retry-max", 0, "Longest back-off between CNI ADD attempts of a Pod (default 10s).")
}

func newRespondCommand() *cobra.Command {
	var cfg vnode.ResponderConfig
	cmd := &cobra.Command{
		Use:   "respond",
		Short: "Answer with --name on every --tcp and --udp port (the container of non-agnhost images)",
		Long: `respond answers on TCP with the name and a newline, or with "200 OK" and the name when the
client sends an HTTP request within --sniff-timeout, and on UDP with the name and a newline.`,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unexpected arguments %q", args)
			}
			r, err := vnode.NewResponder(cfg, os.Stdout)
			if err != nil {
				return err
			}
			return r.Serve(cmd.Context())
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&cfg.Name, "name", "", "The answer (the Pod's name). Required.")
	fs.IntSliceVar(&cfg.TCPPorts, "tcp", nil, "TCP ports to answer on (repeatable).")
	fs.IntSliceVar(&cfg.UDPPorts, "udp", nil, "UDP ports to answer on (repeatable).")
	fs.StringVar(&cfg.Address, "address", "", "Address to listen on (default: every address).")
	fs.DurationVar(&cfg.SniffTimeout, "sniff-timeout", 0, "How long a TCP client is given to send an HTTP request (default 250ms).")
	return cmd
}

func newCleanupCommand() *cobra.Command {
	var cfg vnode.RuntimeConfig
	cmd := &cobra.Command{
		Use:          "cleanup",
		Short:        "Tear down the Pods a run left in --state-dir: kill processes, CNI DEL, remove namespaces",
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cfg.StateDir == "" {
				return errors.New("--state-dir: required")
			}
			return vnode.Cleanup(cmd.Context(), cfg)
		},
	}
	addRuntimeFlags(cmd.Flags(), &cfg)
	return cmd
}
