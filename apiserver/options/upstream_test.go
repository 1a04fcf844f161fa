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

package options

import (
	"testing"

	"github.com/stretchr/testify/require"
	genericapiserver "k8s.io/apiserver/pkg/server"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	kubeinformers "k8s.io/client-go/informers"
	kubefake "k8s.io/client-go/kubernetes/fake"
	restclient "k8s.io/client-go/rest"

	"github.com/strata-net/strata/apis/scheme"
)

// TestUpstreamPolicyInformers: the upstream ClusterNetworkPolicies are watched
// behind kube-apiserver with the ClusterNetworkPolicy gate on, and not standalone
// (no kube client) or with the gate off.
func TestUpstreamPolicyInformers(t *testing.T) {
	for _, tc := range []struct {
		name       string
		kubeClient bool
		gate       bool
		want       bool
	}{
		{name: "behind kube-apiserver, gate on", kubeClient: true, gate: true, want: true},
		{name: "behind kube-apiserver, gate off", kubeClient: true, gate: false, want: false},
		{name: "standalone", kubeClient: false, gate: true, want: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Cleanup(func() {
				require.NoError(t, utilfeature.DefaultMutableFeatureGate.SetFromMap(map[string]bool{"ClusterNetworkPolicy": true}))
			})
			require.NoError(t, utilfeature.DefaultMutableFeatureGate.SetFromMap(map[string]bool{"ClusterNetworkPolicy": tc.gate}))
			cfg := genericapiserver.NewRecommendedConfig(scheme.Codecs)
			if tc.kubeClient {
				cfg.ClientConfig = &restclient.Config{Host: "https://127.0.0.1:1"}
				cfg.SharedInformerFactory = kubeinformers.NewSharedInformerFactory(kubefake.NewSimpleClientset(), 0)
			}
			got, err := upstreamPolicyInformers(cfg)
			require.NoError(t, err)
			require.Equal(t, tc.want, got != nil, "informers built")
		})
	}
}
