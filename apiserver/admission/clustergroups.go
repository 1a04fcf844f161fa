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

package admission

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/warning"
	"k8s.io/client-go/tools/cache"

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/apis/crd/validation"
	informers "github.com/strata-net/strata/generated/informers/externalversions"
	listers "github.com/strata-net/strata/generated/listers/crd/v1beta1"
)

// ClusterGroups enforces one level of childGroups nesting and warns when a
// ClusterGroup that policies or groups still reference is deleted.
type ClusterGroups struct {
	*admission.Handler
	groups        listers.ClusterGroupLister
	groupsByChild cache.Indexer
	policies      cache.Indexer
	initErr       error
}

var (
	_ admission.ValidationInterface = &ClusterGroups{}
	_ WantsInformerFactory          = &ClusterGroups{}
)

// NewClusterGroups returns the StrataClusterGroups plugin.
func NewClusterGroups() *ClusterGroups {
	return &ClusterGroups{Handler: admission.NewHandler(admission.Create, admission.Update, admission.Delete)}
}

// SetInformerFactory takes the ClusterGroup and ClusterNetworkPolicy caches.
func (p *ClusterGroups) SetInformerFactory(f informers.SharedInformerFactory) {
	groupInformer := f.Crd().V1beta1().ClusterGroups().Informer()
	policyInformer := f.Crd().V1beta1().ClusterNetworkPolicies().Informer()
	p.initErr = errors.Join(
		addIndexers(groupInformer, cache.Indexers{byChildGroup: childGroupIndex}),
		addIndexers(policyInformer, cache.Indexers{byGroupRef: policyGroupRefIndex}))
	p.groups = f.Crd().V1beta1().ClusterGroups().Lister()
	p.groupsByChild = groupInformer.GetIndexer()
	p.policies = policyInformer.GetIndexer()
	p.SetReadyFunc(func() bool { return groupInformer.HasSynced() && policyInformer.HasSynced() })
}

// ValidateInitialization checks that the caches were set.
func (p *ClusterGroups) ValidateInitialization() error {
	if p.groups == nil || p.policies == nil {
		return errors.New("StrataClusterGroups: missing listers")
	}
	return p.initErr
}

// Validate checks the childGroups hierarchy, and warns about referrers on delete.
func (p *ClusterGroups) Validate(ctx context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if !isResource(a, "clustergroups") {
		return nil
	}
	if !p.WaitForReady() {
		return admission.NewForbidden(a, errNotReady)
	}
	if a.GetOperation() == admission.Delete {
		p.warnReferrers(ctx, targetName(a))
		return nil
	}
	group, ok := a.GetObject().(*crd.ClusterGroup)
	if !ok {
		return nil
	}
	parents, err := p.groupsByChild.ByIndex(byChildGroup, group.Name)
	if err != nil {
		return admission.NewForbidden(a, err)
	}
	if errs := validation.ValidateChildGroupsHierarchy(&group.Spec, len(parents), p.lookup); len(errs) > 0 {
		return forbidden(a, errs)
	}
	return nil
}

func (p *ClusterGroups) lookup(name string) (validation.GroupInfo, bool) {
	g, err := p.groups.Get(name)
	if err != nil {
		return validation.GroupInfo{}, false
	}
	return validation.GroupInfo{Children: len(g.Spec.ChildGroups)}, true
}

// warnReferrers adds a warning naming the policies and groups that still reference
// the ClusterGroup being deleted: they lose the group's members.
func (p *ClusterGroups) warnReferrers(ctx context.Context, name string) {
	policies := namesByIndex(p.policies, byGroupRef, name, func(o interface{}) string {
		return o.(*v1beta1.ClusterNetworkPolicy).Name
	})
	parents := namesByIndex(p.groupsByChild, byChildGroup, name, func(o interface{}) string {
		return o.(*v1beta1.ClusterGroup).Name
	})
	if len(policies) > 0 {
		warning.AddWarning(ctx, "", fmt.Sprintf("ClusterGroup %s is referenced by %d ClusterNetworkPolicies (%s): they no longer match its members",
			name, len(policies), strings.Join(policies, ", ")))
	}
	if len(parents) > 0 {
		warning.AddWarning(ctx, "", fmt.Sprintf("ClusterGroup %s is a child group of %s: they no longer include its members",
			name, strings.Join(parents, ", ")))
	}
}

func namesByIndex(indexer cache.Indexer, index, key string, name func(interface{}) string) []string {
	objs, err := indexer.ByIndex(index, key)
	if err != nil {
		return nil
	}
	names := make([]string, 0, len(objs))
	for _, o := range objs {
		names = append(names, name(o))
	}
	sort.Strings(names)
	return names
}
