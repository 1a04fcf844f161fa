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

package vnode

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
)

// RuntimeConfig configures the Pod runtime: sandboxes, CNI and containers.
type RuntimeConfig struct {
	// NodeName is the Node the Pods are bound to. Required (--node-name).
	NodeName string
	// NodeIP is the Node's InternalIP (its underlay address); it is every Pod's
	// hostIP. Required (--node-ip).
	NodeIP string
	// StateDir keeps one directory per Pod (state file and logs). Required
	// (--state-dir).
	StateDir string
	// CNIBinDir holds the CNI plugins (--cni-bin-dir). Default /opt/cni/bin.
	CNIBinDir string
	// CNIConfDir holds the CNI network configs (--cni-conf-dir). Default /etc/cni/net.d.
	CNIConfDir string
	// CNICacheDir is libcni's result cache (--cni-cache-dir). Default <StateDir>/cni-cache.
	CNICacheDir string
	// HostNetNS is the Node's host network namespace, a path or a name under
	// NetNSDir (--host-netns): CNI plugins run there and tcpSocket/httpGet probes are
	// dialled from there. Empty is the program's own namespace.
	HostNetNS string
	// NetNSDir is where sandbox namespaces are mounted (--netns-dir). Default /run/netns.
	NetNSDir string
	// AgnhostPath is the agnhost binary run for agnhost images and for "/agnhost" in
	// exec (--agnhost). Optional: without it agnhost containers fail to start with a
	// clear message.
	AgnhostPath string
	// CoreDNSPath is the coredns binary run for CoreDNS images
	// (registry.k8s.io/coredns/coredns) and for "/coredns" in exec (--coredns).
	// Optional: without it CoreDNS containers fail to start with a clear message.
	CoreDNSPath string
	// ClusterDNS are the cluster DNS servers of ClusterFirst Pods (--cluster-dns),
	// as a kubelet's. Without them ClusterFirst falls back to Default.
	ClusterDNS []string
	// ClusterDomain is the cluster's DNS domain (--cluster-domain). Default
	// cluster.local.
	ClusterDomain string
	// ResolvConf is the node's resolver configuration, that of Default Pods
	// (--resolv-conf, /etc/resolv.conf on the command line). Empty: Default Pods get
	// the nameserver 127.0.0.1, as from a kubelet with --resolv-conf="".
	ResolvConf string
	// APIServerRelayPort, when set, makes kube-apiserver reachable from the Pods
	// at NodeIP:APIServerRelayPort and gives Pods KUBERNETES_SERVICE_HOST=NodeIP and
	// KUBERNETES_SERVICE_PORT=APIServerRelayPort in place of the ClusterIP and port
	// of the Service default/kubernetes (--apiserver-relay-port; see relay.go).
	// Zero: the Service's, as from a kubelet.
	APIServerRelayPort int
	// ResponderCommand starts a responder; the responder flags are appended.
	// Default: this executable with the "respond" subcommand.
	ResponderCommand []string
	// RestartBackoff is the first container restart back-off, doubled up to
	// RestartBackoffMax (--restart-backoff, --restart-backoff-max). Default 10s, 5m.
	RestartBackoff    time.Duration
	RestartBackoffMax time.Duration
	// CNIRetryMax bounds the back-off between CNI ADD attempts (--cni-retry-max).
	// Default 10s.
	CNIRetryMax time.Duration
}

// Defaults fills zero values.
func (c *RuntimeConfig) Defaults() {
	if c.CNIBinDir == "" {
		c.CNIBinDir = "/opt/cni/bin"
	}
	if c.CNIConfDir == "" {
		c.CNIConfDir = "/etc/cni/net.d"
	}
	if c.CNICacheDir == "" && c.StateDir != "" {
		c.CNICacheDir = filepath.Join(c.StateDir, "cni-cache")
	}
	if c.NetNSDir == "" {
		c.NetNSDir = "/run/netns"
	}
	if c.HostNetNS != "" && !strings.Contains(c.HostNetNS, "/") {
		c.HostNetNS = filepath.Join(c.NetNSDir, c.HostNetNS)
	}
	if len(c.ResponderCommand) == 0 {
		if self, err := os.Executable(); err == nil {
			c.ResponderCommand = []string{self, "respond"}
		}
	}
	if c.ClusterDomain == "" {
		c.ClusterDomain = "cluster.local"
	}
	if c.RestartBackoff == 0 {
		c.RestartBackoff = 10 * time.Second
	}
	if c.RestartBackoffMax == 0 {
		c.RestartBackoffMax = 5 * time.Minute
	}
	if c.CNIRetryMax == 0 {
		c.CNIRetryMax = 10 * time.Second
	}
}

// Validate reports every invalid field, naming its flag.
func (c *RuntimeConfig) Validate() error {
	var errs []error
	if c.NodeName == "" {
		errs = append(errs, errors.New("--node-name: required (the Node to register)"))
	}
	if net.ParseIP(c.NodeIP) == nil {
		errs = append(errs, fmt.Errorf("--node-ip: %q is not an IP address (the Node's InternalIP is required)", c.NodeIP))
	}
	if c.StateDir == "" {
		errs = append(errs, errors.New("--state-dir: required"))
	} else {
		errs = append(errs, absPath("--state-dir", c.StateDir), absPath("--cni-cache-dir", c.CNICacheDir))
	}
	errs = append(errs, absPath("--cni-bin-dir", c.CNIBinDir), absPath("--cni-conf-dir", c.CNIConfDir),
		absPath("--netns-dir", c.NetNSDir))
	if c.HostNetNS != "" {
		if _, err := os.Stat(c.HostNetNS); err != nil {
			errs = append(errs, fmt.Errorf("--host-netns: %w", err))
		}
	}
	if c.AgnhostPath != "" {
		errs = append(errs, executable("--agnhost", c.AgnhostPath))
	}
	if c.CoreDNSPath != "" {
		errs = append(errs, executable("--coredns", c.CoreDNSPath))
	}
	for _, ip := range c.ClusterDNS {
		if net.ParseIP(ip) == nil {
			errs = append(errs, fmt.Errorf("--cluster-dns: %q is not an IP address", ip))
		}
	}
	if len(c.ClusterDNS) > maxDNSNameservers {
		errs = append(errs, fmt.Errorf("--cluster-dns: %d addresses, at most %d", len(c.ClusterDNS), maxDNSNameservers))
	}
	if c.ResolvConf != "" {
		if _, err := os.Stat(c.ResolvConf); err != nil {
			errs = append(errs, fmt.Errorf("--resolv-conf: %w", err))
		}
	}
	if c.APIServerRelayPort < 0 || c.APIServerRelayPort > 65535 {
		errs = append(errs, fmt.Errorf("--apiserver-relay-port: %d is not in 0-65535", c.APIServerRelayPort))
	}
	if len(c.ResponderCommand) == 0 {
		errs = append(errs, errors.New("responder command: empty (os.Executable failed)"))
	}
	errs = append(errs, positive("--restart-backoff", c.RestartBackoff), positive("--restart-backoff-max", c.RestartBackoffMax),
		positive("--cni-retry-max", c.CNIRetryMax))
	if c.RestartBackoffMax < c.RestartBackoff {
		errs = append(errs, fmt.Errorf("--restart-backoff-max: %s is less than --restart-backoff %s", c.RestartBackoffMax, c.RestartBackoff))
	}
	return errors.Join(errs...)
}

// Config is strata-vnode's configuration: the Node, its kubelet API and the runtime.
type Config struct {
	Runtime RuntimeConfig
	// Kubeconfig reaches kube-apiserver. Required (--kubeconfig).
	Kubeconfig string
	// KubeletAddress is where the kubelet API listens and the Node's Hostname
	// address, through which kube-apiserver reaches it (--kubelet-address).
	// Default 127.0.0.1.
	KubeletAddress string
	// KubeletPort is the kubelet API port, the Node's daemonEndpoints.kubeletEndpoint
	// (--kubelet-port). Default 10250.
	KubeletPort int
	// TLSCertFile and TLSKeyFile serve the kubelet API (--tls-cert-file,
	// --tls-private-key-file); both empty generates a self-signed certificate.
	TLSCertFile string
	TLSKeyFile  string
	// ClientCAFile, when set, requires client certificates signed by it
	// (--client-ca-file); otherwise the kubelet API serves anyone.
	ClientCAFile string
	// CPU, Memory and MaxPods are the Node's capacity (--cpu, --memory, --max-pods).
	// Default 4, 8Gi, 110.
	CPU     string
	Memory  string
	MaxPods int
	// KubeletVersion is reported in the Node's nodeInfo (--kubelet-version).
	KubeletVersion string
	// PodSyncWorkers reconcile Pods in parallel (--pod-sync-workers). Default 4.
	PodSyncWorkers int
	// NetworkPollInterval is how often the CNI config directory is checked for the
	// Node's Ready condition (--network-poll-interval). Default 1s.
	NetworkPollInterval time.Duration
}

// Defaults fills zero values.
func (c *Config) Defaults() {
	c.Runtime.Defaults()
	if c.KubeletAddress == "" {
		c.KubeletAddress = "127.0.0.1"
	}
	if c.KubeletPort == 0 {
		c.KubeletPort = 10250
	}
	if c.CPU == "" {
		c.CPU = "4"
	}
	if c.Memory == "" {
		c.Memory = "8Gi"
	}
	if c.MaxPods == 0 {
		c.MaxPods = 110
	}
	if c.KubeletVersion == "" {
		c.KubeletVersion = "v1.37.2"
	}
	if c.PodSyncWorkers == 0 {
		c.PodSyncWorkers = 4
	}
	if c.NetworkPollInterval == 0 {
		c.NetworkPollInterval = time.Second
	}
}

// Validate reports every invalid field, naming its flag.
func (c *Config) Validate() error {
	errs := []error{c.Runtime.Validate()}
	if c.Kubeconfig == "" {
		errs = append(errs, errors.New("--kubeconfig: required"))
	}
	if net.ParseIP(c.KubeletAddress) == nil {
		errs = append(errs, fmt.Errorf("--kubelet-address: %q is not an IP address", c.KubeletAddress))
	}
	if c.KubeletPort < 1 || c.KubeletPort > 65535 {
		errs = append(errs, fmt.Errorf("--kubelet-port: %d is not in 1-65535", c.KubeletPort))
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		errs = append(errs, errors.New("--tls-cert-file, --tls-private-key-file: set both or neither"))
	}
	errs = append(errs, quantity("--cpu", c.CPU), quantity("--memory", c.Memory))
	if c.MaxPods < 1 {
		errs = append(errs, fmt.Errorf("--max-pods: %d is not positive", c.MaxPods))
	}
	if c.PodSyncWorkers < 1 {
		errs = append(errs, fmt.Errorf("--pod-sync-workers: %d is not positive", c.PodSyncWorkers))
	}
	errs = append(errs, positive("--network-poll-interval", c.NetworkPollInterval))
	return errors.Join(errs...)
}

func absPath(flag, p string) error {
	if !filepath.IsAbs(p) {
		return fmt.Errorf("%s: %q is not an absolute path", flag, p)
	}
	return nil
}

func executable(flag, p string) error {
	st, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("%s: %w", flag, err)
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		return fmt.Errorf("%s: %q is not an executable file", flag, p)
	}
	return nil
}

func positive(flag string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%s: %s is not positive", flag, d)
	}
	return nil
}

func quantity(flag, q string) error {
	v, err := resource.ParseQuantity(q)
	if err != nil {
		return fmt.Errorf("%s: %q: %w", flag, q, err)
	}
	if v.Sign() <= 0 {
		return fmt.Errorf("%s: %q is not positive", flag, q)
	}
	return nil
}
