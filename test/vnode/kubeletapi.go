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

	"github.com/virtual-kubelet/virtual-kubelet/node/nodeutil"
)

// withKubeletAPI serves the kubelet API (exec, attach, logs, port-forward, the
// Pod list): virtual-kubelet's routes for the provider on mux, behind the
// kubelet's reading of exec and attach options.
func withKubeletAPI(mux *http.ServeMux) nodeutil.NodeOpt {
	attachRoutes := nodeutil.AttachProviderRoutes(mux)
	return func(c *nodeutil.NodeConfig) error {
		c.Handler = nodeutil.WithAuth(nodeutil.NoAuth(), kubeletStreamOptions(mux))
		return attachRoutes(c)
	}
}
