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

package stratactl

import (
	"fmt"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	npav1beta1 "sigs.k8s.io/network-policy-api/apis/v1beta1"

	crdv1beta1 "github.com/strata-net/strata/apis/crd/v1beta1"
	"github.com/strata-net/strata/apiserver/cnpstatus"
)

// clients are the clients of the get commands.
type clients struct {
	strata   ClientFunc
	policies PolicyClientFunc
}

// The kinds of ClusterNetworkPolicy stratactl get realization shows, by the
// prefix of their NAME: Antrea's (crd.antrea.io, acnp/NAME or a bare NAME) and the
// upstream one (policy.networking.k8s.io, cnp/NAME).
type policyKind int

const (
	antreaKind policyKind = iota
	upstreamKind
)

const acnpPrefix, cnpPrefix = "acnp/", "cnp/"

// parsePolicyName splits a NAME argument into its kind and the object's name.
func parsePolicyName(arg string) (policyKind, string, error) {
	switch {
	case strings.HasPrefix(arg, cnpPrefix):
		return upstreamKind, strings.TrimPrefix(arg, cnpPrefix), nil
	case strings.HasPrefix(arg, acnpPrefix):
		return antreaKind, strings.TrimPrefix(arg, acnpPrefix), nil
	case strings.Contains(arg, "/"):
		return 0, "", fmt.Errorf("%q: name an Antrea ClusterNetworkPolicy as NAME or acnp/NAME, an upstream one as cnp/NAME", arg)
	}
	return antreaKind, arg, nil
}

// policyInfo is what the realization view shows of a policy of either kind.
type policyInfo struct {
	name        string // as stratactl names it: NAME (Antrea's) or cnp/NAME (upstream)
	kind        string // for the per-Node header
	uid         types.UID
	tier        string
	priority    string
	generation  int64
	phase       string
	conditions  []metav1.Condition // the upstream object's conditions
	notComputed string             // why a policy may have no realization yet
}

func antreaInfo(p *crdv1beta1.ClusterNetworkPolicy) policyInfo {
	phase := string(p.Status.Phase)
	if phase == "" { // before the first status write
		phase = string(crdv1beta1.NetworkPolicyPending)
	}
	return policyInfo{name: p.Name, kind: "ClusterNetworkPolicy", uid: p.UID, tier: p.Spec.Tier,
		priority: strconv.FormatFloat(p.Spec.Priority, 'f', -1, 64), generation: p.Generation, phase: phase,
		notComputed: "its Tier does not exist, or strata-apiserver is still computing"}
}

func upstreamInfo(p *npav1beta1.ClusterNetworkPolicy) policyInfo {
	return policyInfo{name: cnpPrefix + p.Name, kind: "ClusterNetworkPolicy (policy.networking.k8s.io)", uid: p.UID,
		tier: string(p.Spec.Tier), priority: strconv.Itoa(int(p.Spec.Priority)), generation: p.Generation,
		phase: upstreamPhase(p), conditions: p.Status.Conditions, notComputed: "strata-apiserver is still computing"}
}

// upstreamPhase sums the Accepted and Realized conditions up as the phase of
// Antrea's policies: Pending until they are about the current generation, Failed
// when a part is refused or a Node failed, Realized when every Node realized it,
// Realizing meanwhile.
func upstreamPhase(p *npav1beta1.ClusterNetworkPolicy) string {
	accepted := meta.FindStatusCondition(p.Status.Conditions, cnpstatus.ConditionAccepted)
	realized := meta.FindStatusCondition(p.Status.Conditions, cnpstatus.ConditionRealized)
	switch {
	case accepted == nil || realized == nil || realized.ObservedGeneration != p.Generation:
		return string(crdv1beta1.NetworkPolicyPending)
	case accepted.Status == metav1.ConditionFalse || realized.Reason == cnpstatus.ReasonRealizationFailed:
		return string(crdv1beta1.NetworkPolicyFailed)
	case realized.Status == metav1.ConditionTrue:
		return string(crdv1beta1.NetworkPolicyRealized)
	}
	return string(crdv1beta1.NetworkPolicyRealizing)
}
