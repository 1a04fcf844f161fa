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

	"github.com/strata-net/strata/apis/crd"
	"github.com/strata-net/strata/registry/storageutil"
)

// tableConvertor renders Groups as NAME AGE.
var tableConvertor = storageutil.TableConvertor[*crd.Group]{
	Columns: []metav1.TableColumnDefinition{storageutil.NameColumn, storageutil.AgeColumn},
	Cells: func(g *crd.Group) []any {
		return []any{g.Name, storageutil.Age(g.CreationTimestamp)}
	},
}
