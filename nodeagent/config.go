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

// Package nodeagent is strata-agent's composition root: it owns the OVS bridge and
// wires the OpenFlow pipeline, the policy controller (controlplane watches → rules →
// flows), the Pod port synchronisation and the packet-in handler (reject, audit log).
package nodeagent

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/strata-net/strata/nodeagent/fqdn"
	"github.com/strata-net/strata/nodeagent/nodenet"
)

// Datapath types of the bridge.
const (
	DatapathSystem = "system" // the openvswitch kernel module
	DatapathNetdev = "netdev" // OVS userspace
)

// DefaultStateDir is where the agent saves policies by default: a directory that
// survives reboots.
const DefaultStateDir = "/var/lib/strata"

// Config is strata-agent's configuration.
type Config struct {
	// NodeName is the Node this agent enforces policies on. Required.
	NodeName string
	// Bridge is the OVS bridge the agent owns. Default br-int.
	Bridge string
	// OVSRunDir holds db.sock and <bridge>.mgmt. Default /var/run/openvswitch.
	OVSRunDir string
	// DatapathType is system or netdev; empty detects: system when the openvswitch
	// kernel module is loaded, netdev otherwise.
	DatapathType string
	// StateDir keeps the last synced policies for restarts without strata-apiserver.
	// It must survive a reboot of the node (not a tmpfs such as /var/run): an agent
	// that starts without strata-apiserver enforces what it saved. Default
	// /var/lib/strata.
	StateDir string
	// AuditLogPath is np.log. Default /var/log/strata/networkpolicy/np.log.
	AuditLogPath string
	// PacketInRate limits policy packet-ins per second. Default 5000.
	PacketInRate uint32
	// FQDNMinTTL is the shortest time an address learnt from a DNS response
	// is kept for the FQDN peers of egress rules (nodeagent/fqdn). Default 5s
	// (fqdn.DefaultMinTTL).
	FQDNMinTTL time.Duration
	// SyncTimeout is how long the first policy sync may take before the agent warns
	// that it has not completed, and again every SyncTimeout after. The previous
	// run's flows stay installed until a complete sync replaces them, however long
	// that takes (fail closed). Default 5m.
	SyncTimeout time.Duration
	// StatsInterval is how often the agent reports its rules' traffic counts
	// (nodestatssummaries). Default 60s.
	StatsInterval time.Duration

	// Kube reads and watches Nodes on kube-apiserver. When set, the agent runs the
	// node's Pod network (nodeagent/nodenet): it waits for its Node's spec.podCIDR,
	// sets up the gateway port and forwarding in HostNetNS, installs the gateway
	// flows and keeps a route to every other Node's Pod CIDR. Nil: policy only, no
	// gateway and no routes.
	Kube kubernetes.Interface
	// HostNetNS is the node's host network namespace, by path or by name under
	// /run/netns; empty is the agent's own namespace (a real node).
	HostNetNS string
	// GatewayName is the gateway port and host interface. Default strata-gw0.
	GatewayName string
	// MTU of the gateway and the Pod interfaces. Default 1500.
	MTU int
	// PodCIDRTimeout bounds the wait for the Node's spec.podCIDR. Default 5m.
	PodCIDRTimeout time.Duration
	// HostIngressPolicy applies the ingress policy of local Pods to traffic from
	// their own node (probes, host processes) too. By default that traffic is
	// always allowed, as Kubernetes specifies.
	HostIngressPolicy bool
	// CNI configures the CNI server, run with the Pod network.
	CNI CNIConfig
}

// Defaults fills zero values.
func (c *Config) Defaults() {
	if c.Bridge == "" {
		c.Bridge = "br-int"
	}
	if c.OVSRunDir == "" {
		c.OVSRunDir = "/var/run/openvswitch"
	}
	if c.DatapathType == "" {
		c.DatapathType = DetectDatapathType()
	}
	if c.StateDir == "" {
		c.StateDir = DefaultStateDir
	}
	if c.AuditLogPath == "" {
		c.AuditLogPath = "/var/log/strata/networkpolicy/np.log"
	}
	if c.PacketInRate == 0 {
		c.PacketInRate = 5000
	}
	if c.FQDNMinTTL == 0 {
		c.FQDNMinTTL = fqdn.DefaultMinTTL
	}
	if c.SyncTimeout == 0 {
		c.SyncTimeout = 5 * time.Minute
	}
	if c.StatsInterval == 0 {
		c.StatsInterval = time.Minute
	}
	if c.GatewayName == "" {
		c.GatewayName = nodenet.DefaultGatewayName
	}
	if c.MTU == 0 {
		c.MTU = nodenet.DefaultMTU
	}
	if c.PodCIDRTimeout == 0 {
		c.PodCIDRTimeout = nodenet.DefaultPodCIDRTimeout
	}
	c.CNI.defaults()
}

// Validate reports every invalid field, each as a *FieldError naming the field.
func (c *Config) Validate() error {
	var errs []error
	if c.NodeName == "" {
		errs = append(errs, fieldError("NodeName", errors.New("required (the Node this agent runs on)")))
	}
	if c.DatapathType != DatapathSystem && c.DatapathType != DatapathNetdev {
		errs = append(errs, fieldError("DatapathType", fmt.Errorf("%q is neither %q nor %q", c.DatapathType, DatapathSystem, DatapathNetdev)))
	}
	if c.SyncTimeout < 0 {
		errs = append(errs, fieldError("SyncTimeout", fmt.Errorf("negative %s", c.SyncTimeout)))
	}
	if c.StatsInterval < 0 {
		errs = append(errs, fieldError("StatsInterval", fmt.Errorf("negative %s", c.StatsInterval)))
	}
	if c.FQDNMinTTL < 0 {
		errs = append(errs, fieldError("FQDNMinTTL", fmt.Errorf("negative %s", c.FQDNMinTTL)))
	}
	if len(c.GatewayName) > 15 {
		errs = append(errs, fieldError("GatewayName", fmt.Errorf("%q is longer than 15 characters", c.GatewayName)))
	}
	if c.MTU < 576 || c.MTU > 65535 {
		errs = append(errs, fieldError("MTU", fmt.Errorf("%d out of range 576..65535", c.MTU)))
	}
	if c.PodCIDRTimeout < 0 {
		errs = append(errs, fieldError("PodCIDRTimeout", fmt.Errorf("negative %s", c.PodCIDRTimeout)))
	}
	if c.HostNetNS != "" {
		if _, err := os.Stat(nodenet.NetNSPath(c.HostNetNS)); err != nil {
			errs = append(errs, fieldError("HostNetNS", err))
		}
	}
	if c.Kube != nil {
		if err := c.CNI.validate(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// DetectDatapathType returns system when the openvswitch kernel module is loaded,
// netdev (userspace) otherwise.
func DetectDatapathType() string {
	if _, err := os.Stat("/sys/module/openvswitch"); err == nil {
		return DatapathSystem
	}
	return DatapathNetdev
}

func (c *Config) dbSocket() string   { return filepath.Join(c.OVSRunDir, "db.sock") }
func (c *Config) mgmtSocket() string { return "unix:" + filepath.Join(c.OVSRunDir, c.Bridge+".mgmt") }
func (c *Config) policyStateDir() string {
	return filepath.Join(c.StateDir, "networkpolicy")
}

// fqdnStatePath keeps the addresses learnt for FQDN rules across restarts.
func (c *Config) fqdnStatePath() string {
	return filepath.Join(c.StateDir, "fqdn", "cache.json")
}
