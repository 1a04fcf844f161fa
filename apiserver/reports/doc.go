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

// Package reports keeps the node agents' realization reports in strata's etcd, so
// that every strata-apiserver replica reads the reports of every agent, whichever
// replica an agent posted to.
//
// One key per (Node, policy): <prefix>/realizationreports/<node>/<policy>, value
// the Node's report of that policy (generation, failure, message) in JSON. A
// report replaces its key whole: no read-modify-write, and a Node's keys are
// removed with one prefix delete when it leaves the cluster. The keys are not an
// API resource: nothing but strata-apiserver reads or writes them, and it writes
// only reports that passed the node authorizer and the own-Node admission of
// networkpolicies/status (apiserver/nodeauth), so an agent can never write the
// report of another Node.
//
// Every replica runs a Mirror: a list, then a watch from the list's revision,
// relisting after a compaction or a broken watch; its Sink (the status
// aggregator) holds the set. The status writer relists at the start of its term
// so that it never writes a status from a partial set.
package reports
