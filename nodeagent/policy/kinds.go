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

package policy

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/generated/clientset/versioned"
)

// kind is one of the three watched resources.
type kind int

const (
	kindPolicies kind = iota
	kindAppliedToGroups
	kindAddressGroups
	numKinds
)

func (k kind) String() string {
	return [...]string{"NetworkPolicies", "AppliedToGroups", "AddressGroups"}[k]
}

// cacheWriter watches one kind and turns its objects into rule cache operations.
type cacheWriter struct {
	watch   func(ctx context.Context, opts metav1.ListOptions) (watch.Interface, error)
	replace func(objs []runtime.Object) error
	apply   func(ev watch.Event) error
	// restore replaces the kind with its saved state.
	restore func(st *state)
}

func newCacheWriter(k kind, client versioned.Interface, c *ruleCache) cacheWriter {
	cp := client.ControlplaneV1beta2()
	switch k {
	case kindPolicies:
		return policyWriter(cp.NetworkPolicies().Watch, c)
	case kindAppliedToGroups:
		return groupWriter(appliedToGroups, cp.AppliedToGroups().Watch, c)
	default:
		return groupWriter(addressGroups, cp.AddressGroups().Watch, c)
	}
}

func policyWriter(w func(context.Context, metav1.ListOptions) (watch.Interface, error), c *ruleCache) cacheWriter {
	return cacheWriter{
		watch: w,
		replace: func(objs []runtime.Object) error {
			nps := make([]*v1beta2.NetworkPolicy, 0, len(objs))
			for _, o := range objs {
				np, ok := o.(*v1beta2.NetworkPolicy)
				if !ok {
					return unexpectedType(kindPolicies, o)
				}
				nps = append(nps, np.DeepCopy())
			}
			c.replacePolicies(nps)
			return nil
		},
		apply: func(ev watch.Event) error {
			np, ok := ev.Object.(*v1beta2.NetworkPolicy)
			if !ok {
				return unexpectedType(kindPolicies, ev.Object)
			}
			if ev.Type == watch.Deleted {
				c.deletePolicy(np.Name)
			} else { // ADDED and MODIFIED carry the full object
				c.upsertPolicy(np.DeepCopy())
			}
			return nil
		},
		restore: func(st *state) {
			nps := make([]*v1beta2.NetworkPolicy, 0, len(st.policies))
			for i := range st.policies {
				nps = append(nps, st.policies[i].DeepCopy())
			}
			c.replacePolicies(nps)
		},
	}
}

func groupWriter(k groupKind, w func(context.Context, metav1.ListOptions) (watch.Interface, error), c *ruleCache) cacheWriter {
	return cacheWriter{
		watch: w,
		replace: func(objs []runtime.Object) error {
			gs := make([]*group, 0, len(objs))
			for _, o := range objs {
				g, err := decodeGroup(k, o)
				if err != nil {
					return err
				}
				gs = append(gs, g)
			}
			c.replaceGroups(k, gs)
			return nil
		},
		apply: func(ev watch.Event) error { return applyGroupEvent(c, k, ev) },
		restore: func(st *state) {
			c.replaceGroups(k, savedGroups(k, st))
		},
	}
}

// applyGroupEvent applies ADDED (full group), MODIFIED (a patch; a full group is
// accepted too) and DELETED.
func applyGroupEvent(c *ruleCache, k groupKind, ev watch.Event) error {
	if ev.Type == watch.Modified {
		if name, added, removed, ok := decodePatch(k, ev.Object); ok {
			return c.patchGroup(k, name, added, removed)
		}
	}
	g, err := decodeGroup(k, ev.Object)
	if err != nil {
		return err
	}
	if ev.Type == watch.Deleted {
		c.deleteGroup(k, g.name)
	} else {
		c.upsertGroup(k, g)
	}
	return nil
}

func decodeGroup(k groupKind, obj runtime.Object) (*group, error) {
	switch o := obj.(type) {
	case *v1beta2.AppliedToGroup:
		if k == appliedToGroups {
			return newGroup(o.Name, o.UID, o.GroupMembers), nil
		}
	case *v1beta2.AddressGroup:
		if k == addressGroups {
			return newGroup(o.Name, o.UID, o.GroupMembers), nil
		}
	}
	return nil, unexpectedType(groupWatchKind(k), obj)
}

func decodePatch(k groupKind, obj runtime.Object) (name string, added, removed []v1beta2.GroupMember, ok bool) {
	switch o := obj.(type) {
	case *v1beta2.AppliedToGroupPatch:
		return o.Name, o.AddedGroupMembers, o.RemovedGroupMembers, k == appliedToGroups
	case *v1beta2.AddressGroupPatch:
		return o.Name, o.AddedGroupMembers, o.RemovedGroupMembers, k == addressGroups
	}
	return "", nil, nil, false
}

func savedGroups(k groupKind, st *state) []*group {
	var gs []*group
	if k == appliedToGroups {
		for _, g := range st.appliedTo {
			gs = append(gs, newGroup(g.Name, g.UID, g.GroupMembers))
		}
		return gs
	}
	for _, g := range st.address {
		gs = append(gs, newGroup(g.Name, g.UID, g.GroupMembers))
	}
	return gs
}

func groupWatchKind(k groupKind) kind {
	if k == appliedToGroups {
		return kindAppliedToGroups
	}
	return kindAddressGroups
}

func unexpectedType(k kind, obj runtime.Object) error {
	return fmt.Errorf("unexpected object type %T in the watch of %s", obj, k)
}
