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

package framework

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"
)

// PodNetNS is the network namespace of the Pod with uid on node k, from its node
// substitute's state (nodes/K/vnode/pods/UID/state.json).
func (c *LocalCluster) PodNetNS(k int, uid string) (string, error) {
	path := filepath.Join(c.NodeDir(k), "vnode", "pods", uid, "state.json")
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading the Pod's sandbox: %w", err)
	}
	var st struct {
		Sandbox struct {
			NetNS string `json:"netns"`
		} `json:"sandbox"`
	}
	if err := json.Unmarshal(data, &st); err != nil || st.Sandbox.NetNS == "" {
		return "", fmt.Errorf("%s names no network namespace (%v): %s", path, err, data)
	}
	return st.Sandbox.NetNS, nil
}

// DialFrom connects to addr over TCP from inside the network namespace netns and
// closes the connection, giving up after timeout (or when ctx ends).
func DialFrom(ctx context.Context, netns, addr string, timeout time.Duration) error {
	return InNetNS(netns, func() error {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		return c.Close()
	})
}
