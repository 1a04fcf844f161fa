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

package validation

import (
	"fmt"

	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd"
)

type groupKind int

const (
	clusterGroup    groupKind = iota // ClusterGroup
	namespacedGroup                  // Group
)

// ValidateClusterGroup validates a ClusterGroup on create.
func ValidateClusterGroup(g *crd.ClusterGroup) field.ErrorList {
	allErrs := apivalidation.ValidateObjectMeta(&g.ObjectMeta, false, apivalidation.NameIsDNSSubdomain, metadataPath)
	return append(allErrs, validateGroupSpec(&g.Spec, g.Name, "", clusterGroup)...)
}

// ValidateClusterGroupUpdate validates an update of a ClusterGroup.
func ValidateClusterGroupUpdate(g, old *crd.ClusterGroup) field.ErrorList {
	allErrs := apivalidation.ValidateObjectMetaUpdate(&g.ObjectMeta, &old.ObjectMeta, metadataPath)
	return append(allErrs, validateGroupSpec(&g.Spec, g.Name, "", clusterGroup)...)
}

// ValidateGroup validates a Group on create.
func ValidateGroup(g *crd.Group) field.ErrorList {
	allErrs := apivalidation.ValidateObjectMeta(&g.ObjectMeta, true, apivalidation.NameIsDNSSubdomain, metadataPath)
	return append(allErrs, validateGroupSpec(&g.Spec, g.Name, g.Namespace, namespacedGroup)...)
}

// ValidateGroupUpdate validates an update of a Group.
func ValidateGroupUpdate(g, old *crd.Group) field.ErrorList {
	allErrs := apivalidation.ValidateObjectMetaUpdate(&g.ObjectMeta, &old.ObjectMeta, metadataPath)
	return append(allErrs, validateGroupSpec(&g.Spec, g.Name, g.Namespace, namespacedGroup)...)
}

func validateGroupSpec(s *crd.GroupSpec, name, namespace string, kind groupKind) field.ErrorList {
	allErrs := validateGroupMembership(s, kind)
	allErrs = append(allErrs, validateSelector(s.PodSelector, specPath.Child("podSelector"))...)
	allErrs = append(allErrs, validateSelector(s.NamespaceSelector, specPath.Child("namespaceSelector"))...)
	allErrs = append(allErrs, validateSelector(s.NodeSelector, specPath.Child("nodeSelector"))...)
	allErrs = append(allErrs, validateSelector(s.ExternalEntitySelector, specPath.Child("externalEntitySelector"))...)
	allErrs = append(allErrs, validateGroupIPBlocks(s.IPBlocks, specPath.Child("ipBlocks"))...)
	allErrs = append(allErrs, validateServiceReference(s.ServiceReference, namespace, kind)...)
	return append(allErrs, validateChildGroupNames(s.ChildGroups, name)...)
}

// validateGroupMembership enforces the one-of rule: one kind of membership, or
// namespaceSelector together with podSelector or externalEntitySelector.
func validateGroupMembership(s *crd.GroupSpec, kind groupKind) field.ErrorList {
	set := sets.New[string]()
	for _, f := range []setField{
		{"podSelector", s.PodSelector != nil}, {"namespaceSelector", s.NamespaceSelector != nil},
		{"nodeSelector", s.NodeSelector != nil}, {"externalEntitySelector", s.ExternalEntitySelector != nil},
		{"ipBlocks", len(s.IPBlocks) > 0}, {"serviceReference", s.ServiceReference != nil},
		{"childGroups", len(s.ChildGroups) > 0},
	} {
		if f.set {
			set.Insert(f.name)
		}
	}
	var allErrs field.ErrorList
	if kind == namespacedGroup && set.Has("nodeSelector") {
		allErrs = append(allErrs, field.Forbidden(specPath.Child("nodeSelector"), "nodeSelector is only allowed in ClusterGroups"))
	}
	if set.Len() < 2 || set.Equal(sets.New("namespaceSelector", "podSelector")) ||
		set.Equal(sets.New("namespaceSelector", "externalEntitySelector")) {
		return allErrs
	}
	msg := "at most one of podSelector, nodeSelector, externalEntitySelector, serviceReference, ipBlocks or childGroups " +
		"can be set, or namespaceSelector together with podSelector or externalEntitySelector"
	return append(allErrs, field.Invalid(specPath, sets.List(set), msg))
}

func validateGroupIPBlocks(blocks []crd.IPBlock, path *field.Path) field.ErrorList {
	allErrs := tooMany(path, len(blocks))
	multicast, unicast := 0, 0
	for i := range blocks {
		allErrs = append(allErrs, validateIPBlock(&blocks[i], path.Index(i))...)
		if isMulticastCIDR(blocks[i].CIDR) {
			multicast++
		} else {
			unicast++
		}
	}
	if multicast > 0 && unicast > 0 {
		allErrs = append(allErrs, field.Forbidden(path, "cannot mix multicast and unicast CIDRs"))
	}
	return allErrs
}

func validateServiceReference(ref *crd.NamespacedName, namespace string, kind groupKind) field.ErrorList {
	path := specPath.Child("serviceReference")
	if ref == nil {
		return nil
	}
	if kind == clusterGroup {
		return validateNamespacedName(ref, path)
	}
	var allErrs field.ErrorList
	if ref.Name == "" {
		allErrs = append(allErrs, field.Required(path.Child("name"), "the name of the Service is required"))
	}
	if ref.Namespace != "" && ref.Namespace != namespace {
		allErrs = append(allErrs, field.Invalid(path.Child("namespace"), ref.Namespace,
			fmt.Sprintf("a Group can only refer to a Service of its own namespace %q", namespace)))
	}
	return allErrs
}

func validateChildGroupNames(children []crd.ClusterGroupReference, self string) field.ErrorList {
	var allErrs field.ErrorList
	seen := sets.New[string]()
	for i, child := range children {
		p := specPath.Child("childGroups").Index(i)
		name := string(child)
		allErrs = append(allErrs, validateGroupRef(name, p)...)
		if name == self {
			allErrs = append(allErrs, field.Invalid(p, name, "a group cannot be its own child group"))
		}
		if seen.Has(name) {
			allErrs = append(allErrs, field.Duplicate(p, name))
		}
		seen.Insert(name)
	}
	return allErrs
}

// GroupInfo is what the childGroups admission helper needs to know about an
// existing group.
type GroupInfo struct {
	// Children is the number of childGroups of the group.
	Children int
}

// ValidateChildGroupsHierarchy enforces one level of nesting (admission helper):
// a group that is already a child cannot get children, and an existing child cannot
// have children itself. parents is the number of groups that list this one as a
// child; lookup returns an existing group by name. Children that do not exist yet
// are allowed.
func ValidateChildGroupsHierarchy(spec *crd.GroupSpec, parents int, lookup func(name string) (GroupInfo, bool)) field.ErrorList {
	if len(spec.ChildGroups) == 0 {
		return nil
	}
	path := specPath.Child("childGroups")
	if parents > 0 {
		return field.ErrorList{field.Forbidden(path,
			fmt.Sprintf("this group is a child group of %d other groups and cannot have child groups itself (one level of nesting)", parents))}
	}
	var allErrs field.ErrorList
	for i, child := range spec.ChildGroups {
		if info, ok := lookup(string(child)); ok && info.Children > 0 {
			allErrs = append(allErrs, field.Forbidden(path.Index(i),
				fmt.Sprintf("group %q has %d child groups itself and cannot be a child group (one level of nesting)", child, info.Children)))
		}
	}
	return allErrs
}

// ValidateGroupStatus validates the status of a ClusterGroup or Group.
func ValidateGroupStatus(st *crd.GroupStatus) field.ErrorList {
	var allErrs field.ErrorList
	path := field.NewPath("status", "conditions")
	seen := sets.New[crd.GroupConditionType]()
	for i, c := range st.Conditions {
		if c.Type == "" {
			allErrs = append(allErrs, field.Required(path.Index(i).Child("type"), "a condition needs a type"))
		}
		if seen.Has(c.Type) {
			allErrs = append(allErrs, field.Duplicate(path.Index(i).Child("type"), c.Type))
		}
		seen.Insert(c.Type)
	}
	return allErrs
}
