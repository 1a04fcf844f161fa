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
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/strata-net/strata/test/e2e/framework"
)

// TestRBAC checks authorization through kube-apiserver and strata-apiserver's
// delegated authorization: the built-in view/edit roles, extended by the aggregated
// ClusterRoles of artifacts/base, and users without any binding.
func TestRBAC(t *testing.T) {
	ctx := ctxT(t)
	const viewer, editor, nobody = "e2e-viewer", "e2e-editor", "e2e-nobody"
	for user, role := range map[string]string{viewer: "view", editor: "edit"} {
		kubectl(ctx, t, "create", "clusterrolebinding", "e2e-"+user, "--clusterrole="+role, "--user="+user)
		t.Cleanup(func() {
			if _, err := framework.Kubectl(context.Background(), lc.Kubeconfig, "delete", "clusterrolebinding", "e2e-"+user); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		})
	}
	deleteOnCleanup(t, seed("acnp1.yaml"))
	kubectl(ctx, t, "apply", "-f", seed("acnp1.yaml"))
	tierManifest := func(name string) string {
		return fmt.Sprintf("apiVersion: crd.antrea.io/v1beta1\nkind: Tier\nmetadata:\n  name: %s\nspec:\n  priority: 42\n", name)
	}

	for _, tc := range []struct {
		name  string
		user  string // "" is the kubeconfig's admin
		stdin string
		args  []string
		// forbidden is the start of the expected 403 message; "" expects success.
		forbidden string
	}{
		{"view lists ACNPs", viewer, "", []string{"get", "acnp"}, ""},
		{"view reads a Tier", viewer, "", []string{"get", "tier", "application", "-o", "name"}, ""},
		{"view lists through the legacy group", viewer, "", []string{"get", "lacnp"}, ""},
		{"view cannot create an ACNP", viewer, readFile(t, seed("acnp12.yaml")), []string{"create", "-f", "-"},
			`User "e2e-viewer" cannot create resource "clusternetworkpolicies" in API group "crd.antrea.io"`},
		{"view cannot delete an ACNP", viewer, "", []string{"delete", "acnp", "acnp-drop-access-to-redis"},
			`User "e2e-viewer" cannot delete resource "clusternetworkpolicies" in API group "crd.antrea.io"`},
		{"no binding cannot list", nobody, "", []string{"get", "acnp"},
			`User "e2e-nobody" cannot list resource "clusternetworkpolicies" in API group "crd.antrea.io"`},
		{"no binding cannot list legacy tiers", nobody, "", []string{"get", "ltr"},
			`User "e2e-nobody" cannot list resource "tiers" in API group "security.antrea.tanzu.vmware.com"`},
		{"no binding cannot create", nobody, tierManifest("e2e-nobody-tier"), []string{"create", "-f", "-"},
			`User "e2e-nobody" cannot create resource "tiers" in API group "crd.antrea.io"`},
		{"edit creates a Tier", editor, tierManifest("e2e-editor-tier"), []string{"create", "-f", "-"}, ""},
		{"edit deletes a Tier", editor, "", []string{"delete", "tier", "e2e-editor-tier"}, ""},
		{"admin creates a Tier", "", tierManifest("e2e-admin-tier"), []string{"create", "-f", "-"}, ""},
		{"admin changes a Tier", "", "", []string{"patch", "tier", "e2e-admin-tier", "--type=merge", "-p", `{"spec":{"description":"x"}}`}, ""},
		{"admin creates a ClusterGroup", "", readFile(t, seed("cg1.yaml")), []string{"create", "-f", "-"}, ""},
		{"admin updates an ACNP status", "", "", []string{"patch", "acnp", "acnp-drop-access-to-redis", "--subresource=status", "--type=merge",
			"-p", `{"status":{"phase":"Realizing"}}`}, ""},
		{"admin deletes ClusterGroups", "", readFile(t, seed("cg1.yaml")), []string{"delete", "-f", "-"}, ""},
		{"admin deletes a Tier", "", "", []string{"delete", "tier", "e2e-admin-tier"}, ""},
		{"admin may do anything", "", "", []string{"auth", "can-i", "*", "*"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if tc.user != "" {
				args = append([]string{"--as=" + tc.user}, args...)
			}
			if tc.forbidden == "" {
				// A new binding reaches strata-apiserver's authorization cache within seconds.
				eventually(ctx, t, settleTimeout, "kubectl "+strings.Join(args, " ")+" to be allowed", func(ctx context.Context) error {
					_, err := framework.KubectlWithInput(ctx, lc.Kubeconfig, tc.stdin, args...)
					return err
				})
				return
			}
			_, err := framework.KubectlWithInput(ctx, lc.Kubeconfig, tc.stdin, args...)
			var kerr *framework.KubectlError
			if !errors.As(err, &kerr) {
				t.Fatalf("kubectl %s succeeded, want 403 Forbidden", strings.Join(args, " "))
			}
			if !strings.Contains(kerr.Stderr, "(Forbidden)") || !strings.Contains(kerr.Stderr, tc.forbidden) {
				t.Fatalf("kubectl %s: want 403 Forbidden %q, got: %s", strings.Join(args, " "), tc.forbidden, kerr.Stderr)
			}
		})
	}
}
