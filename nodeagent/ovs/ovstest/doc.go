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

// Package ovstest runs a private Open vSwitch for tests: its own
// ovsdb-server and database, and an ovs-vswitchd using the userspace (netdev)
// datapath inside its own network namespace, so instances of concurrently
// running tests never share a socket, a tap device or a namespace.
//
//	ovs := ovstest.StartOVS(t)                 // needs root; see Require
//	mgmt, err := ovs.AddBridge(ovstest.UniqueName("br"))
//	pod, err := ovs.AddPod(br, ovstest.PodConfig{Name: "p1", IP: "10.0.0.1/24", OFPort: 1})
//	_, err = ovs.OFCtl("-O", "OpenFlow15", "add-flow", br, "actions=NORMAL")
//	err = pod.Ping(ctx, "10.0.0.2")
//
// Layout: /tmp/strata-ovs-<pid>-<rand>/{run,db,log}. The directory is short on
// purpose: unix socket paths such as run/<bridge>.mgmt must fit in ~107 bytes.
// OVS_RUNDIR is run/, so ovs-ofctl resolves a bridge name to its .mgmt socket.
//
// Processes: the daemons run in the foreground under exec.Cmd (no --detach),
// so their PIDs are known without pidfiles; t.Cleanup stops them by PID
// (SIGTERM, then SIGKILL after 10s), deletes every namespace the instance
// created and removes the directory (kept when OVSTEST_KEEP is set). If the
// test process dies without cleanups, the daemons get SIGKILL (Pdeathsig) and
// the next Start sweeps namespaces and directories whose owner PID is gone.
//
// Restarts, as a crash or an upgrade would do them: RestartVSwitchd (flows
// lost, ports kept); StopOVSDB and StartOVSDB, or RestartOVSDB (the database
// file and ovs-vswitchd survive; StartOVSDB returns once ovs-vswitchd has
// reconnected). TransactOffline changes the database file while
// ovsdb-server is stopped.
//
// Pods: AddPod creates a namespace and a veth pair whose host end is created
// directly in the ovs-vswitchd namespace, and turns TX checksum offload off
// on both ends: the netdev datapath does not complete partial checksums, and
// TCP between pods fails without this. Pod.Do, Listen, Dial and Ping run
// inside the pod namespace from Go, without extra tools.
//
// Every wait polls with a deadline (Options.ReadyTimeout) and its error says
// what it waited for. Methods return errors rather than calling t.Fatal, so
// they can be used from subtests and other goroutines.
package ovstest
