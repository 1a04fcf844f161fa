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

package vnode

import (
	"net/http"
	"net/url"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
)

// kubeletStreamOptions reads the stream options of exec and attach requests as
// the kubelet does (k8s.io/cri-streaming/pkg/streaming/remotecommand.NewOptions):
// a request with tty=1 and error=1 runs with a TTY and without a stderr stream,
// the TTY carrying the command's stderr. virtual-kubelet's handlers refuse that
// request ("cannot exec with tty and stderr"), so the error parameter is dropped
// before it reaches them. As on the kubelet, only "1" turns a stream on.
func kubeletStreamOptions(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isStreamRequest(r) && r.FormValue(corev1.ExecTTYParam) == "1" && r.FormValue(corev1.ExecStderrParam) == "1" {
			klog.FromContext(r.Context()).V(4).Info("TTY requested with stderr, bypassing stderr as the kubelet does", "path", r.URL.Path)
			r = withoutStderr(r)
		}
		next.ServeHTTP(w, r)
	})
}

// isStreamRequest tells the kubelet API's exec and attach requests.
func isStreamRequest(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/exec/") || strings.HasPrefix(r.URL.Path, "/attach/")
}

// withoutStderr is r without the error parameter, in its query and in its
// parsed form.
func withoutStderr(r *http.Request) *http.Request {
	r = r.Clone(r.Context())
	q := r.URL.Query()
	q.Del(corev1.ExecStderrParam)
	r.URL.RawQuery = q.Encode()
	r.RequestURI = r.URL.RequestURI()
	for _, form := range []url.Values{r.Form, r.PostForm} {
		delete(form, corev1.ExecStderrParam)
	}
	return r
}
