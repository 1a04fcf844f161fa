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
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/registry/storageutil"
)

// Reporter records what a Node installed, in the resourceVersions of epoch; it
// tells whether it took the report (false: another epoch's).
type Reporter interface {
	ReportSync(ctx context.Context, node, epoch string, networkPolicies, addressGroups, appliedToGroups int64) (bool, error)
}

// REST is the storage of nodesyncreports: create only.
type REST = storageutil.CreateOnly[*controlplane.NodeSyncReport]

// NewREST returns the storage of nodesyncreports: a valid report goes to reporter.
func NewREST(reporter Reporter) *REST {
	return &REST{
		Kind:      schema.GroupKind{Group: controlplane.GroupName, Kind: "NodeSyncReport"},
		Singular:  "nodesyncreport",
		NewObject: func() *controlplane.NodeSyncReport { return &controlplane.NodeSyncReport{} },
		Validate:  Validate,
		Handle: func(ctx context.Context, rep *controlplane.NodeSyncReport) (runtime.Object, error) {
			epoch := rep.Annotations[v1beta2.ServerEpochAnnotation]
			taken, err := reporter.ReportSync(ctx, rep.Name, epoch, rep.NetworkPolicies, rep.AddressGroups, rep.AppliedToGroups)
			if err != nil {
				return nil, apierrors.NewInternalError(fmt.Errorf("handing the sync report to the replica of epoch %q: %w", epoch, err))
			}
			if !taken {
				return nil, apierrors.NewConflict(controlplane.Resource("nodesyncreports"), rep.Name,
					fmt.Errorf("the report is of server epoch %q, which no running strata-apiserver has: watch again", epoch))
			}
			return rep, nil
		},
	}
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
