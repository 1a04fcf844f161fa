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
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	restclient "k8s.io/client-go/rest"

	"github.com/strata-net/strata/generated/clientset/versioned"
)

// BenchmarkList times full LISTs of the populated set in JSON, decoded by the
// typed client: a consistent LIST (no resourceVersion), a LIST from the watch cache
// (resourceVersion 0), the same without response compression, and a paginated
// LIST (limit 500). ns/op is the time of one full LIST (all pages). The protobuf
// case reports whether the server serves protobuf for these types.
func BenchmarkList(b *testing.B) {
	f := benchFixture(b)
	uncompressed := restclient.CopyConfig(f.config)
	uncompressed.DisableCompression = true
	plain, err := versioned.NewForConfig(uncompressed)
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name   string
		client versioned.Interface
		opts   metav1.ListOptions
	}{
		{"json", f.client, metav1.ListOptions{}},
		{"json-rv0", f.client, metav1.ListOptions{ResourceVersion: "0"}},
		{"json-uncompressed", plain, metav1.ListOptions{}},
		{"json-paged-500", f.client, metav1.ListOptions{Limit: 500}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) { benchmarkList(b, tc.client, tc.opts) })
	}
	b.Run("protobuf", func(b *testing.B) { benchmarkProtobufList(b, f) })
}

func benchmarkList(b *testing.B, c versioned.Interface, opts metav1.ListOptions) {
	ctx := context.Background()
	var plain, compressed int
	var err error
	if opts.Limit == 0 { // the size of a paginated LIST is about the same
		if plain, compressed, err = listSize(ctx, c, opts); err != nil {
			b.Fatal(err)
		}
	}
	var items, pages int
	b.ResetTimer()
	for range b.N {
		if items, pages, err = listAll(ctx, c, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if items < *policies {
		b.Fatalf("a LIST returned %d policies, want at least %d", items, *policies)
	}
	reportNonZero(b, float64(plain), "bytes/list")
	reportNonZero(b, float64(compressed), "gzip-bytes/list")
	b.ReportMetric(float64(items), "items/list")
	b.ReportMetric(float64(pages), "pages/list")
	b.ReportMetric(ms(b.Elapsed())/float64(b.N), "ms/list")
	reportMemory(b)
}

// listAll lists every policy, following the continue token of paginated LISTs.
func listAll(ctx context.Context, c versioned.Interface, opts metav1.ListOptions) (items, pages int, err error) {
	for {
		list, err := c.CrdV1beta1().ClusterNetworkPolicies().List(ctx, opts)
		if err != nil {
			return 0, 0, fmt.Errorf("listing page %d: %w", pages+1, err)
		}
		items, pages = items+len(list.Items), pages+1
		if list.Continue == "" {
			return items, pages, nil
		}
		opts.Continue = list.Continue
	}
}

// reportNonZero reports a metric only when it was measured.
func reportNonZero(b *testing.B, value float64, unit string) {
	if value != 0 {
		b.ReportMetric(value, unit)
	}
}
