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

package nodeauth

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/admission"

	"github.com/strata-net/strata/apis/controlplane"
)

// Admission checks that the reports of an agent name only its own Node. It is
// chained by strata-apiserver after the configurable admission plugins, so that no
// flag turns it off.
type Admission struct {
	ids Identities
}

var _ admission.ValidationInterface = &Admission{}

// NewAdmission returns the check of the agents' reports.
func NewAdmission(ids Identities) *Admission {
	return &Admission{ids: ids}
}

// Handles implements admission.Interface: only creates carry reports.
func (a *Admission) Handles(op admission.Operation) bool { return op == admission.Create }

// Validate implements admission.ValidationInterface.
func (a *Admission) Validate(_ context.Context, attrs admission.Attributes, _ admission.ObjectInterfaces) error {
	if attrs.GetResource().Group != controlplane.GroupName {
		return nil
	}
	node, agent := a.ids.NodeOf(attrs.GetUserInfo())
	if !agent {
		return nil
	}
	resource := attrs.GetResource().Resource
	if sub := attrs.GetSubresource(); sub != "" {
		resource += "/" + sub
	}
	r, ok := reports[resource]
	if node == "" || !ok {
		return forbidden(attrs, fmt.Errorf("strata node admission, rule %s: the agent identity %q may not create %s",
			RuleNothingElse, attrs.GetUserInfo().GetName(), resource))
	}
	for _, n := range reportedNodes(resource, r, attrs.GetObject()) {
		if n.value != node {
			return forbidden(attrs, fmt.Errorf("strata node admission, rule %s: %s: the agent of Node %q reports only for its own Node, not %q",
				RuleOwnNodeReport, n.path, node, n.value))
		}
	}
	return nil
}

// nodeRef is a Node named in a report, at path.
type nodeRef struct {
	path  *field.Path
	value string
}

// reportedNodes returns the Nodes a report names.
func reportedNodes(resource string, r report, obj runtime.Object) []nodeRef {
	switch o := obj.(type) {
	case *controlplane.NetworkPolicyStatus:
		refs := make([]nodeRef, 0, len(o.Nodes))
		for i, n := range o.Nodes {
			refs = append(refs, nodeRef{field.NewPath("nodes").Index(i).Child("nodeName"), n.NodeName})
		}
		return refs
	case *controlplane.PodStartup:
		return []nodeRef{{field.NewPath("nodeName"), o.NodeName}}
	}
	name := ""
	if m, err := meta.Accessor(obj); err == nil {
		name = m.GetName()
	}
	if !r.nameIsNode {
		// A report of an unexpected type: nothing tells its Node, refuse it.
		return []nodeRef{{field.NewPath(resource), ""}}
	}
	return []nodeRef{{field.NewPath("metadata", "name"), name}}
}

func forbidden(attrs admission.Attributes, err error) error {
	return admission.NewForbidden(attrs, err)
}
