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

package v1beta1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// ControllerInfoName is the name of the only ControllerInfo: the strata-apiserver
// answering the request.
const ControllerInfoName = "strata-apiserver"

// ControllerConditionType names a ControllerCondition.
type ControllerConditionType string

// ControllerHealthy is True while the policy computation runs.
const ControllerHealthy ControllerConditionType = "ControllerHealthy"

// +genclient
// +genclient:nonNamespaced
// +genclient:onlyVerbs=get,list
// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// ControllerInfo describes the strata-apiserver that answers: its version and build,
// where it runs, what it has computed and how many node agents watch it. It is
// computed on every request (`stratactl version`, `kubectl get controllerinfos`).
type ControllerInfo struct {
	metav1.TypeMeta `json:",inline"`
	// Standard object metadata; the name is always "strata-apiserver".
	// +optional
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Version is the server's version (git describe of its build).
	Version string `json:"version,omitempty"`
	// GitCommit is the commit the server was built from.
	// +optional
	GitCommit string `json:"gitCommit,omitempty"`
	// BuildDate is when the server was built.
	// +optional
	BuildDate string `json:"buildDate,omitempty"`
	// GoVersion is the Go release that built the server.
	// +optional
	GoVersion string `json:"goVersion,omitempty"`
	// Platform is the server's OS/architecture.
	// +optional
	Platform string `json:"platform,omitempty"`
	// NodeName is the host name of the machine (or Pod) running the server.
	// +optional
	NodeName string `json:"nodeName,omitempty"`
	// NetworkPolicyControllerInfo counts the computed objects.
	NetworkPolicyControllerInfo NetworkPolicyControllerInfo `json:"networkPolicyControllerInfo"`
	// ConnectedAgentNum is the number of Nodes whose agents watch the computed
	// NetworkPolicies.
	ConnectedAgentNum int32 `json:"connectedAgentNum"`
	// FeatureGates are Strata's feature gates and their state on this server.
	// +optional
	// +listType=map
	// +listMapKey=name
	FeatureGates []FeatureGate `json:"featureGates,omitempty"`
	// ControllerConditions report the server's health.
	// +optional
	// +listType=map
	// +listMapKey=type
	ControllerConditions []ControllerCondition `json:"controllerConditions,omitempty"`
}

// NetworkPolicyControllerInfo counts what the policy computation publishes.
type NetworkPolicyControllerInfo struct {
	// NetworkPolicyNum is the number of internal NetworkPolicies.
	NetworkPolicyNum int32 `json:"networkPolicyNum"`
	// AddressGroupNum is the number of AddressGroups.
	AddressGroupNum int32 `json:"addressGroupNum"`
	// AppliedToGroupNum is the number of AppliedToGroups.
	AppliedToGroupNum int32 `json:"appliedToGroupNum"`
}

// FeatureGate is one feature gate of the server.
type FeatureGate struct {
	// Name of the gate, e.g. AntreaPolicy.
	Name string `json:"name"`
	// Enabled tells whether the feature is on.
	Enabled bool `json:"enabled"`
	// Stage is ALPHA, BETA, GA or DEPRECATED.
	Stage string `json:"stage"`
}

// ControllerCondition is one condition of the server.
type ControllerCondition struct {
	// Type of the condition.
	Type ControllerConditionType `json:"type"`
	// Status is True, False or Unknown.
	Status metav1.ConditionStatus `json:"status"`
	// LastHeartbeatTime is when the condition was computed.
	// +optional
	LastHeartbeatTime metav1.Time `json:"lastHeartbeatTime,omitempty"`
	// Reason is a CamelCase word explaining the status.
	// +optional
	Reason string `json:"reason,omitempty"`
	// Message is a human-readable explanation.
	// +optional
	Message string `json:"message,omitempty"`
}

// +k8s:deepcopy-gen:interfaces=k8s.io/apimachinery/pkg/runtime.Object

// ControllerInfoList is a list of ControllerInfos (always one).
type ControllerInfoList struct {
	metav1.TypeMeta `json:",inline"`
	// Standard list metadata.
	// +optional
	metav1.ListMeta `json:"metadata,omitempty"`
	// Items is the list.
	Items []ControllerInfo `json:"items"`
}
