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

// Package networkpolicyrealization is the read-only REST storage of
// system.antrea.io/v1beta1 networkpolicyrealizations: per Antrea-native policy, the
// state of its realization on every Node of its span, computed on every request
// from the agents' reports. The name is the internal NetworkPolicy's name (the
// source policy's UID). kubectl shows NAME SOURCE GENERATION NODES REALIZED FAILED
// PENDING.
package networkpolicyrealization

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	systemv1beta1 "github.com/strata-net/strata/apis/system/v1beta1"
	"github.com/strata-net/strata/registry/storageutil"
	"github.com/strata-net/strata/registry/system/computed"
)

// Reporter computes realizations; the policy status aggregator implements it.
type Reporter interface {
	Realization(name string) (*systemv1beta1.NetworkPolicyRealization, bool)
	Realizations() []*systemv1beta1.NetworkPolicyRealization
}

// NewREST returns the storage of networkpolicyrealizations over reporter.
func NewREST(reporter Reporter) *computed.REST[*systemv1beta1.NetworkPolicyRealization] {
	return computed.NewREST(computed.Config[*systemv1beta1.NetworkPolicyRealization]{
		Resource: systemv1beta1.Resource("networkpolicyrealizations"),
		Singular: "networkpolicyrealization",
		New:      func() runtime.Object { return &systemv1beta1.NetworkPolicyRealization{} },
		NewList:  func() runtime.Object { return &systemv1beta1.NetworkPolicyRealizationList{} },
		SetItems: func(list runtime.Object, items []*systemv1beta1.NetworkPolicyRealization) {
			l := list.(*systemv1beta1.NetworkPolicyRealizationList)
			for _, it := range items {
				l.Items = append(l.Items, *it)
			}
		},
		Table:  storageutil.TableConvertor[*systemv1beta1.NetworkPolicyRealization]{Columns: columns, Cells: cells},
		Source: source{reporter},
	})
}

type source struct{ reporter Reporter }

func (s source) Get(_ context.Context, name string) (*systemv1beta1.NetworkPolicyRealization, bool) {
	return s.reporter.Realization(name)
}

func (s source) List(context.Context) []*systemv1beta1.NetworkPolicyRealization {
	return s.reporter.Realizations()
}

var columns = []metav1.TableColumnDefinition{
	storageutil.NameColumn,
	{Name: "Source", Type: "string", Description: "The source policy: type:[namespace/]name."},
	{Name: "Generation", Type: "integer", Description: "The source policy's generation to realize."},
	{Name: "Nodes", Type: "integer", Description: "Nodes that need the policy (its span)."},
	{Name: "Realized", Type: "integer", Description: "Nodes that realized the current generation."},
	{Name: "Failed", Type: "integer", Description: "Nodes that failed to realize it."},
	{Name: "Pending", Type: "integer", Description: "Nodes that have not reported the current generation."},
}

func cells(r *systemv1beta1.NetworkPolicyRealization) []any {
	count := map[systemv1beta1.RealizationState]int64{}
	for _, n := range r.Nodes {
		count[n.State]++
	}
	src := r.SourceRef.Type + ":" + r.SourceRef.Name
	if r.SourceRef.Namespace != "" {
		src = r.SourceRef.Type + ":" + r.SourceRef.Namespace + "/" + r.SourceRef.Name
	}
	return []any{r.Name, src, r.Generation, int64(len(r.Nodes)), count[systemv1beta1.RealizationRealized],
		count[systemv1beta1.RealizationFailed], count[systemv1beta1.RealizationPending]}
}
