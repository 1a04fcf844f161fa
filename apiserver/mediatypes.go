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
	"mime"
	"net/http"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	genericapiserver "k8s.io/apiserver/pkg/server"
)

// BuildHandlerChain is the generic handler chain around an API handler that
// answers in JSON those who prefer protobuf (WithoutPlainProtobuf).
func BuildHandlerChain(apiHandler http.Handler, c *genericapiserver.Config) http.Handler {
	return genericapiserver.DefaultBuildHandlerChain(WithoutPlainProtobuf(apiHandler), c)
}

// WithoutPlainProtobuf removes protobuf from the Accept header of API requests that
// accept something else too. Strata's types have no protobuf encoding, yet the
// server's codecs offer it (for Kubernetes' meta types: DeleteOptions bodies,
// Status, PartialObjectMetadata, Table), and the generic handlers pick the first
// acceptable type: a client that prefers protobuf would get 406 Not Acceptable
// instead of JSON. Kubernetes' controllers all prefer protobuf; the Namespace
// controller, which deletes a deleted Namespace's Antrea NetworkPolicies and Groups
// with a DELETECOLLECTION that answers with the deleted list, would leave every
// deleted Namespace Terminating. kube-apiserver does the same for custom resources
// (RequestScope.StandardSerializers, which the generic installer does not set).
// Protobuf asked for a meta type (as=PartialObjectMetadataList, as=Table, ...) is
// kept: those encode.
func WithoutPlainProtobuf(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/apis/") {
			if accept, ok := dropPlainProtobuf(r.Header.Get("Accept")); ok {
				r = r.Clone(r.Context())
				r.Header.Set("Accept", accept)
			}
		}
		h.ServeHTTP(w, r)
	})
}

// dropPlainProtobuf returns accept without its protobuf media ranges that ask for
// no meta type, and whether it removed any; it keeps accept as it is when nothing
// else would remain.
func dropPlainProtobuf(accept string) (string, bool) {
	if !strings.Contains(accept, runtime.ContentTypeProtobuf) {
		return accept, false
	}
	var kept []string
	for _, part := range strings.Split(accept, ",") {
		mediaType, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err == nil && mediaType == runtime.ContentTypeProtobuf && params["as"] == "" {
			continue
		}
		kept = append(kept, strings.TrimSpace(part))
	}
	if len(kept) == 0 || len(kept) == len(strings.Split(accept, ",")) {
		return accept, false
	}
	return strings.Join(kept, ","), true
}
