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

// Package networkpolicyevaluation is the storage of networkpolicyevaluations
// (controlplane.antrea.io): a create that answers which rules decide a
// connection (see apiserver/explain). Nothing is stored.
package networkpolicyevaluation

import (
	"context"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/registry/storageutil"
)

// Evaluator answers a valid evaluation request.
type Evaluator interface {
	Evaluate(ctx context.Context, e *controlplane.NetworkPolicyEvaluation) (*controlplane.NetworkPolicyEvaluationResponse, error)
}

// REST is the storage of networkpolicyevaluations: create only.
type REST = storageutil.CreateOnly[*controlplane.NetworkPolicyEvaluation]

// NewREST returns the storage: a valid request is answered with its Response
// (201), an invalid one is a 422 naming the field.
func NewREST(evaluator Evaluator, validate func(*controlplane.NetworkPolicyEvaluation) field.ErrorList) *REST {
	return &REST{
		Kind:      schema.GroupKind{Group: controlplane.GroupName, Kind: "NetworkPolicyEvaluation"},
		Singular:  "networkpolicyevaluation",
		NewObject: func() *controlplane.NetworkPolicyEvaluation { return &controlplane.NetworkPolicyEvaluation{} },
		Validate:  validate,
		Handle: func(ctx context.Context, e *controlplane.NetworkPolicyEvaluation) (runtime.Object, error) {
			resp, err := evaluator.Evaluate(ctx, e)
			if err != nil {
				return nil, err
			}
			out := e.DeepCopy()
			out.Response = resp
			return out, nil
		},
	}
}
