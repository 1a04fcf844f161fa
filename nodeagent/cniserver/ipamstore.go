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
	"os"
	"path/filepath"
	"strings"

	"github.com/containernetworking/plugins/plugins/ipam/host-local/backend"
	"golang.org/x/sys/unix"
)

// The on-disk format of host-local's store (plugins/ipam/host-local/backend/disk),
// which cannot be imported here: its file-lock dependency is not in go.sum.
const (
	lockFileName     = "lock"
	lastIPFilePrefix = "last_reserved_ip."
	lineBreak        = "\r\n"
)

// diskStore is a backend.Store in host-local's format: in <dataDir>/<network>,
// one file per reserved address named after it and holding
// "<container id>\r\n<ifname>", "last_reserved_ip.<range id>" files, and a
// "lock" file that is flock'ed around changes (so a host-local binary and the
// agent may share a directory).
type diskStore struct {
	dir  string
	lock *os.File
}

var _ backend.Store = (*diskStore)(nil)

func openDiskStore(dataDir, network string) (*diskStore, error) {
	dir := filepath.Join(dataDir, network)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, lockFileName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	return &diskStore{dir: dir, lock: f}, nil
}

func (s *diskStore) Lock() error   { return flock(s.lock, unix.LOCK_EX) }
func (s *diskStore) Unlock() error { return flock(s.lock, unix.LOCK_UN) }
func (s *diskStore) Close() error  { return s.lock.Close() }

func flock(f *os.File, how int) error {
	for {
		err := unix.Flock(int(f.Fd()), how)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// Reserve creates the address file; false if the address is taken.
func (s *diskStore) Reserve(id, ifName string, ip net.IP, rangeID string) (bool, error) {
	path := filepath.Join(s.dir, ip.String())
	f, err := os.OpenFile(path, os.O_RDWR|os.O_EXCL|os.O_CREATE, 0o600)
	if errors.Is(err, os.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	_, err = f.WriteString(strings.TrimSpace(id) + lineBreak + ifName)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return false, err
	}
	if err := os.WriteFile(filepath.Join(s.dir, lastIPFilePrefix+rangeID), []byte(ip.String()), 0o600); err != nil {
		return false, err
	}
	return true, nil
}

// LastReservedIP returns the range's last reserved address.
func (s *diskStore) LastReservedIP(rangeID string) (net.IP, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, lastIPFilePrefix+rangeID))
	if err != nil {
		return nil, err
	}
	return net.ParseIP(string(b)), nil
}

// ReleaseByID removes the addresses of (id, ifName), and of id alone for files
// written by old host-local versions.
func (s *diskStore) ReleaseByID(id, ifName string) error {
	allocs, err := s.list()
	if err != nil {
		return err
	}
	var errs []error
	for _, a := range allocs {
		if a.owns(id, ifName) {
			if err := os.Remove(filepath.Join(s.dir, a.ip.String())); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// GetByID returns the addresses of (id, ifName).
func (s *diskStore) GetByID(id, ifName string) []net.IP {
	allocs, _ := s.list()
	var out []net.IP
	for _, a := range allocs {
		if a.owns(id, ifName) {
			out = append(out, a.ip)
		}
	}
	return out
}

// allocation is one address file.
type allocation struct {
	ip     net.IP
	id     string
	ifName string // empty in files of old host-local versions
}

func (a allocation) owns(id, ifName string) bool {
	return a.id == strings.TrimSpace(id) && (a.ifName == ifName || a.ifName == "")
}

// list reads the address files (the lock and last_reserved_ip files are not
// addresses).
func (s *diskStore) list() ([]allocation, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", s.dir, err)
	}
	var out []allocation
	for _, e := range entries {
		ip := net.ParseIP(e.Name())
		if ip == nil || !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(s.dir, e.Name()))
		if err != nil {
			continue // released meanwhile
		}
		id, ifName, _ := strings.Cut(strings.TrimSpace(string(b)), lineBreak)
		out = append(out, allocation{ip: ip, id: strings.TrimSpace(id), ifName: strings.TrimSpace(ifName)})
	}
	return out, nil
}

// release removes one address file.
func (s *diskStore) release(ip net.IP) error {
	err := os.Remove(filepath.Join(s.dir, ip.String()))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}
