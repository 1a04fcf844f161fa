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

package registrytest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/meta"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	genericregistrytest "k8s.io/apiserver/pkg/registry/generic/testing"
	"k8s.io/apiserver/pkg/registry/rest"
)

// SharedStorage describes two stores of one kind that must share their etcd keys:
// the store of crd.antrea.io and the store of the legacy group, built on one Etcd.
type SharedStorage struct {
	Etcd   *Etcd
	CRD    *genericregistry.Store
	Legacy *genericregistry.Store
	// Object is a valid new object of the kind, with a name.
	Object runtime.Object
	// ChangeSpec changes the spec of an object in a valid way.
	ChangeSpec func(obj runtime.Object)
}

// TestSharedStorage creates an object through one store and reads, lists, watches,
// updates and deletes it through the other, in both directions. It checks that the
// object is stored once, under the crd.antrea.io key, as crd.antrea.io/v1beta1.
func TestSharedStorage(t *testing.T, s SharedStorage) {
	t.Run("create through the legacy group", func(t *testing.T) {
		s.roundTrip(t, s.Legacy, s.CRD, "legacy")
	})
	t.Run("create through crd.antrea.io", func(t *testing.T) {
		s.roundTrip(t, s.CRD, s.Legacy, "crd")
	})
}

func (s SharedStorage) roundTrip(t *testing.T, writer, reader *genericregistry.Store, suffix string) {
	ctx := genericregistrytest.NewClusterScopeContext(writer)
	obj := s.Object.DeepCopyObject()
	name := mustAccessor(t, obj).GetName() + "-" + suffix
	mustAccessor(t, obj).SetName(name)
	readerWatch := startWatch(ctx, t, reader)
	writerWatch := startWatch(ctx, t, writer)

	_, err := writer.Create(ctx, obj, rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
	require.NoError(t, err)
	s.assertStoredOnce(ctx, t, name)
	assertEvent(t, readerWatch, watch.Added, name)
	assertEvent(t, writerWatch, watch.Added, name)

	got, err := reader.Get(ctx, name, &metav1.GetOptions{})
	require.NoError(t, err)
	list, err := reader.List(ctx, &metainternalversion.ListOptions{})
	require.NoError(t, err)
	items, err := meta.ExtractList(list)
	require.NoError(t, err)
	assert.Len(t, items, 1)

	updated := got.DeepCopyObject()
	s.ChangeSpec(updated)
	_, _, err = reader.Update(ctx, name, rest.DefaultUpdatedObjectInfo(updated),
		rest.ValidateAllObjectFunc, rest.ValidateAllObjectUpdateFunc, false, &metav1.UpdateOptions{})
	require.NoError(t, err)
	assertEvent(t, writerWatch, watch.Modified, name)
	assertEvent(t, readerWatch, watch.Modified, name)
	again, err := writer.Get(ctx, name, &metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, int64(2), mustAccessor(t, again).GetGeneration(), "the spec change made through the other group bumps the generation")

	_, _, err = reader.Delete(ctx, name, rest.ValidateAllObjectFunc, &metav1.DeleteOptions{})
	require.NoError(t, err)
	assertEvent(t, writerWatch, watch.Deleted, name)
	assertEvent(t, readerWatch, watch.Deleted, name)
	assert.Nil(t, s.Etcd.Get(ctx, t, s.Etcd.Key(s.CRD.DefaultQualifiedResource, "", name)))
}

// assertStoredOnce checks the raw etcd value: under the crd.antrea.io key, encoded as
// crd.antrea.io/v1beta1, and nothing under the legacy key.
func (s SharedStorage) assertStoredOnce(ctx context.Context, t *testing.T, name string) {
	t.Helper()
	raw := s.Etcd.Get(ctx, t, s.Etcd.Key(s.CRD.DefaultQualifiedResource, "", name))
	require.NotNil(t, raw, "no object under the crd.antrea.io key")
	assert.Contains(t, string(raw), `"apiVersion":"crd.antrea.io/v1beta1"`)
	assert.Nil(t, s.Etcd.Get(ctx, t, s.Etcd.Key(s.Legacy.DefaultQualifiedResource, "", name)), "object stored under the legacy key")
}

// startWatch starts a watch from now, retrying while the watch cache initialises.
func startWatch(ctx context.Context, t *testing.T, store *genericregistry.Store) watch.Interface {
	t.Helper()
	var w watch.Interface
	err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, wait.ForeverTestTimeout, true, func(context.Context) (bool, error) {
		var err error
		// The watch lives as long as ctx, not as long as the poll.
		w, err = store.Watch(ctx, &metainternalversion.ListOptions{ResourceVersion: ""})
		return err == nil, nil
	})
	require.NoError(t, err, "watching %s", store.DefaultQualifiedResource)
	t.Cleanup(w.Stop)
	return w
}

// assertEvent waits for the next event of w and checks its type and object name.
func assertEvent(t *testing.T, w watch.Interface, want watch.EventType, name string) {
	t.Helper()
	select {
	case ev, ok := <-w.ResultChan():
		require.True(t, ok, "watch closed while waiting for %s %s", want, name)
		assert.Equal(t, want, ev.Type)
		assert.Equal(t, name, mustAccessor(t, ev.Object).GetName())
	case <-time.After(wait.ForeverTestTimeout):
		t.Fatalf("no %s event for %s", want, name)
	}
}

func mustAccessor(t *testing.T, obj runtime.Object) metav1.Object {
	t.Helper()
	m, err := meta.Accessor(obj)
	require.NoError(t, err)
	return m
}
