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

// Package apiserver benchmarks strata-apiserver with ClusterNetworkPolicies of
// realistic size (see Policy: 5 rules of 3 peers each, ports with a range, about
// 3.2 kB of JSON as stored), against one server run in-process in standalone mode
// with its embedded etcd on 127.0.0.1, through the generated clientset.
//
// The first benchmark that runs starts the server and populates it with
// -strata.policies (10000) policies on -strata.workers (8) client goroutines; that
// creation is reported as BenchmarkCreate/populate-10000/workers-8 (total-s, ops/s,
// p50-ms, p99-ms, then peak-RSS-MB, heap-inuse-MB and heap-live-MB right after
// it). Every other benchmark runs against this populated set and deletes, untimed,
// what it adds:
//
//	BenchmarkCreate  b.N creates on 1 and on 8 goroutines: ops/s, p50/p99/max latency
//	BenchmarkGet     b.N GETs of random policies on 1 and 8 goroutines (quorum reads)
//	BenchmarkList    full LISTs in JSON decoded by the typed client: consistent (no
//	                 resourceVersion), from the watch cache (resourceVersion 0),
//	                 without gzip, and paginated (limit 500); ms/list, bytes/list,
//	                 gzip-bytes/list. protobuf is skipped: the types have no protobuf
//	                 encoding and the server answers 406.
//	BenchmarkWatch   create-to-ADDED-event delivery on a watcher of all policies
//	                 (events/s, p50/p99), and the initial events of the populated set
//	                 through a watch from resourceVersion 0 (ms/initial-list)
//
// How it is measured:
//   - The client has no rate limit (QPS -1): client-go's default of 5 QPS would
//     measure the limiter. All requests share client-go's HTTP/2 connection.
//   - etcd fsyncs, as in production. -strata.nofsync runs the embedded etcd with
//     UnsafeNoFsync instead, to separate the disk from the server's own cost.
//   - peak-RSS-MB is VmHWM of the test process, which holds the server, its etcd
//     and the client together. heap-inuse-MB is the Go heap of the same process
//     and heap-live-MB the heap after a forced GC. Both grow after the populate
//     case: the watch cache keeps the objects that later benchmarks create and
//     delete for its event window, so the populate figures are the ones for 10k.
//   - Latencies are client-side, per request; ns/op of the load benchmarks is the
//     wall time divided by the operations, the inverse of ops/s. create-to-event
//     latency runs from sending the create to reading its ADDED event, so it
//     includes the create itself.
//
// Without -bench, `go test ./...` starts no server and runs only the unit tests
// that check the generated policies against the server's validation. To run the
// benchmarks at 10k (about 8 minutes on 2 shared cores; -v shows why protobuf is
// skipped):
//
//	go test ./test/bench/apiserver -run '^$' -bench . -benchtime=10s -timeout=60m -v
//
// and the same with -strata.nofsync appended for etcd without fsync.
// -strata.serverlogs prints the server's info logs; the etcd errors printed at
// shutdown ("mux: server closed") are etcd closing its listeners.
package apiserver
