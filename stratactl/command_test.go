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
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	npav1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"
	npaversioned "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned"
	npafake "sigs.k8s.io/network-policy-api/pkg/client/clientset/versioned/fake"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	systemv1beta1 "github.com/strata-net/strata/apis/system/v1beta1"
	"github.com/strata-net/strata/apis/version"
	"github.com/strata-net/strata/generated/clientset/versioned"
	"github.com/strata-net/strata/generated/clientset/versioned/fake"
)

// run executes stratactl with args over fake clientsets holding objs: the upstream
// ClusterNetworkPolicies in policy.networking.k8s.io's, the rest in Strata's.
func run(t *testing.T, args []string, objs ...runtime.Object) (string, error) {
	t.Helper()
	var strata, upstream []runtime.Object
	for _, o := range objs {
		if _, ok := o.(*npav1beta1.ClusterNetworkPolicy); ok {
			upstream = append(upstream, o)
		} else {
			strata = append(strata, o)
		}
	}
	client, policies := fake.NewSimpleClientset(strata...), npafake.NewSimpleClientset(upstream...)
	return runWithPolicies(t, func() (versioned.Interface, string, error) { return client, "https://fake", nil },
		func() (npaversioned.Interface, error) { return policies, nil }, args)
}

func runWith(t *testing.T, newClient ClientFunc, args []string) (string, error) {
	t.Helper()
	return runWithPolicies(t, newClient, func() (npaversioned.Interface, error) { return npafake.NewSimpleClientset(), nil }, args)
}

func runWithPolicies(t *testing.T, newClient ClientFunc, newPolicies PolicyClientFunc, args []string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	cmd := NewCommand(newClient, newPolicies)
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func controllerInfo(v string) *systemv1beta1.ControllerInfo {
	return &systemv1beta1.ControllerInfo{ObjectMeta: metav1.ObjectMeta{Name: systemv1beta1.ControllerInfoName}, Version: v}
}

func TestVersion(t *testing.T) {
	client := version.Get().GitVersion
	for _, tc := range []struct {
		name    string
		args    []string
		objs    []runtime.Object
		want    string
		wantErr string
	}{
		{name: "client and server", args: []string{"version"}, objs: []runtime.Object{controllerInfo("v9.9.9")},
			want: "stratactlVersion: " + client + "\napiserverVersion: v9.9.9\n"},
		{name: "client only", args: []string{"version", "--client"},
			want: "stratactlVersion: " + client + "\n"},
		{name: "server without ControllerInfo: client version, then the error", args: []string{"version"},
			want: "stratactlVersion: " + client + "\n", wantErr: "reading strata-apiserver's version (controllerinfos/strata-apiserver) through https://fake"},
		{name: "bad output format", args: []string{"version", "-o", "xml"}, wantErr: `--output "xml": must be json or yaml`},
		{name: "yaml", args: []string{"version", "-o", "yaml"}, objs: []runtime.Object{controllerInfo("v9.9.9")},
			want: "apiserver:\n  metadata:\n    name: strata-apiserver\n  networkPolicyControllerInfo:\n    addressGroupNum: 0\n" +
				"    appliedToGroupNum: 0\n    networkPolicyNum: 0\n  connectedAgentNum: 0\n  version: v9.9.9\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := run(t, tc.args, tc.objs...)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
			} else {
				require.NoError(t, err)
			}
			if tc.name == "yaml" {
				assert.Contains(t, out, "stratactl:\n  buildDate:")
				assert.Contains(t, out, tc.want[:len("apiserver:\n")])
				assert.Contains(t, out, "  version: v9.9.9\n")
				return
			}
			assert.Equal(t, tc.want, out)
		})
	}
}

func TestVersionKubeconfigError(t *testing.T) {
	out, err := runWith(t, func() (versioned.Interface, string, error) {
		return nil, "", errors.New("reading the kubeconfig: no configuration")
	}, []string{"version"})
	require.ErrorContains(t, err, "reading the kubeconfig")
	assert.Equal(t, "stratactlVersion: "+version.Get().GitVersion+"\n", out)
}

func TestBadFlags(t *testing.T) {
	_, err := runWith(t, nil, []string{"version", "--request-timeout=0s"})
	require.ErrorContains(t, err, "--request-timeout must be positive")
	_, err = runWith(t, nil, []string{"version", "--kubeconfig=/nonexistent/kubeconfig"})
	require.ErrorContains(t, err, "reading the kubeconfig")
	_, err = run(t, []string{"get", "realization", "-o", "table"})
	require.ErrorContains(t, err, `--output "table"`)
}

func acnp(name, uid, tier string, priority float64, generation int64, phase crdv1beta1.NetworkPolicyPhase) *crdv1beta1.ClusterNetworkPolicy {
	return &crdv1beta1.ClusterNetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: name, UID: types.UID(uid), Generation: generation},
		Spec:       crdv1beta1.ClusterNetworkPolicySpec{Tier: tier, Priority: priority},
		Status:     crdv1beta1.NetworkPolicyStatus{Phase: phase},
	}
}

func realization(uid, name string, generation int64, nodes ...systemv1beta1.NodeRealization) *systemv1beta1.NetworkPolicyRealization {
	return &systemv1beta1.NetworkPolicyRealization{ObjectMeta: metav1.ObjectMeta{Name: uid},
		SourceRef:  systemv1beta1.PolicyReference{Type: "AntreaClusterNetworkPolicy", Name: name, UID: uid},
		Generation: generation, Nodes: nodes}
}

func TestGetRealization(t *testing.T) {
	objs := []runtime.Object{
		acnp("acnp11", "u11", "securityops", 5, 2, crdv1beta1.NetworkPolicyRealizing),
		realization("u11", "acnp11", 2,
			systemv1beta1.NodeRealization{NodeName: "worker1", State: "Realized", ReportedGeneration: 2},
			systemv1beta1.NodeRealization{NodeName: "worker2", State: "Failed", ReportedGeneration: 2, Message: "flows refused"},
			systemv1beta1.NodeRealization{NodeName: "worker3", State: "Pending"}),
		acnp("held", "u2", "mytier", 1.5, 1, ""),
		acnp("idle", "u3", "baseline", 10, 1, crdv1beta1.NetworkPolicyRealized),
		realization("u3", "idle", 1),
	}
	for _, tc := range []struct {
		name    string
		args    []string
		want    string
		wantErr string
	}{{
		name: "summary of every policy",
		args: []string{"get", "realization"},
		want: "NAME    TIER         PRIORITY  GENERATION  PHASE      NODES  REALIZED  FAILED  PENDING\n" +
			"acnp11  securityops  5         2           Realizing  3      1         1       1\n" +
			"held    mytier       1.5       1           Pending    -      -         -       -\n" +
			"idle    baseline     10        1           Realized   0      0         0       0\n",
	}, {
		name: "per Node",
		args: []string{"get", "realization", "acnp11"},
		want: "ClusterNetworkPolicy acnp11: tier securityops, priority 5, generation 2, phase Realizing\n" +
			"Realized on 1 of 3 Nodes (failed 1, pending 1).\n" +
			"NODE     STATE     REPORTED GENERATION  MESSAGE\n" +
			"worker1  Realized  2                    \n" +
			"worker2  Failed    2                    flows refused\n" +
			"worker3  Pending   -                    \n",
	}, {
		name: "not computed and not needed",
		args: []string{"get", "realizations", "held", "idle"},
		want: "ClusterNetworkPolicy held: tier mytier, priority 1.5, generation 1, phase Pending\n" +
			"Not computed yet: its Tier does not exist, or strata-apiserver is still computing.\n\n" +
			"ClusterNetworkPolicy idle: tier baseline, priority 10, generation 1, phase Realized\n" +
			"No Node needs it: it applies to no Pod that runs on a Node.\n",
	}, {
		name:    "unknown policy",
		args:    []string{"get", "realization", "nope"},
		wantErr: `reading ClusterNetworkPolicy "nope"`,
	}, {
		name: "json of one",
		args: []string{"get", "realization", "idle", "-o", "json"},
		want: "{\n  \"metadata\": {},\n  \"items\": [\n    {\n      \"metadata\": {\n        \"name\": \"u3\"\n      },\n" +
			"      \"sourceRef\": {\n        \"type\": \"AntreaClusterNetworkPolicy\",\n        \"name\": \"idle\",\n" +
			"        \"uid\": \"u3\"\n      },\n      \"generation\": 1\n    }\n  ]\n}\n",
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

func TestGetFeatureGates(t *testing.T) {
	info := controllerInfo("v1")
	info.FeatureGates = []systemv1beta1.FeatureGate{{Name: "AntreaPolicy", Enabled: true, Stage: "BETA"}, {Name: "Other", Stage: "ALPHA"}}
	out, err := run(t, []string{"get", "featuregates"}, info)
	require.NoError(t, err)
	assert.Equal(t, "strata-apiserver feature gates\nFEATUREGATE   STATUS    STAGE\nAntreaPolicy  Enabled   BETA\nOther         Disabled  ALPHA\n", out)
	out, err = run(t, []string{"get", "fg", "-o", "json"}, info)
	require.NoError(t, err)
	assert.JSONEq(t, `[{"name":"AntreaPolicy","enabled":true,"stage":"BETA"},{"name":"Other","enabled":false,"stage":"ALPHA"}]`, out)
	_, err = run(t, []string{"get", "featuregates"})
	require.ErrorContains(t, err, "controllerinfos/strata-apiserver")
}
