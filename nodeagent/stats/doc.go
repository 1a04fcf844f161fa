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

// Package stats is the agent's side of the traffic statistics: every interval it
// reads the counters of every installed rule's metric flows from Open vSwitch,
// turns them into increments since its previous report, and posts them to
// strata-apiserver.
//
//	pipeline.RuleCounters (one FLOW_DESC dump per metric table)
//	      │  per rule: sessions, packets, bytes since the rule's flows were installed
//	      ▼
//	increments: counters minus the last reported ones (a counter lower than
//	      before means the flows were reinstalled: the whole counter is new)
//	      │  grouped by source policy; rule names as stats.antrea.io names them
//	      ▼
//	POST controlplane.antrea.io nodestatssummaries (name: the Node's)
//	      ──▶ the last reported counters move on only once the POST succeeded, so
//	          a failed report is sent again with the next one
package stats
