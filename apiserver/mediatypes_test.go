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
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestDropPlainProtobuf(t *testing.T) {
	for _, tc := range []struct {
		accept, want string
		changed      bool
	}{
		{"application/json", "application/json", false},
		{"", "", false},
		{"application/vnd.kubernetes.protobuf,application/json", "application/json", true},
		{"application/vnd.kubernetes.protobuf, */*", "*/*", true},
		{"application/vnd.kubernetes.protobuf;stream=watch,application/json;stream=watch", "application/json;stream=watch", true},
		// Nothing else acceptable: the client gets its 406.
		{"application/vnd.kubernetes.protobuf", "application/vnd.kubernetes.protobuf", false},
		// Meta types encode as protobuf.
		{"application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json",
			"application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json", false},
		{"application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/vnd.kubernetes.protobuf,application/json",
			"application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json", true},
	} {
		got, changed := dropPlainProtobuf(tc.accept)
		if got != tc.want || changed != tc.changed {
			t.Errorf("dropPlainProtobuf(%q) = %q, %v; want %q, %v", tc.accept, got, changed, tc.want, tc.changed)
		}
	}
}

func TestWithoutPlainProtobuf(t *testing.T) {
	var seen string
	h := WithoutPlainProtobuf(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { seen = r.Header.Get("Accept") }))
	for path, want := range map[string]string{
		"/apis/crd.antrea.io/v1beta1/namespaces/a/networkpolicies": "application/json",
		"/api/v1/namespaces": "application/vnd.kubernetes.protobuf,application/json",
	} {
		r := httptest.NewRequest(http.MethodDelete, path, nil)
		r.Header.Set("Accept", "application/vnd.kubernetes.protobuf,application/json")
		h.ServeHTTP(httptest.NewRecorder(), r)
		if seen != want {
			t.Errorf("%s: the handler saw Accept %q, want %q", path, seen, want)
		}
		if r.Header.Get("Accept") != "application/vnd.kubernetes.protobuf,application/json" {
			t.Errorf("%s: the caller's request was changed", path)
		}
	}
}
