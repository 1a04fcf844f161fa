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

package v1alpha2_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/crd/v1alpha2"
	"github.com/strata-net/strata/apis/scheme"
)

func TestConvertSingularIPBlock(t *testing.T) {
	cases := []struct {
		name string
		in   v1alpha2.GroupSpec
		want []crd.IPBlock
	}{
		{name: "no ipBlock", in: v1alpha2.GroupSpec{}, want: nil},
		{name: "singular ipBlock becomes ipBlocks",
			in:   v1alpha2.GroupSpec{IPBlock: &v1alpha2.IPBlock{CIDR: "10.0.0.0/8", Except: []string{"10.1.0.0/16"}}},
			want: []crd.IPBlock{{CIDR: "10.0.0.0/8", Except: []string{"10.1.0.0/16"}}}},
		{name: "singular ipBlock comes first, nothing is lost",
			in: v1alpha2.GroupSpec{IPBlock: &v1alpha2.IPBlock{CIDR: "10.0.0.0/8"},
				IPBlocks: []v1alpha2.IPBlock{{CIDR: "192.168.0.0/16"}}},
			want: []crd.IPBlock{{CIDR: "10.0.0.0/8"}, {CIDR: "192.168.0.0/16"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := &v1alpha2.ClusterGroup{Spec: tc.in}
			out := &crd.ClusterGroup{}
			if err := scheme.Scheme.Convert(in, out, nil); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, out.Spec.IPBlocks); diff != "" {
				t.Fatalf("ipBlocks (-want +got):\n%s", diff)
			}
			back := &v1alpha2.ClusterGroup{}
			if err := scheme.Scheme.Convert(out, back, nil); err != nil {
				t.Fatal(err)
			}
			if back.Spec.IPBlock != nil || len(back.Spec.IPBlocks) != len(tc.want) {
				t.Fatalf("converting back gave ipBlock %v and %d ipBlocks, want only ipBlocks", back.Spec.IPBlock, len(tc.want))
			}
		})
	}
}
