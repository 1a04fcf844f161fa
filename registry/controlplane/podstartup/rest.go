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

// Package podstartup is the storage of podstartups (controlplane.antrea.io): a
// create that answers once the policies naming a starting Pod are installed on
// every Node that enforces them (see apiserver/podstartup).
package podstartup

import (
	"context"
	"net"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/registry/storageutil"
)

// Awaiter waits until a starting Pod's policies are installed and returns the
// Nodes that installed them.
type Awaiter interface {
	Await(ctx context.Context, s *controlplane.PodStartup) ([]string, error)
}

// REST is the storage of podstartups: create only.
type REST = storageutil.CreateOnly[*controlplane.PodStartup]

// NewREST returns the storage of podstartups: a valid request waits for the
// barrier, then answers 201 with the Nodes, or 503 when the policies are not known
// to be installed in time (the agent fails CNI ADD with TRY_AGAIN_LATER).
func NewREST(awaiter Awaiter) *REST {
	return &REST{
		Kind:      schema.GroupKind{Group: controlplane.GroupName, Kind: "PodStartup"},
		Singular:  "podstartup",
		NewObject: func() *controlplane.PodStartup { return &controlplane.PodStartup{} },
		Validate:  Validate,
		Handle: func(ctx context.Context, s *controlplane.PodStartup) (runtime.Object, error) {
			nodes, err := awaiter.Await(ctx, s)
			if err != nil {
				return nil, apierrors.NewServiceUnavailable(err.Error())
			}
			out := s.DeepCopy()
			out.Nodes = nodes
			return out, nil
		},
	}
}

// Validate checks a PodStartup: the Pod's namespace and name, its Node and one or
// two IP addresses (the UID is optional: not every runtime passes K8S_POD_UID).
func Validate(s *controlplane.PodStartup) field.ErrorList {
	var errs field.ErrorList
	for _, f := range []struct {
		path  *field.Path
		value string
	}{
		{field.NewPath("pod", "namespace"), s.Pod.Namespace}, {field.NewPath("pod", "name"), s.Pod.Name},
		{field.NewPath("nodeName"), s.NodeName},
	} {
		if f.value == "" {
			errs = append(errs, field.Required(f.path, ""))
		}
	}
	addrs := field.NewPath("addresses")
	if n := len(s.Addresses); n == 0 || n > 2 {
		errs = append(errs, field.Invalid(addrs, n, "must hold one or two IP addresses"))
	}
	for i, a := range s.Addresses {
		if len(a) != net.IPv4len && len(a) != net.IPv6len {
			errs = append(errs, field.Invalid(addrs.Index(i), []byte(a), "must be a 4- or 16-byte IP address"))
		}
	}
	return errs
}
