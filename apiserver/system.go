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
	"context"
	"fmt"
	"os"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/registry/rest"
	genericapiserver "k8s.io/apiserver/pkg/server"

	"github.com/strata-net/strata/apis/scheme"
	systemv1beta1 "github.com/strata-net/strata/apis/system/v1beta1"
	"github.com/strata-net/strata/apis/version"
	"github.com/strata-net/strata/apiserver/features"
	"github.com/strata-net/strata/apiserver/policy"
	cpregistry "github.com/strata-net/strata/registry/controlplane"
	"github.com/strata-net/strata/registry/system/controllerinfo"
	"github.com/strata-net/strata/registry/system/networkpolicyrealization"
)

// installSystem installs system.antrea.io/v1beta1: the server's ControllerInfo and
// the per-Node realization of policies, both computed on request.
func installSystem(gs *genericapiserver.GenericAPIServer, info *infoSource, aggregator *policy.StatusAggregator) error {
	g := genericapiserver.NewDefaultAPIGroupInfo(systemv1beta1.GroupName, scheme.Scheme, scheme.ParameterCodec, scheme.Codecs)
	g.VersionedResourcesStorageMap["v1beta1"] = map[string]rest.Storage{
		"controllerinfos":           controllerinfo.NewREST(info),
		"networkpolicyrealizations": networkpolicyrealization.NewREST(aggregator),
	}
	if err := gs.InstallAPIGroup(&g); err != nil {
		return fmt.Errorf("installing %s: %w", systemv1beta1.GroupName, err)
	}
	return nil
}

// syncer tells whether the policy computation has computed its initial state.
type syncer interface {
	HasSynced() bool
	// Ready is nil once the first complete state is published; before, it says
	// what the computation waits for (an informer's list error names the etcd key
	// it cannot read).
	Ready() error
}

// infoSource computes the ControllerInfo from the build, the controlplane stores and
// the policy computation (nil when it does not run: standalone mode).
type infoSource struct {
	stores      *cpregistry.Stores
	computation syncer
}

var _ controllerinfo.Informer = &infoSource{}

// ControllerInfo implements controllerinfo.Informer.
func (s *infoSource) ControllerInfo(context.Context) *systemv1beta1.ControllerInfo {
	v := version.Get()
	return &systemv1beta1.ControllerInfo{
		Version: v.GitVersion, GitCommit: v.GitCommit, BuildDate: v.BuildDate, GoVersion: v.GoVersion,
		Platform: v.Platform, NodeName: nodeName(),
		NetworkPolicyControllerInfo: systemv1beta1.NetworkPolicyControllerInfo{
			NetworkPolicyNum:  int32(len(s.stores.NetworkPolicies.List())),
			AddressGroupNum:   int32(len(s.stores.AddressGroups.List())),
			AppliedToGroupNum: int32(len(s.stores.AppliedToGroups.List())),
		},
		ConnectedAgentNum:    int32(s.stores.NetworkPolicies.WatcherNodes().Len()),
		FeatureGates:         featureGates(),
		ControllerConditions: []systemv1beta1.ControllerCondition{s.healthy()},
	}
}

func (s *infoSource) healthy() systemv1beta1.ControllerCondition {
	c := systemv1beta1.ControllerCondition{Type: systemv1beta1.ControllerHealthy, LastHeartbeatTime: metav1.Now()}
	switch {
	case s.computation == nil:
		c.Status, c.Reason = metav1.ConditionFalse, "NoKubernetesAPI"
		c.Message = "standalone mode: no kube-apiserver, so no policy computation"
	case s.computation.Ready() != nil:
		c.Status, c.Reason = metav1.ConditionFalse, "Syncing"
		c.Message = s.computation.Ready().Error()
	case !s.computation.HasSynced():
		c.Status, c.Reason = metav1.ConditionFalse, "Syncing"
		c.Message = "the policy computation has changes to publish"
	default:
		c.Status, c.Reason = metav1.ConditionTrue, "Computed"
	}
	return c
}

func featureGates() []systemv1beta1.FeatureGate {
	var out []systemv1beta1.FeatureGate
	for _, g := range features.Statuses() {
		out = append(out, systemv1beta1.FeatureGate{Name: g.Name, Enabled: g.Enabled, Stage: g.Stage})
	}
	return out
}

// nodeName is the Node running the server (NODE_NAME from the downward API), else
// the host name.
func nodeName() string {
	if n := os.Getenv("NODE_NAME"); n != "" {
		return n
	}
	n, _ := os.Hostname()
	return n
}
