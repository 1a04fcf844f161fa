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

// Package seed is the acceptance test of Strata: every step of the seed
// walkthrough (Antrea's tiered-policy guestbook article; its manifests in
// test/manifests/seed, applied unchanged with the real kubectl) on a fresh
// local cluster of hack/local-cluster.sh with two worker nodes, every "works"
// and "fails" checked with real connections between the guestbook pods.
// TestMain brings the cluster up and always takes it down again.
package seed

import (
	"os"
	"testing"

	"github.com/strata-net/strata/test/e2e/framework"
)

// lc is the local cluster the walkthrough runs on.
var lc *framework.LocalCluster

func TestMain(m *testing.M) {
	os.Exit(framework.RunWithLocalCluster(m, "seed", func(c *framework.LocalCluster) { lc = c }))
}
