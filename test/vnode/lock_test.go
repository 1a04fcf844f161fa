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
	"context"
	"strings"
	"testing"
	"time"

	"k8s.io/klog/v2/ktesting"
)

func TestStateDirLock(t *testing.T) {
	_, ctx := ktesting.NewTestContext(t)
	cfg := validConfig(t).Runtime
	p, err := NewProvider(ctx, cfg)
	if err != nil {
		t.Fatalf("NewProvider: %v", err)
	}
	if _, err := NewProvider(ctx, cfg); err == nil || !strings.Contains(err.Error(), "--state-dir: ") || !strings.Contains(err.Error(), "in use by another strata-vnode") {
		t.Errorf("a second provider on the same state dir: %v, want in use", err)
	}
	if err := Cleanup(ctx, cfg); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("cleanup while a provider runs: %v, want in use", err)
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := p.Shutdown(sctx, time.Second); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := Cleanup(ctx, cfg); err != nil {
		t.Errorf("cleanup after the provider stopped: %v", err)
	}
	p2, err := NewProvider(ctx, cfg)
	if err != nil {
		t.Fatalf("a provider after the first stopped: %v", err)
	}
	if err := p2.Shutdown(sctx, time.Second); err != nil {
		t.Fatal(err)
	}
}
