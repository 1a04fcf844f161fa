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

package scale

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/watch"
	restclient "k8s.io/client-go/rest"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/generated/clientset/versioned"
)

// epochTimeout bounds the wait for a replica's first BOOKMARK.
const epochTimeout = 30 * time.Second

// credentials are one Node's client certificate, to ask a replica as its agent.
type credentials struct {
	node            string
	certPEM, keyPEM []byte
}

// serverEpoch asks replica r directly (not through kube-apiserver) for its
// server epoch: the annotation of the first BOOKMARK of a watch of the
// AppliedToGroups of one Node, as that Node's agent.
func (e *env) serverEpoch(ctx context.Context, r int) (string, error) {
	cfg := &restclient.Config{Host: e.urls[r],
		TLSClientConfig: restclient.TLSClientConfig{CAData: e.caPEM, CertData: e.probeCreds.certPEM, KeyData: e.probeCreds.keyPEM}}
	client, err := versioned.NewForConfig(cfg)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, epochTimeout)
	defer cancel()
	w, err := client.ControlplaneV1beta2().AppliedToGroups().Watch(ctx, metav1.ListOptions{
		FieldSelector:       fields.OneTermEqualSelector("nodeName", e.probeCreds.node).String(),
		AllowWatchBookmarks: true,
	})
	if err != nil {
		return "", fmt.Errorf("watching replica %d's AppliedToGroups as %s: %w", r+1, e.probeCreds.node, err)
	}
	defer w.Stop()
	for ev := range w.ResultChan() {
		if ev.Type != watch.Bookmark {
			continue
		}
		if m, err := meta.Accessor(ev.Object); err == nil {
			if epoch := m.GetAnnotations()[v1beta2.ServerEpochAnnotation]; epoch != "" {
				return epoch, nil
			}
		}
	}
	return "", fmt.Errorf("no BOOKMARK with a server epoch from replica %d within %s", r+1, epochTimeout)
}
