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
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func readyOf(t *testing.T, n *corev1.Node) corev1.NodeCondition {
	t.Helper()
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c
		}
	}
	t.Fatalf("node has no Ready condition: %+v", n.Status.Conditions)
	return corev1.NodeCondition{}
}

func TestNodeObject(t *testing.T) {
	cfg := validConfig(t)
	cfg.Defaults()
	cfg.KubeletPort = 24310
	n := nodeObject(&cfg, nil)
	addrs := map[corev1.NodeAddressType]string{}
	for _, a := range n.Status.Addresses {
		addrs[a.Type] = a.Address
	}
	if addrs[corev1.NodeInternalIP] != "172.30.0.11" || addrs[corev1.NodeHostName] != "127.0.0.1" {
		t.Errorf("addresses %v, want InternalIP 172.30.0.11 and Hostname 127.0.0.1", n.Status.Addresses)
	}
	if p := n.Status.DaemonEndpoints.KubeletEndpoint.Port; p != 24310 {
		t.Errorf("kubelet endpoint port %d, want 24310", p)
	}
	if pods := n.Status.Capacity[corev1.ResourcePods]; pods.Value() != 110 {
		t.Errorf("pods capacity %s, want 110", pods.String())
	}
	if n.Labels[corev1.LabelHostname] != "n1" || len(n.Spec.Taints) != 0 {
		t.Errorf("labels %v taints %v", n.Labels, n.Spec.Taints)
	}
	if c := readyOf(t, n); c.Status != corev1.ConditionTrue {
		t.Errorf("Ready = %s with a working network", c.Status)
	}
}

func TestNodeReadyFollowsCNIConfig(t *testing.T) {
	cfg := validConfig(t)
	cfg.Defaults()
	if err := os.MkdirAll(cfg.Runtime.CNIConfDir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := newNodeStatus(&cfg)
	ready := readyOf(t, s.initial())
	if ready.Status != corev1.ConditionFalse || !strings.Contains(ready.Message, "NetworkReady=false") ||
		!strings.Contains(ready.Message, "no CNI network config in "+cfg.Runtime.CNIConfDir) {
		t.Fatalf("without a CNI config: Ready %s %q", ready.Status, ready.Message)
	}
	if n := s.update(s.check()); n != nil {
		t.Errorf("an unchanged network reported a node update")
	}
	conf := `{"cniVersion":"1.0.0","name":"strata","plugins":[{"type":"strata-cni"}]}`
	if err := os.WriteFile(filepath.Join(cfg.Runtime.CNIConfDir, "10-strata.conflist"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	n := s.update(s.check())
	if n == nil {
		t.Fatal("installing the CNI config reported no node update")
	}
	if c := readyOf(t, n); c.Status != corev1.ConditionTrue || c.Reason != "KubeletReady" {
		t.Errorf("with a CNI config: Ready %s %s %q", c.Status, c.Reason, c.Message)
	}
	n = s.update(errors.New("no CNI network config in /x"))
	if c := readyOf(t, n); c.Status != corev1.ConditionFalse {
		t.Errorf("after the config went away: Ready %s", c.Status)
	}
}

func TestLoadNetwork(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		wantName string
		wantErr  string
	}{
		{name: "empty dir", wantErr: "no CNI network config in"},
		{name: "conflist", files: map[string]string{"10-a.conflist": `{"cniVersion":"1.0.0","name":"a","plugins":[{"type":"ptp"}]}`}, wantName: "a"},
		{name: "single conf", files: map[string]string{"10-b.conf": `{"cniVersion":"1.0.0","name":"b","type":"ptp"}`}, wantName: "b"},
		{name: "first in lexical order", files: map[string]string{
			"20-z.conflist": `{"cniVersion":"1.0.0","name":"z","plugins":[{"type":"ptp"}]}`,
			"10-y.conflist": `{"cniVersion":"1.0.0","name":"y","plugins":[{"type":"ptp"}]}`}, wantName: "y"},
		{name: "invalid skipped", files: map[string]string{
			"05-bad.conflist": `{not json`,
			"10-y.conflist":   `{"cniVersion":"1.0.0","name":"y","plugins":[{"type":"ptp"}]}`}, wantName: "y"},
		{name: "only invalid", files: map[string]string{"05-bad.conflist": `{"name":"x","plugins":[]}`}, wantErr: "no valid CNI network config"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			list, err := loadNetwork(dir)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("loadNetwork error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("loadNetwork: %v", err)
			}
			if list.Name != tc.wantName {
				t.Errorf("network %q, want %q", list.Name, tc.wantName)
			}
		})
	}
}
