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
// Package nodesync is the storage of nodesyncreports (controlplane.antrea.io): node
// agents report, per kind, the resourceVersion up to which they installed what
// their watches delivered.
package nodesync

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/strata-net/strata/apis/controlplane"
)

// Reporter records what a Node installed.
type Reporter interface {
	ReportSync(node string, networkPolicies, addressGroups, appliedToGroups int64)
}

// REST is the storage of nodesyncreports: create only.
type REST struct {
	reporter Reporter
}

var (
	_ rest.Storage              = &REST{}
	_ rest.Creater              = &REST{}
	_ rest.Scoper               = &REST{}
	_ rest.SingularNameProvider = &REST{}
)

var kind = schema.GroupKind{Group: controlplane.GroupName, Kind: "NodeSyncReport"}

// NewREST returns the storage of nodesyncreports.
func NewREST(reporter Reporter) *REST { return &REST{reporter: reporter} }

// New implements rest.Storage.
func (r *REST) New() runtime.Object { return &controlplane.NodeSyncReport{} }

// Destroy implements rest.Storage.
func (r *REST) Destroy() {}

// NamespaceScoped implements rest.Scoper.
func (r *REST) NamespaceScoped() bool { return false }

// GetSingularName implements rest.SingularNameProvider.
func (r *REST) GetSingularName() string { return "nodesyncreport" }

// Create validates the report and records it.
func (r *REST) Create(ctx context.Context, obj runtime.Object, createValidation rest.ValidateObjectFunc,
	options *metav1.CreateOptions) (runtime.Object, error) {
	rep, ok := obj.(*controlplane.NodeSyncReport)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a NodeSyncReport: %T", obj))
	}
	if errs := Validate(rep); len(errs) > 0 {
		return nil, apierrors.NewInvalid(kind, rep.Name, errs)
	}
	if createValidation != nil {
		if err := createValidation(ctx, obj); err != nil {
			return nil, err
		}
	}
	if options == nil || len(options.DryRun) == 0 {
		r.reporter.ReportSync(rep.Name, rep.NetworkPolicies, rep.AddressGroups, rep.AppliedToGroups)
	}
	return rep, nil
}

// Validate checks a report: it names its Node, and no resourceVersion is negative.
func Validate(rep *controlplane.NodeSyncReport) field.ErrorList {
	var errs field.ErrorList
	if rep.Name == "" {
		errs = append(errs, field.Required(field.NewPath("metadata", "name"), "the Node's name"))
	}
	for _, f := range []struct {
		name string
		v    int64
	}{{"networkPolicies", rep.NetworkPolicies}, {"addressGroups", rep.AddressGroups}, {"appliedToGroups", rep.AppliedToGroups}} {
		if f.v < 0 {
			errs = append(errs, field.Invalid(field.NewPath(f.name), f.v, "must not be negative"))
		}
	}
	return errs
}
