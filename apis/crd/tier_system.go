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

package crd

import "strings"

// Names of the system Tiers.
const (
	TierEmergency   = "emergency"
	TierSecurityOps = "securityops"
	TierNetworkOps  = "networkops"
	TierPlatform    = "platform"
	TierApplication = "application"
	TierBaseline    = "baseline"
)

// Priorities with a meaning of their own.
const (
	// DefaultTierPriority is the priority of the application Tier, the last Tier
	// enforced before Kubernetes NetworkPolicies.
	DefaultTierPriority int32 = 250
	// BaselineTierPriority is the priority of the baseline Tier, enforced after
	// Kubernetes NetworkPolicies.
	BaselineTierPriority int32 = 253
)

// SystemTier describes one of the Tiers that always exist.
// +k8s:deepcopy-gen=false
type SystemTier struct {
	Name        string
	Priority    int32
	Description string
}

// SystemTiers are created at the first start and can be neither deleted nor
// re-prioritised.
var SystemTiers = []SystemTier{
	{TierEmergency, 50, "[READ-ONLY]: System generated Emergency Tier"},
	{TierSecurityOps, 100, "[READ-ONLY]: System generated SecurityOps Tier"},
	{TierNetworkOps, 150, "[READ-ONLY]: System generated NetworkOps Tier"},
	{TierPlatform, 200, "[READ-ONLY]: System generated Platform Tier"},
	{TierApplication, DefaultTierPriority, "[READ-ONLY]: System generated default Application Tier"},
	{TierBaseline, BaselineTierPriority, "[READ-ONLY]: System generated Baseline Tier"},
}

// IsSystemTier tells whether name is the name of a system Tier.
func IsSystemTier(name string) bool {
	for _, t := range SystemTiers {
		if t.Name == name {
			return true
		}
	}
	return false
}

// IsBaselineTier tells whether a policy's spec.tier names the baseline Tier
// (case-insensitively, as the legacy static name "Baseline" is accepted too).
func IsBaselineTier(tier string) bool {
	return strings.EqualFold(tier, TierBaseline)
}

// legacyStaticTierNames are the capitalised Tier names of Antrea 0.9, still accepted
// in spec.tier without a Tier object of that name.
var legacyStaticTierNames = map[string]string{
	"Emergency":   TierEmergency,
	"SecurityOps": TierSecurityOps,
	"NetworkOps":  TierNetworkOps,
	"Platform":    TierPlatform,
	"Application": TierApplication,
	"Baseline":    TierBaseline,
}

// LegacyStaticTierName returns the system Tier a legacy static Tier name
// ("Emergency", "SecurityOps", ...) stands for, and whether it is one.
func LegacyStaticTierName(tier string) (string, bool) {
	name, ok := legacyStaticTierNames[tier]
	return name, ok
}
