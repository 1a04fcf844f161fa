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

package v1beta2_test

import (
	"testing"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/apis/scheme"
)

func TestFieldLabelConversion(t *testing.T) {
	cases := []struct {
		name    string
		kind    string
		label   string
		wantErr bool
	}{
		{name: "nodeName on NetworkPolicy", kind: "NetworkPolicy", label: "nodeName"},
		{name: "nodeName on AddressGroup", kind: "AddressGroup", label: "nodeName"},
		{name: "nodeName on AppliedToGroup", kind: "AppliedToGroup", label: "nodeName"},
		{name: "metadata.name", kind: "AppliedToGroup", label: "metadata.name"},
		{name: "unknown label", kind: "AddressGroup", label: "spec.tier", wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			gvk := v1beta2.SchemeGroupVersion.WithKind(tc.kind)
			label, value, err := scheme.Scheme.ConvertFieldLabel(gvk, tc.label, "node-1")
			if tc.wantErr != (err != nil) {
				t.Fatalf("error = %v, want error: %v", err, tc.wantErr)
			}
			if err == nil && (label != tc.label || value != "node-1") {
				t.Fatalf("converted to %s=%s", label, value)
			}
		})
	}
}
