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

package admission

import (
	"io"

	"k8s.io/apiserver/pkg/admission"
)

// Plugin names, in the order they run.
const (
	PolicyDefaultsName = "StrataPolicyDefaults"
	TiersName          = "StrataTiers"
	PolicyTierName     = "StrataPolicyTier"
	ClusterGroupsName  = "StrataClusterGroups"
	GroupsName         = "StrataGroups"
)

// PluginNames are Strata's plugins in the order they run: mutating first.
var PluginNames = []string{PolicyDefaultsName, TiersName, PolicyTierName, ClusterGroupsName, GroupsName}

// Register adds Strata's plugins to a registry.
func Register(plugins *admission.Plugins) {
	plugins.Register(PolicyDefaultsName, func(io.Reader) (admission.Interface, error) { return NewPolicyDefaults(), nil })
	plugins.Register(TiersName, func(io.Reader) (admission.Interface, error) { return NewTiers(), nil })
	plugins.Register(PolicyTierName, func(io.Reader) (admission.Interface, error) { return NewPolicyTier(), nil })
	plugins.Register(ClusterGroupsName, func(io.Reader) (admission.Interface, error) { return NewClusterGroups(), nil })
	plugins.Register(GroupsName, func(io.Reader) (admission.Interface, error) { return NewGroups(), nil })
}

// NewChain builds a chain of Strata's plugins alone, for servers that run without
// the generic admission plugins (standalone mode).
func NewChain(init admission.PluginInitializer) (admission.Interface, error) {
	plugins := admission.NewPlugins()
	Register(plugins)
	return plugins.NewFromPlugins(PluginNames, noConfig{}, init, nil)
}

// noConfig is the configuration of plugins that take none.
type noConfig struct{}

func (noConfig) ConfigFor(string) (io.Reader, error) { return nil, nil }
