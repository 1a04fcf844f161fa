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

package controlplane_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	openapinamer "k8s.io/apiserver/pkg/endpoints/openapi"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/util/compatibility"
	restclient "k8s.io/client-go/rest"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apis/scheme"
	"github.com/strata-net/strata/generated/clientset/versioned"
	"github.com/strata-net/strata/generated/openapi"
	cpregistry "github.com/strata-net/strata/registry/controlplane"
	"github.com/strata-net/strata/registry/controlplane/store"
)

// recorder is a StatusReporter that keeps the reports.
type recorder struct {
	mu      sync.Mutex
	reports []*controlplane.NetworkPolicyStatus
}

func (r *recorder) ReportStatus(_ context.Context, status *controlplane.NetworkPolicyStatus) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reports = append(r.reports, status)
	return nil
}

func (r *recorder) all() []*controlplane.NetworkPolicyStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.reports
}

// testServer serves controlplane.antrea.io/v1beta2 from fresh stores in-process,
// with neither authentication nor authorization, over plain HTTP.
type testServer struct {
	stores   *cpregistry.Stores
	reporter *recorder
	client   versioned.Interface
	config   *restclient.Config
}

func startServer(t *testing.T) *testServer {
	t.Helper()
	return startGatedServer(t, cpregistry.AlwaysReady{})
}

// startGatedServer is startServer with the computed resources behind gate.
func startGatedServer(t *testing.T, gate cpregistry.Gate) *testServer {
	t.Helper()
	stores, err := cpregistry.NewStores(store.Options{})
	require.NoError(t, err)
	t.Cleanup(stores.Stop)
	reporter := &recorder{}

	cfg := genericapiserver.NewRecommendedConfig(scheme.Codecs)
	cfg.EffectiveVersion = compatibility.DefaultBuildEffectiveVersion()
	namer := openapinamer.NewDefinitionNamer(scheme.Scheme)
	cfg.OpenAPIConfig = genericapiserver.DefaultOpenAPIConfig(openapi.GetOpenAPIDefinitions, namer)
	cfg.OpenAPIV3Config = genericapiserver.DefaultOpenAPIV3Config(openapi.GetOpenAPIDefinitions, namer)
	cfg.LoopbackClientConfig = &restclient.Config{}
	cfg.ExternalAddress = "127.0.0.1:443"
	srv, err := cfg.Complete().New("controlplane-test", genericapiserver.NewEmptyDelegate())
	require.NoError(t, err)
	t.Cleanup(srv.Destroy)
	group := genericapiserver.NewDefaultAPIGroupInfo(controlplane.GroupName, scheme.Scheme, scheme.ParameterCodec, scheme.Codecs)
	group.VersionedResourcesStorageMap["v1beta2"] = cpregistry.Storage(cpregistry.StorageConfig{Stores: stores, Status: reporter, Gate: gate})
	require.NoError(t, srv.InstallAPIGroup(&group))

	ts := httptest.NewServer(srv.Handler)
	t.Cleanup(ts.Close)
	config := &restclient.Config{Host: ts.URL}
	client, err := versioned.NewForConfig(config)
	require.NoError(t, err)
	return &testServer{stores: stores, reporter: reporter, client: client, config: config}
}
