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

package networkpolicy

import (
	"context"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/klog/v2"

	"github.com/strata-net/strata/apis/controlplane"
)

// StatusReporter receives the realization reports of node agents; the policy
// computation implements it. An error that is an API status (apierrors) is returned
// to the agent as is; any other one as an internal error.
type StatusReporter interface {
	ReportStatus(ctx context.Context, status *controlplane.NetworkPolicyStatus) error
}

// StatusREST is the storage of networkpolicies/status: create only.
type StatusREST struct {
	reporter StatusReporter
}

var (
	_ rest.Storage      = &StatusREST{}
	_ rest.NamedCreater = &StatusREST{}
)

var statusKind = schema.GroupKind{Group: controlplane.GroupName, Kind: "NetworkPolicyStatus"}

// NewStatusREST returns the storage of networkpolicies/status, which hands the
// reports to reporter.
func NewStatusREST(reporter StatusReporter) *StatusREST {
	return &StatusREST{reporter: reporter}
}

// New implements rest.Storage.
func (r *StatusREST) New() runtime.Object { return &controlplane.NetworkPolicyStatus{} }

// Destroy implements rest.Storage.
func (r *StatusREST) Destroy() {}

// Create validates the report of POST networkpolicies/name/status and hands it to
// the reporter, unless it is a dry run.
func (r *StatusREST) Create(ctx context.Context, name string, obj runtime.Object,
	createValidation rest.ValidateObjectFunc, options *metav1.CreateOptions) (runtime.Object, error) {
	status, ok := obj.(*controlplane.NetworkPolicyStatus)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a NetworkPolicyStatus: %T", obj))
	}
	if errs := ValidateStatus(name, status); len(errs) > 0 {
		return nil, apierrors.NewInvalid(statusKind, name, errs)
	}
	if createValidation != nil {
		if err := createValidation(ctx, obj); err != nil {
			return nil, err
		}
	}
	if options != nil && len(options.DryRun) > 0 {
		return &metav1.Status{Status: metav1.StatusSuccess}, nil
	}
	if err := r.reporter.ReportStatus(ctx, status); err != nil {
		return nil, reportError(name, err)
	}
	klog.FromContext(ctx).V(4).Info("Received NetworkPolicy status", "networkPolicy", name, "nodes", len(status.Nodes))
	return &metav1.Status{Status: metav1.StatusSuccess}, nil
}

// reportError returns the API status error err holds (the apiserver only
// recognizes an unwrapped one), or an internal error.
func reportError(name string, err error) error {
	var apiStatus apierrors.APIStatus
	if errors.As(err, &apiStatus) {
		if statusErr, ok := apiStatus.(error); ok {
			return statusErr
		}
	}
	return apierrors.NewInternalError(fmt.Errorf("reporting the status of networkpolicy %q: %w", name, err))
}

// ValidateStatus checks a report posted to networkpolicies/name/status: its name is
// name, and it has at least one Node, each named once, with a generation that is
// not negative.
func ValidateStatus(name string, status *controlplane.NetworkPolicyStatus) field.ErrorList {
	var errs field.ErrorList
	if status.Name != name {
		errs = append(errs, field.Invalid(field.NewPath("metadata", "name"), status.Name, "must match the name in the URL"))
	}
	nodesPath := field.NewPath("nodes")
	if len(status.Nodes) == 0 {
		errs = append(errs, field.Required(nodesPath, "at least one Node must report"))
	}
	seen := sets.New[string]()
	for i, n := range status.Nodes {
		p := nodesPath.Index(i)
		switch {
		case n.NodeName == "":
			errs = append(errs, field.Required(p.Child("nodeName"), ""))
		case seen.Has(n.NodeName):
			errs = append(errs, field.Duplicate(p.Child("nodeName"), n.NodeName))
		}
		seen.Insert(n.NodeName)
		if n.Generation < 0 {
			errs = append(errs, field.Invalid(p.Child("generation"), n.Generation, "must not be negative"))
		}
	}
	return errs
}
