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
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"sync"

	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/plugins/plugins/ipam/host-local/backend/allocator"
)

// ipam allocates Pod addresses in process with host-local's allocator over a
// store in host-local's on-disk format (diskStore), one range per Node subnet
// with the gateway excluded, so the state is the one host-local would keep.
type ipam struct {
	dataDir string
	// mu serialises the allocator in this process: the store's flock is per
	// open file, so it does not exclude the agent's own goroutines.
	mu     sync.Mutex
	stores map[string]*diskStore
}

func newIPAM(dataDir string) *ipam {
	return &ipam{dataDir: dataDir, stores: map[string]*diskStore{}}
}

// store returns the network's store; a.mu must be held.
func (a *ipam) store(network string) (*diskStore, error) {
	if st, ok := a.stores[network]; ok {
		return st, nil
	}
	st, err := openDiskStore(a.dataDir, network)
	if err != nil {
		return nil, fmt.Errorf("opening the IPAM store %s: %w", filepath.Join(a.dataDir, network), err)
	}
	a.stores[network] = st
	return st, nil
}

// allocate returns one address per subnet for (id, ifName), reusing those the
// container already holds (a retried ADD).
func (a *ipam) allocate(network, id, ifName string, subnets []Subnet) ([]*current.IPConfig, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	st, err := a.store(network)
	if err != nil {
		return nil, err
	}
	held, err := heldBy(st, id, ifName)
	if err != nil {
		return nil, err
	}
	var out []*current.IPConfig
	for i, sn := range subnets {
		if ipc := reuse(held, sn); ipc != nil {
			out = append(out, ipc)
			continue
		}
		rs := allocator.RangeSet{{Subnet: types.IPNet(sn.CIDR), Gateway: sn.Gateway}}
		if err := rs.Canonicalize(); err != nil {
			return nil, fmt.Errorf("range %s: %w", sn.CIDR.String(), err)
		}
		ipc, err := allocator.NewIPAllocator(&rs, st, i).Get(id, ifName, nil)
		if err != nil {
			return nil, fmt.Errorf("allocating from %s: %w", sn.CIDR.String(), err)
		}
		out = append(out, ipc)
	}
	return out, nil
}

func reuse(held []net.IP, sn Subnet) *current.IPConfig {
	for _, ip := range held {
		if sn.CIDR.Contains(ip) {
			return &current.IPConfig{Address: net.IPNet{IP: ip, Mask: sn.CIDR.Mask}, Gateway: sn.Gateway}
		}
	}
	return nil
}

func heldBy(st *diskStore, id, ifName string) ([]net.IP, error) {
	if err := st.Lock(); err != nil {
		return nil, fmt.Errorf("locking the IPAM store: %w", err)
	}
	defer st.Unlock()
	return st.GetByID(id, ifName), nil
}

// held returns the addresses (id, ifName) holds.
func (a *ipam) held(network, id, ifName string) ([]net.IP, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	st, err := a.store(network)
	if err != nil {
		return nil, err
	}
	return heldBy(st, id, ifName)
}

// release frees every address of (id, ifName); releasing nothing succeeds.
func (a *ipam) release(network, id, ifName string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	st, err := a.store(network)
	if err != nil {
		return err
	}
	if err := st.Lock(); err != nil {
		return fmt.Errorf("locking the IPAM store: %w", err)
	}
	defer st.Unlock()
	if err := st.ReleaseByID(id, ifName); err != nil {
		return fmt.Errorf("releasing the addresses of %s/%s: %w", id, ifName, err)
	}
	return nil
}

// gc releases every address whose owner keep refuses, and returns them.
func (a *ipam) gc(network string, keep func(id, ifName string) bool) ([]net.IP, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	st, err := a.store(network)
	if err != nil {
		return nil, err
	}
	if err := st.Lock(); err != nil {
		return nil, fmt.Errorf("locking the IPAM store: %w", err)
	}
	defer st.Unlock()
	allocs, err := st.list()
	if err != nil {
		return nil, err
	}
	var released []net.IP
	var errs []error
	for _, al := range allocs {
		if keep(al.id, al.ifName) {
			continue
		}
		if err := st.release(al.ip); err != nil {
			errs = append(errs, fmt.Errorf("releasing %s: %w", al.ip, err))
			continue
		}
		released = append(released, al.ip)
	}
	return released, errors.Join(errs...)
}

// close closes the stores' lock files.
func (a *ipam) close() {
	a.mu.Lock()
	defer a.mu.Unlock()
	for name, st := range a.stores {
		_ = st.Close()
		delete(a.stores, name)
	}
}
