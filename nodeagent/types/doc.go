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

// Package types holds what the node agent's packages exchange: the completed policy
// rule (a controlplane rule with its groups resolved to this Node's Pods and to peer
// addresses), the Pods the agent knows, and rule priorities. nodeagent/policy
// produces CompletedRules; nodeagent/pipeline turns them into OpenFlow flows.
package types
