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

// Package stats is the read-only REST storage of stats.antrea.io/v1alpha1:
// networkpolicystats (netpolstats), antreanetworkpolicystats (anpstats) and
// antreaclusternetworkpolicystats (acnpstats), computed on every request by the
// stats aggregator (apiserver/stats). kubectl shows NAME SESSIONS PACKETS BYTES
// RULES UNHIT AGE (UNHIT: rules without a packet since the counting started).
package stats

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"

	statsv1alpha1 "github.com/strata-net/strata/apis/stats/v1alpha1"
	"github.com/strata-net/strata/registry/storageutil"
	"github.com/strata-net/strata/registry/system/computed"
)

// Aggregator computes the stats objects.
type Aggregator interface {
	ClusterNetworkPolicyStats() []*statsv1alpha1.AntreaClusterNetworkPolicyStats
	AntreaNetworkPolicyStats(namespace string) []*statsv1alpha1.AntreaNetworkPolicyStats
	NetworkPolicyStats(namespace string) []*statsv1alpha1.NetworkPolicyStats
}

// Storage returns the storage of stats.antrea.io/v1alpha1, by resource.
func Storage(a Aggregator) map[string]rest.Storage {
	return map[string]rest.Storage{
		"antreaclusternetworkpolicystats": computed.NewREST(computed.Config[*statsv1alpha1.AntreaClusterNetworkPolicyStats]{
			Resource:   statsv1alpha1.Resource("antreaclusternetworkpolicystats"),
			Singular:   "antreaclusternetworkpolicystats",
			ShortNames: []string{"acnpstats"},
			New:        func() runtime.Object { return &statsv1alpha1.AntreaClusterNetworkPolicyStats{} },
			NewList:    func() runtime.Object { return &statsv1alpha1.AntreaClusterNetworkPolicyStatsList{} },
			SetItems: func(list runtime.Object, items []*statsv1alpha1.AntreaClusterNetworkPolicyStats) {
				l := list.(*statsv1alpha1.AntreaClusterNetworkPolicyStatsList)
				for _, it := range items {
					l.Items = append(l.Items, *it)
				}
			},
			Table: storageutil.TableConvertor[*statsv1alpha1.AntreaClusterNetworkPolicyStats]{Columns: ruleColumns,
				Cells: func(s *statsv1alpha1.AntreaClusterNetworkPolicyStats) []any {
					return ruleCells(&s.ObjectMeta, s.TrafficStats, s.RuleTrafficStats)
				}},
			Source: source[*statsv1alpha1.AntreaClusterNetworkPolicyStats]{list: func(string) []*statsv1alpha1.AntreaClusterNetworkPolicyStats {
				return a.ClusterNetworkPolicyStats()
			}},
		}),
		"antreanetworkpolicystats": computed.NewREST(computed.Config[*statsv1alpha1.AntreaNetworkPolicyStats]{
			Resource:   statsv1alpha1.Resource("antreanetworkpolicystats"),
			Singular:   "antreanetworkpolicystats",
			ShortNames: []string{"anpstats"},
			Namespaced: true,
			New:        func() runtime.Object { return &statsv1alpha1.AntreaNetworkPolicyStats{} },
			NewList:    func() runtime.Object { return &statsv1alpha1.AntreaNetworkPolicyStatsList{} },
			SetItems: func(list runtime.Object, items []*statsv1alpha1.AntreaNetworkPolicyStats) {
				l := list.(*statsv1alpha1.AntreaNetworkPolicyStatsList)
				for _, it := range items {
					l.Items = append(l.Items, *it)
				}
			},
			Table: storageutil.TableConvertor[*statsv1alpha1.AntreaNetworkPolicyStats]{Columns: ruleColumns,
				Cells: func(s *statsv1alpha1.AntreaNetworkPolicyStats) []any {
					return ruleCells(&s.ObjectMeta, s.TrafficStats, s.RuleTrafficStats)
				}},
			Source: source[*statsv1alpha1.AntreaNetworkPolicyStats]{list: a.AntreaNetworkPolicyStats},
		}),
		"networkpolicystats": computed.NewREST(computed.Config[*statsv1alpha1.NetworkPolicyStats]{
			Resource:   statsv1alpha1.Resource("networkpolicystats"),
			Singular:   "networkpolicystats",
			ShortNames: []string{"netpolstats"},
			Namespaced: true,
			New:        func() runtime.Object { return &statsv1alpha1.NetworkPolicyStats{} },
			NewList:    func() runtime.Object { return &statsv1alpha1.NetworkPolicyStatsList{} },
			SetItems: func(list runtime.Object, items []*statsv1alpha1.NetworkPolicyStats) {
				l := list.(*statsv1alpha1.NetworkPolicyStatsList)
				for _, it := range items {
					l.Items = append(l.Items, *it)
				}
			},
			Table: storageutil.TableConvertor[*statsv1alpha1.NetworkPolicyStats]{Columns: policyColumns,
				Cells: func(s *statsv1alpha1.NetworkPolicyStats) []any {
					return []any{s.Name, s.TrafficStats.Sessions, s.TrafficStats.Packets, s.TrafficStats.Bytes,
						storageutil.Age(s.CreationTimestamp)}
				}},
			Source: source[*statsv1alpha1.NetworkPolicyStats]{list: a.NetworkPolicyStats},
		}),
	}
}

// source lists the objects of the request's Namespace (all for a cluster-scoped
// resource or a list across Namespaces) and finds one by name in them.
type source[T computed.Object] struct {
	list func(namespace string) []T
}

func (s source[T]) Get(ctx context.Context, name string) (T, bool) {
	for _, obj := range s.List(ctx) {
		if obj.GetName() == name {
			return obj, true
		}
	}
	var zero T
	return zero, false
}

func (s source[T]) List(ctx context.Context) []T {
	return s.list(genericapirequest.NamespaceValue(ctx))
}

var policyColumns = []metav1.TableColumnDefinition{
	storageutil.NameColumn,
	{Name: "Sessions", Type: "integer", Description: "Sessions counted by the policy's rules."},
	{Name: "Packets", Type: "integer", Description: "Packets counted."},
	{Name: "Bytes", Type: "integer", Description: "Bytes counted."},
	storageutil.AgeColumn,
}

var ruleColumns = []metav1.TableColumnDefinition{
	storageutil.NameColumn,
	{Name: "Sessions", Type: "integer", Description: "Sessions counted by the policy's rules."},
	{Name: "Packets", Type: "integer", Description: "Packets counted."},
	{Name: "Bytes", Type: "integer", Description: "Bytes counted."},
	{Name: "Rules", Type: "integer", Description: "The policy's rules."},
	{Name: "Unhit", Type: "integer", Description: "Rules without a packet since the counting started (creationTimestamp)."},
	storageutil.AgeColumn,
}

func ruleCells(m *metav1.ObjectMeta, t statsv1alpha1.TrafficStats, rules []statsv1alpha1.RuleTrafficStats) []any {
	var unhit int64
	for _, r := range rules {
		if r.TrafficStats.Packets == 0 {
			unhit++
		}
	}
	return []any{m.Name, t.Sessions, t.Packets, t.Bytes, int64(len(rules)), unhit, storageutil.Age(m.CreationTimestamp)}
}
