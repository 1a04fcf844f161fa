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

package app

import (
	"strings"
	"testing"

	"k8s.io/client-go/rest"
)

func TestControlplaneConfig(t *testing.T) {
	kube := &rest.Config{Host: "https://kube-apiserver:6443", BearerToken: "t"}
	for _, tc := range []struct {
		name     string
		servers  []string
		caFile   string
		wantHost string
		wantErr  string
	}{
		{name: "no list: through kube-apiserver", wantHost: "https://kube-apiserver:6443"},
		{name: "a list: its first server", servers: []string{"https://10.0.0.1:10349", "https://10.0.0.2:10349"}, wantHost: "https://10.0.0.1:10349"},
		{name: "a CA without a list", caFile: "/ca.crt", wantErr: "--controlplane-ca-file"},
		{name: "not https", servers: []string{"10.0.0.1:10349"}, wantErr: "--controlplane-servers[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := controlplaneConfig(kube, tc.servers, tc.caFile)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Host != tc.wantHost || cfg.BearerToken != "t" {
				t.Fatalf("host %s token %q, want %s with the kubeconfig's token", cfg.Host, cfg.BearerToken, tc.wantHost)
			}
		})
	}
}
