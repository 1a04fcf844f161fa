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

package nodeagent

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/cni"
	"github.com/strata-net/strata/nodeagent/cniserver"
	"github.com/strata-net/strata/nodeagent/nodenet"
)

// CNIConfig configures the agent's CNI server, which runs with the Pod network
// (Config.Kube set).
type CNIConfig struct {
	// SocketPath is the server's unix socket. Default /var/run/strata/cni.sock.
	SocketPath string
	// BinDir and ConfDir are the node's CNI directories, where the agent
	// installs the plugin and its network config list on start. Defaults
	// /opt/cni/bin and /etc/cni/net.d.
	BinDir, ConfDir string
	// PluginBinary is the strata-cni binary to install. Default: strata-cni
	// next to the agent's executable.
	PluginBinary string
	// IPAMDataDir holds the allocated addresses. Default /var/lib/cni/networks.
	IPAMDataDir string
}

func (c *CNIConfig) defaults() {
	if c.SocketPath == "" {
		c.SocketPath = cni.DefaultSocketPath
	}
	if c.BinDir == "" {
		c.BinDir = cniserver.DefaultBinDir
	}
	if c.ConfDir == "" {
		c.ConfDir = cniserver.DefaultConfDir
	}
	if c.IPAMDataDir == "" {
		c.IPAMDataDir = cniserver.DefaultIPAMDataDir
	}
	if c.PluginBinary == "" {
		if exe, err := os.Executable(); err == nil {
			c.PluginBinary = filepath.Join(filepath.Dir(exe), "strata-cni")
		}
	}
}

func (c *CNIConfig) validate() error {
	if _, err := os.Stat(c.PluginBinary); err != nil {
		return fieldError("CNI.PluginBinary", err)
	}
	return nil
}

// cniNetwork gives the CNI server the node's Pod network once it is set up.
type cniNetwork struct{ a *Agent }

func (n cniNetwork) NodeNetwork(ctx context.Context) (cniserver.NodeNetwork, error) {
	pn, err := n.a.PodNetwork(ctx)
	if err != nil {
		return cniserver.NodeNetwork{}, err
	}
	cidrs := make([]string, len(pn.PodCIDRs))
	for i, c := range pn.PodCIDRs {
		cidrs[i] = c.String()
	}
	return cniserver.ParseNodeNetwork(cidrs, pn.MTU)
}

// buildCNI installs the plugin and its config into the node's CNI directories
// and builds the server; nil without the Pod network.
func (a *Agent) buildCNI(ctx context.Context, p *components) error {
	c := a.cfg
	if p.host == nil {
		return nil
	}
	bin, conf, err := cniserver.Install(cniserver.InstallConfig{PluginBinary: c.CNI.PluginBinary, BinDir: c.CNI.BinDir,
		ConfDir: c.CNI.ConfDir, MTU: c.MTU, AgentSocket: c.CNI.SocketPath})
	if err != nil {
		return fmt.Errorf("installing the CNI plugin: %w", err)
	}
	klog.FromContext(ctx).Info("Installed the CNI plugin", "plugin", bin, "config", conf)
	p.cni, err = cniserver.New(cniserver.Config{SocketPath: c.CNI.SocketPath, HostNetNS: nodenet.NetNSPath(c.HostNetNS),
		Bridge: c.Bridge, OVSDB: p.db, Pods: p.pods, Network: cniNetwork{a}, Ready: p.policies.Synced,
		Startup: podStartupGate{client: a.client, node: c.NodeName}, IPAMDataDir: c.CNI.IPAMDataDir})
	return err
}

// reconcileCNI removes the Pod ports and addresses of Pods that are gone (the
// agent was down while they were deleted), once, when kube-apiserver answers.
func (a *Agent) reconcileCNI(ctx context.Context, p *components) {
	logger := klog.FromContext(ctx)
	var live map[string]bool
	err := wait.PollUntilContextTimeout(ctx, time.Second, 5*time.Minute, true, func(ctx context.Context) (bool, error) {
		pods, err := a.cfg.Kube.CoreV1().Pods(metav1.NamespaceAll).List(ctx, metav1.ListOptions{
			FieldSelector: fields.OneTermEqualSelector("spec.nodeName", a.cfg.NodeName).String(), ResourceVersion: "0"})
		if err != nil {
			logger.V(2).Info("Listing this node's Pods for the CNI reconcile failed; retrying", "err", err)
			return false, nil
		}
		live = map[string]bool{}
		for _, pod := range pods.Items {
			if pod.Status.Phase != corev1.PodSucceeded && pod.Status.Phase != corev1.PodFailed {
				live[pod.Namespace+"/"+pod.Name] = true
			}
		}
		return true, nil
	})
	if err != nil {
		if ctx.Err() == nil {
			logger.Error(err, "Gave up listing this node's Pods; stale Pod ports stay until the next restart")
		}
		return
	}
	if err := p.cni.Reconcile(ctx, func(ns, name string) bool { return live[ns+"/"+name] }); err != nil {
		logger.Error(err, "CNI reconcile failed")
	}
}
