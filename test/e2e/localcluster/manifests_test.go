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

package localcluster

import (
	"fmt"
	"strings"
)

// agnhostPod is a Pod of the tests: one agnhost container on a given worker.
type agnhostPod struct {
	namespace, name string
	labels          string // YAML flow mapping entries, e.g. "app: srv, role: x"
	node            int    // worker1, worker2
	args            string // agnhost's arguments, e.g. "pause" or "netexec, --http-port=80"
}

// manifests renders Namespaces and Pods as one multi-document manifest.
func manifests(namespaces []string, pods ...agnhostPod) string {
	var docs []string
	for _, ns := range namespaces {
		docs = append(docs, fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n", ns))
	}
	for _, p := range pods {
		docs = append(docs, fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: %s, namespace: %s, labels: {%s}}
spec:
  nodeName: worker%d
  containers:
  - {name: c, image: registry.k8s.io/e2e-test-images/agnhost:2.53, command: [/agnhost], args: [%s]}
`, p.name, p.namespace, p.labels, p.node, p.args))
	}
	return strings.Join(docs, "---\n")
}
