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
)

// AddBridge creates a userspace (netdev) bridge speaking OpenFlow 1.5 with
// fail_mode=secure (no flows until a controller adds them), waits for
// vswitchd to create it, and returns its OpenFlow management socket path.
func (i *Instance) AddBridge(name string) (string, error) {
	if len(name) > maxIfNameLen {
		return "", fmt.Errorf("bridge name %q longer than %d characters", name, maxIfNameLen)
	}
	_, err := i.VSCtl("add-br", name, "--", "set", "Bridge", name,
		"datapath_type=netdev", "protocols=OpenFlow15", "fail_mode=secure")
	if err != nil {
		return "", fmt.Errorf("add bridge %q: %w", name, err)
	}
	i.mu.Lock()
	i.bridges = append(i.bridges, name)
	i.mu.Unlock()
	if err := i.waitMgmtSocket(name); err != nil {
		return "", fmt.Errorf("add bridge %q: %w", name, err)
	}
	return i.BridgeMgmtSocket(name), nil
}
