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

package group

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/strata-net/strata/apis/crd"
)

// validGroup returns a valid Group of the Namespace "default" selecting its Pods
// labelled app=web.
func validGroup(name string) *crd.Group {
	return &crd.Group{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec:       crd.GroupSpec{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}},
	}
}

// computed is the status of a group whose members are computed.
func computed() crd.GroupStatus {
	return crd.GroupStatus{Conditions: []crd.GroupCondition{{Type: crd.GroupMembersComputed, Status: metav1.ConditionTrue}}}
}

func errorFields(errs field.ErrorList) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Field)
	}
	return out
}
