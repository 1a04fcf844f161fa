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

package scheme

import (
	"testing"

	"k8s.io/apimachinery/pkg/api/apitesting/roundtrip"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/strata-net/strata/apis/crd/fuzzer"
)

// TestRoundTripTypes round-trips every internal kind of every group through every
// version in one scheme, where crd.Tier and crd.ClusterNetworkPolicy are known to
// two groups at once.
func TestRoundTripTypes(t *testing.T) {
	s := runtime.NewScheme()
	Install(s)
	roundtrip.RoundTripTestForScheme(t, s, fuzzer.Funcs)
}
