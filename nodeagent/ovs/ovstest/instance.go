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
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// tmpRoot holds the instance directories. It is fixed and short because unix
// socket paths (<run>/<bridge>.mgmt) must stay under ~107 bytes, which
// t.TempDir() paths with long test names can exceed.
const tmpRoot = "/tmp"

// keepEnv, when set, keeps the instance directory (logs, db) after the test.
const keepEnv = "OVSTEST_KEEP"

// Options tunes an Instance. The zero value is usable.
type Options struct {
	// ReadyTimeout bounds each wait for a daemon or device; default 30s.
	ReadyTimeout time.Duration
}

func (o *Options) defaults() {
	if o.ReadyTimeout == 0 {
		o.ReadyTimeout = 30 * time.Second
	}
}

// Instance is a private Open vSwitch: its own ovsdb-server and database, and
// an ovs-vswitchd (userspace netdev datapath) in its own network namespace.
type Instance struct {
	t    testing.TB
	opts Options
	id   string
	dir  string

	mu         sync.Mutex
	ovsdb      *daemon // nil while stopped by StopOVSDB
	vswitchd   *daemon
	namespaces []string // created netns, deleted on cleanup
	bridges    []string
	pods       []*Pod
}

// StartOVS starts a private OVS with default Options; see Start.
func StartOVS(t testing.TB) *Instance {
	t.Helper()
	return Start(t, Options{})
}

// Start starts a private OVS for the test and registers its teardown with
// t.Cleanup: daemons are stopped by PID, the namespaces and the directory
// removed. It calls Require first, and fails the test if OVS does not start.
func Start(t testing.TB, opts Options) *Instance {
	t.Helper()
	Require(t)
	opts.defaults()
	sweepStale(t)
	i := &Instance{t: t, opts: opts, id: randomHex(8)}
	dir, err := os.MkdirTemp(tmpRoot, fmt.Sprintf("%s%d-", dirPrefix, os.Getpid()))
	if err != nil {
		t.Fatalf("create OVS directory: %v", err)
	}
	i.dir = dir
	t.Cleanup(i.cleanup)
	if err := i.start(); err != nil {
		t.Fatalf("start private OVS in %s: %v", dir, err)
	}
	return i
}

// RunDir is the OVS_RUNDIR: db.sock, <bridge>.mgmt, pidfiles, ctl sockets.
func (i *Instance) RunDir() string { return filepath.Join(i.dir, "run") }

// LogDir holds ovsdb-server.log and ovs-vswitchd.log.
func (i *Instance) LogDir() string { return filepath.Join(i.dir, "log") }

// DBSocket is the path of ovsdb-server's unix socket.
func (i *Instance) DBSocket() string { return filepath.Join(i.RunDir(), "db.sock") }

// BridgeMgmtSocket is the path of the bridge's OpenFlow management socket.
func (i *Instance) BridgeMgmtSocket(bridge string) string {
	return filepath.Join(i.RunDir(), bridge+".mgmt")
}

// NetNS is the name of the network namespace ovs-vswitchd runs in; host
// ends of pod veths live there.
func (i *Instance) NetNS() string { return i.netnsName("ovs") }

// PIDs returns the process ids of ovsdb-server and the current ovs-vswitchd.
func (i *Instance) PIDs() []int {
	i.mu.Lock()
	defer i.mu.Unlock()
	var pids []int
	if i.ovsdb != nil {
		pids = append(pids, i.ovsdb.pid())
	}
	if i.vswitchd != nil {
		pids = append(pids, i.vswitchd.pid())
	}
	return pids
}

// Namespaces returns the network namespaces the instance created.
func (i *Instance) Namespaces() []string {
	i.mu.Lock()
	defer i.mu.Unlock()
	return append([]string(nil), i.namespaces...)
}

func (i *Instance) netnsName(suffix string) string {
	return fmt.Sprintf("%s%d-%s-%s", netnsPrefix, os.Getpid(), i.id, suffix)
}

func (i *Instance) env() []string {
	return []string{"OVS_RUNDIR=" + i.RunDir(), "OVS_LOGDIR=" + i.LogDir(), "OVS_DBDIR=" + filepath.Join(i.dir, "db")}
}

func (i *Instance) start() error {
	for _, sub := range []string{"run", "log", "db"} {
		if err := os.Mkdir(filepath.Join(i.dir, sub), 0o755); err != nil {
			return err
		}
	}
	if err := i.createDB(); err != nil {
		return err
	}
	if err := i.startOVSDB(); err != nil {
		return err
	}
	if err := i.addNetNS(i.NetNS()); err != nil {
		return err
	}
	return i.startVSwitchd()
}

// addNetNS creates a network namespace with lo up and records it for cleanup.
func (i *Instance) addNetNS(name string) error {
	if _, err := run(context.Background(), nil, "ip", "netns", "add", name); err != nil {
		return err
	}
	i.mu.Lock()
	i.namespaces = append(i.namespaces, name)
	i.mu.Unlock()
	_, err := run(context.Background(), nil, "ip", "-n", name, "link", "set", "lo", "up")
	return err
}

func (i *Instance) cleanup() {
	i.mu.Lock()
	vswitchd, ovsdb, namespaces := i.vswitchd, i.ovsdb, i.namespaces
	i.mu.Unlock()
	var errs []error
	for _, d := range []*daemon{vswitchd, ovsdb} {
		if d != nil {
			errs = append(errs, d.stop())
		}
	}
	for j := len(namespaces) - 1; j >= 0; j-- {
		_, err := run(context.Background(), nil, "ip", "netns", "delete", namespaces[j])
		errs = append(errs, err)
	}
	if i.t.Failed() {
		i.logTails()
	}
	if os.Getenv(keepEnv) != "" {
		i.t.Logf("keeping OVS directory %s (%s set)", i.dir, keepEnv)
	} else {
		errs = append(errs, os.RemoveAll(i.dir))
	}
	if err := errors.Join(errs...); err != nil {
		i.t.Errorf("ovstest cleanup: %v", err)
	}
}
