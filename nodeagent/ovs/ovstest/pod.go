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

package ovstest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// podIfName is the interface name inside every pod namespace.
const podIfName = "eth0"

// PodConfig describes a fake pod: a network namespace with one veth.
type PodConfig struct {
	// Name is short and unique within the instance (part of the netns name
	// and of the host interface name).
	Name string
	// IP is the pod address in CIDR form, e.g. "10.77.0.11/24"; optional.
	IP string
	// MAC of the pod interface; random when empty.
	MAC string
	// OFPort is the ofport_request for the host end; 0 lets OVS choose.
	OFPort int32
	// ExternalIDs are set on the OVS Port row.
	ExternalIDs map[string]string
	// Detached leaves the host end out of the bridge, for code under test
	// that attaches it itself (e.g. through package ovsdb).
	Detached bool
}

// Pod is a fake pod created by AddPod.
type Pod struct {
	Name string
	// NetNS is the pod's network namespace name.
	NetNS string
	// IfName is the pod-side interface ("eth0").
	IfName string
	// HostIfName is the veth end in the ovs-vswitchd namespace (the OVS port).
	HostIfName string
	IP         string
	MAC        string
	// OFPort is the OpenFlow port of HostIfName (0 when Detached).
	OFPort int32
}

// AddPod creates a pod namespace and a veth pair whose host end lives in the
// ovs-vswitchd namespace, sets the pod MAC and IP, brings both ends up, turns
// TX checksum offload off on both ends (the netdev datapath does not fill in
// checksums), and, unless Detached, attaches the host end to the bridge.
func (i *Instance) AddPod(bridge string, cfg PodConfig) (*Pod, error) {
	if cfg.Name == "" {
		return nil, errors.New("add pod: name is empty")
	}
	p := &Pod{Name: cfg.Name, NetNS: i.netnsName("pod-" + cfg.Name), IfName: podIfName,
		HostIfName: hostIfName(cfg.Name), IP: cfg.IP}
	if err := i.createPodLink(p, cfg); err != nil {
		return nil, fmt.Errorf("add pod %q: %w", cfg.Name, err)
	}
	if !cfg.Detached {
		if err := i.attachPod(bridge, p, cfg); err != nil {
			return nil, fmt.Errorf("add pod %q: %w", cfg.Name, err)
		}
	}
	i.mu.Lock()
	i.pods = append(i.pods, p)
	i.mu.Unlock()
	return p, nil
}

// hostIfName is up to 8 characters of the pod name, "-" and 6 random hex
// characters: 15 at most, unique among concurrent tests.
func hostIfName(pod string) string {
	if len(pod) > 8 {
		pod = pod[:8]
	}
	return pod + "-" + randomHex(6)
}

func (i *Instance) createPodLink(p *Pod, cfg PodConfig) error {
	if err := i.addNetNS(p.NetNS); err != nil {
		return err
	}
	steps := [][]string{
		{"ip", "-n", i.NetNS(), "link", "add", p.HostIfName, "type", "veth", "peer", "name", p.IfName, "netns", p.NetNS},
	}
	if cfg.MAC != "" {
		steps = append(steps, []string{"ip", "-n", p.NetNS, "link", "set", p.IfName, "address", cfg.MAC})
	}
	if cfg.IP != "" {
		steps = append(steps, []string{"ip", "-n", p.NetNS, "addr", "add", cfg.IP, "dev", p.IfName})
	}
	steps = append(steps,
		[]string{"ip", "-n", p.NetNS, "link", "set", p.IfName, "up"},
		[]string{"ip", "-n", i.NetNS(), "link", "set", p.HostIfName, "up"},
		[]string{"ip", "netns", "exec", p.NetNS, "ethtool", "-K", p.IfName, "tx", "off"},
		[]string{"ip", "netns", "exec", i.NetNS(), "ethtool", "-K", p.HostIfName, "tx", "off"},
	)
	for _, argv := range steps {
		if _, err := run(context.Background(), nil, argv...); err != nil {
			return err
		}
	}
	mac, err := linkMAC(p.NetNS, p.IfName)
	p.MAC = mac
	return err
}

func (i *Instance) attachPod(bridge string, p *Pod, cfg PodConfig) error {
	args := []string{"add-port", bridge, p.HostIfName}
	if cfg.OFPort != 0 {
		args = append(args, "--", "set", "Interface", p.HostIfName, fmt.Sprintf("ofport_request=%d", cfg.OFPort))
	}
	for k, v := range cfg.ExternalIDs {
		args = append(args, "--", "set", "Port", p.HostIfName, fmt.Sprintf("external_ids:%s=%q", k, v))
	}
	if _, err := i.VSCtl(args...); err != nil {
		return err
	}
	out, err := i.VSCtl("get", "Interface", p.HostIfName, "ofport")
	if err != nil {
		return err
	}
	ofport, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil || ofport <= 0 {
		return fmt.Errorf("port %s got no valid ofport (%q): %v", p.HostIfName, strings.TrimSpace(out), err)
	}
	p.OFPort = int32(ofport)
	return nil
}

// linkMAC reads an interface's MAC address with "ip -j link show".
func linkMAC(netns, ifName string) (string, error) {
	out, err := run(context.Background(), nil, "ip", "-n", netns, "-j", "link", "show", ifName)
	if err != nil {
		return "", err
	}
	var links []struct {
		Address string `json:"address"`
	}
	if err := json.Unmarshal([]byte(out), &links); err != nil || len(links) != 1 {
		return "", fmt.Errorf("parse ip -j link show %s output %q: %v", ifName, out, err)
	}
	return links[0].Address, nil
}

// Exec runs a command inside the pod namespace and returns its stdout; the
// error includes stderr.
func (p *Pod) Exec(ctx context.Context, argv ...string) (string, error) {
	return run(ctx, nil, append([]string{"ip", "netns", "exec", p.NetNS}, argv...)...)
}
