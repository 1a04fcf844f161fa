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

// Package cpclient points the agent's controlplane client at a list of
// strata-apiserver replicas (--controlplane-servers) instead of kube-apiserver's
// aggregation: requests go to the current server; a request that cannot reach it
// (connection refused or reset, timeout) or that it answers 502/503/504 moves the
// agent to the next server in the list, and the caller's jittered back-off
// (nodeagent/policy's watches, the reports' retries) sends the next request there.
// A Service address is a list of one: the Service spreads the connections.
package cpclient
