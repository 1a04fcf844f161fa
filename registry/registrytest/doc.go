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

// Package registrytest starts an embedded etcd for the storage tests of the registry
// packages and gives RESTOptionsGetters built the way strata-apiserver builds its own
// (apiserver/options: SimpleStorageFactory, codec LegacyCodec(crd.antrea.io/v1beta1),
// key prefix <prefix>/<group>/<resource>), so that the tests see what the server
// writes to etcd. It also holds the tests that every kind runs alike, parameterised
// by the kind: TestSharedStorage (one object through the crd.antrea.io and the legacy
// store) and TestRefusedFields (the fields this Strata version refuses). It is
// imported by tests only.
package registrytest
