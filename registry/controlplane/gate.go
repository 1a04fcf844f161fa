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

package controlplane

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/registry/controlplane/networkpolicyevaluation"
)

// Gate tells whether the stores hold a complete state. Until the policy
// computation has published its first complete pass they hold part of it, and an
// agent that lists or watches would take that part for the whole and delete the
// flows of everything missing: Ready returns what is missing instead.
type Gate interface {
	Ready() error
}

// AlwaysReady is the Gate of a server without a computation (standalone): its
// stores are empty, and empty is their complete state.
type AlwaysReady struct{}

// Ready implements Gate.
func (AlwaysReady) Ready() error { return nil }

// readStorage is what the computed resources' REST storage implements.
type readStorage interface {
	rest.Storage
	rest.Scoper
	rest.Getter
	rest.Lister
	rest.Watcher
	rest.SingularNameProvider
}

// gatedStorage serves a computed resource only through an open Gate: before, get,
// list and watch answer 503 ServiceUnavailable, which clients (the agents'
// watchers, client-go reflectors) retry with back-off while keeping what they had.
type gatedStorage struct {
	readStorage
	gate Gate
}

// gated wraps s behind g.
func gated(s readStorage, g Gate) *gatedStorage { return &gatedStorage{readStorage: s, gate: g} }

func (s *gatedStorage) check() error {
	if err := s.gate.Ready(); err != nil {
		return apierrors.NewServiceUnavailable(fmt.Sprintf("not serving the computed policies until they are complete: %v; retry later", err))
	}
	return nil
}

// Get implements rest.Getter behind the gate.
func (s *gatedStorage) Get(ctx context.Context, name string, opts *metav1.GetOptions) (runtime.Object, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.readStorage.Get(ctx, name, opts)
}

// List implements rest.Lister behind the gate.
func (s *gatedStorage) List(ctx context.Context, opts *metainternalversion.ListOptions) (runtime.Object, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.readStorage.List(ctx, opts)
}

// Watch implements rest.Watcher behind the gate.
func (s *gatedStorage) Watch(ctx context.Context, opts *metainternalversion.ListOptions) (watch.Interface, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.readStorage.Watch(ctx, opts)
}

// gatedEvaluator evaluates connections only once the computed policies are
// complete: before, an evaluation would describe a partial rule set.
type gatedEvaluator struct {
	networkpolicyevaluation.Evaluator
	gate Gate
}

func (e gatedEvaluator) Evaluate(ctx context.Context, ev *controlplane.NetworkPolicyEvaluation) (*controlplane.NetworkPolicyEvaluationResponse, error) {
	if err := e.gate.Ready(); err != nil {
		return nil, apierrors.NewServiceUnavailable(fmt.Sprintf("not evaluating until the computed policies are complete: %v; retry later", err))
	}
	return e.Evaluator.Evaluate(ctx, ev)
}
