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

package localcluster

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/strata-net/strata/test/e2e/framework"
)

// Polling of the tests.
const (
	pollInterval = 250 * time.Millisecond
	// settleTimeout bounds what the cluster does by itself: controllers acting,
	// authorization caches (10 s in strata-apiserver) expiring, a restarted server
	// answering again.
	settleTimeout = 90 * time.Second
)

func ctxT(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// kubectl runs kubectl as the cluster's admin and fails the test on error.
func kubectl(ctx context.Context, t *testing.T, args ...string) string {
	t.Helper()
	out, err := framework.Kubectl(ctx, lc.Kubeconfig, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// kubectlIn is kubectl with a standard input.
func kubectlIn(ctx context.Context, t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, err := framework.KubectlWithInput(ctx, lc.Kubeconfig, stdin, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// kubectlFails runs kubectl, expects it to fail, and returns its standard error.
func kubectlFails(ctx context.Context, t *testing.T, args ...string) string {
	t.Helper()
	out, err := framework.Kubectl(ctx, lc.Kubeconfig, args...)
	var kerr *framework.KubectlError
	if !errors.As(err, &kerr) {
		t.Fatalf("kubectl %s succeeded (%v), want a failure; output:\n%s", strings.Join(args, " "), err, out)
	}
	return kerr.Stderr
}

// eventually polls cond until it returns true, failing the test with what and the
// last error after timeout.
func eventually(ctx context.Context, t *testing.T, timeout time.Duration, what string, cond func(ctx context.Context) error) {
	t.Helper()
	var last error
	err := wait.PollUntilContextTimeout(ctx, pollInterval, timeout, true, func(ctx context.Context) (bool, error) {
		last = cond(ctx)
		return last == nil, nil
	})
	if err != nil {
		t.Fatalf("timed out after %s waiting for %s: last error: %v", timeout, what, last)
	}
}

// getJSON runs kubectl get ... -o json and decodes the result into v.
func getJSON(ctx context.Context, t *testing.T, v any, args ...string) {
	t.Helper()
	out := kubectl(ctx, t, append(args, "-o", "json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("decoding kubectl %s: %v", strings.Join(args, " "), err)
	}
}

// seed is the path of a seed walkthrough manifest.
func seed(name string) string {
	return filepath.Join(lc.Root, "test", "manifests", "seed", name)
}

// deleteOnCleanup deletes the objects of the manifests when the test ends, in order.
func deleteOnCleanup(t *testing.T, files ...string) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		for _, f := range files {
			if out, err := framework.Kubectl(ctx, lc.Kubeconfig, "delete", "--ignore-not-found", "--wait=false", "-f", f); err != nil {
				t.Errorf("cleanup: %v\n%s", err, out)
			}
		}
	})
}

// objectList is the part of a kubectl -o json list the tests read.
type objectList struct {
	Items []struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name            string            `json:"name"`
			UID             string            `json:"uid"`
			ResourceVersion string            `json:"resourceVersion"`
			Generation      int64             `json:"generation"`
			Labels          map[string]string `json:"labels"`
		} `json:"metadata"`
		Spec   json.RawMessage `json:"spec"`
		Status json.RawMessage `json:"status"`
	} `json:"items"`
}
