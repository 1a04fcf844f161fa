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
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/crd/support"
	"github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/apis/crd/validation"
	"github.com/strata-net/strata/apis/scheme"
)

// TestServedKinds: Served lists every kind the scheme knows in the served
// group-versions, with the scheme's Go type.
func TestServedKinds(t *testing.T) {
	want := map[string]reflect.Type{}
	gvs := sets.New[string]()
	for _, sk := range support.Served {
		gvs.Insert(sk.GroupVersion)
		want[sk.GroupVersion+" "+sk.Kind] = sk.Type
	}
	got := map[string]reflect.Type{}
	for _, gv := range sets.List(gvs) {
		parsed, err := schema.ParseGroupVersion(gv)
		if err != nil {
			t.Fatal(err)
		}
		for kind, typ := range scheme.Scheme.KnownTypes(parsed) {
			if strings.HasPrefix(typ.PkgPath(), "github.com/strata-net/strata/") && !strings.HasSuffix(kind, "List") {
				got[gv+" "+kind] = typ
			}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("the scheme's kinds of the served group-versions are\n%v\nsupport.Served lists\n%v", got, want)
	}
}

// TestFieldsListed: every field of every served kind is covered by exactly one
// listed path, every listed path exists, and no listed path is under another.
func TestFieldsListed(t *testing.T) {
	fields := support.Fields()
	exists := sets.New[string]()
	for _, f := range fields {
		exists.Insert(f.Path)
	}
	for _, f := range fields {
		if !f.Leaf {
			continue
		}
		if _, _, _, ok := support.Classify(f.Path); !ok {
			t.Errorf("%s (%s) is in no list of apis/crd/support/fields.go: enforce it (with a test on real traffic) or refuse it",
				f.Path, strings.Join(f.Versions, ", "))
		}
	}
	seen := map[string]string{}
	lists := map[string][]string{
		"Enforced": keys(support.Enforced), "Refused": keys(support.Refused), "Unproven": keys(support.Unproven),
		"NotAllowed": keys(support.NotAllowed), "Descriptive": keys(support.Descriptive), "ServerWritten": support.ServerWritten,
	}
	for _, name := range sortedKeys(lists) {
		for _, p := range lists[name] {
			if other, dup := seen[p]; dup {
				t.Errorf("%s is in both %s and %s", p, other, name)
			}
			seen[p] = name
			if !exists.Has(p) {
				t.Errorf("%s (%s) is no field of any served kind", p, name)
			}
			if i := strings.LastIndexByte(p, '.'); i > 0 {
				if above, _, _, ok := support.Classify(strings.TrimSuffix(p[:i], "[]")); ok {
					t.Errorf("%s (%s) is under %s, which is listed too", p, name, above)
				}
			}
		}
	}
	for _, p := range sortedKeys(support.RefusedValues) {
		if _, ok := support.Enforced[p]; !ok {
			t.Errorf("support.RefusedValues has %s, which is not in Enforced (a refused value of an enforced field)", p)
		}
	}
}

// supportOf returns the refusals of the support function of a kind, which has none
// for kinds without refusable fields.
func supportOf(obj runtime.Object) field.ErrorList {
	switch o := obj.(type) {
	case *v1beta1.ClusterNetworkPolicy:
		return support.ClusterNetworkPolicy(o)
	case *v1beta1.NetworkPolicy:
		return support.NetworkPolicy(o)
	case *v1beta1.ClusterGroup:
		return support.GroupSpec(&o.Spec)
	case *v1beta1.Group:
		return support.GroupSpec(&o.Spec)
	}
	return nil
}

// withField returns a served kind's object with only the field at path (from the
// kind, "spec.ingress[].from[].fqdn") set, converted to the internal version and to
// the storage version, and the field's path in a field.Error
// ("spec.ingress[0].from[0].fqdn").
func withField(t *testing.T, sk support.ServedKind, path string) (internal, storage runtime.Object, errPath string) {
	t.Helper()
	return withValue(t, sk, path, "")
}

// withValue is withField with the field (a string) set to value; "" sets it as
// withField does.
func withValue(t *testing.T, sk support.ServedKind, path, value string) (internal, storage runtime.Object, errPath string) {
	t.Helper()
	versioned := reflect.New(sk.Type)
	setPath(t, versioned.Elem(), strings.Split(path, "."), value)
	internal, err := scheme.Scheme.New(crd.SchemeGroupVersion.WithKind(sk.Kind))
	if err != nil {
		t.Fatal(err)
	}
	if err := scheme.Scheme.Convert(versioned.Interface(), internal, nil); err != nil {
		t.Fatalf("%s %s to the internal version: %v", sk.GroupVersion, sk.Kind, err)
	}
	storage, err = scheme.Scheme.New(v1beta1.SchemeGroupVersion.WithKind(sk.Kind))
	if err != nil {
		t.Fatal(err)
	}
	if err := scheme.Scheme.Convert(internal, storage, nil); err != nil {
		t.Fatalf("%s to %s: %v", sk.Kind, v1beta1.SchemeGroupVersion, err)
	}
	return internal, storage, strings.ReplaceAll(path, "[]", "[0]")
}

// setPath sets the field at segs under v (a struct) to a value that is not empty:
// one element for a list, a zero object for a pointer, the first value of an enum;
// value, when not "", for a string.
func setPath(t *testing.T, v reflect.Value, segs []string, value string) {
	t.Helper()
	name, list := strings.CutSuffix(segs[0], "[]")
	f, ok := fieldByJSON(v, name)
	if !ok {
		t.Fatalf("%s has no field %q", v.Type(), name)
	}
	if len(segs) == 1 && !list {
		if value != "" {
			if f = alloc(f); f.Kind() != reflect.String {
				t.Fatalf("%s is no string", name)
			}
			f.SetString(value)
			return
		}
		setLeaf(f)
		return
	}
	f = alloc(f)
	if list {
		if f.Len() == 0 {
			f.Set(reflect.MakeSlice(f.Type(), 1, 1))
		}
		f = alloc(f.Index(0))
	}
	setPath(t, f, segs[1:], value)
}

func fieldByJSON(v reflect.Value, name string) (reflect.Value, bool) {
	for i := range v.NumField() {
		if tag, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ","); tag == name {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

func alloc(v reflect.Value) reflect.Value {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	return v
}

// enumValues are the values set for the string types that are enums: the one the
// support functions refuse for PeerScope.
var enumValues = map[string]string{
	"PeerScope": "ClusterSet", "NamespaceMatchType": "Self", "RuleAction": "Drop", "Protocol": "TCP",
}

func setLeaf(v reflect.Value) {
	v = alloc(v)
	switch v.Kind() {
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		setLeaf(v.Index(0))
	case reflect.String:
		value, ok := enumValues[v.Type().Name()]
		if !ok {
			value = "x"
		}
		v.SetString(value)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int32, reflect.Int64, reflect.Int:
		v.SetInt(1)
	case reflect.Float64:
		v.SetFloat(1)
	}
}

// kindOf returns a listed path's kind and its path from the kind.
func kindOf(path string) (string, string) {
	kind, rest, _ := strings.Cut(path, ".")
	return kind, rest
}

// TestSupportRefusesExactlyTheRefused: every Refused field, set alone in each served version
// that has it, reaches the storage version and is refused by the support functions
// at its path, with the refusal's message; every other listed field is not. Every
// refused value (RefusedValues), set alone, is refused at its field's path, the
// message naming the value after the refusal's.
func TestSupportRefusesExactlyTheRefused(t *testing.T) {
	versions := map[string][]string{}
	for _, f := range support.Fields() {
		versions[f.Path] = f.Versions
	}
	for _, sk := range support.Served {
		for _, f := range support.Fields() {
			kind, rest := kindOf(f.Path)
			listed, class, _, ok := support.Classify(f.Path)
			if kind != sk.Kind || listed != f.Path || !slices.Contains(f.Versions, sk.GroupVersion) ||
				!ok || class == support.ClassServerWritten {
				continue
			}
			t.Run(sk.GroupVersion+" "+f.Path, func(t *testing.T) {
				_, storage, errPath := withField(t, sk, rest)
				errs := supportOf(storage)
				if class != support.ClassRefused {
					if len(errs) > 0 {
						t.Fatalf("%s is %s but the support functions refuse it: %v", f.Path, class, errs)
					}
					return
				}
				if len(errs) != 1 || errs[0].Field != errPath || errs[0].Type != field.ErrorTypeForbidden ||
					errs[0].Detail != support.Detail {
					t.Fatalf("%s set alone: refusals %v, want one at %s: %s", f.Path, errs, errPath, support.Detail)
				}
			})
		}
	}
	// The refused values, in every served version that has their field.
	for _, sk := range support.Served {
		for _, f := range support.Fields() {
			kind, rest := kindOf(f.Path)
			rv, ok := support.RefusedValues[f.Path]
			if kind != sk.Kind || !ok || !slices.Contains(f.Versions, sk.GroupVersion) {
				continue
			}
			t.Run(sk.GroupVersion+" "+f.Path+"="+rv.Value, func(t *testing.T) {
				_, storage, errPath := withValue(t, sk, rest, rv.Value)
				errs := supportOf(storage)
				if len(errs) != 1 || errs[0].Field != errPath || errs[0].Type != field.ErrorTypeForbidden ||
					!strings.HasPrefix(errs[0].Detail, support.Detail+": "+rv.Value) {
					t.Fatalf("%s set to %s alone: refusals %v, want one at %s: %s: %s ...", f.Path, rv.Value, errs, errPath,
						support.Detail, rv.Value)
				}
			})
		}
	}
}

// validate runs the validation of an internal object of any policy kind.
func validate(obj runtime.Object) field.ErrorList {
	switch o := obj.(type) {
	case *crd.ClusterNetworkPolicy:
		return validation.ValidateClusterNetworkPolicy(o)
	case *crd.NetworkPolicy:
		return validation.ValidateNetworkPolicy(o)
	case *crd.ClusterGroup:
		return validation.ValidateClusterGroup(o)
	case *crd.Group:
		return validation.ValidateGroup(o)
	case *crd.Tier:
		return validation.ValidateTier(o)
	}
	return nil
}

// TestNotAllowedAreInvalid: every NotAllowed field, set in the storage version, is
// forbidden at its path by the kind's validation.
func TestNotAllowedAreInvalid(t *testing.T) {
	for _, path := range sortedKeys(support.NotAllowed) {
		t.Run(path, func(t *testing.T) {
			kind, rest := kindOf(path)
			sk := support.ServedKind{GroupVersion: v1beta1.SchemeGroupVersion.String(), Kind: kind}
			for _, s := range support.Served {
				if s.Kind == kind && s.GroupVersion == sk.GroupVersion {
					sk = s
				}
			}
			if sk.Type == nil {
				t.Fatalf("%s: no kind %s in %s", path, kind, sk.GroupVersion)
			}
			internal, _, errPath := withField(t, sk, rest)
			errs := validate(internal)
			for _, e := range errs {
				if e.Field == errPath && e.Type == field.ErrorTypeForbidden {
					return
				}
			}
			t.Fatalf("%s set: validation errors %v, none forbids %s", path, errs, errPath)
		})
	}
}

// testRef matches the tests named in a note: TestName or TestName/subtest.
var testRef = regexp.MustCompile(`\bTest[A-Z]\w*(/[^,;()]*[^,;() ])?`)

// TestNamedTests: the tests Enforced names are in Tests; those that exist are
// where Tests says (a subtest's name is in its package), those being written do not
// exist yet; the tests the notes name exist.
func TestNamedTests(t *testing.T) {
	root := repoRoot(t)
	funcs := testFuncs(t, root)
	used := sets.New[string]()
	for _, path := range sortedKeys(support.Enforced) {
		for _, ref := range strings.Split(support.Enforced[path], ", ") {
			name, sub, _ := strings.Cut(ref, "/")
			test, ok := support.Tests[name]
			if !ok {
				t.Errorf("%s: %s is not in support.Tests", path, name)
				continue
			}
			used.Insert(name)
			if test.Pending {
				continue
			}
			checkTestRef(t, root, funcs, path, name, sub, test.Package)
		}
	}
	for _, name := range sortedKeys(support.Tests) {
		test := support.Tests[name]
		if !used.Has(name) {
			t.Errorf("support.Tests has %s, which no Enforced field names", name)
		}
		if test.Pending && len(funcs[name]) > 0 {
			t.Errorf("%s exists now (%s): set its Package in support.Tests instead of Pending", name, strings.Join(funcs[name], ", "))
		}
	}
	for _, notes := range []map[string]string{support.Refused, support.Unproven, support.NotAllowed, support.Descriptive} {
		for _, path := range sortedKeys(notes) {
			for _, ref := range testRef.FindAllString(notes[path], -1) {
				name, sub, _ := strings.Cut(ref, "/")
				if len(funcs[name]) == 0 {
					t.Errorf("%s: the note names %s, which does not exist", path, name)
					continue
				}
				checkTestRef(t, root, funcs, path, name, sub, funcs[name][0])
			}
		}
	}
}

func checkTestRef(t *testing.T, root string, funcs map[string][]string, path, name, sub, pkg string) {
	t.Helper()
	if !slices.Contains(funcs[name], pkg) {
		t.Errorf("%s: %s is not in %s (found in %v)", path, name, pkg, funcs[name])
		return
	}
	if sub == "" {
		return
	}
	files, _ := filepath.Glob(filepath.Join(root, pkg, "*_test.go"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte(fmt.Sprintf("%q", sub))) {
			return
		}
	}
	t.Errorf("%s: no subtest %q in %s", path, sub, pkg)
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("the repository root: %v", err)
	}
	return root
}

var testFunc = regexp.MustCompile(`(?m)^func (Test\w+)\(t \*testing\.T\)`)

// testFuncs returns the directories of the test functions of the repository, by
// name.
func testFuncs(t *testing.T, root string) map[string][]string {
	t.Helper()
	funcs := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "_")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		for _, m := range testFunc.FindAllSubmatch(data, -1) {
			if !slices.Contains(funcs[string(m[1])], rel) {
				funcs[string(m[1])] = append(funcs[string(m[1])], rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return funcs
}

func keys(m map[string]string) []string { return sortedKeys(m) }

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
