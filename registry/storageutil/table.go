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

package storageutil

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/apiserver/pkg/registry/rest"
)

// NameColumn and AgeColumn are the first and last columns of every table.
var (
	NameColumn = metav1.TableColumnDefinition{
		Name: "Name", Type: "string", Format: "name",
		Description: metav1.ObjectMeta{}.SwaggerDoc()["name"],
	}
	AgeColumn = metav1.TableColumnDefinition{
		Name: "Age", Type: "date",
		Description: metav1.ObjectMeta{}.SwaggerDoc()["creationTimestamp"],
	}
)

// TableConvertor renders internal objects of type T, or a list of them, as the rows of
// a kubectl table.
type TableConvertor[T runtime.Object] struct {
	// Columns are the column definitions, in order.
	Columns []metav1.TableColumnDefinition
	// Cells returns one cell per column. Cells must be JSON-safe: string, bool,
	// int32, int64, float64.
	Cells func(obj T) []any
}

var _ rest.TableConvertor = TableConvertor[runtime.Object]{}

// ConvertToTable implements rest.TableConvertor. It honours TableOptions.NoHeaders
// and copies the resource version (and the continue token and remaining count of a
// list) into the table.
func (c TableConvertor[T]) ConvertToTable(_ context.Context, obj, tableOptions runtime.Object) (*metav1.Table, error) {
	table := &metav1.Table{ColumnDefinitions: c.Columns}
	if opts, ok := tableOptions.(*metav1.TableOptions); ok && opts.NoHeaders {
		table.ColumnDefinitions = nil
	}
	if one, ok := obj.(T); ok {
		m, err := meta.Accessor(one)
		if err != nil {
			return nil, fmt.Errorf("table of %T: %w", obj, err)
		}
		table.ResourceVersion = m.GetResourceVersion()
		table.Rows = []metav1.TableRow{c.row(one)}
		return table, nil
	}
	return c.listTable(table, obj)
}

func (c TableConvertor[T]) listTable(table *metav1.Table, list runtime.Object) (*metav1.Table, error) {
	m, err := meta.ListAccessor(list)
	if err != nil {
		return nil, fmt.Errorf("table of %T: not the expected kind or a list of it: %w", list, err)
	}
	items, err := meta.ExtractList(list)
	if err != nil {
		return nil, fmt.Errorf("table of %T: %w", list, err)
	}
	table.ResourceVersion = m.GetResourceVersion()
	table.Continue = m.GetContinue()
	table.RemainingItemCount = m.GetRemainingItemCount()
	table.Rows = make([]metav1.TableRow, 0, len(items))
	for i, item := range items {
		one, ok := item.(T)
		if !ok {
			return nil, fmt.Errorf("table of %T: item %d is a %T", list, i, item)
		}
		table.Rows = append(table.Rows, c.row(one))
	}
	return table, nil
}

func (c TableConvertor[T]) row(obj T) metav1.TableRow {
	return metav1.TableRow{Cells: c.Cells(obj), Object: runtime.RawExtension{Object: obj}}
}

// Age renders a creation timestamp the way kubectl does: "5m", "3d", or "<unknown>"
// for a zero time.
func Age(t metav1.Time) string {
	if t.IsZero() {
		return "<unknown>"
	}
	return duration.HumanDuration(time.Since(t.Time))
}
