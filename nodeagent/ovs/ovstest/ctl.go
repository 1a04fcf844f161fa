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
)

// vsctlTimeout is passed to ovs-vsctl --timeout (seconds).
const vsctlTimeout = 30

// VSCtl runs ovs-vsctl against the instance database and returns stdout.
// Without --no-wait, changes wait for ovs-vswitchd to apply them.
func (i *Instance) VSCtl(args ...string) (string, error) {
	argv := append([]string{"ovs-vsctl", "--db=unix:" + i.DBSocket(), fmt.Sprintf("--timeout=%d", vsctlTimeout)}, args...)
	return run(context.Background(), i.env(), argv...)
}

// OFCtl runs ovs-ofctl; a bridge name argument resolves to <run>/<bridge>.mgmt
// through OVS_RUNDIR. Pass "-O", "OpenFlow15" for OpenFlow 1.5 bridges.
func (i *Instance) OFCtl(args ...string) (string, error) {
	return run(context.Background(), i.env(), append([]string{"ovs-ofctl"}, args...)...)
}

// AppCtl runs ovs-appctl against ovs-vswitchd's control socket, e.g.
// AppCtl("ofproto/trace", "br0", "in_port=1").
func (i *Instance) AppCtl(args ...string) (string, error) {
	argv := append([]string{"ovs-appctl", "-t", i.vswitchdCtl()}, args...)
	return run(context.Background(), i.env(), argv...)
}
