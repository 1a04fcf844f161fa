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

// Package localcluster is the end-to-end test of Strata on the local cluster of
// hack/local-cluster.sh: real etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler and strata-apiserver behind its APIServices, driven with the real
// kubectl. TestMain brings up a fresh cluster on free ports in a temporary directory
// and always takes it down again, also when a test fails, panics or times out.
package localcluster

import (
	"os"
	"testing"

	"github.com/strata-net/strata/test/e2e/framework"
)

// nodes is the number of worker nodes (hack/local-cluster.sh --nodes).
const nodes = framework.LocalClusterNodes

// lc is the local cluster the tests run against.
var lc *framework.LocalCluster

func TestMain(m *testing.M) {
	os.Exit(framework.RunWithLocalCluster(m, "localcluster", func(c *framework.LocalCluster) { lc = c }))
}
