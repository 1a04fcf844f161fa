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

// Package ha is the end-to-end test of strata-apiserver's high-availability shape on
// the local cluster: hack/local-cluster.sh up --apiserver-replicas 2 --etcd-members 3
// (two supervised replicas behind the APIServices, a three-member etcd cluster with
// TLS as their storage, two worker nodes with real traffic). It has its own cluster,
// since its faults kill the replicas and etcd members the other suites rely on.
package ha

import (
	"os"
	"testing"

	"github.com/strata-net/strata/test/e2e/framework"
)

const (
	replicas    = 2
	etcdMembers = 3
)

// lc is the local cluster the tests run against.
var lc *framework.LocalCluster

func TestMain(m *testing.M) {
	os.Exit(framework.RunWithLocalClusterShape(m, "ha", replicas, etcdMembers, func(c *framework.LocalCluster) { lc = c }))
}
