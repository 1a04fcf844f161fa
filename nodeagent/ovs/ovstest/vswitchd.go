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
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// logTailLines is how many lines of each daemon log a failed test prints.
const logTailLines = 40

// startVSwitchd starts ovs-vswitchd inside the instance netns and waits
// until it has applied the database configuration.
func (i *Instance) startVSwitchd() error {
	d, err := startDaemon("ovs-vswitchd", i.LogDir(), i.env(),
		"ip", "netns", "exec", i.NetNS(), "ovs-vswitchd", "unix:"+i.DBSocket(),
		"--pidfile="+filepath.Join(i.RunDir(), "ovs-vswitchd.pid"),
		"--unixctl="+i.vswitchdCtl(),
		"--log-file="+filepath.Join(i.LogDir(), "ovs-vswitchd.log"))
	if err != nil {
		return err
	}
	i.mu.Lock()
	i.vswitchd = d
	i.mu.Unlock()
	return i.waitVSwitchdReady(d)
}

// RestartVSwitchd stops ovs-vswitchd by PID and starts it again in the same
// namespace, waiting until it answers on its control socket, has applied the
// configuration and every bridge added with AddBridge has its management
// socket again. Flows, groups, meters and the userspace conntrack are lost,
// as in a real OVS restart; ports keep their ofport_request numbers.
func (i *Instance) RestartVSwitchd() error {
	i.mu.Lock()
	old := i.vswitchd
	i.mu.Unlock()
	if err := old.stop(); err != nil {
		return fmt.Errorf("restart ovs-vswitchd: %w", err)
	}
	if err := i.startVSwitchd(); err != nil {
		return fmt.Errorf("restart ovs-vswitchd: %w", err)
	}
	return nil
}

func (i *Instance) vswitchdCtl() string {
	return filepath.Join(i.RunDir(), "ovs-vswitchd.ctl")
}

func (i *Instance) waitVSwitchdReady(d *daemon) error {
	ctx := context.Background()
	err := pollUntil(ctx, i.opts.ReadyTimeout, "ovs-vswitchd to answer on "+i.vswitchdCtl(), func(context.Context) (bool, error) {
		if err := d.exitedErr(); err != nil {
			return false, fatalError{err}
		}
		_, err := i.AppCtl("version")
		return err == nil, err
	})
	if err != nil {
		return err
	}
	// Without --no-wait, ovs-vsctl bumps next_cfg and waits until vswitchd has
	// caught up (cur_cfg == next_cfg), i.e. created the bridges and ports.
	if _, err := i.VSCtl("init"); err != nil {
		return fmt.Errorf("waiting for ovs-vswitchd to apply the configuration: %w", err)
	}
	i.mu.Lock()
	bridges := append([]string(nil), i.bridges...)
	i.mu.Unlock()
	for _, br := range bridges {
		if err := i.waitMgmtSocket(br); err != nil {
			return err
		}
	}
	return nil
}

func (i *Instance) waitMgmtSocket(bridge string) error {
	path := i.BridgeMgmtSocket(bridge)
	return pollUntil(context.Background(), i.opts.ReadyTimeout, "OpenFlow management socket "+path,
		func(context.Context) (bool, error) {
			_, err := os.Stat(path)
			return err == nil, err
		})
}

// logTails prints the end of the daemon logs into the test log.
func (i *Instance) logTails() {
	for _, name := range []string{"ovsdb-server.log", "ovs-vswitchd.log", "ovsdb-server.out", "ovs-vswitchd.out"} {
		b, err := os.ReadFile(filepath.Join(i.LogDir(), name))
		if err != nil || len(b) == 0 {
			continue
		}
		lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
		if len(lines) > logTailLines {
			lines = lines[len(lines)-logTailLines:]
		}
		i.t.Logf("--- tail of %s ---\n%s", name, strings.Join(lines, "\n"))
	}
}
