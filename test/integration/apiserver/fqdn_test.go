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

package apiserver

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// TestFQDNAdmission: in every served group-version of the policy kinds, an
// egress peer by fqdn (an exact name, a "*" pattern) is stored as written; an
// invalid name, and an fqdn in an ingress peer, are answered 422 with a cause
// at the fqdn field saying what is wrong, and nothing is stored.
func TestFQDNAdmission(t *testing.T) {
	ctx, c := ctxT(t), rawClient(t)
	waitSystemTiers(ctx, t, shared.Client)
	const head = `
tier: application
priority: 5
appliedTo: [{podSelector: {matchLabels: {app: db}}}]
`
	invalid := []struct {
		name, spec, path, detail string
	}{
		{"invalid character", `egress: [{action: Allow, to: [{fqdn: "exa_mple.com"}]}]`,
			"spec.egress[0].to[0].fqdn", "may contain only letters, digits"},
		{"empty label", `egress: [{action: Allow, to: [{fqdn: "www..example.com"}]}]`,
			"spec.egress[0].to[0].fqdn", "must not have an empty label"},
		{"trailing dot", `egress: [{action: Drop, to: [{fqdn: "example.com."}]}]`,
			"spec.egress[0].to[0].fqdn", "must not end with a dot"},
		{"ingress peer", `ingress: [{action: Allow, from: [{fqdn: "example.com"}]}]`,
			"spec.ingress[0].from[0].fqdn", "not allowed in ingress peers (from)"},
	}
	for _, k := range refusedPolicyKinds {
		suffix := strings.NewReplacer(".", "-", "/", "-").Replace(k.apiVersion)
		t.Run(k.apiVersion+" "+k.kind+"/accepted", func(t *testing.T) {
			name := "fqdn-ok-" + suffix
			spec := head + `egress: [{action: Allow, to: [{fqdn: "*.Example.com"}, {fqdn: "www.example.org"}]}, {action: Drop, to: [{fqdn: "bad.example.net"}]}]`
			body, err := c.Post().AbsPath(k.collection()).SetHeader("Content-Type", "application/yaml").
				Body([]byte(k.manifest(name, spec))).Do(ctx).Raw()
			if err != nil {
				t.Fatalf("POST %s: %v: %s", name, err, body)
			}
			t.Cleanup(func() { _ = c.Delete().AbsPath(k.collection(), name).Do(ctx).Error() })
			var got struct {
				Spec struct {
					Egress []struct {
						To []struct {
							FQDN string `json:"fqdn"`
						} `json:"to"`
					} `json:"egress"`
				} `json:"spec"`
			}
			if err := yaml.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if len(got.Spec.Egress) != 2 || len(got.Spec.Egress[0].To) != 2 || got.Spec.Egress[0].To[0].FQDN != "*.Example.com" ||
				got.Spec.Egress[1].To[0].FQDN != "bad.example.net" {
				t.Fatalf("stored %s", body)
			}
		})
		for i, tc := range invalid {
			t.Run(k.apiVersion+" "+k.kind+"/"+tc.name, func(t *testing.T) {
				name := fmt.Sprintf("fqdn-bad-%d-%s", i, suffix)
				err := c.Post().AbsPath(k.collection()).SetHeader("Content-Type", "application/yaml").
					Body([]byte(k.manifest(name, head+tc.spec))).Do(ctx).Error()
				wantInvalid(t, err, tc.path, tc.detail)
				if err := c.Get().AbsPath(k.collection(), name).Do(ctx).Error(); !apierrors.IsNotFound(err) {
					t.Fatalf("GET %s after the refusal: %v, want 404 (nothing stored)", name, err)
				}
			})
		}
	}
}

// wantInvalid requires a 422 Invalid with a cause at path containing detail.
func wantInvalid(t *testing.T, err error, path, detail string) {
	t.Helper()
	st := statusOf(t, err)
	if st.Code != http.StatusUnprocessableEntity || st.Reason != metav1.StatusReasonInvalid {
		t.Fatalf("got HTTP %d (%s), want 422 Invalid: %s", st.Code, st.Reason, st.Message)
	}
	if st.Details != nil {
		for _, cause := range st.Details.Causes {
			if cause.Field == path && strings.Contains(cause.Message, detail) {
				return
			}
		}
	}
	t.Fatalf("no cause at %s saying %q in %s", path, detail, st.Message)
}
