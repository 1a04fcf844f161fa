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

// Package podsync keeps the pipeline's Pod flows in step with the Pod ports of the
// bridge. A Pod port is an OVS Port whose external_ids name the Pod (written by the
// CNI server when it attaches a Pod, or by tests attaching namespace "pods"); the
// ofport comes from OVSDB. On start it adds every Pod port found (so a restarted
// agent rebuilds its Pods from OVSDB), then follows changes through an OVSDB
// monitor of the Interface table. The monitor survives ovsdb-server restarts:
// after a reconnection it reports what changed meanwhile, and the Syncer
// synchronises again; Run returns only when ctx ends or the OVSDB client is
// closed or refuses the monitor.
package podsync
