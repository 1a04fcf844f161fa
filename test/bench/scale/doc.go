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

// Package scale is the high-availability scale benchmark, on the model of Antrea's agent
// simulator: many simulated strata-agents against two strata-apiserver replicas,
// with the Pods, Nodes and policies in a real kube-apiserver on a real etcd.
//
// What runs:
//   - A local cluster without nodes (hack/local-cluster.sh up --nodes 0): etcd,
//     kube-apiserver, kube-controller-manager, kube-scheduler and strata-apiserver
//     (replica 1, supervised by the script, its storage an etcd embedded in it).
//   - Replica 2: a second strata-apiserver process the benchmark starts with
//     replica 1's command line, another port (port base + 51) and replica 1's
//     etcd as its external storage (--etcd-servers), so both serve the same
//     policies; both campaign for the status Lease.
//   - -strata.nodes (1000) Nodes, 10 Pods on each (Running, with an IP; the
//     kubelet is missing, so the Nodes go NotReady and the Pods tolerate it),
//     in namespaces of 100 Pods over 10 Nodes, and 100 K8s NetworkPolicies per
//     namespace, each selecting 10 Pods (one per Node of its namespace) and
//     admitting 10 others: 10,000 Pods and 10,000 policies at 1,000 Nodes.
//   - One simulated agent per Node: the agent's own policy controller
//     (nodeagent/policy: its three watches of the Node's slice of
//     controlplane.antrea.io, rule completion, realization status and sync
//     reports, with the agent's client settings) whose Reconciler records the
//     rules instead of programming Open vSwitch. Each agent authenticates with its
//     Node's client certificate (system:strata-agent:<node>, group
//     system:strata-agents, issued from the cluster CA), so apiserver/nodeauth
//     confines it to its Node as in a cluster. Node i's agent connects to replica
//     (i mod 2)+1 directly, as Antrea's agents connect to antrea-controller's
//     Service (the local cluster's APIServices reach replica 1 only).
//
// With -strata.via=kube-apiserver the cluster is the production shape instead
// (hack/local-cluster.sh up --nodes 0 --apiserver-replicas 2 --etcd-members 3):
// the benchmark starts no replica of its own but uses the cluster's two
// supervised replicas (strata-apiserver-1 and -2, on a three-member TLS etcd),
// and every agent's server is kube-apiserver, whose APIServices reach the
// replicas through the local cluster's readiness-checking proxy: the agents'
// requests are spread over the replicas by that proxy, not by the benchmark.
// The restart phases then kill -9 replica 2, then replica 1, and let the
// supervisor start it again; ready-s is the kill to the new process's /readyz,
// all-synced-s the kill to no agent left on the killed process (those whose
// watches broke watched again through kube-apiserver, on the live replica or the
// new process, and had their sync reports accepted), moved-agents how many had a
// kind on the killed process, and the error answers are those of all the agents.
//
// Synced, in both modes: an agent's three watches (policies, address groups,
// applied-to groups) may be served by different replicas, each numbering its
// versions under its own server epoch, and the agent sends one sync report per
// epoch with the versions of that epoch's kinds (0 for the others). An agent is
// synced when, for every kind, its latest report carrying that kind was accepted
// and, in a restart phase, is of another epoch than the killed processes'.
// Through kube-apiserver a report may reach the replica that is not of its
// epoch, which hands it to the replica of its epoch through etcd; a report of an
// epoch no running replica has is refused (409). Every phase reports sync-409s
// (all the refused reports), sync-409s-live (those of an epoch of no killed
// process: a live replica refused it; expected 0) and sync-failures (the other
// failed posts: 5xx, no answer); agents-accepted (setup and restarts) counts
// the synced agents.
//
// The sub-benchmarks of BenchmarkAgentScale, in order:
//
//	setup             populate-s (creating the objects), replica2-ready-s,
//	                  agents-synced-s (all agents started until each is synced:
//	                  everything for its Node installed and its reports accepted)
//	policy-change     -strata.changes (50) updates of one NetworkPolicy's port;
//	                  for each, the time from the update sent to kube-apiserver to
//	                  the new rule handed to the Reconciler of every agent of the 10
//	                  Nodes the policy spans: p50/p99/max over all of them
//	status            10 Antrea ClusterNetworkPolicies applied to the Pods of one
//	                  namespace on one replica's Nodes (5 Nodes): the time from the
//	                  create to a status Realized with 5/5 Nodes. Only the Lease
//	                  holder writes status and it counts only the reports posted to
//	                  itself (docs/high-availability.md), so the figure is measured
//	                  on the agents of the holder (leader-replica)
//	steady-state      replica1/2 RSS (VmRSS) and CPU (cores, over 30 s)
//	restart-replica2  SIGKILL replica 2, start it again: ready-s (kill to /readyz),
//	                  all-resynced-s (kill to every one of its agents having synced
//	                  from the new process: sync reports of the new server epoch
//	                  accepted for every kind), and the error answers its agents
//	                  got meanwhile:
//	                  403s (as system:anonymous), 429s, 503s (authentication not
//	                  ready yet, retried by client-go), other-5xxs (500: a
//	                  SubjectAccessReview timed out)
//	restart-replica1  the same for replica 1, restarted by the script's supervisor
//
// To run it (as a user that may read the cluster's CA key; about 20 minutes at
// 1,000 Nodes on 2 busy cores):
//
//	hack/local-cluster.sh up --dir /tmp/scale-lc --port-base 44000 --nodes 0
//	go test ./test/bench/scale -run '^$' -bench AgentScale -benchtime=1x -timeout 90m \
//	    -strata.cluster=/tmp/scale-lc -strata.nodes=1000
//	hack/local-cluster.sh down --dir /tmp/scale-lc
//
// Through kube-apiserver (make bench-agents SCALE_VIA=kube-apiserver):
//
//	hack/local-cluster.sh up --dir /tmp/scale-lc --port-base 44000 --nodes 0 --apiserver-replicas 2 --etcd-members 3
//	go test ./test/bench/scale -run '^$' -bench AgentScale -benchtime=1x -timeout 90m \
//	    -strata.cluster=/tmp/scale-lc -strata.nodes=1000 -strata.via=kube-apiserver
//
// The objects stay in the cluster, so a second run skips their creation. Without
// -bench only TestSyncRecorder runs (the sync accounting, no cluster needed).
package scale
