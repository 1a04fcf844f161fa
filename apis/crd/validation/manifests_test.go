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
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/validation/field"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"

	"github.com/strata-net/strata/apis/scheme"
)

const manifestsDir = "../../../test/manifests"

// strictDecoder decodes any served version into the internal types, with defaulting,
// refusing unknown and duplicate fields.
var strictDecoder = serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict).UniversalDecoder()

// splitDocuments returns the YAML or JSON documents of a file.
func splitDocuments(t testing.TB, data []byte) [][]byte {
	t.Helper()
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs [][]byte
	for {
		doc, err := reader.Read()
		if err != nil {
			return docs
		}
		if len(bytes.TrimSpace(doc)) > 0 {
			docs = append(docs, doc)
		}
	}
}

// isStrataManifest tells whether a document belongs to one of Strata's groups.
func isStrataManifest(doc []byte) bool {
	return bytes.Contains(doc, []byte("antrea.io/")) || bytes.Contains(doc, []byte("antrea.tanzu.vmware.com/"))
}

func decodeAndValidate(t *testing.T, doc []byte) field.ErrorList {
	t.Helper()
	obj, gvk, err := strictDecoder.Decode(doc, nil, nil)
	if err != nil {
		t.Fatalf("decoding: %v", err)
	}
	errs, err := Validate(obj)
	if err != nil {
		t.Fatalf("%v: %v", gvk, err)
	}
	return errs
}

// TestSeedManifests decodes every Tier, ClusterNetworkPolicy and ClusterGroup of the
// seed walkthrough through the scheme into the internal types and validates it.
func TestSeedManifests(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(manifestsDir, "seed", "*.yaml"))
	if err != nil || len(files) < 10 {
		t.Fatalf("seed manifests not found (%d files, %v)", len(files), err)
	}
	decoded := 0
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range splitDocuments(t, data) {
			if !isStrataManifest(doc) {
				continue
			}
			decoded++
			t.Run(filepath.Base(file)+"#"+string(rune('0'+i)), func(t *testing.T) {
				if errs := decodeAndValidate(t, doc); len(errs) > 0 {
					t.Fatalf("seed manifest is invalid: %v", errs.ToAggregate())
				}
			})
		}
	}
	// mytier, acnp1, acnp11, acnp12, acnp2, acnp22, acnp-dropany, 3 in acnp3, 4 in cg1
	if decoded != 14 {
		t.Fatalf("decoded %d seed objects, want 14", decoded)
	}
}

// TestInvalidManifests decodes every manifest of the invalid corpus and checks that
// validation refuses it with the error its first line names.
func TestInvalidManifests(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(manifestsDir, "invalid", "*.yaml"))
	if err != nil || len(files) < 90 {
		t.Fatalf("invalid corpus not found (%d files, %v)", len(files), err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			typ, path := parseWant(t, data)
			errs := decodeAndValidate(t, data)
			for _, e := range errs {
				if string(e.Type) == typ && e.Field == path {
					return
				}
			}
			t.Fatalf("want a %s error at %s, got: %v", typ, path, errs.ToAggregate())
		})
	}
}

// parseWant reads "# want: <ErrorType> <field path>" from the first line.
func parseWant(t *testing.T, data []byte) (string, string) {
	t.Helper()
	first, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(strings.TrimPrefix(first, "# want:"))
	if !strings.HasPrefix(first, "# want:") || len(fields) != 2 {
		t.Fatalf("first line %q is not \"# want: <ErrorType> <field path>\"", first)
	}
	return fields[0], fields[1]
}
