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

package artifacts

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// networkPolicyAPIModule is the module whose CRDs artifacts/network-policy-api holds.
const networkPolicyAPIModule = "sigs.k8s.io/network-policy-api"

// TestNetworkPolicyAPICRDs checks that artifacts/network-policy-api holds the
// module's own CRDs, byte for byte, at the version go.mod requires, with the
// bundle-version and channel annotations of each channel.
func TestNetworkPolicyAPICRDs(t *testing.T) {
	dir, version := moduleDir(t, networkPolicyAPIModule)
	for _, channel := range []string{"standard", "experimental"} {
		t.Run(channel, func(t *testing.T) {
			name := "policy.networking.k8s.io_clusternetworkpolicies.yaml"
			ours := readFile(t, filepath.Join("network-policy-api", channel, name))
			theirs := readFile(t, filepath.Join(dir, "config", "crd", channel, name))
			if !bytes.Equal(ours, theirs) {
				t.Fatalf("artifacts/network-policy-api/%s/%s differs from %s@%s's config/crd/%s: copy it again", channel, name, networkPolicyAPIModule, version, channel)
			}
			var crd struct {
				metav1.TypeMeta
				Metadata metav1.ObjectMeta `json:"metadata"`
			}
			if err := yaml.Unmarshal(ours, &crd); err != nil {
				t.Fatalf("decoding the CRD: %v", err)
			}
			want := map[string]string{"policy.networking.k8s.io/bundle-version": version, "policy.networking.k8s.io/channel": channel}
			for k, v := range want {
				if got := crd.Metadata.Annotations[k]; got != v {
					t.Errorf("annotation %s = %q, want %q", k, got, v)
				}
			}
			if crd.Kind != "CustomResourceDefinition" || crd.Metadata.Name != "clusternetworkpolicies.policy.networking.k8s.io" {
				t.Errorf("%s %q, want the CRD clusternetworkpolicies.policy.networking.k8s.io", crd.Kind, crd.Metadata.Name)
			}
		})
	}
}

// moduleDir is the directory and version of a module of the build list.
func moduleDir(t *testing.T, path string) (string, string) {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-json", path).Output()
	if err != nil {
		t.Fatalf("go list -m %s: %v", path, err)
	}
	var m struct{ Dir, Version string }
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("go list -m %s: %v", path, err)
	}
	if m.Dir == "" {
		out, err = exec.Command("go", "mod", "download", "-json", path+"@"+m.Version).Output()
		if err != nil || json.Unmarshal(out, &m) != nil || m.Dir == "" {
			t.Fatalf("go mod download %s@%s: %v", path, m.Version, err)
		}
	}
	return m.Dir, m.Version
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
