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
	"net"
	"path/filepath"
)

// dbFile is the database file, which survives ovsdb-server restarts.
func (i *Instance) dbFile() string { return filepath.Join(i.dir, "db", "conf.db") }

// createDB creates the database file from the schema.
func (i *Instance) createDB() error {
	_, err := run(context.Background(), i.env(), "ovsdb-tool", "create", i.dbFile(), SchemaPath)
	return err
}

// startOVSDB starts ovsdb-server on the database file and waits until it
// listens on DBSocket; then it initializes the database (--no-wait: it does
// not wait for ovs-vswitchd).
func (i *Instance) startOVSDB() error {
	d, err := startDaemon("ovsdb-server", i.LogDir(), i.env(), "ovsdb-server", i.dbFile(),
		"--remote=punix:"+i.DBSocket(),
		"--pidfile="+filepath.Join(i.RunDir(), "ovsdb-server.pid"),
		"--unixctl="+filepath.Join(i.RunDir(), "ovsdb-server.ctl"),
		"--log-file="+filepath.Join(i.LogDir(), "ovsdb-server.log"))
	if err != nil {
		return err
	}
	i.mu.Lock()
	i.ovsdb = d
	i.mu.Unlock()
	err = pollUntil(context.Background(), i.opts.ReadyTimeout, "ovsdb-server to listen on "+i.DBSocket(),
		func(context.Context) (bool, error) {
			if err := d.exitedErr(); err != nil {
				return false, fatalError{err}
			}
			conn, err := net.Dial("unix", i.DBSocket())
			if err != nil {
				return false, err
			}
			return true, conn.Close()
		})
	if err != nil {
		return err
	}
	_, err = i.VSCtl("--no-wait", "init")
	return err
}

// StopOVSDB stops ovsdb-server by PID, as a crash or an upgrade would: every
// client connection ends and DBSocket refuses connections until StartOVSDB.
// ovs-vswitchd keeps running with its ports and flows and keeps trying to
// reconnect.
func (i *Instance) StopOVSDB() error {
	i.mu.Lock()
	d := i.ovsdb
	i.ovsdb = nil
	i.mu.Unlock()
	if d == nil {
		return errors.New("stop ovsdb-server: not running")
	}
	if err := d.stop(); err != nil {
		return fmt.Errorf("stop ovsdb-server: %w", err)
	}
	return nil
}

// StartOVSDB starts ovsdb-server again after StopOVSDB, on the same database
// file and socket, and waits until it listens and ovs-vswitchd has
// reconnected and caught up with the database (ovs-vsctl init without
// --no-wait returns once vswitchd has applied the configuration).
func (i *Instance) StartOVSDB() error {
	i.mu.Lock()
	running := i.ovsdb != nil
	i.mu.Unlock()
	if running {
		return errors.New("start ovsdb-server: already running")
	}
	if err := i.startOVSDB(); err != nil {
		return fmt.Errorf("start ovsdb-server: %w", err)
	}
	if _, err := i.VSCtl("init"); err != nil {
		return fmt.Errorf("waiting for ovs-vswitchd to reconnect to the restarted ovsdb-server: %w", err)
	}
	return nil
}

// TransactOffline applies an OVSDB transaction (the JSON array that
// ovsdb-tool transact takes, e.g. ["Open_vSwitch", {"op": ...}]) to the
// database file while ovsdb-server is stopped: a change its clients find
// after reconnecting. It returns the results.
func (i *Instance) TransactOffline(txn string) (string, error) {
	i.mu.Lock()
	running := i.ovsdb != nil
	i.mu.Unlock()
	if running {
		return "", errors.New("ovsdb-tool transact: ovsdb-server is running; StopOVSDB first")
	}
	return run(context.Background(), i.env(), "ovsdb-tool", "transact", i.dbFile(), txn)
}

// RestartOVSDB is StopOVSDB then StartOVSDB. The database content (bridges,
// ports, their external_ids and ofports) survives; ovs-vswitchd is not
// restarted, so the datapath and the flows stay as they were.
func (i *Instance) RestartOVSDB() error {
	if err := i.StopOVSDB(); err != nil {
		return fmt.Errorf("restart ovsdb-server: %w", err)
	}
	if err := i.StartOVSDB(); err != nil {
		return fmt.Errorf("restart ovsdb-server: %w", err)
	}
	return nil
}
