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

package grouping

import (
	"fmt"
	"sort"
	"strings"

	"github.com/google/uuid"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// groupNameSpace is the UUIDv5 namespace of group names derived from selectors
// (Antrea's, so that equal selectors get equal names in both systems).
var groupNameSpace = uuid.MustParse("e4f24a48-ca1f-4d5b-819c-ea7632b22115")

// Selector selects Pods: those of Namespace (or of every Namespace when empty) whose
// Namespace matches NamespaceSelector (when set) and whose labels match PodSelector
// (when set). A Selector with neither selector selects every Pod of Namespace.
type Selector struct {
	Namespace         string
	NamespaceSelector labels.Selector
	PodSelector       labels.Selector
	key               string
}

// NewSelector converts API label selectors into a Selector. A nil selector is not
// set; an empty one matches everything.
func NewSelector(namespace string, nsSel, podSel *metav1.LabelSelector) (*Selector, error) {
	s := &Selector{Namespace: namespace}
	var err error
	if nsSel != nil {
		if s.NamespaceSelector, err = metav1.LabelSelectorAsSelector(nsSel); err != nil {
			return nil, fmt.Errorf("namespaceSelector: %w", err)
		}
	}
	if podSel != nil {
		if s.PodSelector, err = metav1.LabelSelectorAsSelector(podSel); err != nil {
			return nil, fmt.Errorf("podSelector: %w", err)
		}
	}
	s.key = normalize(s)
	return s, nil
}

// normalize is the sorted " And "-join of the selector's parts, the form Antrea
// derives group names from.
func normalize(s *Selector) string {
	var parts []string
	if s.Namespace != "" {
		parts = append(parts, "namespace="+s.Namespace)
	}
	if s.NamespaceSelector != nil {
		parts = append(parts, "namespaceSelector="+s.NamespaceSelector.String())
	}
	if s.PodSelector != nil {
		parts = append(parts, "podSelector="+s.PodSelector.String())
	}
	sort.Strings(parts)
	return strings.Join(parts, " And ")
}

// InNamespace returns the selector restricted to Namespace ns (the Pods of ns it
// selects); false when it is of another Namespace and selects none there.
func (s *Selector) InNamespace(ns string) (*Selector, bool) {
	if s.Namespace != "" && s.Namespace != ns {
		return nil, false
	}
	in := &Selector{Namespace: ns, NamespaceSelector: s.NamespaceSelector, PodSelector: s.PodSelector}
	in.key = normalize(in)
	return in, true
}

// Key identifies the selector: equal selectors have equal keys.
func (s *Selector) Key() string { return s.key }

// Name is the name of a group defined by this selector: the UUIDv5 of its key.
func (s *Selector) Name() string {
	return uuid.NewSHA1(groupNameSpace, []byte(s.key)).String()
}

func (s *Selector) String() string { return s.key }

// matchesNamespace tells whether a Namespace of these labels is selected.
func (s *Selector) matchesNamespace(name string, nsLabels labels.Set) bool {
	if s.Namespace != "" && s.Namespace != name {
		return false
	}
	return s.NamespaceSelector == nil || s.NamespaceSelector.Matches(nsLabels)
}

// matchesPodLabels tells whether a Pod of these labels is selected, its Namespace
// being selected.
func (s *Selector) matchesPodLabels(podLabels labels.Set) bool {
	return s.PodSelector == nil || s.PodSelector.Matches(podLabels)
}
