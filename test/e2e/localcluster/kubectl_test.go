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
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestExplain checks kubectl explain through kube-apiserver, which serves the
// aggregated OpenAPI of strata-apiserver.
func TestExplain(t *testing.T) {
	ctx := ctxT(t)
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"acnp ingress peers", []string{"clusternetworkpolicy.spec.ingress.from"},
			[]string{"KIND:       ClusterNetworkPolicy", "FIELD: from <[]NetworkPolicyPeer>", "ipBlock", "namespaces"}},
		{"tier priority", []string{"tier.spec.priority"}, []string{"KIND:       Tier", "FIELD: priority <integer>"}},
		{"cluster group", []string{"clustergroup.spec"}, []string{"KIND:       ClusterGroup", "podSelector", "serviceReference"}},
		{"legacy tier", []string{"tier", "--api-version=security.antrea.tanzu.vmware.com/v1alpha1"},
			[]string{"GROUP:      security.antrea.tanzu.vmware.com", "priority"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Explain reads the aggregated OpenAPI, which kube-apiserver refreshes on
			// its own schedule: allow it to catch up.
			var out string
			eventually(ctx, t, settleTimeout, "kubectl explain "+strings.Join(tc.args, " "), func(ctx context.Context) error {
				var err error
				out, err = kubectlOut(ctx, append([]string{"explain"}, tc.args...)...)
				return err
			})
			for _, want := range tc.want {
				if !strings.Contains(out, want) {
					t.Fatalf("kubectl explain %s lacks %q:\n%s", strings.Join(tc.args, " "), want, out)
				}
			}
		})
	}
}

// TestServerSideApply checks server-side apply with managed fields and conflict
// detection through kube-apiserver, and kubectl diff.
func TestServerSideApply(t *testing.T) {
	ctx := ctxT(t)
	acnp1 := seed("acnp1.yaml")
	deleteOnCleanup(t, acnp1)
	if out := kubectl(ctx, t, "apply", "--server-side", "-f", acnp1); !strings.Contains(out, "serverside-applied") {
		t.Fatalf("server-side apply printed %q", out)
	}
	kubectl(ctx, t, "patch", "acnp", "acnp-drop-access-to-redis", "--type=merge", "-p", `{"spec":{"priority":6}}`)
	if stderr := kubectlFails(ctx, t, "apply", "--server-side", "-f", acnp1); !strings.Contains(stderr, `conflict with "kubectl-patch"`) ||
		!strings.Contains(stderr, ".spec.priority") {
		t.Fatalf("want a server-side apply conflict on .spec.priority, got: %s", stderr)
	}
	kubectl(ctx, t, "apply", "--server-side", "--force-conflicts", "-f", acnp1)
	if p := kubectl(ctx, t, "get", "acnp", "acnp-drop-access-to-redis", "-o", "jsonpath={.spec.priority}"); p != "5" {
		t.Fatalf("priority after --force-conflicts: %q, want 5", p)
	}
	managers := kubectl(ctx, t, "get", "acnp", "acnp-drop-access-to-redis", "--show-managed-fields", "-o", "jsonpath={.metadata.managedFields[*].manager}")
	if !strings.Contains(managers, "kubectl") {
		t.Fatalf("managed fields: %q", managers)
	}
	// kubectl diff exits 1 when the live object differs.
	out, err := kubectlOut(ctx, "diff", "-f", seed("acnp11.yaml"))
	if err == nil || !strings.Contains(out, "-  - action: Allow") || !strings.Contains(out, "+  - action: Drop") {
		t.Fatalf("kubectl diff: %v\n%s", err, out)
	}
}

// TestWatch runs kubectl get acnp -w through kube-apiserver and sees a policy
// created through the legacy group appear, change and go.
func TestWatch(t *testing.T) {
	ctx := ctxT(t)
	deleteOnCleanup(t, seed("acnp1.yaml"))
	watchCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(watchCtx, "kubectl", "--kubeconfig="+lc.Kubeconfig, "get", "acnp", "-w", "--output-watch-events")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()

	legacy := strings.Replace(readFile(t, seed("acnp1.yaml")),
		"apiVersion: crd.antrea.io/v1alpha1", "apiVersion: security.antrea.tanzu.vmware.com/v1alpha1", 1)
	for _, step := range []struct {
		name   string
		action func()
		event  string
		cells  []string // NAME TIER PRIORITY
	}{
		{"create through the legacy group", func() { kubectlIn(ctx, t, legacy, "apply", "-f", "-") },
			"ADDED", []string{"acnp-drop-access-to-redis", "securityops", "5"}},
		{"change the priority", func() {
			kubectl(ctx, t, "patch", "acnp", "acnp-drop-access-to-redis", "--type=merge", "-p", `{"spec":{"priority":7}}`)
		}, "MODIFIED", []string{"acnp-drop-access-to-redis", "securityops", "7"}},
		{"delete", func() { kubectl(ctx, t, "delete", "acnp", "acnp-drop-access-to-redis") },
			"DELETED", []string{"acnp-drop-access-to-redis", "securityops", "7"}},
	} {
		step.action()
		deadline := time.After(60 * time.Second)
	wait:
		for {
			select {
			case line, ok := <-lines:
				if !ok {
					t.Fatalf("%s: kubectl get -w ended before the %s event", step.name, step.event)
				}
				if f := strings.Fields(line); len(f) > 3 && f[0] == step.event && f[1] == step.cells[0] && f[2] == step.cells[1] && f[3] == step.cells[2] {
					break wait
				}
			case <-deadline:
				t.Fatalf("%s: kubectl get acnp -w printed no %s event %v within 60s", step.name, step.event, step.cells)
			}
		}
	}
}

// kubectlOut runs kubectl as the admin and returns its output and error.
func kubectlOut(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "kubectl", append([]string{"--kubeconfig=" + lc.Kubeconfig}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
