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
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistrytest "k8s.io/apiserver/pkg/registry/generic/testing"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/security"
	"github.com/strata-net/strata/registry/registrytest"
	"github.com/strata-net/strata/registry/storageutil"
)

func newStorage(t *testing.T, getter generic.RESTOptionsGetter, resource schema.GroupResource) *REST {
	t.Helper()
	storage, err := NewREST(Config{RESTOptionsGetter: getter, Resource: resource})
	require.NoError(t, err)
	registrytest.Destroy(t, storage.Store)
	return storage
}

func newTester(t *testing.T) *genericregistrytest.Tester {
	storage := newStorage(t, registrytest.NewEtcd(t).RESTOptionsGetter(), schema.GroupResource{})
	return genericregistrytest.New(t, storage.Store).ClusterScope()
}

func validTier() *crd.Tier {
	return &crd.Tier{ObjectMeta: metav1.ObjectMeta{Name: "foo"}, Spec: crd.TierSpec{Priority: 10, Description: "test"}}
}

func TestCreate(t *testing.T) {
	newTester(t).TestCreate(validTier(),
		&crd.Tier{ObjectMeta: metav1.ObjectMeta{Name: "*badName"}, Spec: crd.TierSpec{Priority: 10}},
		&crd.Tier{ObjectMeta: metav1.ObjectMeta{Name: "bad-priority"}, Spec: crd.TierSpec{Priority: 251}},
	)
}

func TestUpdate(t *testing.T) {
	newTester(t).TestUpdate(validTier(),
		func(obj runtime.Object) runtime.Object {
			obj.(*crd.Tier).Spec.Description = "updated"
			return obj
		},
		func(obj runtime.Object) runtime.Object {
			obj.(*crd.Tier).Spec.Priority = 20
			return obj
		},
	)
}

func TestDelete(t *testing.T) {
	newTester(t).TestDelete(validTier())
}

func TestGet(t *testing.T) {
	newTester(t).TestGet(validTier())
}

func TestList(t *testing.T) {
	newTester(t).TestList(validTier())
}

func TestWatch(t *testing.T) {
	newTester(t).TestWatch(validTier(),
		[]labels.Set{},
		[]labels.Set{{"foo": "bar"}},
		[]fields.Set{{"metadata.name": "foo"}},
		[]fields.Set{{"metadata.name": "bar"}},
	)
}

func TestGeneration(t *testing.T) {
	storage := newStorage(t, registrytest.NewEtcd(t).RESTOptionsGetter(), schema.GroupResource{})
	ctx := genericregistrytest.NewClusterScopeContext(storage.Store)
	obj, err := storage.Create(ctx, validTier(), rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
	require.NoError(t, err)
	assert.Equal(t, int64(1), obj.(*crd.Tier).Generation)

	update := func(change func(*crd.Tier)) *crd.Tier {
		t.Helper()
		cur, err := storage.Get(ctx, "foo", &metav1.GetOptions{})
		require.NoError(t, err)
		tier := cur.(*crd.Tier).DeepCopy()
		change(tier)
		obj, _, err := storage.Update(ctx, "foo", rest.DefaultUpdatedObjectInfo(tier),
			rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, false, &metav1.UpdateOptions{})
		require.NoError(t, err)
		return obj.(*crd.Tier)
	}
	assert.Equal(t, int64(1), update(func(t *crd.Tier) { t.Labels = map[string]string{"a": "b"} }).Generation)
	assert.Equal(t, int64(2), update(func(t *crd.Tier) { t.Spec.Description = "new" }).Generation)
}

func TestUnconditionalUpdateRejected(t *testing.T) {
	storage := newStorage(t, registrytest.NewEtcd(t).RESTOptionsGetter(), schema.GroupResource{})
	ctx := genericregistrytest.NewClusterScopeContext(storage.Store)
	_, err := storage.Create(ctx, validTier(), rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
	require.NoError(t, err)
	tier := validTier()
	tier.Spec.Description = "no resourceVersion"
	_, _, err = storage.Update(ctx, "foo", rest.DefaultUpdatedObjectInfo(tier),
		rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, false, &metav1.UpdateOptions{})
	assert.Error(t, err)
}

func TestNames(t *testing.T) {
	etcd := registrytest.NewEtcd(t)
	tests := []struct {
		name           string
		getter         generic.RESTOptionsGetter
		resource       schema.GroupResource
		wantShortNames []string
		wantSingular   string
	}{
		{name: "default", getter: etcd.RESTOptionsGetter(), wantShortNames: []string{"tr"}, wantSingular: "tier"},
		{name: "crd.antrea.io", getter: etcd.RESTOptionsGetter(), resource: crd.Resource("tiers"), wantShortNames: []string{"tr"}, wantSingular: "tier"},
		{name: "legacy", getter: storageutil.NewLegacyRESTOptionsGetter(etcd.RESTOptionsGetter()), resource: security.Resource("tiers"), wantShortNames: []string{"ltr"}, wantSingular: "tier"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storage := newStorage(t, tc.getter, tc.resource)
			assert.Equal(t, tc.wantShortNames, storage.ShortNames())
			assert.Equal(t, tc.wantSingular, storage.GetSingularName())
			_, isCategories := any(storage).(rest.CategoriesProvider)
			assert.False(t, isCategories, "no categories: kubectl get <category> would list Tiers twice")
		})
	}
}

func TestNewRESTErrors(t *testing.T) {
	getter := registrytest.NewEtcd(t).RESTOptionsGetter()
	tests := []struct {
		name string
		cfg  Config
	}{
		{name: "no getter", cfg: Config{}},
		{name: "other resource", cfg: Config{RESTOptionsGetter: getter, Resource: crd.Resource("clustergroups")}},
		{name: "other group", cfg: Config{RESTOptionsGetter: getter, Resource: schema.GroupResource{Group: "example.com", Resource: "tiers"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewREST(tc.cfg)
			assert.Error(t, err)
		})
	}
}
