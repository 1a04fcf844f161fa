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

// Package controllerinfo is the read-only REST storage of
// system.antrea.io/v1beta1 controllerinfos: one object, "strata-apiserver", computed
// on every request from what the server knows of itself. kubectl shows NAME VERSION
// NETWORKPOLICIES ADDRESSGROUPS APPLIEDTOGROUPS AGENTS HEALTHY.
package controllerinfo

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	systemv1beta1 "github.com/strata-net/strata/apis/system/v1beta1"
	"github.com/strata-net/strata/registry/storageutil"
	"github.com/strata-net/strata/registry/system/computed"
)

// Informer computes the server's ControllerInfo.
type Informer interface {
	ControllerInfo(ctx context.Context) *systemv1beta1.ControllerInfo
}

// NewREST returns the storage of controllerinfos over informer.
func NewREST(informer Informer) *computed.REST[*systemv1beta1.ControllerInfo] {
	return computed.NewREST(computed.Config[*systemv1beta1.ControllerInfo]{
		Resource: systemv1beta1.Resource("controllerinfos"),
		Singular: "controllerinfo",
		New:      func() runtime.Object { return &systemv1beta1.ControllerInfo{} },
		NewList:  func() runtime.Object { return &systemv1beta1.ControllerInfoList{} },
		SetItems: func(list runtime.Object, items []*systemv1beta1.ControllerInfo) {
			l := list.(*systemv1beta1.ControllerInfoList)
			for _, it := range items {
				l.Items = append(l.Items, *it)
			}
		},
		Table:  storageutil.TableConvertor[*systemv1beta1.ControllerInfo]{Columns: columns, Cells: cells},
		Source: source{informer},
	})
}

type source struct{ informer Informer }

func (s source) Get(ctx context.Context, name string) (*systemv1beta1.ControllerInfo, bool) {
	if name != systemv1beta1.ControllerInfoName {
		return nil, false
	}
	return s.info(ctx), true
}

func (s source) List(ctx context.Context) []*systemv1beta1.ControllerInfo {
	return []*systemv1beta1.ControllerInfo{s.info(ctx)}
}

func (s source) info(ctx context.Context) *systemv1beta1.ControllerInfo {
	info := s.informer.ControllerInfo(ctx)
	info.Name = systemv1beta1.ControllerInfoName
	return info
}

var columns = []metav1.TableColumnDefinition{
	storageutil.NameColumn,
	{Name: "Version", Type: "string", Description: "The server's version."},
	{Name: "NetworkPolicies", Type: "integer", Description: "Computed internal NetworkPolicies."},
	{Name: "AddressGroups", Type: "integer", Description: "Computed AddressGroups."},
	{Name: "AppliedToGroups", Type: "integer", Description: "Computed AppliedToGroups."},
	{Name: "Agents", Type: "integer", Description: "Nodes whose agents are connected."},
	{Name: "Healthy", Type: "string", Description: "Status of the ControllerHealthy condition."},
}

func cells(info *systemv1beta1.ControllerInfo) []any {
	healthy := string(metav1.ConditionUnknown)
	for _, c := range info.ControllerConditions {
		if c.Type == systemv1beta1.ControllerHealthy {
			healthy = string(c.Status)
		}
	}
	np := info.NetworkPolicyControllerInfo
	return []any{info.Name, info.Version, int64(np.NetworkPolicyNum), int64(np.AddressGroupNum),
		int64(np.AppliedToGroupNum), int64(info.ConnectedAgentNum), healthy}
}
