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

package nodenet

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

func TestWaitForPodCIDRs(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	t.Run("the Node gets its CIDR while we wait", func(t *testing.T) {
		kube := fake.NewClientset(node("n1", nil, "172.30.0.11"))
		go func() {
			n := node("n1", cidrs("10.244.1.0/24"), "172.30.0.11")
			_, _ = kube.CoreV1().Nodes().Update(ctx, n, metav1.UpdateOptions{})
		}()
		got, err := WaitForPodCIDRs(ctx, kube, "n1", 30*time.Second)
		require.NoError(t, err)
		require.Equal(t, []netip.Prefix{pfx("10.244.1.0/24")}, got)
	})
	t.Run("timeout names the Node and the likely cause", func(t *testing.T) {
		kube := fake.NewClientset(node("n1", nil, "172.30.0.11"))
		_, err := WaitForPodCIDRs(ctx, kube, "n1", 1500*time.Millisecond)
		require.ErrorContains(t, err, "node n1 has no Pod CIDR after 1.5s (spec.podCIDR is empty)")
		require.ErrorContains(t, err, "--allocate-node-cidrs")
	})
	t.Run("a missing Node is waited for", func(t *testing.T) {
		kube := fake.NewClientset()
		_, err := WaitForPodCIDRs(ctx, kube, "n9", 1500*time.Millisecond)
		require.ErrorContains(t, err, "the Node does not exist")
	})
	t.Run("an invalid CIDR fails at once", func(t *testing.T) {
		kube := fake.NewClientset(node("n1", cidrs("10.244.1.0/33"), "172.30.0.11"))
		_, err := WaitForPodCIDRs(ctx, kube, "n1", 30*time.Second)
		require.ErrorContains(t, err, `invalid CIDR "10.244.1.0/33"`)
	})
}
