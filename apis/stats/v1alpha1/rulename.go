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

package v1alpha1

import "fmt"

// RuleName is the name a rule's stats go by: its own name or, for a rule without
// one, "ingress-<index>" / "egress-<index>" (its index in its list).
func RuleName(name string, egress bool, index int32) string {
	switch {
	case name != "":
		return name
	case egress:
		return fmt.Sprintf("egress-%d", index)
	default:
		return fmt.Sprintf("ingress-%d", index)
	}
}
