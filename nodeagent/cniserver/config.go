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

package cniserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"time"

	"github.com/strata-net/strata/cni"
	"github.com/strata-net/strata/nodeagent/ovs/ovsdb"
	"github.com/strata-net/strata/nodeagent/podsync"
)

// OVSDB is what the server needs of the Open_vSwitch database; *ovsdb.Client
// satisfies it.
type OVSDB interface {
	AddPort(ctx context.Context, cfg ovsdb.PortConfig) (ovsdb.UUID, error)
	DeletePort(ctx context.Context, name string) error
	ListPorts(ctx context.Context, f ovsdb.PortFilter) ([]ovsdb.PortInfo, error)
	WaitOFPort(ctx context.Context, name string) (int32, error)
}

var _ OVSDB = (*ovsdb.Client)(nil)

// PortSyncer installs the flows of the Pod ports found in OVSDB and removes
// those of vanished ports; *podsync.Syncer satisfies it.
type PortSyncer interface {
	Sync(ctx context.Context) error
}

var _ PortSyncer = (*podsync.Syncer)(nil)

// StartupGate is the agent's side of the Pod start-up barrier.
type StartupGate interface {
	PodAttached(ctx context.Context, pod cni.PodArgs, ips []net.IP) error
}

// NetworkProvider tells the Node's Pod network. The agent reads it from its
// Node (spec.podCIDRs); an error means it is not known yet (ADD answers
// TRY_AGAIN_LATER).
type NetworkProvider interface {
	NodeNetwork(ctx context.Context) (NodeNetwork, error)
}

// Defaults.
const (
	DefaultBridge         = "br-int"
	DefaultIPAMDataDir    = "/var/lib/cni/networks"
	DefaultNetworkName    = "strata"
	DefaultReadyTimeout   = 20 * time.Second
	DefaultOFPortTimeout  = 10 * time.Second
	DefaultRequestTimeout = 50 * time.Second
)

// Config configures the CNI server.
type Config struct {
	// SocketPath is the unix socket the plugin talks to. Default
	// cni.DefaultSocketPath.
	SocketPath string
	// HostNetNS is the path of the network namespace holding the bridge and the
	// host ends of the Pod veths; empty means the agent's own.
	HostNetNS string
	// Bridge is the OVS bridge Pods are attached to. Default br-int.
	Bridge string
	// OVSDB writes the Pod ports. Required.
	OVSDB OVSDB
	// Pods installs the Pod flows from the ports. Required.
	Pods PortSyncer
	// Network gives the Node's Pod CIDRs and MTU. Required.
	Network NetworkProvider
	// Startup holds a new Pod, attached but not started, until the policies that
	// name it are installed on every Node that enforces them; an error fails ADD
	// with TRY_AGAIN_LATER (the runtime retries; the Pod never starts
	// unprotected). Nil lets a Pod start once attached.
	Startup StartupGate
	// Ready reports whether the first policy sync is done; ADD waits for it up
	// to ReadyTimeout, then answers TRY_AGAIN_LATER. Nil means always ready.
	Ready func() bool
	// ReadyTimeout bounds an ADD's wait for Ready. Default 20s.
	ReadyTimeout time.Duration
	// OFPortTimeout bounds the wait for vswitchd to give a new port its
	// OpenFlow port number. Default 10s.
	OFPortTimeout time.Duration
	// RequestTimeout bounds one request; it must stay below the plugin's
	// timeout (cni.DefaultTimeout) so the plugin gets the answer. Default 50s.
	RequestTimeout time.Duration
	// IPAMDataDir holds host-local's state, one directory per network name.
	// Default /var/lib/cni/networks.
	IPAMDataDir string
	// NetworkName is the network whose leaked addresses Reconcile releases
	// (the name Install writes into the config). Default strata.
	NetworkName string
}

// Defaults fills unset fields.
func (c *Config) Defaults() {
	if c.SocketPath == "" {
		c.SocketPath = cni.DefaultSocketPath
	}
	if c.Bridge == "" {
		c.Bridge = DefaultBridge
	}
	if c.Ready == nil {
		c.Ready = func() bool { return true }
	}
	if c.ReadyTimeout == 0 {
		c.ReadyTimeout = DefaultReadyTimeout
	}
	if c.OFPortTimeout == 0 {
		c.OFPortTimeout = DefaultOFPortTimeout
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.IPAMDataDir == "" {
		c.IPAMDataDir = DefaultIPAMDataDir
	}
	if c.NetworkName == "" {
		c.NetworkName = DefaultNetworkName
	}
}

// Validate checks the config after Defaults.
func (c *Config) Validate() error {
	var errs []error
	if !filepath.IsAbs(c.SocketPath) {
		errs = append(errs, fmt.Errorf("cniserver: SocketPath: %q is not an absolute path", c.SocketPath))
	}
	if c.HostNetNS != "" && !filepath.IsAbs(c.HostNetNS) {
		errs = append(errs, fmt.Errorf("cniserver: HostNetNS: %q is not an absolute path", c.HostNetNS))
	}
	if !filepath.IsAbs(c.IPAMDataDir) {
		errs = append(errs, fmt.Errorf("cniserver: IPAMDataDir: %q is not an absolute path", c.IPAMDataDir))
	}
	if c.OVSDB == nil {
		errs = append(errs, errors.New("cniserver: OVSDB: required"))
	}
	if c.Pods == nil {
		errs = append(errs, errors.New("cniserver: Pods: required"))
	}
	if c.Network == nil {
		errs = append(errs, errors.New("cniserver: Network: required"))
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"ReadyTimeout", c.ReadyTimeout}, {"OFPortTimeout", c.OFPortTimeout}, {"RequestTimeout", c.RequestTimeout}} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("cniserver: %s: negative %s", d.name, d.v))
		}
	}
	return errors.Join(errs...)
}
