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
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	statsv1alpha1 "github.com/strata-net/strata/apis/stats/v1alpha1"
	"github.com/strata-net/strata/generated/clientset/versioned"
	"github.com/strata-net/strata/generated/clientset/versioned/fake"
)

func TestGetStats(t *testing.T) {
	started := metav1.NewTime(time.Now().Add(-2 * time.Hour).Truncate(time.Second))
	recent := metav1.NewTime(time.Now().Add(-10 * time.Minute).Truncate(time.Second))
	old := metav1.NewTime(time.Now().Add(-90 * time.Minute).Truncate(time.Second))
	client := fake.NewSimpleClientset()
	add := func(resource string, obj runtime.Object, ns string) {
		require.NoError(t, client.Tracker().Create(statsv1alpha1.SchemeGroupVersion.WithResource(resource), obj, ns))
	}
	add("antreaclusternetworkpolicystats", &statsv1alpha1.AntreaClusterNetworkPolicyStats{
		ObjectMeta:   metav1.ObjectMeta{Name: "acnp1", CreationTimestamp: started},
		TrafficStats: statsv1alpha1.TrafficStats{Sessions: 7, Packets: 70, Bytes: 7000},
		RuleTrafficStats: []statsv1alpha1.RuleTrafficStats{
			{Name: "allow-web", TrafficStats: statsv1alpha1.TrafficStats{Sessions: 7, Packets: 70, Bytes: 7000}, LastHit: &recent},
			{Name: "drop-old", TrafficStats: statsv1alpha1.TrafficStats{Sessions: 1, Packets: 1, Bytes: 60}, LastHit: &old},
			{Name: "ingress-2"},
		}}, "")
	add("antreanetworkpolicystats", &statsv1alpha1.AntreaNetworkPolicyStats{
		ObjectMeta: metav1.ObjectMeta{Name: "annp1", Namespace: "test", CreationTimestamp: started}}, "test")
	add("networkpolicystats", &statsv1alpha1.NetworkPolicyStats{
		ObjectMeta:   metav1.ObjectMeta{Name: "np1", Namespace: "default", CreationTimestamp: started},
		TrafficStats: statsv1alpha1.TrafficStats{Sessions: 2, Packets: 9, Bytes: 900}}, "default")
	newClient := func() (versioned.Interface, string, error) { return client, "https://fake", nil }
	for _, tc := range []struct {
		name    string
		args    []string
		want    []string
		notWant []string
		err     string
	}{
		{name: "rules and their last hits", args: []string{"get", "stats", "acnp1"},
			want:    []string{"ClusterNetworkPolicy acnp1: 7 sessions, 70 packets, 7000 bytes", "allow-web", "ingress-2", "never"},
			notWant: []string{"Dead rules"}},
		{name: "dead rules since an hour", args: []string{"get", "stats", "acnp/acnp1", "--since", "1h"},
			want: []string{"Dead rules (no packet since", "drop-old, ingress-2"}, notWant: []string{"Note:"}},
		{name: "counting started after --since", args: []string{"get", "stats", "acnp1", "--since", "3h"},
			want: []string{"): ingress-2\n", "Note: the counting started"}},
		{name: "an Antrea NetworkPolicy without hits", args: []string{"get", "stats", "anp/annp1", "-n", "test", "--since", "1h"},
			want: []string{"NetworkPolicy (Antrea) test/annp1", "No dead rules"}},
		{name: "a Kubernetes NetworkPolicy: totals", args: []string{"get", "stats", "netpol/np1"},
			want: []string{"NetworkPolicy default/np1: 2 sessions, 9 packets, 900 bytes"}, notWant: []string{"RULE"}},
		{name: "unknown kind", args: []string{"get", "stats", "tier/x"}, err: `POLICY "tier/x": the kind must be acnp, anp or netpol`},
		{name: "bad --since", args: []string{"get", "stats", "acnp1", "--since", "yesterday"}, err: `--since "yesterday"`},
		{name: "missing policy", args: []string{"get", "stats", "nope"}, err: "reading the stats of ClusterNetworkPolicy nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runWith(t, newClient, tc.args)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err, out)
			for _, w := range tc.want {
				assert.Contains(t, out, w)
			}
			for _, w := range tc.notWant {
				assert.NotContains(t, out, w)
			}
		})
	}
}
