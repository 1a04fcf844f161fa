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

// Package grouping is the selector → members index of the policy computation: which
// Pods each label selector (with its Namespace scope and namespaceSelector) selects,
// kept up to date incrementally as Pods and Namespaces change, and which selectors
// each change affects. It has no clients and no goroutines; the policy controller
// feeds it from informers.
//
// Pods with equal labels in one Namespace share a label set, and selectors are
// matched against label sets. An inverted index of "key=value" terms (terms.go)
// finds the candidate selectors of a new label set and the candidate label sets of a
// new selector, so neither Pods × selectors nor label sets × selectors is ever
// scanned on the hot path.
package grouping
