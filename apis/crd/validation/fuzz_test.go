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

package validation

import (
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/randfill"

	"github.com/strata-net/strata/apis/crd"
)

// FuzzValidateManifest decodes arbitrary bytes as a manifest of any served version
// and validates whatever decodes: validation must never panic. The seed corpus is
// every seed and invalid manifest of test/manifests.
func FuzzValidateManifest(f *testing.F) {
	for _, pattern := range []string{"seed/*.yaml", "invalid/*.yaml"} {
		files, _ := filepath.Glob(filepath.Join(manifestsDir, pattern))
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		obj, _, err := strictDecoder.Decode(data, nil, nil)
		if err != nil {
			return
		}
		_, _ = Validate(obj)
	})
}

// FuzzValidateRandomObjects fills every internal kind with random values (nil
// pointers, empty and odd strings, out-of-range numbers) and validates them:
// validation must never panic, and every error must name a field.
func FuzzValidateRandomObjects(f *testing.F) {
	for seed := int64(0); seed < 16; seed++ {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed int64) {
		filler := randfill.NewWithSeed(seed).NilChance(0.3).NumElements(0, 3)
		for _, obj := range []runtime.Object{&crd.Tier{}, &crd.ClusterNetworkPolicy{}, &crd.NetworkPolicy{}, &crd.ClusterGroup{}, &crd.Group{}} {
			filler.Fill(obj)
			errs, err := Validate(obj)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range errs {
				if e.Field == "" {
					t.Fatalf("%T: error without a field path: %v", obj, e)
				}
			}
		}
	})
}
