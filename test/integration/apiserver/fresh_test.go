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

package apiserver

import (
	"testing"

	apiservertesting "github.com/strata-net/strata/apiserver/testing"
)

// startFresh starts a server of its own, on an empty embedded etcd.
func startFresh(t *testing.T, flags ...string) *apiservertesting.Server {
	t.Helper()
	return apiservertesting.Start(t, apiservertesting.Config{Flags: flags})
}
