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
	"path"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	genericoptions "k8s.io/apiserver/pkg/server/options"
	etcd3testing "k8s.io/apiserver/pkg/storage/etcd3/testing"
	"k8s.io/apiserver/pkg/storage/storagebackend"

	"github.com/strata-net/strata/apis/crd"
	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/apis/scheme"
	"github.com/strata-net/strata/apis/security"
)

// Etcd is an embedded etcd, stopped when the test ends, with the storage settings of
// strata-apiserver.
type Etcd struct {
	server *etcd3testing.EtcdTestServer
	config storagebackend.Config
}

// NewEtcd starts an embedded etcd on free loopback ports in a temporary directory.
func NewEtcd(t testing.TB) *Etcd {
	t.Helper()
	server, testConfig := etcd3testing.NewUnsecuredEtcd3TestClientServer(t)
	config := storagebackend.NewDefaultConfig(testConfig.Prefix, scheme.Codecs.LegacyCodec(crdv1beta1.SchemeGroupVersion))
	config.Transport = testConfig.Transport
	config.EncodeVersioner = runtime.NewMultiGroupVersioner(crdv1beta1.SchemeGroupVersion,
		schema.GroupKind{Group: crd.GroupName}, schema.GroupKind{Group: security.GroupName})
	return &Etcd{server: server, config: *config}
}

// RESTOptionsGetter returns a getter without watch cache: every read goes to etcd.
func (e *Etcd) RESTOptionsGetter() generic.RESTOptionsGetter {
	return e.getter(false)
}

// CachedRESTOptionsGetter returns a getter with a watch cache per store, like the
// server's default.
func (e *Etcd) CachedRESTOptionsGetter() generic.RESTOptionsGetter {
	return e.getter(true)
}

func (e *Etcd) getter(watchCache bool) generic.RESTOptionsGetter {
	opts := genericoptions.NewEtcdOptions(&e.config)
	opts.EnableWatchCache = watchCache
	opts.StorageConfig.CountMetricPollPeriod = 0
	return &genericoptions.StorageFactoryRestOptionsFactory{
		Options:        *opts,
		StorageFactory: &genericoptions.SimpleStorageFactory{StorageConfig: opts.StorageConfig},
	}
}

// Key returns the etcd key of an object of resource r; namespace is empty for
// cluster-scoped resources.
func (e *Etcd) Key(r schema.GroupResource, namespace, name string) string {
	return path.Join(e.config.Prefix, r.Group+"/"+r.Resource, namespace, name)
}

// Get returns the raw value stored at key, or nil when there is none.
func (e *Etcd) Get(ctx context.Context, t testing.TB, key string) []byte {
	t.Helper()
	resp, err := e.server.V3Client.Client.Get(ctx, key)
	if err != nil {
		t.Fatalf("reading etcd key %s: %v", key, err)
	}
	if len(resp.Kvs) == 0 {
		return nil
	}
	return resp.Kvs[0].Value
}

// Destroy registers the release of a completed store's storage (and watch cache) at
// the end of the test.
func Destroy(t testing.TB, store *genericregistry.Store) {
	t.Cleanup(func() {
		if store.DestroyFunc != nil {
			store.DestroyFunc()
		}
	})
}
