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

package networkpolicy

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
	genericregistrytest "k8s.io/apiserver/pkg/registry/generic/testing"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/crd/validation"
	"github.com/strata-net/strata/registry/registrytest"
)

func newStorage(t *testing.T) (*REST, *StatusREST) {
	t.Helper()
	storage, status, err := NewREST(Config{RESTOptionsGetter: registrytest.NewEtcd(t).RESTOptionsGetter()})
	require.NoError(t, err)
	registrytest.Destroy(t, storage.Store)
	return storage, status
}

func newTester(t *testing.T) *genericregistrytest.Tester {
	storage, _ := newStorage(t)
	return genericregistrytest.New(t, storage.Store)
}

// testerPolicy is a valid policy without a namespace: the tester sets its own.
func testerPolicy(name string) *crd.NetworkPolicy {
	p := validPolicy(name)
	p.Namespace = ""
	return p
}

func TestCreate(t *testing.T) {
	invalid := testerPolicy("bad-priority")
	invalid.Spec.Priority = 0
	newTester(t).TestCreate(testerPolicy("foo"), invalid)
}

func TestUpdate(t *testing.T) {
	newTester(t).TestUpdate(testerPolicy("foo"),
		func(obj runtime.Object) runtime.Object {
			obj.(*crd.NetworkPolicy).Spec.Priority = 6
			return obj
		},
		func(obj runtime.Object) runtime.Object {
			obj.(*crd.NetworkPolicy).Spec.AppliedTo = nil
			return obj
		},
	)
}

func TestDelete(t *testing.T) {
	newTester(t).TestDelete(testerPolicy("foo"))
}

func TestGet(t *testing.T) {
	newTester(t).TestGet(testerPolicy("foo"))
}

func TestList(t *testing.T) {
	newTester(t).TestList(testerPolicy("foo"))
}

func TestWatch(t *testing.T) {
	newTester(t).TestWatch(testerPolicy("foo"),
		[]labels.Set{},
		[]labels.Set{{"foo": "bar"}},
		[]fields.Set{{"metadata.name": "foo"}, {"spec.tier": "securityops"}, {"metadata.name": "foo", "spec.tier": "securityops"}},
		[]fields.Set{{"metadata.name": "bar"}, {"spec.tier": "application"}},
	)
}

func update(ctx context.Context, t *testing.T, getter rest.Getter, updater rest.Updater, change func(*crd.NetworkPolicy)) *crd.NetworkPolicy {
	t.Helper()
	cur, err := getter.Get(ctx, "foo", &metav1.GetOptions{})
	require.NoError(t, err)
	p := cur.(*crd.NetworkPolicy).DeepCopy()
	change(p)
	obj, _, err := updater.Update(ctx, "foo", rest.DefaultUpdatedObjectInfo(p),
		rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, false, &metav1.UpdateOptions{})
	require.NoError(t, err)
	return obj.(*crd.NetworkPolicy)
}

func TestStatusAndGeneration(t *testing.T) {
	storage, status := newStorage(t)
	ctx := genericregistrytest.NewNamespaceScopeContext(storage.Store, "default")
	withStatus := validPolicy("foo")
	withStatus.Status = realized(7)
	created, err := storage.Create(ctx, withStatus, rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
	require.NoError(t, err)
	assert.Equal(t, int64(1), created.(*crd.NetworkPolicy).Generation)
	assert.Equal(t, crd.NetworkPolicyStatus{}, created.(*crd.NetworkPolicy).Status, "create clears the status")

	got := update(ctx, t, storage, status, func(p *crd.NetworkPolicy) {
		p.Status = realized(2)
		p.Spec.Priority = 99
	})
	assert.Equal(t, realized(2), got.Status, "the status subresource sets the status")
	assert.Equal(t, float64(5), got.Spec.Priority, "the status subresource keeps the spec")
	assert.Equal(t, int64(1), got.Generation)

	got = update(ctx, t, storage, storage, func(p *crd.NetworkPolicy) {
		p.Status = crd.NetworkPolicyStatus{}
		p.Spec.Priority = 6
	})
	assert.Equal(t, realized(2), got.Status, "the main resource keeps the status")
	assert.Equal(t, int64(2), got.Generation, "a spec change bumps the generation")

	got = update(ctx, t, storage, storage, func(p *crd.NetworkPolicy) {
		p.Annotations = map[string]string{validation.EnforcementAnnotation: validation.EnforcementAudit}
	})
	assert.Equal(t, int64(3), got.Generation, "audit mode bumps the generation")
	got = update(ctx, t, storage, storage, func(p *crd.NetworkPolicy) {
		p.Annotations = map[string]string{validation.EnforcementAnnotation: validation.EnforcementEnforce}
	})
	assert.Equal(t, int64(4), got.Generation, "back to enforce bumps the generation")
	got = update(ctx, t, storage, storage, func(p *crd.NetworkPolicy) { p.Annotations = nil })
	assert.Equal(t, int64(4), got.Generation, "enforce by default: the same mode keeps the generation")
}

func TestStatusValidation(t *testing.T) {
	storage, status := newStorage(t)
	ctx := genericregistrytest.NewNamespaceScopeContext(storage.Store, "default")
	_, err := storage.Create(ctx, validPolicy("foo"), rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
	require.NoError(t, err)
	cur, err := status.Get(ctx, "foo", &metav1.GetOptions{})
	require.NoError(t, err)
	p := cur.(*crd.NetworkPolicy).DeepCopy()
	p.Status.Phase = "Done"
	_, _, err = status.Update(ctx, "foo", rest.DefaultUpdatedObjectInfo(p),
		rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, false, &metav1.UpdateOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "status.phase")
}

func TestListByTierAndNamespace(t *testing.T) {
	storage, _ := newStorage(t)
	for _, p := range []struct{ namespace, name, tier string }{
		{"default", "a", "securityops"}, {"default", "b", "application"}, {"other", "c", "securityops"},
	} {
		obj := validPolicy(p.name)
		obj.Namespace, obj.Spec.Tier = p.namespace, p.tier
		ctx := genericregistrytest.NewNamespaceScopeContext(storage.Store, p.namespace)
		_, err := storage.Create(ctx, obj, rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
		require.NoError(t, err)
	}
	tests := []struct {
		name      string
		namespace string
		want      []string
	}{
		{name: "all namespaces", namespace: metav1.NamespaceAll, want: []string{"a", "c"}},
		{name: "one namespace", namespace: "default", want: []string{"a"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := genericregistrytest.NewNamespaceScopeContext(storage.Store, tc.namespace)
			list, err := storage.List(ctx, &metainternalversion.ListOptions{FieldSelector: fields.OneTermEqualSelector("spec.tier", "securityops")})
			require.NoError(t, err)
			var names []string
			for _, p := range list.(*crd.NetworkPolicyList).Items {
				names = append(names, p.Name)
			}
			assert.Equal(t, tc.want, names)
		})
	}
}

func TestNames(t *testing.T) {
	storage, status := newStorage(t)
	assert.Equal(t, []string{"annp", "anp"}, storage.ShortNames())
	assert.Equal(t, "networkpolicy", storage.GetSingularName())
	assert.IsType(t, &crd.NetworkPolicy{}, status.New())
	_, isCategories := any(storage).(rest.CategoriesProvider)
	assert.False(t, isCategories)
	_, _, err := NewREST(Config{RESTOptionsGetter: registrytest.NewEtcd(t).RESTOptionsGetter(), Resource: crd.Resource("clusternetworkpolicies")})
	assert.Error(t, err)
}
