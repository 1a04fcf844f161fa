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
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// SchemaPath is the Open_vSwitch database schema installed by the Debian
// openvswitch-common package.
const SchemaPath = "/usr/share/openvswitch/vswitch.ovsschema"

// requiredBinaries are the programs the harness runs.
var requiredBinaries = []string{
	"ovsdb-tool", "ovsdb-server", "ovs-vswitchd", "ovs-vsctl", "ovs-ofctl", "ovs-appctl", "ip", "ethtool",
}

// Require skips the test when not running as root, and FAILS it when running
// as root without Open vSwitch: CI runs as root with OVS installed, so a skip
// there would hide a broken environment.
func Require(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a private Open vSwitch in network namespaces")
	}
	if err := checkTools(); err != nil {
		t.Fatalf("running as root but Open vSwitch is not usable (apt-get install -y openvswitch-switch ethtool iproute2): %v", err)
	}
}

func checkTools() error {
	for _, bin := range requiredBinaries {
		if _, err := exec.LookPath(bin); err != nil {
			return fmt.Errorf("binary %q: %w", bin, err)
		}
	}
	if _, err := os.Stat(SchemaPath); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	return nil
}
