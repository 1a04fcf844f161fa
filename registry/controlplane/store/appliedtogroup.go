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
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/strata-net/strata/apis/controlplane"
	"github.com/strata-net/strata/apiserver/computed"
)

// NewAppliedToGroupStore returns a running store of AppliedToGroups.
func NewAppliedToGroupStore(opts Options) (*Store[*computed.AppliedToGroup], error) {
	return New(Config[*computed.AppliedToGroup]{
		Options:   opts,
		Resource:  "appliedtogroups",
		EventFunc: AppliedToGroupEventFunc,
		NewObject: func() runtime.Object { return &controlplane.AppliedToGroup{} },
	})
}
