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

package etcd

import (
	"context"
	"strings"
	"testing"
)

func TestCheckLoopback(t *testing.T) {
	for _, tc := range []struct {
		addr    string
		wantErr string
	}{
		{"127.0.0.1:0", ""},
		{"127.0.0.2:2379", ""},
		{"[::1]:2379", ""},
		{"localhost:2379", ""},
		{"0.0.0.0:2379", "not a loopback address"},
		{"[::]:2379", "not a loopback address"},
		{"10.0.0.5:2379", "not a loopback address"},
		{"etcd.example.com:2379", "not a loopback address"},
		{":2379", "not a loopback address"},
		{"127.0.0.1", "is not host:port"},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			err := CheckLoopback(tc.addr)
			if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("CheckLoopback(%q) = %v, want %q", tc.addr, err, tc.wantErr)
			}
		})
	}
}

// TestStartRefusesNetworkAddresses: nothing listens, the data directory is not
// even created.
func TestStartRefusesNetworkAddresses(t *testing.T) {
	for name, cfg := range map[string]Config{
		"client": {ListenClient: "0.0.0.0:0"},
		"peer":   {ListenPeer: "0.0.0.0:0"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg.DataDir = t.TempDir() + "/etcd"
			s, err := Start(context.Background(), cfg)
			if err == nil {
				s.Close()
				t.Fatal("Start listened beyond loopback")
			}
			if !strings.Contains(err.Error(), "not a loopback address") {
				t.Fatalf("Start: %v, want a refusal of the address", err)
			}
		})
	}
}
