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
	"fmt"
	"sort"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/warning"
	"k8s.io/client-go/tools/cache"
)

// warnReferrers adds a warning naming the policies and the groups (of the
// Namespace, for a namespaced group) that still reference the group being deleted:
// they lose its members.
func (p *groupNesting) warnReferrers(ctx context.Context, namespace, name string) {
	key := p.cfg.key(namespace, name)
	if policies := namesByIndex(p.policies, byGroupRef, key); len(policies) > 0 {
		warning.AddWarning(ctx, "", fmt.Sprintf("%s %s is referenced by %d %s%s (%s): they no longer match its members",
			p.cfg.kind, name, len(policies), p.cfg.policies, p.cfg.where("of", namespace), strings.Join(policies, ", ")))
	}
	if parents := namesByIndex(p.groups, byChildGroup, key); len(parents) > 0 {
		warning.AddWarning(ctx, "", fmt.Sprintf("%s %s is a child group of %s%s: they no longer include its members",
			p.cfg.kind, name, strings.Join(parents, ", "), p.cfg.where("in", namespace)))
	}
}

// namesByIndex is the sorted names of the objects of indexer under key of index.
func namesByIndex(indexer cache.Indexer, index, key string) []string {
	objs, err := indexer.ByIndex(index, key)
	if err != nil {
		return nil
	}
	names := make([]string, 0, len(objs))
	for _, o := range objs {
		names = append(names, o.(metav1.Object).GetName())
	}
	sort.Strings(names)
	return names
}
