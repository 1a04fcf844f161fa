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

package nodeagent

import (
	"context"
	"fmt"
	"net"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/strata-net/strata/apis/controlplane/v1beta2"
	"github.com/strata-net/strata/cni"
	"github.com/strata-net/strata/generated/clientset/versioned"
	"github.com/strata-net/strata/nodeagent/cniserver"
)

// podStartupGate is the agent's side of the Pod start-up barrier: it posts the
// attached Pod's addresses (POST podstartups) and returns once strata-apiserver
// answers that every Node enforcing a rule that names the Pod installed them.
type podStartupGate struct {
	client versioned.Interface
	node   string
}

var _ cniserver.StartupGate = podStartupGate{}

func (g podStartupGate) PodAttached(ctx context.Context, pod cni.PodArgs, ips []net.IP) error {
	name := pod.UID
	if name == "" {
		name = pod.Namespace + "." + pod.Name
	}
	req := &v1beta2.PodStartup{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Pod:        v1beta2.PodReference{Namespace: pod.Namespace, Name: pod.Name},
		PodUID:     types.UID(pod.UID),
		NodeName:   g.node,
	}
	for _, ip := range ips {
		if v4 := ip.To4(); v4 != nil {
			ip = v4
		}
		req.Addresses = append(req.Addresses, v1beta2.IPAddress(ip))
	}
	if _, err := g.client.ControlplaneV1beta2().PodStartups().Create(ctx, req, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("waiting for strata-apiserver to confirm the policies naming Pod %s/%s are installed: %w",
			pod.Namespace, pod.Name, err)
	}
	return nil
}
