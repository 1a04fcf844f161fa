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
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/containernetworking/cni/pkg/types"

	"github.com/strata-net/strata/cni"
)

// Install defaults.
const (
	DefaultBinDir       = "/opt/cni/bin"
	DefaultConfDir      = "/etc/cni/net.d"
	DefaultConfFileName = "10-strata.conflist"
	DefaultCNIVersion   = "1.1.0"
	// PluginBinaryName is the installed plugin's name (the config's type).
	PluginBinaryName = cni.PluginType
)

// InstallConfig says where the plugin and its network config go.
type InstallConfig struct {
	// PluginBinary is the strata-cni binary to install. Required.
	PluginBinary string
	// BinDir receives the plugin as "strata". Default /opt/cni/bin.
	BinDir string
	// ConfDir receives the network config list. Default /etc/cni/net.d.
	ConfDir string
	// ConfFileName is the config list's file name. Default 10-strata.conflist.
	ConfFileName string
	// NetworkName is the network's name (and IPAM directory). Default strata.
	NetworkName string
	// CNIVersion of the config list. Default 1.1.0 (STATUS needs it).
	CNIVersion string
	// MTU of Pod interfaces; 0 leaves it to the agent's Node network.
	MTU int
	// AgentSocket is the CNI server's socket. Default cni.DefaultSocketPath.
	AgentSocket string
}

// Defaults fills unset fields.
func (c *InstallConfig) Defaults() {
	if c.BinDir == "" {
		c.BinDir = DefaultBinDir
	}
	if c.ConfDir == "" {
		c.ConfDir = DefaultConfDir
	}
	if c.ConfFileName == "" {
		c.ConfFileName = DefaultConfFileName
	}
	if c.NetworkName == "" {
		c.NetworkName = DefaultNetworkName
	}
	if c.CNIVersion == "" {
		c.CNIVersion = DefaultCNIVersion
	}
	if c.AgentSocket == "" {
		c.AgentSocket = cni.DefaultSocketPath
	}
}

// Validate checks the config after Defaults; the plugin's part is validated
// as the plugin will.
func (c *InstallConfig) Validate() error {
	if c.PluginBinary == "" {
		return errors.New("cniserver: install: PluginBinary: required")
	}
	if filepath.Base(c.ConfFileName) != c.ConfFileName || filepath.Ext(c.ConfFileName) != ".conflist" {
		return fmt.Errorf("cniserver: install: ConfFileName: %q is not a plain *.conflist name", c.ConfFileName)
	}
	b, err := json.Marshal(c.pluginConf())
	if err != nil {
		return fmt.Errorf("cniserver: install: %w", err)
	}
	if _, err := cni.ParseNetConf(b); err != nil {
		return fmt.Errorf("cniserver: install: %w", err)
	}
	return nil
}

func (c *InstallConfig) pluginConf() *cni.NetConf {
	conf := &cni.NetConf{MTU: c.MTU, AgentSocket: c.AgentSocket}
	conf.CNIVersion, conf.Name, conf.Type = c.CNIVersion, c.NetworkName, cni.PluginType
	conf.IPAM = types.IPAM{Type: cni.IPAMHostLocal}
	return conf
}

// confList is the network config list file.
func (c *InstallConfig) confList() ([]byte, error) {
	p := c.pluginConf()
	p.CNIVersion, p.Name = "", "" // a list's plugins take them from the list
	list := struct {
		CNIVersion string         `json:"cniVersion"`
		Name       string         `json:"name"`
		Plugins    []*cni.NetConf `json:"plugins"`
	}{CNIVersion: c.CNIVersion, Name: c.NetworkName, Plugins: []*cni.NetConf{p}}
	b, err := json.MarshalIndent(list, "", "  ")
	return append(b, '\n'), err
}

// Install copies the plugin binary into BinDir and writes the network config
// list into ConfDir, each atomically (a temporary file renamed into place), as
// a CNI DaemonSet does when the agent starts. It returns the paths written.
func Install(cfg InstallConfig) (binPath, confPath string, err error) {
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return "", "", err
	}
	src, err := os.Open(cfg.PluginBinary)
	if err != nil {
		return "", "", fmt.Errorf("cniserver: install: PluginBinary: %w", err)
	}
	defer src.Close()
	binPath = filepath.Join(cfg.BinDir, PluginBinaryName)
	if err := writeAtomic(binPath, 0o755, func(w io.Writer) error { _, err := io.Copy(w, src); return err }); err != nil {
		return "", "", fmt.Errorf("cniserver: install: the plugin: %w", err)
	}
	list, err := cfg.confList()
	if err != nil {
		return "", "", fmt.Errorf("cniserver: install: %w", err)
	}
	confPath = filepath.Join(cfg.ConfDir, cfg.ConfFileName)
	if err := writeAtomic(confPath, 0o644, func(w io.Writer) error { _, err := w.Write(list); return err }); err != nil {
		return "", "", fmt.Errorf("cniserver: install: the network config: %w", err)
	}
	return binPath, confPath, nil
}

// writeAtomic writes a file in path's directory under a temporary name, syncs
// it and renames it onto path, so readers see the old or the new file, whole.
func writeAtomic(path string, mode os.FileMode, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	err = write(tmp)
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
