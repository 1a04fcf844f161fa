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

// Command testipam is the IPAM plugin of test/vnode's tests. host-local does not
// build in this module (its disk store needs a module go.sum lacks), so this is
// host-local's allocator (github.com/containernetworking/plugins'
// backend/allocator) over a small file store with the same layout: one file per
// reserved IP in <dataDir>/<network>/, holding "<container id>\n<ifname>", which
// the tests read to check that DEL releases the address.
//
// With "tryAgainUntil": PATH in its ipam config, ADD fails with TRY_AGAIN_LATER
// (code 11) until PATH exists, like an agent that is not ready yet.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"
	"github.com/containernetworking/plugins/plugins/ipam/host-local/backend/allocator"
	"golang.org/x/sys/unix"
)

const defaultDataDir = "/var/lib/cni/networks"

func main() {
	skel.PluginMainFuncs(skel.CNIFuncs{Add: cmdAdd, Del: cmdDel, Check: cmdCheck}, version.All, "testipam")
}

func cmdAdd(args *skel.CmdArgs) error {
	if err := tryAgainUntil(args.StdinData); err != nil {
		return err
	}
	conf, confVersion, err := allocator.LoadIPAMConfig(args.StdinData, args.Args)
	if err != nil {
		return err
	}
	s, err := openStore(conf.DataDir, conf.Name)
	if err != nil {
		return err
	}
	defer s.Close()
	result := &current.Result{CNIVersion: current.ImplementedSpecVersion, Routes: conf.Routes}
	var allocs []*allocator.IPAllocator
	for idx := range conf.Ranges {
		a := allocator.NewIPAllocator(&conf.Ranges[idx], s, idx)
		ipc, err := a.Get(args.ContainerID, args.IfName, nil)
		if err != nil {
			for _, done := range allocs {
				_ = done.Release(args.ContainerID, args.IfName)
			}
			return fmt.Errorf("allocating from range %d: %w", idx, err)
		}
		allocs = append(allocs, a)
		result.IPs = append(result.IPs, ipc)
	}
	return types.PrintResult(result, confVersion)
}

func cmdDel(args *skel.CmdArgs) error {
	conf, _, err := allocator.LoadIPAMConfig(args.StdinData, args.Args)
	if err != nil {
		return err
	}
	s, err := openStore(conf.DataDir, conf.Name)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Lock(); err != nil {
		return err
	}
	defer s.Unlock()
	return s.ReleaseByID(args.ContainerID, args.IfName)
}

func cmdCheck(args *skel.CmdArgs) error {
	conf, _, err := allocator.LoadIPAMConfig(args.StdinData, args.Args)
	if err != nil {
		return err
	}
	s, err := openStore(conf.DataDir, conf.Name)
	if err != nil {
		return err
	}
	defer s.Close()
	if len(s.GetByID(args.ContainerID, args.IfName)) == 0 {
		return fmt.Errorf("testipam: no address for container %s", args.ContainerID)
	}
	return nil
}

func tryAgainUntil(stdin []byte) error {
	var c struct {
		IPAM struct {
			TryAgainUntil string `json:"tryAgainUntil"`
		} `json:"ipam"`
	}
	if err := json.Unmarshal(stdin, &c); err != nil {
		return err
	}
	if p := c.IPAM.TryAgainUntil; p != "" {
		if _, err := os.Stat(p); err != nil {
			return types.NewError(types.ErrTryAgainLater, "not ready", p+" does not exist yet")
		}
	}
	return nil
}

// store is a backend.Store of one file per reserved IP, locked with flock.
type store struct {
	dir  string
	lock *os.File
}

func openStore(dataDir, network string) (*store, error) {
	if dataDir == "" {
		dataDir = defaultDataDir
	}
	dir := filepath.Join(dataDir, network)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	return &store{dir: dir, lock: f}, nil
}

func (s *store) Lock() error   { return unix.Flock(int(s.lock.Fd()), unix.LOCK_EX) }
func (s *store) Unlock() error { return unix.Flock(int(s.lock.Fd()), unix.LOCK_UN) }
func (s *store) Close() error  { return s.lock.Close() }

func (s *store) Reserve(id, ifname string, ip net.IP, rangeID string) (bool, error) {
	f, err := os.OpenFile(filepath.Join(s.dir, ip.String()), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	_, err = f.WriteString(id + "\n" + ifname)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return false, err
	}
	return true, os.WriteFile(filepath.Join(s.dir, "last_reserved_ip."+rangeID), []byte(ip.String()), 0o600)
}

func (s *store) LastReservedIP(rangeID string) (net.IP, error) {
	data, err := os.ReadFile(filepath.Join(s.dir, "last_reserved_ip."+rangeID))
	if err != nil {
		return nil, err
	}
	return net.ParseIP(string(data)), nil
}

func (s *store) ReleaseByID(id, ifname string) error {
	for _, ip := range s.GetByID(id, ifname) {
		if err := os.Remove(filepath.Join(s.dir, ip.String())); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

func (s *store) GetByID(id, ifname string) []net.IP {
	entries, _ := os.ReadDir(s.dir)
	var ips []net.IP
	for _, e := range entries {
		ip := net.ParseIP(e.Name())
		if ip == nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join(s.dir, e.Name()))
		if err == nil && strings.TrimSpace(string(data)) == id+"\n"+ifname {
			ips = append(ips, ip)
		}
	}
	return ips
}
