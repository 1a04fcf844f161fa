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
	"context"
	"errors"
	"fmt"
	"os"
	"sort"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/invoke"
	cnitypes "github.com/containernetworking/cni/pkg/types"
	types100 "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"
)

// podIfName is the sandbox interface CNI creates.
const podIfName = "eth0"

// cniRunner calls CNI plugins through libcni as a container runtime does.
type cniRunner struct {
	confDir string
	cni     *libcni.CNIConfig
}

func newCNIRunner(cfg *RuntimeConfig) *cniRunner {
	exec := &netnsExec{
		DefaultExec: &invoke.DefaultExec{RawExec: &invoke.RawExec{Stderr: os.Stderr}, PluginDecoder: version.PluginDecoder{}},
		netns:       cfg.HostNetNS,
	}
	return &cniRunner{
		confDir: cfg.CNIConfDir,
		cni:     libcni.NewCNIConfigWithCacheDir([]string{cfg.CNIBinDir}, cfg.CNICacheDir, exec),
	}
}

// sandboxRef identifies a sandbox for CNI.
type sandboxRef struct {
	ID    string `json:"id"`
	NetNS string `json:"netns"`
	// HostNetwork sandboxes are the node's namespace: no CNI, never removed.
	HostNetwork bool   `json:"hostNetwork,omitempty"`
	Namespace   string `json:"namespace"`
	Name        string `json:"name"`
	UID         string `json:"uid"`
}

// runtimeConf is what a runtime passes for a Pod sandbox: the CNI_ARGS a kubelet
// with containerd sets (IgnoreUnknown first, so plugins accept the K8S_* keys).
func (s sandboxRef) runtimeConf() *libcni.RuntimeConf {
	return &libcni.RuntimeConf{
		ContainerID: s.ID,
		NetNS:       s.NetNS,
		IfName:      podIfName,
		Args: [][2]string{
			{"IgnoreUnknown", "1"},
			{"K8S_POD_NAMESPACE", s.Namespace},
			{"K8S_POD_NAME", s.Name},
			{"K8S_POD_INFRA_CONTAINER_ID", s.ID},
			{"K8S_POD_UID", s.UID},
		},
	}
}

// loadNetwork loads the node's network: the first config file of the config
// directory in lexical order (.conflist, .conf or .json), as containerd does.
func loadNetwork(confDir string) (*libcni.NetworkConfigList, error) {
	files, err := libcni.ConfFiles(confDir, []string{".conflist", ".conf", ".json"})
	if err != nil {
		return nil, fmt.Errorf("reading CNI config dir %s: %w", confDir, err)
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("no CNI network config in %s", confDir)
	}
	var errs []error
	for _, f := range files {
		list, err := loadNetworkFile(f)
		if err == nil {
			return list, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("no valid CNI network config in %s: %w", confDir, errors.Join(errs...))
}

func loadNetworkFile(path string) (*libcni.NetworkConfigList, error) {
	list, err := libcni.NetworkConfFromFile(path)
	if err == nil {
		if len(list.Plugins) == 0 {
			return nil, fmt.Errorf("%s: no plugins", path)
		}
		return list, nil
	}
	conf, cerr := libcni.ConfFromFile(path)
	if cerr != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return libcni.ConfListFromConf(conf)
}

// load reads the node's current network config.
func (c *cniRunner) load() (*libcni.NetworkConfigList, error) { return loadNetwork(c.confDir) }

// add attaches the sandbox to network list (one attempt). A result cached by an
// earlier ADD of the same sandbox is returned as is.
func (c *cniRunner) add(ctx context.Context, list *libcni.NetworkConfigList, s sandboxRef) (*types100.Result, error) {
	rt := s.runtimeConf()
	res, err := c.cni.GetNetworkListCachedResult(list, rt)
	if err != nil || res == nil {
		res, err = c.cni.AddNetworkList(ctx, list, rt)
		if err != nil {
			return nil, fmt.Errorf("CNI ADD (network %q): %w", list.Name, err)
		}
	}
	r, err := types100.NewResultFromResult(res)
	if err != nil {
		return nil, fmt.Errorf("CNI ADD result: %w", err)
	}
	return r, nil
}

// del detaches the sandbox from network netName. It uses the config cached by ADD
// when there is one (the node's config may have changed or be gone since), the
// current one otherwise.
func (c *cniRunner) del(ctx context.Context, s sandboxRef, netName string) error {
	rt := s.runtimeConf()
	var list *libcni.NetworkConfigList
	if netName != "" {
		cached, _, err := c.cni.GetNetworkListCachedConfig(&libcni.NetworkConfigList{Name: netName}, rt)
		if err == nil && cached != nil {
			list, _ = libcni.NetworkConfFromBytes(cached)
		}
	}
	if list == nil {
		var err error
		if list, err = loadNetwork(c.confDir); err != nil {
			return err
		}
	}
	if err := c.cni.DelNetworkList(ctx, list, rt); err != nil {
		return fmt.Errorf("CNI DEL (network %q): %w", list.Name, err)
	}
	return nil
}

// isTryAgainLater reports a CNI error with code 11 (TRY_AGAIN_LATER).
func isTryAgainLater(err error) bool {
	var e *cnitypes.Error
	return errors.As(err, &e) && e.Code == cnitypes.ErrTryAgainLater
}

// podIPs are the result's addresses on the sandbox interface (all of them when the
// plugin does not say which interface an address is on), IPv4 first.
func podIPs(r *types100.Result, netnsPath string) []string {
	var v4, v6 []string
	for _, ipc := range r.IPs {
		if ipc.Interface != nil && *ipc.Interface >= 0 && *ipc.Interface < len(r.Interfaces) {
			if sb := r.Interfaces[*ipc.Interface].Sandbox; sb != "" && sb != netnsPath {
				continue
			}
		}
		ip := ipc.Address.IP
		if ip.To4() != nil {
			v4 = append(v4, ip.String())
		} else if ip.To16() != nil {
			v6 = append(v6, ip.String())
		}
	}
	return append(v4, v6...)
}

// netnsExec runs plugins in the node's host network namespace, where the runtime
// of a real node runs them.
type netnsExec struct {
	*invoke.DefaultExec
	netns string
}

func (e *netnsExec) ExecPlugin(ctx context.Context, pluginPath string, stdin []byte, environ []string) ([]byte, error) {
	var out []byte
	err := inNetNS(e.netns, func() error {
		var err error
		out, err = e.DefaultExec.ExecPlugin(ctx, pluginPath, stdin, environ)
		return err
	})
	return out, err
}
