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
	"bytes"
	"context"
	"fmt"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/strata-net/strata/generated/clientset/versioned"
	"github.com/strata-net/strata/generated/clientset/versioned/scheme"
)

const (
	resource = "clusternetworkpolicies"
	// protobufType is the protobuf media type of Kubernetes API servers.
	protobufType = "application/vnd.kubernetes.protobuf"
)

// gzipMagic starts every gzip stream.
var gzipMagic = []byte{0x1f, 0x8b}

// rawList fetches one unpaginated LIST as bytes. With gzip the request asks for a
// compressed answer explicitly, so that the transport hands over the bytes as
// sent; gzipped tells whether the server compressed them.
func rawList(ctx context.Context, c versioned.Interface, opts metav1.ListOptions, gzip bool) (body []byte, gzipped bool, err error) {
	req := c.CrdV1beta1().RESTClient().Get().Resource(resource).VersionedParams(&opts, scheme.ParameterCodec)
	if gzip {
		req = req.SetHeader("Accept-Encoding", "gzip")
	}
	body, err = req.Do(ctx).Raw()
	if err != nil {
		return nil, false, fmt.Errorf("listing %s as raw JSON: %w", resource, err)
	}
	return body, bytes.HasPrefix(body, gzipMagic), nil
}

// listSize returns the size of one LIST in JSON, and on the wire when the server
// compresses it (0 when it does not).
func listSize(ctx context.Context, c versioned.Interface, opts metav1.ListOptions) (plain, compressed int, err error) {
	body, _, err := rawList(ctx, c, opts, false)
	if err != nil {
		return 0, 0, err
	}
	gzipBody, gzipped, err := rawList(ctx, c, opts, true)
	if err != nil || !gzipped {
		return len(body), 0, err
	}
	return len(body), len(gzipBody), nil
}

// benchmarkProtobufList asks for the LIST in protobuf only. strata-apiserver's
// types have no protobuf encoding, so the benchmark reports the server's answer and
// skips; should protobuf ever be served, it times raw protobuf LISTs.
func benchmarkProtobufList(b *testing.B, f *fixture) {
	ctx := context.Background()
	fetch := func() ([]byte, int, error) {
		var code int
		body, err := f.client.CrdV1beta1().RESTClient().Get().Resource(resource).
			SetHeader("Accept", protobufType).Do(ctx).StatusCode(&code).Raw()
		return body, code, err
	}
	body, code, err := fetch()
	if err != nil {
		b.Skipf("no protobuf: a LIST asking for %s only gets HTTP %d: %v", protobufType, code, err)
	}
	b.ResetTimer()
	for range b.N {
		if _, _, err := fetch(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(len(body)), "bytes/list")
	b.ReportMetric(ms(b.Elapsed())/float64(b.N), "ms/list")
	reportMemory(b)
}
