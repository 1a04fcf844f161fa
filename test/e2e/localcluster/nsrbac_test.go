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
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/strata-net/strata/test/e2e/framework"
)

// Namespaces of the tests of this file (none of another test uses them).
const (
	nsOwned       = "e2e-owned"       // the owners' Namespace: RoleBindings to edit, view, admin
	nsNotOwned    = "e2e-not-owned"   // another Namespace, where they have nothing
	nsMissing     = "e2e-never-made"  // never created
	nsTerminating = "e2e-terminating" // held in Terminating by a finalizer
)

func annpManifest(namespace, name, tier string) string {
	return fmt.Sprintf(`apiVersion: crd.antrea.io/v1beta1
kind: NetworkPolicy
metadata: {name: %s, namespace: %s}
spec:
  tier: %s
  priority: 5
  appliedTo:
  - podSelector: {matchLabels: {app: db}}
  ingress:
  - action: Allow
    from:
    - group: %s-web
`, name, namespace, tier, name)
}

func groupManifest(namespace, name string) string {
	return fmt.Sprintf(`apiVersion: crd.antrea.io/v1beta1
kind: Group
metadata: {name: %s, namespace: %s}
spec:
  podSelector: {matchLabels: {app: web}}
`, name, namespace)
}

// deleteNamespacesOnCleanup deletes namespaces when the test ends, without waiting.
func deleteNamespacesOnCleanup(t *testing.T, namespaces ...string) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		args := append([]string{"delete", "namespace", "--ignore-not-found", "--wait=false"}, namespaces...)
		if out, err := framework.Kubectl(ctx, lc.Kubeconfig, args...); err != nil {
			t.Errorf("cleanup: %v\n%s", err, out)
		}
	})
}

// TestNamespaceOwnerRBAC checks what a Namespace's owners get from the built-in
// roles bound with RoleBindings in their Namespace (artifacts/base's aggregated
// ClusterRoles, kube-apiserver's RBAC, strata-apiserver's delegated authorization
// and its Tier-use admission): edit and admin manage the Antrea NetworkPolicies
// (in the Tiers application and baseline) and Groups of that Namespace and nothing
// else of Strata's; view reads them.
func TestNamespaceOwnerRBAC(t *testing.T) {
	ctx := ctxT(t)
	const editor, viewer, nsAdmin = "e2e-ns-editor", "e2e-ns-viewer", "e2e-ns-admin"
	deleteNamespacesOnCleanup(t, nsOwned, nsNotOwned)
	kubectl(ctx, t, "create", "namespace", nsOwned)
	kubectl(ctx, t, "create", "namespace", nsNotOwned)
	for user, role := range map[string]string{editor: "edit", viewer: "view", nsAdmin: "admin"} {
		kubectl(ctx, t, "create", "rolebinding", "e2e-"+user, "--namespace="+nsOwned, "--clusterrole="+role, "--user="+user)
	}
	// The administrator's policy in a Tier before the owners'.
	kubectlIn(ctx, t, annpManifest(nsOwned, "admins", "securityops"), "create", "-f", "-")

	in := func(args ...string) []string { return append([]string{"--namespace=" + nsOwned}, args...) }
	cannot := func(user, verb, resource, where string) string {
		return fmt.Sprintf(`User %q cannot %s resource %q in API group %q %s`, user, verb, resource, "crd.antrea.io", where)
	}
	inOwned, inOther, clusterScope := `in the namespace "`+nsOwned+`"`, `in the namespace "`+nsNotOwned+`"`, "at the cluster scope"
	for _, tc := range []struct {
		name  string
		user  string
		stdin string
		args  []string
		// refused is part of the expected 403 message; "" expects success.
		refused string
	}{
		{"edit creates an ANNP", editor, annpManifest(nsOwned, "owners", "application"), []string{"create", "-f", "-"}, ""},
		{"edit creates an ANNP in baseline", editor, annpManifest(nsOwned, "owners-baseline", "baseline"), []string{"create", "-f", "-"}, ""},
		{"edit creates a Group", editor, groupManifest(nsOwned, "owners-web"), []string{"create", "-f", "-"}, ""},
		{"edit lists ANNPs", editor, "", in("get", "annp"), ""},
		{"edit updates its ANNP", editor, "", in("patch", "annp", "owners", "--type=merge", "-p", `{"spec":{"priority":6}}`), ""},
		{"edit updates its Group", editor, "", in("label", "grp", "owners-web", "team=a"), ""},
		{"edit cannot use a Tier before the administrators'", editor, annpManifest(nsOwned, "owners-early", "securityops"),
			[]string{"create", "-f", "-"}, `may not use the Tier "securityops" in namespace "` + nsOwned + `"`},
		{"edit cannot move its ANNP into such a Tier", editor, "", in("patch", "annp", "owners", "--type=merge", "-p", `{"spec":{"tier":"emergency"}}`),
			`may not use the Tier "emergency"`},
		{"edit cannot change the administrator's ANNP", editor, "", in("patch", "annp", "admins", "--type=merge", "-p", `{"spec":{"priority":1}}`),
			`may not use the Tier "securityops"`},
		{"edit cannot write an ANNP status", editor, "", in("patch", "annp", "owners", "--subresource=status", "--type=merge", "-p", `{"status":{"phase":"Realized"}}`),
			cannot(editor, "patch", "networkpolicies/status", inOwned)},
		{"edit cannot create an ANNP in another namespace", editor, annpManifest(nsNotOwned, "elsewhere", "application"), []string{"create", "-f", "-"},
			cannot(editor, "create", "networkpolicies", inOther)},
		{"edit cannot list ANNPs in another namespace", editor, "", []string{"get", "annp", "--namespace=" + nsNotOwned},
			cannot(editor, "list", "networkpolicies", inOther)},
		{"edit cannot create a Group in another namespace", editor, groupManifest(nsNotOwned, "elsewhere"), []string{"create", "-f", "-"},
			cannot(editor, "create", "groups", inOther)},
		{"edit cannot create an ACNP", editor, readFile(t, seed("acnp12.yaml")), []string{"create", "-f", "-"},
			cannot(editor, "create", "clusternetworkpolicies", clusterScope)},
		{"edit cannot list ACNPs", editor, "", []string{"get", "acnp"}, cannot(editor, "list", "clusternetworkpolicies", clusterScope)},
		{"edit cannot create a ClusterGroup", editor, readFile(t, seed("cg1.yaml")), []string{"create", "-f", "-"},
			cannot(editor, "create", "clustergroups", clusterScope)},
		{"edit cannot create a Tier", editor, "apiVersion: crd.antrea.io/v1beta1\nkind: Tier\nmetadata: {name: e2e-owners-tier}\nspec: {priority: 43}\n",
			[]string{"create", "-f", "-"}, cannot(editor, "create", "tiers", clusterScope)},
		{"edit cannot delete a Tier", editor, "", []string{"delete", "tier", "application"}, cannot(editor, "delete", "tiers", clusterScope)},
		{"view lists ANNPs", viewer, "", in("get", "annp"), ""},
		{"view reads a Group", viewer, "", in("get", "grp", "owners-web", "-o", "name"), ""},
		{"view cannot create an ANNP", viewer, annpManifest(nsOwned, "viewers", "application"), []string{"create", "-f", "-"},
			cannot(viewer, "create", "networkpolicies", inOwned)},
		{"view cannot delete a Group", viewer, "", in("delete", "grp", "owners-web"), cannot(viewer, "delete", "groups", inOwned)},
		{"admin creates an ANNP", nsAdmin, annpManifest(nsOwned, "admin-of-ns", "application"), []string{"create", "-f", "-"}, ""},
		{"admin deletes it", nsAdmin, "", in("delete", "annp", "admin-of-ns"), ""},
		{"admin cannot create an ACNP", nsAdmin, readFile(t, seed("acnp12.yaml")), []string{"create", "-f", "-"},
			cannot(nsAdmin, "create", "clusternetworkpolicies", clusterScope)},
		{"edit deletes its Group", editor, "", in("delete", "grp", "owners-web"), ""},
		{"edit deletes its ANNPs", editor, "", in("delete", "annp", "owners", "owners-baseline"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--as=" + tc.user}, tc.args...)
			if tc.refused == "" {
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
			if !strings.Contains(kerr.Stderr, "(Forbidden)") || !strings.Contains(kerr.Stderr, tc.refused) {
				t.Fatalf("kubectl %s: want 403 Forbidden %q, got: %s", strings.Join(args, " "), tc.refused, kerr.Stderr)
			}
		})
	}

	// What is left: the administrator's policy alone; nothing in the other Namespace.
	if out := strings.TrimSpace(kubectl(ctx, t, "get", "annp,grp", "--namespace="+nsOwned, "-o", "name")); out != "networkpolicy.crd.antrea.io/admins" {
		t.Errorf("left in %s: %q, want the administrator's ANNP alone", nsOwned, out)
	}
	if out := strings.TrimSpace(kubectl(ctx, t, "get", "annp,grp", "--namespace="+nsNotOwned, "-o", "name")); out != "" {
		t.Errorf("stored in %s: %q", nsNotOwned, out)
	}
	header := framework.Table(kubectl(ctx, t, "get", "annp", "--namespace="+nsOwned))[0]
	if want := []string{"NAME", "TIER", "PRIORITY", "DESIRED", "NODES", "CURRENT", "NODES", "AGE"}; !reflect.DeepEqual(header, want) {
		t.Errorf("kubectl get annp header %v, want %v", header, want)
	}
}

// TestNamespaceLifecycleOfPolicies checks NamespaceLifecycle in strata-apiserver's
// admission behind kube-apiserver: no Antrea NetworkPolicy or Group in a Namespace
// that does not exist (404) or is terminating (403), nothing stored; and the
// Namespace controller deletes them with their Namespace.
func TestNamespaceLifecycleOfPolicies(t *testing.T) {
	ctx := ctxT(t)
	deleteNamespacesOnCleanup(t, nsTerminating)

	for _, m := range []string{annpManifest(nsMissing, "nowhere", "application"), groupManifest(nsMissing, "nowhere")} {
		out, err := framework.KubectlWithInput(ctx, lc.Kubeconfig, m, "create", "-f", "-")
		var kerr *framework.KubectlError
		if !errors.As(err, &kerr) || !strings.Contains(kerr.Stderr, "(NotFound)") ||
			!strings.Contains(kerr.Stderr, fmt.Sprintf(`namespaces %q not found`, nsMissing)) {
			t.Fatalf("creating in a missing namespace: want NotFound naming namespaces %q, got %v\n%s", nsMissing, err, out)
		}
	}
	for _, resource := range []string{"networkpolicies", "groups"} {
		raw := kubectl(ctx, t, "get", "--raw", "/apis/crd.antrea.io/v1beta1/namespaces/"+nsMissing+"/"+resource)
		if !strings.Contains(raw, `"items":[]`) {
			t.Fatalf("%s stored in the missing namespace: %s", resource, raw)
		}
	}

	// A Namespace held in Terminating by a ConfigMap's finalizer, with an ANNP and
	// a Group in it.
	kubectl(ctx, t, "create", "namespace", nsTerminating)
	kubectlIn(ctx, t, fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hold, namespace: %s, finalizers: [e2e.strata.io/hold]}\n", nsTerminating),
		"create", "-f", "-")
	release := func() {
		_, _ = framework.Kubectl(context.Background(), lc.Kubeconfig, "patch", "configmap", "hold", "--namespace="+nsTerminating,
			"--type=json", "-p", `[{"op":"remove","path":"/metadata/finalizers"}]`)
	}
	t.Cleanup(release)
	kubectlIn(ctx, t, annpManifest(nsTerminating, "doomed", "application")+"---\n"+groupManifest(nsTerminating, "doomed"), "create", "-f", "-")
	kubectl(ctx, t, "delete", "namespace", nsTerminating, "--wait=false")

	eventually(ctx, t, settleTimeout, "the Namespace controller to delete the ANNP and the Group of "+nsTerminating, func(ctx context.Context) error {
		out, err := framework.Kubectl(ctx, lc.Kubeconfig, "get", "annp,grp", "--namespace="+nsTerminating, "-o", "name")
		if err != nil {
			return err
		}
		if out = strings.TrimSpace(out); out != "" {
			return fmt.Errorf("still there: %s", out)
		}
		return nil
	})
	phase := kubectl(ctx, t, "get", "namespace", nsTerminating, "-o", "jsonpath={.status.phase}")
	if phase != "Terminating" {
		t.Fatalf("namespace %s is %q, want Terminating (held by the ConfigMap's finalizer)", nsTerminating, phase)
	}
	for _, m := range []string{annpManifest(nsTerminating, "late", "application"), groupManifest(nsTerminating, "late")} {
		_, err := framework.KubectlWithInput(ctx, lc.Kubeconfig, m, "create", "-f", "-")
		var kerr *framework.KubectlError
		if !errors.As(err, &kerr) || !strings.Contains(kerr.Stderr, "(Forbidden)") || !strings.Contains(kerr.Stderr, "because it is being terminated") {
			t.Fatalf("creating in a terminating namespace: want 403 naming the termination, got %v", err)
		}
	}
	if out := strings.TrimSpace(kubectl(ctx, t, "get", "annp,grp", "--namespace="+nsTerminating, "-o", "name")); out != "" {
		t.Fatalf("stored in the terminating namespace: %s", out)
	}
	// The Namespace controller found and emptied Strata's resources: no discovery or
	// deletion failure on the Namespace.
	conditions := kubectl(ctx, t, "get", "namespace", nsTerminating, "-o",
		`jsonpath={range .status.conditions[?(@.status=="True")]}{.type}: {.message}{"\n"}{end}`)
	for _, failure := range []string{"NamespaceDeletionDiscoveryFailure", "NamespaceDeletionGroupVersionParsingFailure", "NamespaceDeletionContentFailure"} {
		if strings.Contains(conditions, failure) {
			t.Fatalf("namespace %s: %s", nsTerminating, conditions)
		}
	}
	release()
	eventually(ctx, t, settleTimeout, "namespace "+nsTerminating+" to go", func(ctx context.Context) error {
		out, err := framework.Kubectl(ctx, lc.Kubeconfig, "get", "namespace", nsTerminating, "--ignore-not-found", "-o", "name")
		if err != nil {
			return err
		}
		if strings.TrimSpace(out) != "" {
			return errors.New("still there")
		}
		return nil
	})
}
