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

package admission

import (
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/admission"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/security"
)

// isResource tells whether a request is for the main resource (not a subresource)
// of one of Strata's policy groups.
func isResource(a admission.Attributes, resource string) bool {
	gr := a.GetResource().GroupResource()
	if a.GetSubresource() != "" || gr.Resource != resource {
		return false
	}
	return gr.Group == crd.GroupName || gr.Group == security.GroupName
}

// targetName is the name of the object a request acts on. A collection delete
// (DELETECOLLECTION) has no name in its request: admission sees it once per object
// it deletes, with that object as the old object and an empty name, so the name
// comes from the old object (or the new one) when the request has none.
func targetName(a admission.Attributes) string {
	if name := a.GetName(); name != "" {
		return name
	}
	for _, obj := range []interface{}{a.GetOldObject(), a.GetObject()} {
		if obj == nil {
			continue
		}
		if m, err := meta.Accessor(obj); err == nil && m.GetName() != "" {
			return m.GetName()
		}
	}
	return ""
}

// forbidden is a 403 whose causes carry the field paths of errs.
func forbidden(a admission.Attributes, errs field.ErrorList) error {
	err := apierrors.NewForbidden(a.GetResource().GroupResource(), targetName(a), errs.ToAggregate())
	causes := make([]metav1.StatusCause, 0, len(errs))
	for _, e := range errs {
		causes = append(causes, metav1.StatusCause{Type: metav1.CauseType(e.Type), Message: e.ErrorBody(), Field: e.Field})
	}
	if err.ErrStatus.Details == nil {
		err.ErrStatus.Details = &metav1.StatusDetails{}
	}
	err.ErrStatus.Details.Causes = causes
	return err
}
