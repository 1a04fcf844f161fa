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
	"net/http"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	restclient "k8s.io/client-go/rest"

	"github.com/strata-net/strata/apis/scheme"
)

// rawClient posts raw bodies to crd.antrea.io/v1beta1.
func rawClient(t *testing.T) *restclient.RESTClient {
	t.Helper()
	cfg := restclient.CopyConfig(shared.ClientConfig)
	cfg.GroupVersion = &schema.GroupVersion{Group: "crd.antrea.io", Version: "v1beta1"}
	cfg.APIPath = "/apis"
	cfg.NegotiatedSerializer = scheme.Codecs.WithoutConversion()
	c, err := restclient.RESTClientFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestBadInput sends what a careless or hostile client would: every request gets a
// clear 4xx, nothing is stored, nothing returns 500.
func TestBadInput(t *testing.T) {
	ctx, c := ctxT(t), rawClient(t)
	huge := `{"apiVersion":"crd.antrea.io/v1beta1","kind":"Tier","metadata":{"name":"huge"},"spec":{"priority":60,"description":"` +
		strings.Repeat("x", 4<<20) + `"}}`
	cases := []struct {
		name   string
		body   string
		params map[string]string
		code   int
		reason metav1.StatusReason
		msg    string
	}{
		{name: "malformed JSON", body: `{"apiVersion":"crd.antrea.io/v1beta1","kind":"Tier",`,
			code: http.StatusBadRequest, reason: metav1.StatusReasonBadRequest, msg: "unexpected end of JSON input"},
		{name: "wrong type of a field", body: `{"apiVersion":"crd.antrea.io/v1beta1","kind":"Tier","metadata":{"name":"badtype"},"spec":{"priority":"high"}}`,
			code: http.StatusBadRequest, reason: metav1.StatusReasonBadRequest, msg: "spec.priority"},
		{name: "unknown field with strict validation", body: `{"apiVersion":"crd.antrea.io/v1beta1","kind":"Tier","metadata":{"name":"strict"},"spec":{"priority":61,"colour":"red"}}`,
			params: map[string]string{"fieldValidation": "Strict"},
			code:   http.StatusBadRequest, reason: metav1.StatusReasonBadRequest, msg: `unknown field "spec.colour"`},
		{name: "invalid object", body: `{"apiVersion":"crd.antrea.io/v1beta1","kind":"Tier","metadata":{"name":"invalid"},"spec":{"priority":999}}`,
			code: http.StatusUnprocessableEntity, reason: metav1.StatusReasonInvalid, msg: "spec.priority: Invalid value: 999"},
		{name: "request over the size limit", body: huge,
			code: http.StatusRequestEntityTooLarge, reason: metav1.StatusReasonRequestEntityTooLarge, msg: "too large"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := c.Post().Resource("tiers").Body([]byte(tc.body)).SetHeader("Content-Type", "application/json")
			for k, v := range tc.params {
				req = req.Param(k, v)
			}
			err := req.Do(ctx).Error()
			st := statusOf(t, err)
			if int(st.Code) != tc.code || st.Reason != tc.reason || !strings.Contains(st.Message, tc.msg) {
				t.Fatalf("got %d %s %q, want %d %s containing %q", st.Code, st.Reason, st.Message, tc.code, tc.reason, tc.msg)
			}
		})
	}
	for _, name := range []string{"badtype", "strict", "invalid", "huge"} {
		if err := c.Get().Resource("tiers").Name(name).Do(ctx).Error(); err == nil {
			t.Errorf("tier %s was stored", name)
		}
	}
}

// TestInvalidPatch sends a JSON patch that would make a stored policy invalid.
func TestInvalidPatch(t *testing.T) {
	ctx, c := ctxT(t), shared.Client
	waitSystemTiers(ctx, t, c)
	if _, err := c.CrdV1beta1().ClusterNetworkPolicies().Create(ctx, acnpV1beta1("patch-policy", "securityops", 8), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	patch := `[{"op":"replace","path":"/spec/ingress/0/from/0","value":{"ipBlock":{"cidr":"10.0.0.0/8","except":["11.0.0.0/8"]}}}]`
	_, err := c.CrdV1beta1().ClusterNetworkPolicies().Patch(ctx, "patch-policy", types.JSONPatchType, []byte(patch), metav1.PatchOptions{})
	wantCause(t, err, http.StatusUnprocessableEntity, "spec.ingress[0].from[0].ipBlock.except[0]")
	got, err := c.CrdV1beta1().ClusterNetworkPolicies().Get(ctx, "patch-policy", metav1.GetOptions{})
	if err != nil || got.Spec.Ingress[0].From[0].IPBlock != nil || got.Generation != 1 {
		t.Fatalf("the refused patch changed the policy: %+v, %v", got, err)
	}
}
