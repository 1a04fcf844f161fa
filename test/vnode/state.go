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

package vnode

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// stateFile is the name of a Pod's state file in its directory.
const stateFile = "state.json"

// podState is what a later run needs to tear a Pod down: its sandbox and the
// processes started in it.
type podState struct {
	Sandbox sandboxRef `json:"sandbox"`
	// Network is the CNI network the sandbox was added to; empty before ADD.
	Network string `json:"network,omitempty"`
	// UTSNS is the Pod's UTS namespace file; empty on the host network.
	UTSNS string `json:"utsNS,omitempty"`
	// MountNS are the containers' mount namespace files, by container name.
	MountNS   map[string]string `json:"mountNS,omitempty"`
	Processes []procRecord      `json:"processes,omitempty"`
}

// procRecord identifies a running process across PID reuse.
type procRecord struct {
	Container  string `json:"container"`
	PID        int    `json:"pid"`
	StartTicks uint64 `json:"startTicks"`
}

// podsDir holds one directory per Pod.
func podsDir(stateDir string) string { return filepath.Join(stateDir, "pods") }

// writeState replaces dir's state file atomically.
func writeState(dir string, s *podState) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding pod state: %w", err)
	}
	tmp := filepath.Join(dir, stateFile+".tmp")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("writing pod state: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, stateFile)); err != nil {
		return fmt.Errorf("writing pod state: %w", err)
	}
	return nil
}

// readState reads dir's state file.
func readState(dir string) (*podState, error) {
	data, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return nil, err
	}
	var s podState
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, stateFile), err)
	}
	return &s, nil
}
