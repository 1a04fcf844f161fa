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
	"path/filepath"
	"strings"
	"testing"
)

// TestArtifactsDryRun validates the manifests for a real cluster against the local
// cluster's kube-apiserver (server-side dry run: schema, defaulting, admission).
func TestArtifactsDryRun(t *testing.T) {
	ctx := ctxT(t)
	for _, tc := range []struct {
		name string
		dirs []string
		want []string
		// wantObjects are objects the dry run must accept, whether it would
		// create, configure or leave them unchanged.
		wantObjects []string
	}{
		{name: "deploy", dirs: []string{"deploy"}, want: []string{
			"service/strata-apiserver configured (server dry run)",
			"deployment.apps/strata-apiserver created (server dry run)",
			"poddisruptionbudget.policy/strata-apiserver created (server dry run)",
		}},
		{name: "base and deploy together", dirs: []string{"base", "deploy"}, want: []string{
			"serviceaccount/strata-apiserver unchanged (server dry run)",
			"clusterrole.rbac.authorization.k8s.io/strata-apiserver unchanged (server dry run)",
			"apiservice.apiregistration.k8s.io/v1beta1.crd.antrea.io configured (server dry run)",
			"deployment.apps/strata-apiserver created (server dry run)",
			"poddisruptionbudget.policy/strata-apiserver created (server dry run)",
		}},
		{name: "agent", dirs: []string{"agent"}, wantObjects: []string{
			"serviceaccount/strata-agent",
			"clusterrole.rbac.authorization.k8s.io/strata-agent",
			"clusterrolebinding.rbac.authorization.k8s.io/strata-agent",
			"daemonset.apps/strata-agent",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"apply", "--dry-run=server"}
			for _, d := range tc.dirs {
				args = append(args, "-f", filepath.Join(lc.Root, "artifacts", d))
			}
			out := kubectl(ctx, t, args...)
			for _, want := range tc.want {
				if !strings.Contains(out, want) {
					t.Errorf("kubectl %s printed no %q:\n%s", strings.Join(args, " "), want, out)
				}
			}
			for _, obj := range tc.wantObjects {
				if !dryRunAccepted(out, obj) {
					t.Errorf("kubectl %s did not accept %s:\n%s", strings.Join(args, " "), obj, out)
				}
			}
		})
	}
}

// dryRunAccepted tells whether kubectl apply --dry-run=server printed a line
// "<obj> created|configured|unchanged (server dry run)".
func dryRunAccepted(out, obj string) bool {
	for _, line := range strings.Split(out, "\n") {
		verb, ok := strings.CutPrefix(line, obj+" ")
		if !ok {
			continue
		}
		switch verb {
		case "created (server dry run)", "configured (server dry run)", "unchanged (server dry run)":
			return true
		}
	}
	return false
}
