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

package group

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	genericregistrytest "k8s.io/apiserver/pkg/registry/generic/testing"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/strata-net/strata/apis/crd"
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

// testerGroup is a valid Group without a namespace: the tester sets its own.
func testerGroup(name string) *crd.Group {
	g := validGroup(name)
	g.Namespace = ""
	return g
}

func TestCreate(t *testing.T) {
	invalid := testerGroup("two-kinds")
	invalid.Spec.IPBlocks = []crd.IPBlock{{CIDR: "10.0.0.0/8"}}
	newTester(t).TestCreate(testerGroup("foo"), invalid)
}

func TestUpdate(t *testing.T) {
	newTester(t).TestUpdate(testerGroup("foo"),
		func(obj runtime.Object) runtime.Object {
			obj.(*crd.Group).Spec.PodSelector.MatchLabels["app"] = "db"
			return obj
		},
		func(obj runtime.Object) runtime.Object {
			obj.(*crd.Group).Spec.IPBlocks = []crd.IPBlock{{CIDR: "nope"}}
			return obj
		},
	)
}

func TestDelete(t *testing.T) {
	newTester(t).TestDelete(testerGroup("foo"))
}

func TestGet(t *testing.T) {
	newTester(t).TestGet(testerGroup("foo"))
}

func TestList(t *testing.T) {
	newTester(t).TestList(testerGroup("foo"))
}

func TestWatch(t *testing.T) {
	newTester(t).TestWatch(testerGroup("foo"),
		[]labels.Set{},
		[]labels.Set{{"foo": "bar"}},
		[]fields.Set{{"metadata.name": "foo"}},
		[]fields.Set{{"metadata.name": "bar"}},
	)
}

func update(ctx context.Context, t *testing.T, getter rest.Getter, updater rest.Updater, change func(*crd.Group)) *crd.Group {
	t.Helper()
	cur, err := getter.Get(ctx, "foo", &metav1.GetOptions{})
	require.NoError(t, err)
	g := cur.(*crd.Group).DeepCopy()
	change(g)
	obj, _, err := updater.Update(ctx, "foo", rest.DefaultUpdatedObjectInfo(g),
		rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, false, &metav1.UpdateOptions{})
	require.NoError(t, err)
	return obj.(*crd.Group)
}

func TestStatusAndGeneration(t *testing.T) {
	storage, status := newStorage(t)
	ctx := genericregistrytest.NewNamespaceScopeContext(storage.Store, "default")
	withStatus := validGroup("foo")
	withStatus.Status = computed()
	created, err := storage.Create(ctx, withStatus, rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
	require.NoError(t, err)
	assert.Equal(t, int64(1), created.(*crd.Group).Generation)
	assert.Equal(t, crd.GroupStatus{}, created.(*crd.Group).Status, "create clears the status")

	got := update(ctx, t, storage, status, func(g *crd.Group) {
		g.Status = computed()
		g.Spec.PodSelector.MatchLabels["app"] = "changed-through-status"
	})
	assert.Equal(t, computed(), got.Status, "the status subresource sets the status")
	assert.Equal(t, "web", got.Spec.PodSelector.MatchLabels["app"], "the status subresource keeps the spec")
	assert.Equal(t, int64(1), got.Generation)

	got = update(ctx, t, storage, storage, func(g *crd.Group) {
		g.Status = crd.GroupStatus{}
		g.Spec.PodSelector.MatchLabels["app"] = "db"
	})
	assert.Equal(t, computed(), got.Status, "the main resource keeps the status")
	assert.Equal(t, int64(2), got.Generation, "a spec change bumps the generation")
}

func TestStatusValidation(t *testing.T) {
	storage, status := newStorage(t)
	ctx := genericregistrytest.NewNamespaceScopeContext(storage.Store, "default")
	_, err := storage.Create(ctx, validGroup("foo"), rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
	require.NoError(t, err)
	cur, err := status.Get(ctx, "foo", &metav1.GetOptions{})
	require.NoError(t, err)
	g := cur.(*crd.Group).DeepCopy()
	g.Status.Conditions = []crd.GroupCondition{{Status: metav1.ConditionTrue}}
	_, _, err = status.Update(ctx, "foo", rest.DefaultUpdatedObjectInfo(g),
		rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, false, &metav1.UpdateOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "status.conditions[0].type")
}

func TestNames(t *testing.T) {
	storage, status := newStorage(t)
	assert.Equal(t, []string{"grp"}, storage.ShortNames())
	assert.Equal(t, "group", storage.GetSingularName())
	assert.IsType(t, &crd.Group{}, status.New())
	_, isCategories := any(storage).(rest.CategoriesProvider)
	assert.False(t, isCategories)
	_, _, err := NewREST(Config{RESTOptionsGetter: registrytest.NewEtcd(t).RESTOptionsGetter(), Resource: crd.Resource("clustergroups")})
	assert.Error(t, err)
}
