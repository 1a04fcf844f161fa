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

// Groups is the namespaced counterpart of ClusterGroups: one level of childGroups
// nesting among the Groups of a Namespace (a Group's children are Groups of its own
// Namespace), and a warning when a Group that Antrea NetworkPolicies or Groups of
// its Namespace still reference is deleted.
type Groups struct {
	*admission.Handler
	groups        listers.GroupLister
	groupsByChild cache.Indexer
	policies      cache.Indexer
	initErr       error
}

var (
	_ admission.ValidationInterface = &Groups{}
	_ WantsInformerFactory          = &Groups{}
)

// NewGroups returns the StrataGroups plugin.
func NewGroups() *Groups {
	return &Groups{Handler: admission.NewHandler(admission.Create, admission.Update, admission.Delete)}
}

// SetInformerFactory takes the Group and Antrea NetworkPolicy caches.
func (p *Groups) SetInformerFactory(f informers.SharedInformerFactory) {
	groupInformer := f.Crd().V1beta1().Groups().Informer()
	policyInformer := f.Crd().V1beta1().NetworkPolicies().Informer()
	p.initErr = errors.Join(
		addIndexers(groupInformer, cache.Indexers{byChildGroup: childGroupIndex}),
		addIndexers(policyInformer, cache.Indexers{byGroupRef: policyGroupRefIndex}))
	p.groups = f.Crd().V1beta1().Groups().Lister()
	p.groupsByChild = groupInformer.GetIndexer()
	p.policies = policyInformer.GetIndexer()
	p.SetReadyFunc(func() bool { return groupInformer.HasSynced() && policyInformer.HasSynced() })
}

// ValidateInitialization checks that the caches were set.
func (p *Groups) ValidateInitialization() error {
	if p.groups == nil || p.policies == nil {
		return errors.New("StrataGroups: missing listers")
	}
	return p.initErr
}

// Validate checks the childGroups hierarchy, and warns about referrers on delete.
func (p *Groups) Validate(ctx context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if !isResource(a, "groups") {
		return nil
	}
	if !p.WaitForReady() {
		return admission.NewForbidden(a, errNotReady)
	}
	if a.GetOperation() == admission.Delete {
		p.warnReferrers(ctx, a.GetNamespace(), targetName(a))
		return nil
	}
	group, ok := a.GetObject().(*crd.Group)
	if !ok {
		return nil
	}
	parents, err := p.groupsByChild.ByIndex(byChildGroup, namespacedKey(group.Namespace, group.Name))
	if err != nil {
		return admission.NewForbidden(a, err)
	}
	lookup := func(name string) (validation.GroupInfo, bool) {
		g, err := p.groups.Groups(group.Namespace).Get(name)
		if err != nil {
			return validation.GroupInfo{}, false
		}
		return validation.GroupInfo{Children: len(g.Spec.ChildGroups)}, true
	}
	if errs := validation.ValidateChildGroupsHierarchy(&group.Spec, len(parents), lookup); len(errs) > 0 {
		return forbidden(a, errs)
	}
	return nil
}

// warnReferrers adds a warning naming the Antrea NetworkPolicies and Groups of the
// Namespace that still reference the Group being deleted: they lose its members.
func (p *Groups) warnReferrers(ctx context.Context, namespace, name string) {
	key := namespacedKey(namespace, name)
	policies := namesByIndex(p.policies, byGroupRef, key, func(o interface{}) string {
		return o.(*v1beta1.NetworkPolicy).Name
	})
	parents := namesByIndex(p.groupsByChild, byChildGroup, key, func(o interface{}) string {
		return o.(*v1beta1.Group).Name
	})
	if len(policies) > 0 {
		warning.AddWarning(ctx, "", fmt.Sprintf("Group %s is referenced by %d Antrea NetworkPolicies of Namespace %s (%s): they no longer match its members",
			name, len(policies), namespace, strings.Join(policies, ", ")))
	}
	if len(parents) > 0 {
		warning.AddWarning(ctx, "", fmt.Sprintf("Group %s is a child group of %s in Namespace %s: they no longer include its members",
			name, strings.Join(parents, ", "), namespace))
	}
}
