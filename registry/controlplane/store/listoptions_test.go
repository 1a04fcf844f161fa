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
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/utils/ptr"
)

func TestWatchOptionsFromListOptions(t *testing.T) {
	app := labels.SelectorFromSet(labels.Set{"app": "web"})
	tests := []struct {
		name    string
		opts    *metainternalversion.ListOptions
		want    WatchOptions
		wantErr string
	}{
		{name: "nil options", opts: nil, want: WatchOptions{}},
		{name: "nothing", opts: &metainternalversion.ListOptions{}, want: WatchOptions{}},
		{
			name: "nodeName and labels",
			opts: &metainternalversion.ListOptions{FieldSelector: fields.OneTermEqualSelector("nodeName", "node1"), LabelSelector: app},
			want: WatchOptions{Selector: Selector{NodeName: "node1", Labels: app}},
		},
		{
			name: "metadata.name and nodeName",
			opts: &metainternalversion.ListOptions{FieldSelector: fields.ParseSelectorOrDie("metadata.name=np1,nodeName==node2")},
			want: WatchOptions{Selector: Selector{Name: "np1", NodeName: "node2"}},
		},
		{
			name: "watch-list request",
			opts: &metainternalversion.ListOptions{SendInitialEvents: ptr.To(true), AllowWatchBookmarks: true},
			want: WatchOptions{SendInitialEvents: true, AllowWatchBookmarks: true},
		},
		{name: "unknown field", opts: &metainternalversion.ListOptions{FieldSelector: fields.OneTermEqualSelector("spec.tier", "x")}, wantErr: "spec.tier"},
		{name: "inequality", opts: &metainternalversion.ListOptions{FieldSelector: fields.OneTermNotEqualSelector("nodeName", "x")}, wantErr: "only ="},
		{name: "twice", opts: &metainternalversion.ListOptions{FieldSelector: fields.ParseSelectorOrDie("nodeName=a,nodeName=b")}, wantErr: "twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := WatchOptionsFromListOptions(tc.opts)
			if tc.wantErr != "" {
				assert.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
