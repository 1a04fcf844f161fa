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

package apiserver

import (
	"context"
	"fmt"
	"sync/atomic"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// extraSeq numbers the policies the benchmarks add on top of the populated set, so
// that names stay unique across the runs of a benchmark.
var extraSeq atomic.Int64

// extraNames returns n new policy names for the objects a benchmark adds.
func extraNames(kind string, n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("bench-%s-%08d", kind, extraSeq.Add(1))
	}
	return names
}

// createExtras creates one policy per name with concurrent workers, labelled kind;
// beforeCreate (optional) runs just before each request is sent.
func (f *fixture) createExtras(ctx context.Context, kind string, names []string, workers int, beforeCreate func(i int)) (loadResult, error) {
	api := f.client.CrdV1beta1().ClusterNetworkPolicies()
	return runLoad(ctx, len(names), workers, func(ctx context.Context, i int) error {
		p := Policy(names[i], *policies+i)
		p.Labels = map[string]string{setLabel: kind}
		if beforeCreate != nil {
			beforeCreate(i)
		}
		_, err := api.Create(ctx, p, metav1.CreateOptions{})
		return err
	})
}

// deleteExtras deletes the named policies, so that every benchmark sees the
// populated set and nothing else.
func (f *fixture) deleteExtras(ctx context.Context, names []string) error {
	api := f.client.CrdV1beta1().ClusterNetworkPolicies()
	_, err := runLoad(ctx, len(names), *workers, func(ctx context.Context, i int) error {
		return api.Delete(ctx, names[i], metav1.DeleteOptions{})
	})
	if err != nil {
		return fmt.Errorf("deleting the %d policies added by the benchmark: %w", len(names), err)
	}
	return nil
}
