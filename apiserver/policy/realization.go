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

package policy

import (
	"sort"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/strata-net/strata/apis/controlplane"
	systemv1beta1 "github.com/strata-net/strata/apis/system/v1beta1"
)

// Realization returns the realization of one published Antrea-native policy on every
// Node of its span, from the agents' reports; false when name is not published.
func (a *StatusAggregator) Realization(name string) (*systemv1beta1.NetworkPolicyRealization, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	obs, ok := a.known[name]
	if !ok {
		return nil, false
	}
	return realization(name, obs, a.reports[name]), true
}

// Realizations returns the realization of every published Antrea-native policy,
// sorted by source name.
func (a *StatusAggregator) Realizations() []*systemv1beta1.NetworkPolicyRealization {
	a.mu.Lock()
	out := make([]*systemv1beta1.NetworkPolicyRealization, 0, len(a.known))
	for name, obs := range a.known {
		out = append(out, realization(name, obs, a.reports[name]))
	}
	a.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		x, y := out[i].SourceRef, out[j].SourceRef
		if x.Namespace != y.Namespace {
			return x.Namespace < y.Namespace
		}
		return x.Name < y.Name
	})
	return out
}

// realization renders one policy's state per Node of its span, sorted by Node.
func realization(name string, obs observed, reports map[string]controlplane.NetworkPolicyNodeStatus) *systemv1beta1.NetworkPolicyRealization {
	r := &systemv1beta1.NetworkPolicyRealization{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		SourceRef: systemv1beta1.PolicyReference{Type: string(obs.source.Type), Namespace: obs.source.Namespace,
			Name: obs.source.Name, UID: string(obs.source.UID)},
		Generation: obs.generation,
		Nodes:      make([]systemv1beta1.NodeRealization, 0, obs.span.Len()),
	}
	for node := range obs.span {
		r.Nodes = append(r.Nodes, nodeRealization(node, obs.generation, reports))
	}
	sort.Slice(r.Nodes, func(i, j int) bool { return r.Nodes[i].NodeName < r.Nodes[j].NodeName })
	return r
}

func nodeRealization(node string, generation int64, reports map[string]controlplane.NetworkPolicyNodeStatus) systemv1beta1.NodeRealization {
	nr := systemv1beta1.NodeRealization{NodeName: node, State: systemv1beta1.RealizationPending}
	rep, ok := reports[node]
	if !ok {
		return nr
	}
	nr.ReportedGeneration = rep.Generation
	switch {
	case rep.Generation != generation:
	case rep.RealizationFailure:
		nr.State, nr.Message = systemv1beta1.RealizationFailed, rep.Message
	default:
		nr.State = systemv1beta1.RealizationRealized
	}
	return nr
}
