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

package standalone

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/strata-net/strata/test/e2e/framework"
)

// TestInvalidManifests applies every manifest of the invalid corpus: each is refused
// with the field path its first line names, and nothing is stored.
func TestInvalidManifests(t *testing.T) {
	ctx := ctxT(t)
	s := framework.StartStandalone(t, binary)
	files, err := filepath.Glob(filepath.Join(invalids, "*.yaml"))
	if err != nil || len(files) < 90 {
		t.Fatalf("invalid corpus: %d files, %v", len(files), err)
	}
	for _, file := range files {
		if filepath.Base(file) == "networkpolicy-missing-namespace.yaml" {
			continue // kubectl sends its context's namespace; apis/crd/validation covers it
		}
		t.Run(filepath.Base(file), func(t *testing.T) {
			path := wantedPath(t, file)
			_, err := framework.Kubectl(ctx, s.Kubeconfig, "apply", "-f", file)
			var kerr *framework.KubectlError
			if !errors.As(err, &kerr) {
				t.Fatalf("kubectl apply of an invalid manifest succeeded: %v", err)
			}
			if !strings.Contains(kerr.Stderr, path) || !strings.Contains(kerr.Stderr, "is invalid") {
				t.Fatalf("refusal does not name %s: %s", path, kerr.Stderr)
			}
			if out, err := framework.Kubectl(ctx, s.Kubeconfig, "get", "-f", file, "--ignore-not-found", "-o", "name"); err != nil || out != "" {
				t.Fatalf("the refused object was stored: %q, %v", out, err)
			}
		})
	}
}

func wantedPath(t *testing.T, file string) string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(strings.TrimPrefix(first, "# want:"))
	if len(fields) != 2 {
		t.Fatalf("%s: first line %q is not \"# want: <ErrorType> <field path>\"", file, first)
	}
	return fields[1]
}

// TestExplainAndServerSideApply checks kubectl explain (OpenAPI v3), server-side
// apply with managed fields and conflict detection, and kubectl diff.
func TestExplainAndServerSideApply(t *testing.T) {
	ctx := ctxT(t)
	s := framework.StartStandalone(t, binary)
	explain := kubectl(ctx, t, s, "explain", "clusternetworkpolicy.spec.ingress.from")
	for _, want := range []string{"KIND:       ClusterNetworkPolicy", "FIELD: from <[]NetworkPolicyPeer>", "ipBlock", "namespaces"} {
		if !strings.Contains(explain, want) {
			t.Fatalf("kubectl explain lacks %q:\n%s", want, explain)
		}
	}
	if out := kubectl(ctx, t, s, "explain", "tier", "--api-version=security.antrea.tanzu.vmware.com/v1alpha1"); !strings.Contains(out, "priority") {
		t.Fatalf("kubectl explain of the legacy Tier:\n%s", out)
	}
	for resource, want := range map[string]string{
		"annp.spec.appliedTo":  "KIND:       NetworkPolicy",
		"anp.spec.priority":    "KIND:       NetworkPolicy",
		"grp.spec.childGroups": "KIND:       Group",
	} {
		if out := kubectl(ctx, t, s, "explain", resource); !strings.Contains(out, want) || !strings.Contains(out, "GROUP:      crd.antrea.io") {
			t.Fatalf("kubectl explain %s lacks %q:\n%s", resource, want, out)
		}
	}
	acnp1 := filepath.Join(seedDir, "acnp1.yaml")
	if out := kubectl(ctx, t, s, "apply", "--server-side", "-f", acnp1); !strings.Contains(out, "serverside-applied") {
		t.Fatalf("server-side apply printed %q", out)
	}
	kubectl(ctx, t, s, "patch", "acnp", "acnp-drop-access-to-redis", "--type=merge", "-p", `{"spec":{"priority":6}}`)
	_, err := framework.Kubectl(ctx, s.Kubeconfig, "apply", "--server-side", "-f", acnp1)
	var kerr *framework.KubectlError
	if !errors.As(err, &kerr) || !strings.Contains(kerr.Stderr, `conflict with "kubectl-patch"`) || !strings.Contains(kerr.Stderr, ".spec.priority") {
		t.Fatalf("want a server-side apply conflict on .spec.priority, got %v", err)
	}
	kubectl(ctx, t, s, "apply", "--server-side", "--force-conflicts", "-f", acnp1)
	managers := kubectl(ctx, t, s, "get", "acnp", "acnp-drop-access-to-redis", "--show-managed-fields", "-o", "jsonpath={.metadata.managedFields[*].manager}")
	if !strings.Contains(managers, "kubectl") {
		t.Fatalf("managed fields: %q", managers)
	}
	// kubectl diff exits 1 when the live object differs.
	out, err := framework.Kubectl(ctx, s.Kubeconfig, "diff", "-f", filepath.Join(seedDir, "acnp11.yaml"))
	if err == nil || !strings.Contains(out, "-  - action: Allow") || !strings.Contains(out, "+  - action: Drop") {
		t.Fatalf("kubectl diff: %v\n%s", err, out)
	}
}

// TestWatch runs kubectl get acnp -w and sees a policy created through the legacy
// group appear.
func TestWatch(t *testing.T) {
	ctx := ctxT(t)
	s := framework.StartStandalone(t, binary)
	watchCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(watchCtx, "kubectl", "--kubeconfig="+s.Kubeconfig, "get", "acnp", "-w", "--output-watch-events")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	legacy := strings.Replace(readFile(t, filepath.Join(seedDir, "acnp1.yaml")),
		"apiVersion: crd.antrea.io/v1alpha1", "apiVersion: security.antrea.tanzu.vmware.com/v1alpha1", 1)
	if _, err := framework.KubectlWithInput(ctx, s.Kubeconfig, legacy, "apply", "-f", "-"); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(60 * time.Second)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatal("kubectl get -w ended before the ADDED event")
			}
			if f := strings.Fields(line); len(f) > 3 && f[0] == "ADDED" && f[1] == "acnp-drop-access-to-redis" && f[2] == "securityops" {
				return
			}
		case <-deadline:
			t.Fatal("kubectl get acnp -w printed no ADDED event within 60s")
		}
	}
}

// TestOnlyTheAdmin checks that the standalone server authorizes only its admin
// identity, while health endpoints stay open.
func TestOnlyTheAdmin(t *testing.T) {
	ctx := ctxT(t)
	s := framework.StartStandalone(t, binary)
	server := "--server=https://127.0.0.1:" + strconv.Itoa(s.Port)
	ca := "--certificate-authority=" + filepath.Join(s.DataDir, "pki", "ca.crt")
	empty := filepath.Join(t.TempDir(), "empty-kubeconfig")
	if err := os.WriteFile(empty, []byte("apiVersion: v1\nkind: Config\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, credentials := range [][]string{{"--token=not-a-credential"}, {"--username=anyone", "--password=x"}} {
		args := append(append([]string{server, ca}, credentials...), "get", "--raw", "/apis/crd.antrea.io/v1beta1/tiers")
		_, err := framework.Kubectl(ctx, empty, args...)
		var kerr *framework.KubectlError
		if !errors.As(err, &kerr) || !strings.Contains(kerr.Stderr, `User "system:anonymous" cannot list resource "tiers"`) {
			t.Fatalf("%v: want Forbidden for system:anonymous, got %v", credentials, err)
		}
	}
	for _, path := range []string{"/livez", "/readyz", "/healthz"} {
		if out, err := framework.Kubectl(ctx, empty, server, ca, "--username=anyone", "--password=x", "get", "--raw", path); err != nil || out != "ok" {
			t.Fatalf("anonymous %s: %q, %v", path, out, err)
		}
	}
	if out := kubectl(ctx, t, s, "get", "--raw", "/metrics"); !strings.Contains(out, "apiserver_request_total") {
		t.Fatal("/metrics lacks apiserver_request_total")
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
