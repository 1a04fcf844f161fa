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

package seed

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/strata-net/strata/test/e2e/framework"
)

const (
	pollInterval = time.Second
	// settleTimeout bounds the agents realizing a policy change (traffic, and
	// the CURRENT NODES they report).
	settleTimeout = 60 * time.Second
	// podsTimeout bounds scheduling, CNI ADD and the responders starting.
	podsTimeout = 4 * time.Minute
)

// kubectl runs kubectl as the cluster's admin and fails the test on error.
func kubectl(ctx context.Context, t *testing.T, args ...string) string {
	t.Helper()
	out, err := framework.Kubectl(ctx, lc.Kubeconfig, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// kubectlPrints runs kubectl and fails the test unless it prints exactly the
// lines want.
func kubectlPrints(ctx context.Context, t *testing.T, want []string, args ...string) {
	t.Helper()
	got := strings.Split(strings.TrimSpace(kubectl(ctx, t, args...)), "\n")
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("kubectl %s printed %q, want %q", strings.Join(args, " "), got, want)
	}
}

// manifest is the path of a seed walkthrough manifest (never modified).
func manifest(name string) string {
	return filepath.Join(lc.Root, "test", "manifests", "seed", name)
}

// eventually polls cond until it returns nil, failing the test with what and
// the last error after timeout.
func eventually(ctx context.Context, t *testing.T, timeout time.Duration, what string, cond func(ctx context.Context) error) {
	t.Helper()
	if err := poll(ctx, timeout, cond); err != nil {
		t.Fatalf("timed out after %s waiting for %s: %v", timeout, what, err)
	}
}

// poll polls cond until it returns nil and returns the last error after
// timeout.
func poll(ctx context.Context, timeout time.Duration, cond func(ctx context.Context) error) error {
	var last error
	err := wait.PollUntilContextTimeout(ctx, pollInterval, timeout, true, func(ctx context.Context) (bool, error) {
		err := cond(ctx)
		// Keep the last real answer, not the one the deadline cut short.
		if ctx.Err() == nil || last == nil {
			last = err
		}
		return err == nil, nil
	})
	if err != nil && last != nil {
		return last
	}
	return err
}
