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

package clusternetworkpolicy

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistrytest "k8s.io/apiserver/pkg/registry/generic/testing"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/crd/validation"
	"github.com/strata-net/strata/apis/security"
	"github.com/strata-net/strata/registry/registrytest"
	"github.com/strata-net/strata/registry/storageutil"
)

func newStorage(t *testing.T, getter generic.RESTOptionsGetter, resource schema.GroupResource) (*REST, *StatusREST) {
	t.Helper()
	storage, status, err := NewREST(Config{RESTOptionsGetter: getter, Resource: resource})
	require.NoError(t, err)
	registrytest.Destroy(t, storage.Store)
	return storage, status
}

func newTester(t *testing.T) *genericregistrytest.Tester {
	storage, _ := newStorage(t, registrytest.NewEtcd(t).RESTOptionsGetter(), schema.GroupResource{})
	return genericregistrytest.New(t, storage.Store).ClusterScope()
}

func TestCreate(t *testing.T) {
	invalid := validPolicy("bad-priority")
	invalid.Spec.Priority = 0
	newTester(t).TestCreate(validPolicy("foo"), invalid)
}

func TestUpdate(t *testing.T) {
	newTester(t).TestUpdate(validPolicy("foo"),
		func(obj runtime.Object) runtime.Object {
			obj.(*crd.ClusterNetworkPolicy).Spec.Priority = 6
			return obj
		},
		func(obj runtime.Object) runtime.Object {
			obj.(*crd.ClusterNetworkPolicy).Spec.AppliedTo = nil
			return obj
		},
	)
}

func TestDelete(t *testing.T) {
	newTester(t).TestDelete(validPolicy("foo"))
}

func TestGet(t *testing.T) {
	newTester(t).TestGet(validPolicy("foo"))
}

func TestList(t *testing.T) {
	newTester(t).TestList(validPolicy("foo"))
}

func TestWatch(t *testing.T) {
	newTester(t).TestWatch(validPolicy("foo"),
		[]labels.Set{},
		[]labels.Set{{"foo": "bar"}},
		[]fields.Set{{"metadata.name": "foo"}, {"spec.tier": "securityops"}, {"metadata.name": "foo", "spec.tier": "securityops"}},
		[]fields.Set{{"metadata.name": "bar"}, {"spec.tier": "application"}},
	)
}

// update reads name from getter, changes it and writes it with updater.
func update(ctx context.Context, t *testing.T, getter rest.Getter, updater rest.Updater, name string, change func(*crd.ClusterNetworkPolicy)) *crd.ClusterNetworkPolicy {
	t.Helper()
	cur, err := getter.Get(ctx, name, &metav1.GetOptions{})
	require.NoError(t, err)
	p := cur.(*crd.ClusterNetworkPolicy).DeepCopy()
	change(p)
	obj, _, err := updater.Update(ctx, name, rest.DefaultUpdatedObjectInfo(p),
		rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, false, &metav1.UpdateOptions{})
	require.NoError(t, err)
	return obj.(*crd.ClusterNetworkPolicy)
}

func TestStatusAndGeneration(t *testing.T) {
	storage, status := newStorage(t, registrytest.NewEtcd(t).RESTOptionsGetter(), schema.GroupResource{})
	ctx := genericregistrytest.NewClusterScopeContext(storage.Store)
	withStatus := validPolicy("foo")
	withStatus.Status = realized(7)
	created, err := storage.Create(ctx, withStatus, rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
	require.NoError(t, err)
	assert.Equal(t, int64(1), created.(*crd.ClusterNetworkPolicy).Generation)
	assert.Equal(t, crd.NetworkPolicyStatus{}, created.(*crd.ClusterNetworkPolicy).Status, "create clears the status")

	got := update(ctx, t, storage, status, "foo", func(p *crd.ClusterNetworkPolicy) {
		p.Status = realized(2)
		p.Spec.Priority = 99
	})
	assert.Equal(t, realized(2), got.Status, "the status subresource sets the status")
	assert.Equal(t, float64(5), got.Spec.Priority, "the status subresource keeps the spec")
	assert.Equal(t, int64(1), got.Generation)

	got = update(ctx, t, storage, storage, "foo", func(p *crd.ClusterNetworkPolicy) {
		p.Status = crd.NetworkPolicyStatus{}
		p.Spec.Priority = 6
	})
	assert.Equal(t, realized(2), got.Status, "the main resource keeps the status")
	assert.Equal(t, float64(6), got.Spec.Priority)
	assert.Equal(t, int64(2), got.Generation, "a spec change bumps the generation")

	got = update(ctx, t, storage, storage, "foo", func(p *crd.ClusterNetworkPolicy) { p.Labels = map[string]string{"a": "b"} })
	assert.Equal(t, int64(2), got.Generation, "a label change keeps the generation")

	got = update(ctx, t, storage, storage, "foo", func(p *crd.ClusterNetworkPolicy) {
		p.Annotations = map[string]string{validation.EnforcementAnnotation: validation.EnforcementAudit}
	})
	assert.Equal(t, int64(3), got.Generation, "audit mode bumps the generation")
	got = update(ctx, t, storage, storage, "foo", func(p *crd.ClusterNetworkPolicy) {
		p.Annotations = map[string]string{validation.EnforcementAnnotation: validation.EnforcementEnforce}
	})
	assert.Equal(t, int64(4), got.Generation, "back to enforce bumps the generation")
	got = update(ctx, t, storage, storage, "foo", func(p *crd.ClusterNetworkPolicy) { p.Annotations = nil })
	assert.Equal(t, int64(4), got.Generation, "enforce by default: the same mode keeps the generation")
}

func TestStatusValidation(t *testing.T) {
	storage, status := newStorage(t, registrytest.NewEtcd(t).RESTOptionsGetter(), schema.GroupResource{})
	ctx := genericregistrytest.NewClusterScopeContext(storage.Store)
	_, err := storage.Create(ctx, validPolicy("foo"), rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
	require.NoError(t, err)
	cur, err := status.Get(ctx, "foo", &metav1.GetOptions{})
	require.NoError(t, err)
	p := cur.(*crd.ClusterNetworkPolicy).DeepCopy()
	p.Status.CurrentNodesRealized = -1
	_, _, err = status.Update(ctx, "foo", rest.DefaultUpdatedObjectInfo(p),
		rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, true, &metav1.UpdateOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "status.currentNodesRealized")

	_, _, err = status.Update(ctx, "missing", rest.DefaultUpdatedObjectInfo(validPolicy("missing")),
		rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, true, &metav1.UpdateOptions{})
	assert.Error(t, err, "the status subresource never creates")
}

func TestStatusREST(t *testing.T) {
	storage, status := newStorage(t, registrytest.NewEtcd(t).RESTOptionsGetter(), schema.GroupResource{})
	assert.IsType(t, &crd.ClusterNetworkPolicy{}, status.New())
	assert.Equal(t, NewStatusStrategy(Strategy{}).GetResetFields(), status.GetResetFields())
	assert.Equal(t, Strategy{}.GetResetFields(), storage.GetResetFields())
	table, err := status.ConvertToTable(context.Background(), validPolicy("p"), nil)
	require.NoError(t, err)
	assert.Len(t, table.Rows, 1)
	status.Destroy() // a no-op: the main store owns the storage
	_, err = storage.List(genericregistrytest.NewClusterScopeContext(storage.Store), &metainternalversion.ListOptions{})
	assert.NoError(t, err)
}

func TestListByTier(t *testing.T) {
	storage, _ := newStorage(t, registrytest.NewEtcd(t).RESTOptionsGetter(), schema.GroupResource{})
	ctx := genericregistrytest.NewClusterScopeContext(storage.Store)
	for name, tier := range map[string]string{"a": "securityops", "b": "application", "c": "securityops"} {
		p := validPolicy(name)
		p.Spec.Tier = tier
		_, err := storage.Create(ctx, p, rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
		require.NoError(t, err)
	}
	list, err := storage.List(ctx, &metainternalversion.ListOptions{FieldSelector: fields.OneTermEqualSelector("spec.tier", "securityops")})
	require.NoError(t, err)
	var names []string
	for _, p := range list.(*crd.ClusterNetworkPolicyList).Items {
		names = append(names, p.Name)
	}
	assert.Equal(t, []string{"a", "c"}, names)
}

func TestNames(t *testing.T) {
	etcd := registrytest.NewEtcd(t)
	tests := []struct {
		name           string
		getter         generic.RESTOptionsGetter
		resource       schema.GroupResource
		wantShortNames []string
	}{
		{name: "default", getter: etcd.RESTOptionsGetter(), wantShortNames: []string{"acnp"}},
		{name: "legacy", getter: storageutil.NewLegacyRESTOptionsGetter(etcd.RESTOptionsGetter()), resource: security.Resource("clusternetworkpolicies"), wantShortNames: []string{"lacnp"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storage, _ := newStorage(t, tc.getter, tc.resource)
			assert.Equal(t, tc.wantShortNames, storage.ShortNames())
			assert.Equal(t, "clusternetworkpolicy", storage.GetSingularName())
			_, isCategories := any(storage).(rest.CategoriesProvider)
			assert.False(t, isCategories)
		})
	}
	_, _, err := NewREST(Config{RESTOptionsGetter: etcd.RESTOptionsGetter(), Resource: crd.Resource("tiers")})
	assert.Error(t, err)
}

// TestSharedStorage checks that the legacy and crd.antrea.io stores, built like
// strata-apiserver builds them (watch cache on), are one storage.
func TestSharedStorage(t *testing.T) {
	etcd := registrytest.NewEtcd(t)
	getter := etcd.CachedRESTOptionsGetter()
	crdStore, _ := newStorage(t, getter, crd.Resource("clusternetworkpolicies"))
	legacyStore, _ := newStorage(t, storageutil.NewLegacyRESTOptionsGetter(getter), security.Resource("clusternetworkpolicies"))
	registrytest.TestSharedStorage(t, registrytest.SharedStorage{
		Etcd:   etcd,
		CRD:    crdStore.Store,
		Legacy: legacyStore.Store,
		Object: validPolicy("shared"),
		ChangeSpec: func(obj runtime.Object) {
			obj.(*crd.ClusterNetworkPolicy).Spec.Priority = 7
		},
	})
}
