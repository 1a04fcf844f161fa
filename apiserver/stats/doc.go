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

// Package stats sums the agents' traffic statistics per policy and per rule and
// serves them as stats.antrea.io/v1alpha1 objects.
//
//	agent (every --stats-interval): OVS metric flows' counters ─▶ increments since
//	   its previous report ─▶ POST controlplane.antrea.io nodestatssummaries
//	                                    │
//	                                    ▼
//	Aggregator.Collect: adds them to the policy's and the rule's totals (by the
//	   source policy's UID), stamps lastHit on rules that got packets
//	                                    │
//	computed policies (the controlplane store) ─▶ which policies and rules exist
//	                                    ▼
//	networkpolicystats, antreanetworkpolicystats, antreaclusternetworkpolicystats
//	   (get, list; every existing policy and rule, zeros included)
//
// Nothing is stored: the counts start when strata-apiserver starts (the objects'
// creationTimestamp), and a policy's counts go when its policy goes.
package stats
