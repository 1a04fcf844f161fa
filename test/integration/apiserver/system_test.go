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
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	systemv1beta1 "github.com/strata-net/strata/apis/system/v1beta1"
	"github.com/strata-net/strata/apis/version"
)

// TestControllerInfo reads the server's ControllerInfo as stratactl version does. In
// standalone mode the computation does not run, which the condition says.
func TestControllerInfo(t *testing.T) {
	ctx := ctxT(t)
	infos := shared.Client.SystemV1beta1().ControllerInfos()
	info, err := infos.Get(ctx, systemv1beta1.ControllerInfoName, metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, version.Get().GitVersion, info.Version)
	assert.Equal(t, version.Get().GoVersion, info.GoVersion)
	require.Len(t, info.ControllerConditions, 1)
	assert.Equal(t, systemv1beta1.ControllerHealthy, info.ControllerConditions[0].Type)
	assert.Equal(t, metav1.ConditionFalse, info.ControllerConditions[0].Status)
	assert.Equal(t, "NoKubernetesAPI", info.ControllerConditions[0].Reason)

	list, err := infos.List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	require.Len(t, list.Items, 1)
	assert.Equal(t, systemv1beta1.ControllerInfoName, list.Items[0].Name)

	_, err = infos.Get(ctx, "other", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "another name: %v", err)
	_, err = infos.List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=x"})
	assert.True(t, apierrors.IsBadRequest(err), "unsupported field selector: %v", err)
}

// TestNetworkPolicyRealizationsStandalone: nothing is computed without kube-apiserver,
// so there is no realization, and an unknown name is NotFound.
func TestNetworkPolicyRealizationsStandalone(t *testing.T) {
	ctx := ctxT(t)
	r := shared.Client.SystemV1beta1().NetworkPolicyRealizations()
	list, err := r.List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	assert.Empty(t, list.Items)
	_, err = r.Get(ctx, "nope", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "%v", err)
}
