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

// Package nodestats is the storage of nodestatssummaries (controlplane.antrea.io):
// node agents post the counts their rules' flows added since their previous
// summary; the stats aggregator (apiserver/stats) sums them.
package nodestats

import (
	"context"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/controlplane"
	statsv1alpha1 "github.com/strata-net/strata/apis/stats/v1alpha1"
	"github.com/strata-net/strata/registry/storageutil"
)

// Collector takes a valid summary.
type Collector interface {
	Collect(s *controlplane.NodeStatsSummary)
}

// REST is the storage of nodestatssummaries: create only.
type REST = storageutil.CreateOnly[*controlplane.NodeStatsSummary]

// NewREST returns the storage of nodestatssummaries: a valid summary goes to c.
func NewREST(c Collector) *REST {
	return &REST{
		Kind:      schema.GroupKind{Group: controlplane.GroupName, Kind: "NodeStatsSummary"},
		Singular:  "nodestatssummary",
		NewObject: func() *controlplane.NodeStatsSummary { return &controlplane.NodeStatsSummary{} },
		Validate:  Validate,
		Handle: func(_ context.Context, s *controlplane.NodeStatsSummary) (runtime.Object, error) {
			c.Collect(s)
			return s, nil
		},
	}
}

// Validate checks a summary: it names its Node, every policy has a UID and no
// count is negative.
func Validate(s *controlplane.NodeStatsSummary) field.ErrorList {
	var errs field.ErrorList
	if s.Name == "" {
		errs = append(errs, field.Required(field.NewPath("metadata", "name"), "the Node's name"))
	}
	for _, l := range []struct {
		name string
		list []controlplane.NetworkPolicyStats
	}{{"networkPolicies", s.NetworkPolicies}, {"antreaClusterNetworkPolicies", s.AntreaClusterNetworkPolicies},
		{"antreaNetworkPolicies", s.AntreaNetworkPolicies}} {
		for i := range l.list {
			p := field.NewPath(l.name).Index(i)
			ps := &l.list[i]
			if ps.NetworkPolicy.UID == "" {
				errs = append(errs, field.Required(p.Child("networkPolicy", "uid"), "the source policy's UID"))
			}
			errs = append(errs, validateCounts(p.Child("trafficStats"), ps.TrafficStats)...)
			for j, r := range ps.RuleTrafficStats {
				errs = append(errs, validateCounts(p.Child("ruleTrafficStats").Index(j).Child("trafficStats"), r.TrafficStats)...)
			}
		}
	}
	return errs
}

func validateCounts(p *field.Path, t statsv1alpha1.TrafficStats) field.ErrorList {
	var errs field.ErrorList
	for _, c := range []struct {
		name string
		v    int64
	}{{"packets", t.Packets}, {"bytes", t.Bytes}, {"sessions", t.Sessions}} {
		if c.v < 0 {
			errs = append(errs, field.Invalid(p.Child(c.name), c.v, "must not be negative"))
		}
	}
	return errs
}
