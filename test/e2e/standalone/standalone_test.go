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

// Package standalone is the end-to-end test of strata-apiserver --standalone with
// the real kubectl: the seed walkthrough's Tier, ClusterNetworkPolicy and
// ClusterGroup manifests apply unchanged, kubectl presents them as the walkthrough
// shows, and invalid manifests are refused with their field paths.
package standalone

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/strata-net/strata/test/e2e/framework"
)

var (
	binary   string
	seedDir  string
	invalids string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	root, err := framework.ModuleRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "strata-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	if binary, err = framework.BuildBinary(ctx, root, "./cmd/strata-apiserver", dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	seedDir = filepath.Join(root, "test", "manifests", "seed")
	invalids = filepath.Join(root, "test", "manifests", "invalid")
	return m.Run()
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// kubectl runs kubectl against s and fails the test on error.
func kubectl(ctx context.Context, t *testing.T, s *framework.Standalone, args ...string) string {
	t.Helper()
	out, err := framework.Kubectl(ctx, s.Kubeconfig, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
