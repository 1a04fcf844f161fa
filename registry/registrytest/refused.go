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

package registrytest

import (
	"context"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd/support"
)

// Object is an object of one of the registry's kinds.
type Object interface {
	runtime.Object
	metav1.Object
}

// CreateUpdateValidator is the part of a kind's Strategy that refuses fields.
type CreateUpdateValidator interface {
	Validate(ctx context.Context, obj runtime.Object) field.ErrorList
	ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList
}

// UpdateValidator is the part of a kind's StatusStrategy that validates status writes.
type UpdateValidator interface {
	ValidateUpdate(ctx context.Context, obj, old runtime.Object) field.ErrorList
}

// RefusedFields describes a kind and one field of it that this Strata version
// refuses.
type RefusedFields[T Object] struct {
	// Path is the field path of the refusal.
	Path string
	// Strategy and Status are the kind's strategy and status strategy.
	Strategy CreateUpdateValidator
	Status   UpdateValidator
	// Valid returns a new valid object without the refused field.
	Valid func(name string) T
	// AddRefused sets the refused field in obj.
	AddRefused func(obj T)
	// SetStatus writes a valid status in obj.
	SetStatus func(obj T)
}

// refusedCase is one write and whether it must be refused.
type refusedCase struct {
	name        string
	validate    func() field.ErrorList
	wantRefused bool
}

// TestRefusedFields: a field this Strata version does not enforce is refused on
// create and on every update that still carries it, but neither the status writes
// nor the deletion of an object that carries it (written by an older version) are.
func TestRefusedFields[T Object](t *testing.T, r RefusedFields[T]) {
	for _, tc := range append(r.createCases(), r.updateCases()...) {
		t.Run(tc.name, func(t *testing.T) {
			r.check(t, tc)
		})
	}
}

func (r RefusedFields[T]) createCases() []refusedCase {
	ctx := context.Background()
	return []refusedCase{
		{name: "create", wantRefused: true,
			validate: func() field.ErrorList { return r.Strategy.Validate(ctx, r.withRefused(r.Valid("a"))) }},
		{name: "create without it", wantRefused: false,
			validate: func() field.ErrorList { return r.Strategy.Validate(ctx, r.Valid("a")) }},
	}
}

func (r RefusedFields[T]) updateCases() []refusedCase {
	ctx := context.Background()
	now := metav1.Now()
	return []refusedCase{
		{name: "update that adds it", wantRefused: true,
			validate: func() field.ErrorList {
				old := stored(r.Valid("a"))
				return r.Strategy.ValidateUpdate(ctx, r.withRefused(old), old)
			}},
		{name: "update of an old object that keeps it", wantRefused: true,
			validate: func() field.ErrorList {
				old := stored(r.withRefused(r.Valid("a")))
				obj := deepCopy(old)
				obj.SetLabels(map[string]string{"touched": "yes"})
				return r.Strategy.ValidateUpdate(ctx, obj, old)
			}},
		{name: "update of an old object that removes it", wantRefused: false,
			validate: func() field.ErrorList {
				old := stored(r.withRefused(r.Valid("a")))
				return r.Strategy.ValidateUpdate(ctx, stored(r.Valid("a")), old)
			}},
		{name: "removal of the finalizers of an old object being deleted", wantRefused: false,
			validate: func() field.ErrorList {
				old := deleting(stored(r.withRefused(r.Valid("a"))), &now)
				obj := deepCopy(old)
				obj.SetFinalizers(nil)
				return r.Strategy.ValidateUpdate(ctx, obj, old)
			}},
		{name: "spec change of an old object being deleted", wantRefused: true,
			validate: func() field.ErrorList {
				old := deleting(stored(r.Valid("a")), &now)
				return r.Strategy.ValidateUpdate(ctx, r.withRefused(old), old)
			}},
		{name: "status write of an old object", wantRefused: false,
			validate: func() field.ErrorList {
				old := stored(r.withRefused(r.Valid("a")))
				obj := deepCopy(old)
				r.SetStatus(obj)
				return r.Status.ValidateUpdate(ctx, obj, old)
			}},
	}
}

// check fails unless the errors of tc are the refusal of r.Path when tc wants it,
// and nothing else.
func (r RefusedFields[T]) check(t *testing.T, tc refusedCase) {
	t.Helper()
	errs := tc.validate()
	var refused bool
	for _, e := range errs {
		if e.Field == r.Path && strings.Contains(e.Error(), support.Detail) {
			refused = true
		} else {
			t.Errorf("unexpected error: %v", e)
		}
	}
	if refused != tc.wantRefused {
		t.Fatalf("refused %s: %v, want %v (errors: %v)", r.Path, refused, tc.wantRefused, errs)
	}
}

// withRefused is a copy of obj with the refused field.
func (r RefusedFields[T]) withRefused(obj T) T {
	obj = deepCopy(obj)
	r.AddRefused(obj)
	return obj
}

// stored gives obj the resource version of an object read from storage.
func stored[T Object](obj T) T {
	obj.SetResourceVersion("1")
	return obj
}

// deleting marks obj as being deleted at now, held by a finalizer.
func deleting[T Object](obj T, now *metav1.Time) T {
	obj.SetDeletionTimestamp(now)
	obj.SetFinalizers([]string{"example.com/cleanup"})
	return obj
}

func deepCopy[T Object](obj T) T {
	return obj.DeepCopyObject().(T)
}
