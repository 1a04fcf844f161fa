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
	"net/netip"

	"github.com/strata-net/strata/apiserver/explain"
	"github.com/strata-net/strata/apiserver/policy"
	"github.com/strata-net/strata/apiserver/policy/grouping"
	cpregistry "github.com/strata-net/strata/registry/controlplane"
)

// explainPods finds the Pods of explain's requests in the computation's Pods.
type explainPods struct{ c *policy.Controller }

func (p explainPods) Pod(namespace, name string) (explain.Pod, bool) {
	gp, ok := p.c.LookupPod(namespace, name)
	if !ok || gp.HostNetwork || gp.Terminated {
		return explain.Pod{}, false
	}
	return explainPod(gp), true
}

func (p explainPods) PodByIP(ip netip.Addr) (explain.Pod, bool) {
	gp, ok := p.c.PodByIP(ip.AsSlice())
	if !ok {
		return explain.Pod{}, false
	}
	return explainPod(gp), true
}

func explainPod(gp *grouping.Pod) explain.Pod {
	out := explain.Pod{Namespace: gp.Namespace, Name: gp.Name, NodeName: gp.NodeName}
	for _, b := range gp.IPs {
		if a, ok := netip.AddrFromSlice(b); ok {
			out.IPs = append(out.IPs, a.Unmap())
		}
	}
	return out
}

// addExplain serves networkpolicyevaluations over the computation's Pods and
// the stores.
func addExplain(storage *cpregistry.StorageConfig, computation *policy.Controller, stores *cpregistry.Stores) error {
	x, err := explain.New(explain.Config{Pods: explainPods{computation}, NetworkPolicies: stores.NetworkPolicies,
		AppliedToGroups: stores.AppliedToGroups, AddressGroups: stores.AddressGroups})
	if err != nil {
		return err
	}
	storage.Evaluations, storage.ValidateEvaluation = x, explain.Validate
	return nil
}
