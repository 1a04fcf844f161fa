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

package support_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/strata-net/strata/apis/crd/support"
)

// docPath is the page rendered from the lists, from this package.
const docPath = "../../../docs/fields.md"

// TestFieldsDoc: docs/fields.md is what the lists of fields.go render to.
// UPDATE=1 rewrites it.
func TestFieldsDoc(t *testing.T) {
	want := renderDoc()
	if os.Getenv("UPDATE") != "" {
		if err := os.WriteFile(docPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatalf("%v (UPDATE=1 go test ./apis/crd/support -run TestFieldsDoc writes it)", err)
	}
	if string(got) != want {
		path, _ := filepath.Abs(docPath)
		t.Fatalf("%s differs from the lists of apis/crd/support/fields.go: "+
			"UPDATE=1 go test ./apis/crd/support -run TestFieldsDoc rewrites it", path)
	}
}

var docIntro = `# Fields: enforced or refused

<!-- Rendered from apis/crd/support/fields.go by TestFieldsDoc; do not edit:
     UPDATE=1 go test ./apis/crd/support -run TestFieldsDoc rewrites it. -->

Every field of every kind strata-apiserver serves is either enforced exactly, with a
test that proves it on real traffic, or refused at admission: a 422 that names the
field and says it "is not supported by this Strata version", and nothing is stored
(fail closed). An object with a refused field stored by an older version is
reported not Realizable, naming the field; of its rules with a refused field, an
Allow or a Pass installs nothing and a Drop or a Reject only its exact part; it can
be updated only to remove the field, and deleted (` + "`TestRefusedFieldStored`" + `).
This page lists every field of every served version, from the lists in
` + "`apis/crd/support/fields.go`" + `: a test walks the API types and fails when a field is
in none of them (` + "`TestFieldsListed`" + `), and another sends every refused field and
value, in every version that has it, to a real strata-apiserver
(` + "`TestRefusedFieldsAdmission`" + `).

| status | meaning |
| --- | --- |
| enforced | enforced exactly; the tests named prove it on real traffic (where each runs: [Tests](#tests)) |
| enforced; V refused | enforced exactly for its other values, which the tests named prove; the value V is refused as a refused field is, the 422 saying which value and why |
| refused | 422 at admission, nothing stored |
| enforced, unproven | implemented, but no test proves it (or all its values) on real traffic yet: to be proven or refused |
| not allowed | not part of the kind at that position (as in Antrea): validation refuses it with a 422 |
| descriptive | no effect on traffic |
| status, written by the server | the status subresource; users cannot write it |

A row covers the fields under it. A field that only some versions have names them.
`

// renderDoc renders docs/fields.md from the lists.
func renderDoc() string {
	var b strings.Builder
	b.WriteString(docIntro)
	var kinds []string
	versions := map[string][]string{}
	for _, sk := range support.Served {
		if !slices.Contains(kinds, sk.Kind) {
			kinds = append(kinds, sk.Kind)
		}
		versions[sk.Kind] = append(versions[sk.Kind], sk.GroupVersion)
	}
	fields := support.Fields()
	b.WriteString("\n| kind | enforced | refused | enforced, unproven | not allowed |\n| --- | --- | --- | --- | --- |\n")
	for _, kind := range kinds {
		count := map[support.Class]int{}
		for _, f := range fields {
			if k, _ := kindOf(f.Path); k == kind {
				if class, _, ok := support.Listed(f.Path); ok {
					count[class]++
				}
			}
		}
		fmt.Fprintf(&b, "| [%s](#%s) | %d | %d | %d | %d |\n", kind, strings.ToLower(kind), count[support.ClassEnforced],
			count[support.ClassRefused], count[support.ClassUnproven], count[support.ClassNotAllowed])
	}
	for _, kind := range kinds {
		fmt.Fprintf(&b, "\n## %s\n\nServed as %s.\n\n| field | status | tests or note |\n| --- | --- | --- |\n",
			kind, strings.Join(versions[kind], ", "))
		for _, f := range fields {
			k, rest := kindOf(f.Path)
			class, note, ok := support.Listed(f.Path)
			if k != kind || !ok {
				continue
			}
			name := "`" + rest + "`"
			if !slices.Equal(f.Versions, versions[kind]) {
				name += " (" + strings.Join(f.Versions, ", ") + " only)"
			}
			status := string(class)
			if rv, ok := support.RefusedValues[f.Path]; ok {
				status += "; " + rv.Value + " refused"
				note += "; " + rv.Value + " refused: " + rv.Note
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", name, status, note)
		}
	}
	b.WriteString("\n## Tests\n\n| test | package | what it feeds in, which traffic it checks |\n| --- | --- | --- |\n")
	for _, name := range sortedKeys(support.Tests) {
		test := support.Tests[name]
		pkg := "`" + test.Package + "`"
		if test.Pending {
			pkg = "to be written"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", name, pkg, test.Scope)
	}
	return b.String()
}
