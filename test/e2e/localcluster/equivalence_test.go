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
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-net/strata/test/e2e/framework"
)

// vapName names the ValidatingAdmissionPolicy and its binding.
const vapName = "e2e-equivalent-tiers"

// vapManifest refuses Tiers named e2e-vap-denied*, written for crd.antrea.io only,
// with matchPolicy Equivalent.
const vapManifest = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: ` + vapName + `
spec:
  failurePolicy: Fail
  matchConstraints:
    matchPolicy: Equivalent
    resourceRules:
    - apiGroups: [crd.antrea.io]
      apiVersions: [v1beta1]
      operations: [CREATE, UPDATE]
      resources: [tiers]
  validations:
  - expression: "!object.metadata.name.startsWith('e2e-vap-denied')"
    message: "refused by ValidatingAdmissionPolicy ` + vapName + `"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: ` + vapName + `
spec:
  policyName: ` + vapName + `
  validationActions: [Deny]
`

// TestValidatingAdmissionPolicyEquivalentGroups applies a real
// ValidatingAdmissionPolicy written for crd.antrea.io tiers with matchPolicy
// Equivalent: strata-apiserver runs it for writes through crd.antrea.io and, since
// both groups store the same objects, through the legacy group
// security.antrea.tanzu.vmware.com as well.
func TestValidatingAdmissionPolicyEquivalentGroups(t *testing.T) {
	ctx := ctxT(t)
	file := filepath.Join(t.TempDir(), "vap.yaml")
	if err := os.WriteFile(file, []byte(vapManifest), 0o600); err != nil {
		t.Fatal(err)
	}
	deleteOnCleanup(t, file)
	kubectl(ctx, t, "apply", "-f", file)

	tier := func(apiVersion, name string, priority int) string {
		return fmt.Sprintf("apiVersion: %s\nkind: Tier\nmetadata:\n  name: %s\nspec:\n  priority: %d\n", apiVersion, name, priority)
	}
	// strata-apiserver's admission sees the policy once its informers have it.
	eventually(ctx, t, 2*time.Minute, "strata-apiserver to enforce ValidatingAdmissionPolicy "+vapName, func(ctx context.Context) error {
		_, err := framework.KubectlWithInput(ctx, lc.Kubeconfig, tier("crd.antrea.io/v1beta1", "e2e-vap-denied-probe", 61), "create", "--dry-run=server", "-f", "-")
		if err == nil || !strings.Contains(err.Error(), "refused by ValidatingAdmissionPolicy") {
			return fmt.Errorf("a dry-run creation of a Tier it refuses gave %v", err)
		}
		return nil
	})
	for _, tc := range []struct {
		name, apiVersion, tier string
		refused                bool
	}{
		{"crd.antrea.io is checked", "crd.antrea.io/v1beta1", "e2e-vap-denied-crd", true},
		{"the legacy group is checked", "security.antrea.tanzu.vmware.com/v1alpha1", "e2e-vap-denied-legacy", true},
		{"crd.antrea.io v1alpha1 is checked", "crd.antrea.io/v1alpha1", "e2e-vap-denied-v1alpha1", true},
		{"what it allows is created through the legacy group", "security.antrea.tanzu.vmware.com/v1alpha1", "e2e-vap-allowed", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			manifest := tier(tc.apiVersion, tc.tier, 62)
			out, err := framework.KubectlWithInput(ctx, lc.Kubeconfig, manifest, "create", "-f", "-")
			if !tc.refused {
				if err != nil {
					t.Fatalf("creating Tier %s through %s: %v\n%s", tc.tier, tc.apiVersion, err, out)
				}
				kubectl(ctx, t, "delete", "tier", tc.tier)
				return
			}
			if err == nil || !strings.Contains(err.Error(), "refused by ValidatingAdmissionPolicy "+vapName) {
				t.Fatalf("creating Tier %s through %s: got %v (%s), want the ValidatingAdmissionPolicy's refusal", tc.tier, tc.apiVersion, err, out)
			}
			if _, err := framework.Kubectl(ctx, lc.Kubeconfig, "get", "tier", tc.tier); err == nil {
				t.Fatalf("the refused Tier %s was stored", tc.tier)
			}
		})
	}
}
