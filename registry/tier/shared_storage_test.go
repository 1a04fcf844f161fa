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

package tier

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	genericregistrytest "k8s.io/apiserver/pkg/registry/generic/testing"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/security"
	"github.com/strata-net/strata/registry/registrytest"
	"github.com/strata-net/strata/registry/storageutil"
)

// TestSharedStorage checks that security.antrea.tanzu.vmware.com/tiers and
// crd.antrea.io/tiers, built like strata-apiserver builds them (watch cache on), are
// one storage.
func TestSharedStorage(t *testing.T) {
	etcd := registrytest.NewEtcd(t)
	getter := etcd.CachedRESTOptionsGetter()
	registrytest.TestSharedStorage(t, registrytest.SharedStorage{
		Etcd:   etcd,
		CRD:    newStorage(t, getter, crd.Resource("tiers")).Store,
		Legacy: newStorage(t, storageutil.NewLegacyRESTOptionsGetter(getter), security.Resource("tiers")).Store,
		Object: &crd.Tier{ObjectMeta: metav1.ObjectMeta{Name: "shared"}, Spec: crd.TierSpec{Priority: 42}},
		ChangeSpec: func(obj runtime.Object) {
			obj.(*crd.Tier).Spec.Description = "changed through the other group"
		},
	})
}

// TestLegacyWithoutAlias shows why the alias getter is needed: without it the legacy
// store writes under its own key.
func TestLegacyWithoutAlias(t *testing.T) {
	etcd := registrytest.NewEtcd(t)
	legacy := newStorage(t, etcd.RESTOptionsGetter(), security.Resource("tiers"))
	ctx := genericregistrytest.NewClusterScopeContext(legacy.Store)
	_, err := legacy.Create(ctx, &crd.Tier{ObjectMeta: metav1.ObjectMeta{Name: "alone"}, Spec: crd.TierSpec{Priority: 42}},
		rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
	require.NoError(t, err)
	assert.Nil(t, etcd.Get(ctx, t, etcd.Key(crd.Resource("tiers"), "", "alone")))
	assert.NotNil(t, etcd.Get(ctx, t, etcd.Key(security.Resource("tiers"), "", "alone")))
}
