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

package store

import (
	"fmt"

	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/selection"
)

// The field selectors of the controlplane kinds (registered as field label
// conversions by apis/controlplane/v1beta2).
const (
	// FieldNodeName selects the objects a Node needs: ?fieldSelector=nodeName=N.
	FieldNodeName = "nodeName"
	// FieldName selects an object by name.
	FieldName = "metadata.name"
)

// SelectorFromListOptions returns the selector of a list or watch request: its label
// selector and its nodeName and metadata.name field selectors. Any other field
// requirement, or one that is not an equality, is an error. nil options select all.
func SelectorFromListOptions(opts *metainternalversion.ListOptions) (Selector, error) {
	if opts == nil {
		return Selector{}, nil
	}
	sel := Selector{Labels: opts.LabelSelector}
	if opts.FieldSelector == nil || opts.FieldSelector.Empty() {
		return sel, nil
	}
	if err := checkFields(opts.FieldSelector); err != nil {
		return Selector{}, err
	}
	sel.NodeName, _ = opts.FieldSelector.RequiresExactMatch(FieldNodeName)
	sel.Name, _ = opts.FieldSelector.RequiresExactMatch(FieldName)
	return sel, nil
}

// WatchOptionsFromListOptions returns the options of a watch request.
func WatchOptionsFromListOptions(opts *metainternalversion.ListOptions) (WatchOptions, error) {
	sel, err := SelectorFromListOptions(opts)
	if err != nil {
		return WatchOptions{}, err
	}
	out := WatchOptions{Selector: sel}
	if opts != nil {
		out.SendInitialEvents = opts.SendInitialEvents != nil && *opts.SendInitialEvents
		out.AllowWatchBookmarks = opts.AllowWatchBookmarks
	}
	return out, nil
}

// checkFields accepts only equalities on nodeName and metadata.name, each at most
// once.
func checkFields(s fields.Selector) error {
	seen := map[string]bool{}
	for _, r := range s.Requirements() {
		if r.Field != FieldNodeName && r.Field != FieldName {
			return fmt.Errorf("field selector %q is not supported: use %s or %s", r.Field, FieldName, FieldNodeName)
		}
		if r.Operator != selection.Equals && r.Operator != selection.DoubleEquals {
			return fmt.Errorf("field selector %q: only = and == are supported, not %q", r.Field, r.Operator)
		}
		if seen[r.Field] {
			return fmt.Errorf("field selector %q is given twice", r.Field)
		}
		seen[r.Field] = true
	}
	return nil
}
