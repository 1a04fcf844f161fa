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
	"math/rand/v2"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// BenchmarkGet times b.N GETs of random policies of the populated set, with one
// and with -strata.workers client goroutines. A GET without resourceVersion is a
// quorum read from etcd.
func BenchmarkGet(b *testing.B) {
	f := benchFixture(b)
	for _, w := range []int{1, *workers} {
		b.Run(fmt.Sprintf("workers-%d", w), func(b *testing.B) { benchmarkGet(b, f, w) })
	}
}

func benchmarkGet(b *testing.B, f *fixture, workers int) {
	api := f.client.CrdV1beta1().ClusterNetworkPolicies()
	b.ResetTimer()
	res, err := runLoad(context.Background(), b.N, workers, func(ctx context.Context, _ int) error {
		_, err := api.Get(ctx, baseName(rand.IntN(*policies)), metav1.GetOptions{})
		return err
	})
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	res.report(b)
	reportMemory(b)
}
