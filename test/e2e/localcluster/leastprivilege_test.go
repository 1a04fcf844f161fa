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
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/generated/clientset/versioned"
)

// TestAgentLeastPrivilege checks, through kube-apiserver, that worker1's agent
// identities (its client certificate, and a ServiceAccount token bound to a Pod on
// worker1, the DaemonSet's identity) read and report only worker1's slice, and that
// a strata-agent token bound to nothing is refused everything.
func TestAgentLeastPrivilege(t *testing.T) {
	ctx := ctxT(t)
	certCfg, err := clientcmd.BuildConfigFromFlags("", filepath.Join(lc.Dir, "kubeconfigs", "agent-worker1.kubeconfig"))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("client certificate", func(t *testing.T) { checkAgentBounds(ctx, t, strataClient(t, certCfg)) })
	t.Run("token bound to a Pod on worker1", func(t *testing.T) {
		checkAgentBounds(ctx, t, strataClient(t, tokenConfig(t, boundAgentToken(ctx, t, "worker1"))))
	})
	t.Run("unbound agent token", func(t *testing.T) {
		token := strings.TrimSpace(kubectl(ctx, t, "create", "token", "strata-agent", "--namespace=kube-system", "--duration=10m"))
		client := strataClient(t, tokenConfig(t, token))
		_, err := client.ControlplaneV1beta2().NetworkPolicies().List(ctx, ownSlice("worker1"))
		wantForbidden(t, "list with its selector", err, "rule agent-node-identity")
	})
}

// checkAgentBounds runs what worker1's agent may and may not do.
func checkAgentBounds(ctx context.Context, t *testing.T, client versioned.Interface) {
	cp := client.ControlplaneV1beta2()
	// A new identity reaches strata-apiserver's authorization cache within seconds.
	eventually(ctx, t, settleTimeout, "worker1's agent to list its own slice", func(ctx context.Context) error {
		_, err := cp.NetworkPolicies().List(ctx, ownSlice("worker1"))
		return err
	})
	for _, tc := range []struct {
		name string
		do   func() error
		rule string
	}{
		{"list B's policies", func() error { _, err := cp.NetworkPolicies().List(ctx, ownSlice("worker2")); return err },
			"rule agent-own-node-selector"},
		{"list every Node's address groups", func() error { _, err := cp.AddressGroups().List(ctx, metav1.ListOptions{}); return err },
			"rule agent-own-node-selector"},
		{"watch without a selector", func() error {
			w, err := cp.AppliedToGroups().Watch(ctx, metav1.ListOptions{})
			if err == nil {
				w.Stop()
			}
			return err
		}, "rule agent-own-node-selector"},
		{"get a policy its Node does not need", func() error {
			_, err := cp.NetworkPolicies().Get(ctx, "e2e-not-in-span", metav1.GetOptions{})
			return err
		}, "rule agent-get-in-span"},
		{"post status for B", func() error {
			status := &v1beta2.NetworkPolicyStatus{ObjectMeta: metav1.ObjectMeta{Name: "e2e-any"},
				Nodes: []v1beta2.NetworkPolicyNodeStatus{{NodeName: "worker2", Generation: 1}}}
			_, err := cp.NetworkPolicies().UpdateStatus(ctx, status.Name, status, metav1.CreateOptions{})
			return err
		}, "nodes[0].nodeName"},
		{"report B's sync", func() error {
			_, err := cp.NodeSyncReports().Create(ctx, &v1beta2.NodeSyncReport{ObjectMeta: metav1.ObjectMeta{Name: "worker2"}}, metav1.CreateOptions{})
			return err
		}, "metadata.name"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantForbidden(t, tc.name, tc.do(), tc.rule) })
	}
	w, err := cp.AddressGroups().Watch(ctx, ownSlice("worker1"))
	if err != nil {
		t.Fatalf("watching its own slice: %v", err)
	}
	w.Stop()
}

func ownSlice(node string) metav1.ListOptions {
	return metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("nodeName", node).String()}
}

func wantForbidden(t *testing.T, what string, err error, want string) {
	t.Helper()
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), want) {
		t.Fatalf("%s: got %v, want 403 Forbidden naming %q", what, err, want)
	}
}

func strataClient(t *testing.T, cfg *rest.Config) versioned.Interface {
	t.Helper()
	c, err := versioned.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// tokenConfig is the admin's cluster with a bearer token instead of its certificate.
func tokenConfig(t *testing.T, token string) *rest.Config {
	t.Helper()
	admin, err := clientcmd.BuildConfigFromFlags("", lc.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg := rest.AnonymousClientConfig(admin)
	cfg.BearerToken = token
	return cfg
}

// boundAgentToken returns a token of ServiceAccount kube-system/strata-agent bound
// to a Pod on node, as the DaemonSet's projected token is: kube-apiserver adds the
// Pod's Node to its user info.
func boundAgentToken(ctx context.Context, t *testing.T, node string) string {
	t.Helper()
	const name = "e2e-agent-identity"
	pod := fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: %s, namespace: kube-system}
spec:
  serviceAccountName: strata-agent
  nodeName: %s
  containers:
  - {name: pause, image: registry.k8s.io/e2e-test-images/agnhost:2.53, args: [pause]}
`, name, node)
	kubectlIn(ctx, t, pod, "apply", "-f", "-")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), settleTimeout)
		defer cancel()
		_, _ = kubectlOut(ctx, "delete", "pod", name, "--namespace=kube-system", "--ignore-not-found", "--wait=false")
	})
	uid := kubectl(ctx, t, "get", "pod", name, "--namespace=kube-system", "-o", "jsonpath={.metadata.uid}")
	return strings.TrimSpace(kubectl(ctx, t, "create", "token", "strata-agent", "--namespace=kube-system", "--duration=10m",
		"--bound-object-kind=Pod", "--bound-object-name="+name, "--bound-object-uid="+uid))
}
