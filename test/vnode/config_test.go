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
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func validConfig(t *testing.T) Config {
	t.Helper()
	dir := t.TempDir()
	return Config{
		Runtime: RuntimeConfig{
			NodeName: "n1", NodeIP: "172.30.0.11", StateDir: filepath.Join(dir, "state"),
			CNIBinDir: filepath.Join(dir, "bin"), CNIConfDir: filepath.Join(dir, "net.d"),
			ResponderCommand: []string{"/bin/true"},
		},
		Kubeconfig: filepath.Join(dir, "kubeconfig"),
	}
}

func TestConfigValidate(t *testing.T) {
	notExec := filepath.Join(t.TempDir(), "agnhost")
	if err := os.WriteFile(notExec, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		mutate func(*Config)
		want   []string // substrings of the error; none: valid
	}{
		{name: "valid", mutate: func(*Config) {}},
		{name: "missing node name", mutate: func(c *Config) { c.Runtime.NodeName = "" }, want: []string{"--node-name: required"}},
		{name: "bad node ip", mutate: func(c *Config) { c.Runtime.NodeIP = "node-1" }, want: []string{`--node-ip: "node-1" is not an IP address`}},
		{name: "missing state dir", mutate: func(c *Config) { c.Runtime.StateDir = "" }, want: []string{"--state-dir: required"}},
		{name: "relative dirs", mutate: func(c *Config) { c.Runtime.CNIBinDir, c.Runtime.CNIConfDir = "bin", "net.d" },
			want: []string{`--cni-bin-dir: "bin" is not an absolute path`, `--cni-conf-dir: "net.d" is not an absolute path`}},
		{name: "missing host netns", mutate: func(c *Config) { c.Runtime.HostNetNS = "/nonexistent/netns" }, want: []string{"--host-netns:"}},
		{name: "missing agnhost", mutate: func(c *Config) { c.Runtime.AgnhostPath = "/nonexistent/agnhost" }, want: []string{"--agnhost:"}},
		{name: "agnhost not executable", mutate: func(c *Config) { c.Runtime.AgnhostPath = notExec }, want: []string{"--agnhost:", "not an executable file"}},
		{name: "missing coredns", mutate: func(c *Config) { c.Runtime.CoreDNSPath = "/nonexistent/coredns" }, want: []string{"--coredns:"}},
		{name: "bad cluster dns", mutate: func(c *Config) { c.Runtime.ClusterDNS = []string{"10.96.0.10", "kube-dns"} },
			want: []string{`--cluster-dns: "kube-dns" is not an IP address`}},
		{name: "too many cluster dns", mutate: func(c *Config) { c.Runtime.ClusterDNS = []string{"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"} },
			want: []string{"--cluster-dns: 4 addresses, at most 3"}},
		{name: "missing resolv.conf", mutate: func(c *Config) { c.Runtime.ResolvConf = "/nonexistent/resolv.conf" }, want: []string{"--resolv-conf:"}},
		{name: "bad relay port", mutate: func(c *Config) { c.Runtime.APIServerRelayPort = 70000 },
			want: []string{"--apiserver-relay-port: 70000 is not in 0-65535"}},
		{name: "back-off max below back-off", mutate: func(c *Config) { c.Runtime.RestartBackoff, c.Runtime.RestartBackoffMax = time.Minute, time.Second },
			want: []string{"--restart-backoff-max: 1s is less than --restart-backoff 1m0s"}},
		{name: "negative cni retry", mutate: func(c *Config) { c.Runtime.CNIRetryMax = -time.Second }, want: []string{"--cni-retry-max: -1s is not positive"}},
		{name: "missing kubeconfig", mutate: func(c *Config) { c.Kubeconfig = "" }, want: []string{"--kubeconfig: required"}},
		{name: "bad kubelet address", mutate: func(c *Config) { c.KubeletAddress = "localhost" }, want: []string{`--kubelet-address: "localhost"`}},
		{name: "bad kubelet port", mutate: func(c *Config) { c.KubeletPort = 70000 }, want: []string{"--kubelet-port: 70000 is not in 1-65535"}},
		{name: "cert without key", mutate: func(c *Config) { c.TLSCertFile = "/tmp/cert.pem" }, want: []string{"--tls-cert-file, --tls-private-key-file: set both or neither"}},
		{name: "bad cpu", mutate: func(c *Config) { c.CPU = "lots" }, want: []string{`--cpu: "lots"`}},
		{name: "zero memory", mutate: func(c *Config) { c.Memory = "0" }, want: []string{`--memory: "0" is not positive`}},
		{name: "negative max pods", mutate: func(c *Config) { c.MaxPods = -1 }, want: []string{"--max-pods: -1 is not positive"}},
		{name: "every error at once", mutate: func(c *Config) { c.Runtime.NodeName, c.Kubeconfig, c.KubeletPort = "", "", -1 },
			want: []string{"--node-name", "--kubeconfig", "--kubelet-port"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := validConfig(t)
			tc.mutate(&cfg)
			cfg.Defaults()
			err := cfg.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate accepted the config, want an error with %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	cfg := Config{Runtime: RuntimeConfig{StateDir: "/var/lib/vn", HostNetNS: "strata-n1"}}
	cfg.Defaults()
	checks := []struct{ name, got, want string }{
		{"cni cache dir", cfg.Runtime.CNICacheDir, "/var/lib/vn/cni-cache"},
		{"host netns by name", cfg.Runtime.HostNetNS, "/run/netns/strata-n1"},
		{"cni bin dir", cfg.Runtime.CNIBinDir, "/opt/cni/bin"},
		{"kubelet address", cfg.KubeletAddress, "127.0.0.1"},
		{"cluster domain", cfg.Runtime.ClusterDomain, "cluster.local"},
		{"responder subcommand", cfg.Runtime.ResponderCommand[len(cfg.Runtime.ResponderCommand)-1], "respond"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	if cfg.KubeletPort != 10250 || cfg.MaxPods != 110 || cfg.Runtime.RestartBackoff != 10*time.Second {
		t.Errorf("defaults: port %d, max pods %d, back-off %s", cfg.KubeletPort, cfg.MaxPods, cfg.Runtime.RestartBackoff)
	}
}
