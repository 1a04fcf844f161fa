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

package proxy

import (
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes/fake"
)

func TestConfigDefaults(t *testing.T) {
	var c Config
	c.Defaults()
	want := Config{Workers: DefaultWorkers, Resync: DefaultResync,
		RetryBackoff: Backoff{Initial: DefaultRetryInitial, Max: DefaultRetryMax}}
	if c != want {
		t.Errorf("Defaults: %+v, want %+v", c, want)
	}
	c = Config{RetryBackoff: Backoff{Initial: time.Hour}}
	c.Defaults()
	if c.RetryBackoff.Max != time.Hour {
		t.Errorf("Max below Initial: %v", c.RetryBackoff.Max)
	}
}

func TestConfigValidate(t *testing.T) {
	valid := func() Config {
		c := Config{Kube: fake.NewClientset(), NodeName: testNode, Sink: newRecordingSink()}
		c.Defaults()
		return c
	}
	cases := []struct {
		name    string
		mod     func(*Config)
		wantErr []string
	}{
		{name: "valid", mod: func(*Config) {}},
		{name: "missing fields", mod: func(c *Config) { c.Kube, c.NodeName, c.Sink = nil, "", nil },
			wantErr: []string{"Kube is required", "NodeName is required", "Sink is required"}},
		{name: "negative numbers", mod: func(c *Config) { c.Workers, c.Resync = -1, -time.Second },
			wantErr: []string{"Workers must be positive", "Resync must be positive"}},
		{name: "backoff", mod: func(c *Config) { c.RetryBackoff = Backoff{Initial: time.Second, Max: time.Millisecond} },
			wantErr: []string{"RetryBackoff"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := valid()
			tc.mod(&c)
			err := c.Validate()
			if len(tc.wantErr) == 0 && err != nil {
				t.Fatalf("Validate: %v", err)
			}
			for _, w := range tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("Validate: %v, want an error with %q", err, w)
				}
			}
			if _, nerr := New(c); (nerr == nil) != (err == nil) {
				t.Errorf("New: %v, Validate: %v", nerr, err)
			}
		})
	}
}
