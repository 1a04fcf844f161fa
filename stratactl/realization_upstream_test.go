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

package stratactl

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	k8stesting "k8s.io/client-go/testing"
	npav1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"
	npaversioned "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned"
	npafake "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned/fake"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	systemv1beta1 "github.com/strata-net/strata/apis/system/v1beta1"
	"github.com/strata-net/strata/generated/clientset/versioned"
	"github.com/strata-net/strata/generated/clientset/versioned/fake"
)

func cnp(name, uid string, tier npav1beta1.Tier, priority int32, generation int64, conds ...metav1.Condition) *npav1beta1.ClusterNetworkPolicy {
	return &npav1beta1.ClusterNetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID(uid), Generation: generation},
		Spec:       npav1beta1.ClusterNetworkPolicySpec{Tier: tier, Priority: priority},
		Status:     npav1beta1.ClusterNetworkPolicyStatus{Conditions: conds},
	}
}

func condition(typ string, status metav1.ConditionStatus, reason string, generation int64, msg string) metav1.Condition {
	return metav1.Condition{Type: typ, Status: status, Reason: reason, ObservedGeneration: generation, Message: msg}
}

func cnpRealization(uid, name string, generation int64, nodes ...systemv1beta1.NodeRealization) *systemv1beta1.NetworkPolicyRealization {
	r := realization(uid, name, generation, nodes...)
	r.SourceRef.Type = "K8sClusterNetworkPolicy"
	return r
}

var (
	accepted      = condition("Accepted", metav1.ConditionTrue, "Accepted", 2, "Every part of the policy is enforced as written")
	realizedTrue  = condition("Realized", metav1.ConditionTrue, "Realized", 1, "Realized on 2 of 2 Nodes")
	realizedFalse = condition("Realized", metav1.ConditionFalse, "Pending", 2, "Realized on 1 of 2 Nodes; the others have not reported generation 2 yet")
	refused       = condition("Accepted", metav1.ConditionFalse, "UnsupportedField", 1, "spec.egress[0].peers[0].domainNames: refused")
)

func TestGetRealizationUpstream(t *testing.T) {
	objs := []runtime.Object{
		acnp("acnp11", "u11", "securityops", 5, 2, crdv1beta1.NetworkPolicyRealized),
		realization("u11", "acnp11", 2, systemv1beta1.NodeRealization{NodeName: "worker1", State: "Realized", ReportedGeneration: 2}),
		cnp("admin-deny", "c1", npav1beta1.AdminTier, 10, 2, accepted, realizedFalse),
		cnpRealization("c1", "admin-deny", 2,
			systemv1beta1.NodeRealization{NodeName: "worker1", State: "Realized", ReportedGeneration: 2},
			systemv1beta1.NodeRealization{NodeName: "worker2", State: "Pending", ReportedGeneration: 1}),
		cnp("refused", "c2", npav1beta1.BaselineTier, 5, 1, refused, realizedTrue),
		cnpRealization("c2", "refused", 1),
		cnp("fresh", "c3", npav1beta1.AdminTier, 0, 1),
	}
	for _, tc := range []struct {
		name    string
		args    []string
		want    string
		wantErr string
	}{{
		name: "summary of both kinds",
		args: []string{"get", "realization"},
		want: "NAME            TIER         PRIORITY  GENERATION  PHASE      NODES  REALIZED  FAILED  PENDING\n" +
			"acnp11          securityops  5         2           Realized   1      1         0       0\n" +
			"cnp/admin-deny  Admin        10        2           Realizing  2      1         0       1\n" +
			"cnp/fresh       Admin        0         1           Pending    -      -         -       -\n" +
			"cnp/refused     Baseline     5         1           Failed     0      0         0       0\n",
	}, {
		name: "per Node, with the conditions",
		args: []string{"get", "realization", "cnp/admin-deny"},
		want: "ClusterNetworkPolicy (policy.networking.k8s.io) cnp/admin-deny: tier Admin, priority 10, generation 2, phase Realizing\n" +
			"Accepted: True (Accepted, generation 2): Every part of the policy is enforced as written\n" +
			"Realized: False (Pending, generation 2): Realized on 1 of 2 Nodes; the others have not reported generation 2 yet\n" +
			"Realized on 1 of 2 Nodes (failed 0, pending 1).\n" +
			"NODE     STATE     REPORTED GENERATION  MESSAGE\n" +
			"worker1  Realized  2                    \n" +
			"worker2  Pending   1                    \n",
	}, {
		name: "not computed yet, and an Antrea policy by its prefix",
		args: []string{"get", "realization", "cnp/fresh", "acnp/acnp11"},
		want: "ClusterNetworkPolicy (policy.networking.k8s.io) cnp/fresh: tier Admin, priority 0, generation 1, phase Pending\n" +
			"Not computed yet: strata-apiserver is still computing.\n\n" +
			"ClusterNetworkPolicy acnp11: tier securityops, priority 5, generation 2, phase Realized\n" +
			"Realized on 1 of 1 Nodes (failed 0, pending 0).\n" +
			"NODE     STATE     REPORTED GENERATION  MESSAGE\n" +
			"worker1  Realized  2                    \n",
	}, {
		name:    "unknown upstream policy",
		args:    []string{"get", "realization", "cnp/nope"},
		wantErr: `reading ClusterNetworkPolicy.policy.networking.k8s.io "nope"`,
	}, {
		name:    "unknown kind",
		args:    []string{"get", "realization", "anp/x"},
		wantErr: `"anp/x": name an Antrea ClusterNetworkPolicy as NAME or acnp/NAME, an upstream one as cnp/NAME`,
	}, {
		name: "yaml of one",
		args: []string{"get", "realization", "cnp/refused", "-o", "yaml"},
		want: "items:\n- generation: 1\n  metadata:\n    name: c2\n  sourceRef:\n    name: refused\n" +
			"    type: K8sClusterNetworkPolicy\n    uid: c2\nmetadata: {}\n",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := run(t, tc.args, objs...)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, out)
		})
	}
}

// TestGetRealizationWithoutUpstreamAPI: without the policy.networking.k8s.io CRD,
// the summary shows Antrea's policies alone.
func TestGetRealizationWithoutUpstreamAPI(t *testing.T) {
	client := fake.NewSimpleClientset(acnp("acnp11", "u11", "securityops", 5, 1, crdv1beta1.NetworkPolicyRealized),
		realization("u11", "acnp11", 1))
	policies := npafake.NewSimpleClientset()
	policies.PrependReactor("list", "clusternetworkpolicies", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewNotFound(schema.GroupResource{Group: "policy.networking.k8s.io", Resource: "clusternetworkpolicies"}, "")
	})
	out, err := runWithPolicies(t, func() (versioned.Interface, string, error) { return client, "https://fake", nil },
		func() (npaversioned.Interface, error) { return policies, nil }, []string{"get", "realization"})
	require.NoError(t, err)
	assert.Equal(t, "NAME    TIER         PRIORITY  GENERATION  PHASE     NODES  REALIZED  FAILED  PENDING\n"+
		"acnp11  securityops  5         1           Realized  0      0         0       0\n", out)
}

func TestUpstreamPhase(t *testing.T) {
	failed := condition("Realized", metav1.ConditionFalse, "RealizationFailed", 2, `Realized on 1 of 2 Nodes; Failed Nodes count 1: "n2":"x"`)
	for _, tc := range []struct {
		name  string
		conds []metav1.Condition
		want  string
	}{
		{name: "no conditions yet", want: "Pending"},
		{name: "conditions of an older generation", conds: []metav1.Condition{accepted, realizedTrue}, want: "Pending"},
		{name: "realizing", conds: []metav1.Condition{accepted, realizedFalse}, want: "Realizing"},
		{name: "realized", conds: []metav1.Condition{accepted, condition("Realized", metav1.ConditionTrue, "Realized", 2, "")}, want: "Realized"},
		{name: "a Node failed", conds: []metav1.Condition{accepted, failed}, want: "Failed"},
		{name: "a part refused", conds: []metav1.Condition{refused, condition("Realized", metav1.ConditionTrue, "Realized", 2, "")}, want: "Failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, upstreamPhase(cnp("p", "u", npav1beta1.AdminTier, 1, 2, tc.conds...)))
		})
	}
}
