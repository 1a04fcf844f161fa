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

package nodeauth

import (
	"context"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/authentication/user"

	"github.com/strata-net/strata/apis/controlplane"
)

func TestAdmission(t *testing.T) {
	adm := NewAdmission(Identities{ServiceAccounts: []string{DefaultAgentServiceAccount}})
	status := func(nodes ...string) runtime.Object {
		s := &controlplane.NetworkPolicyStatus{ObjectMeta: metav1.ObjectMeta{Name: "np"}}
		for _, n := range nodes {
			s.Nodes = append(s.Nodes, controlplane.NetworkPolicyNodeStatus{NodeName: n})
		}
		return s
	}
	startup := func(node string) runtime.Object { return &controlplane.PodStartup{NodeName: node} }
	sync := func(node string) runtime.Object {
		return &controlplane.NodeSyncReport{ObjectMeta: metav1.ObjectMeta{Name: node}}
	}
	// nodestatssummaries is of another package: any object with metadata.name.
	stats := func(node string) runtime.Object {
		return &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Name: node}}
	}
	cases := []struct {
		name     string
		user     user.Info
		resource string
		obj      runtime.Object
		wantPath string // "" allows
	}{
		{"own status", certA, "networkpolicies/status", status("node-a"), ""},
		{"status for B", certA, "networkpolicies/status", status("node-b"), "nodes[0].nodeName"},
		{"status for A and B", tokenA, "networkpolicies/status", status("node-a", "node-b"), "nodes[1].nodeName"},
		{"own startup", tokenA, "podstartups", startup("node-a"), ""},
		{"startup on B", certA, "podstartups", startup("node-b"), "nodeName"},
		{"own sync report", certA, "nodesyncreports", sync("node-a"), ""},
		{"sync report for B", certA, "nodesyncreports", sync("node-b"), "metadata.name"},
		{"own stats summary", tokenA, "nodestatssummaries", stats("node-a"), ""},
		{"stats summary for B", certA, "nodestatssummaries", stats("node-b"), "metadata.name"},
		{"status of unexpected type", certA, "networkpolicies/status", stats("node-a"), "networkpolicies/status"},
		{"unbound token", unbound, "nodesyncreports", sync("node-a"), "rule " + RuleNothingElse},
		{"agent creates something else", certA, "networkpolicyevaluations", stats("x"), "rule " + RuleNothingElse},
		{"operator reports for anyone", operator, "networkpolicies/status", status("node-b"), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, sub, _ := strings.Cut(tc.resource, "/")
			gvr := schema.GroupVersionResource{Group: controlplane.GroupName, Version: "v1beta2", Resource: res}
			attrs := admission.NewAttributesRecord(tc.obj, nil, schema.GroupVersionKind{}, "", "", gvr, sub,
				admission.Create, &metav1.CreateOptions{}, false, tc.user)
			err := adm.Validate(context.Background(), attrs, nil)
			if tc.wantPath == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), tc.wantPath) {
				t.Fatalf("Validate = %v, want a 403 naming %s", err, tc.wantPath)
			}
		})
	}
}

func TestAdmissionOtherGroups(t *testing.T) {
	adm := NewAdmission(Identities{})
	gvr := schema.GroupVersionResource{Group: "crd.antrea.io", Version: "v1beta1", Resource: "tiers"}
	attrs := admission.NewAttributesRecord(&metav1.PartialObjectMetadata{}, nil, schema.GroupVersionKind{}, "", "t", gvr, "",
		admission.Create, &metav1.CreateOptions{}, false, certA)
	if err := adm.Validate(context.Background(), attrs, nil); err != nil {
		t.Fatalf("Validate outside controlplane.antrea.io: %v", err)
	}
	if adm.Handles(admission.Update) || !adm.Handles(admission.Create) {
		t.Fatal("Handles: want Create only")
	}
}
