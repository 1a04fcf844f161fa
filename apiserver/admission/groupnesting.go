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

	"k8s.io/apiserver/pkg/admission"
	"k8s.io/client-go/tools/cache"

	"github.com/strata-net/strata/apis/crd/validation"
	informers "github.com/strata-net/strata/generated/informers/externalversions"
)

// groupNesting is the logic of StrataClusterGroups and StrataGroups: one level of
// childGroups nesting, and a warning naming the policies and groups that still
// reference a group being deleted (groupreferrers.go). groupplugins.go declares
// the two plugins.
type groupNesting struct {
	cachedPlugin
	cfg groupConfig
	// groups are the groups by key, indexed by child group; policies are indexed
	// by the groups they reference.
	groups   cache.Indexer
	policies cache.Indexer
}

func newGroupNesting(cfg groupConfig) groupNesting {
	return groupNesting{
		cachedPlugin: newCachedPlugin(cfg.plugin, cfg.resource, admission.Create, admission.Update, admission.Delete),
		cfg:          cfg,
	}
}

// SetInformerFactory takes the caches of the groups and of the policies.
func (p *groupNesting) SetInformerFactory(f informers.SharedInformerFactory) {
	groupInformer, policyInformer := p.cfg.informers(f.Crd().V1beta1())
	p.initErr = errors.Join(
		addIndexers(groupInformer, cache.Indexers{byChildGroup: childGroupIndex}),
		addIndexers(policyInformer, cache.Indexers{byGroupRef: policyGroupRefIndex}))
	p.groups = groupInformer.GetIndexer()
	p.policies = policyInformer.GetIndexer()
	p.readyWhenSynced(groupInformer.HasSynced, policyInformer.HasSynced)
}

// ValidateInitialization checks that the caches were set.
func (p *groupNesting) ValidateInitialization() error {
	return p.initialized(p.groups != nil && p.policies != nil)
}

// Validate checks the childGroups hierarchy, and warns about referrers on delete.
func (p *groupNesting) Validate(ctx context.Context, a admission.Attributes, _ admission.ObjectInterfaces) error {
	if ok, err := p.validates(a); !ok {
		return err
	}
	if a.GetOperation() == admission.Delete {
		p.warnReferrers(ctx, a.GetNamespace(), targetName(a))
		return nil
	}
	return p.validateHierarchy(a)
}

// validateHierarchy refuses a group that gets children while it is a child, or
// whose children have children.
func (p *groupNesting) validateHierarchy(a admission.Attributes) error {
	group, spec := p.cfg.group(a.GetObject())
	if spec == nil {
		return nil
	}
	parents, err := p.groups.ByIndex(byChildGroup, p.cfg.key(group.GetNamespace(), group.GetName()))
	if err != nil {
		return admission.NewForbidden(a, err)
	}
	lookup := func(name string) (validation.GroupInfo, bool) {
		return p.groupInfo(group.GetNamespace(), name)
	}
	if errs := validation.ValidateChildGroupsHierarchy(spec, len(parents), lookup); len(errs) > 0 {
		return forbidden(a, errs)
	}
	return nil
}

// groupInfo is what the cache holds of the group name of namespace, false when it
// holds no such group.
func (p *groupNesting) groupInfo(namespace, name string) (validation.GroupInfo, bool) {
	obj, exists, err := p.groups.GetByKey(p.cfg.key(namespace, name))
	if err != nil || !exists {
		return validation.GroupInfo{}, false
	}
	// childGroupIndex has one key per child group.
	children, _ := childGroupIndex(obj)
	return validation.GroupInfo{Children: len(children)}, true
}
