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

// Package vnode is a node substitute for development and tests: a virtual-kubelet
// provider that runs each Pod as a network namespace with processes in it, since our
// machines have no container engine (DESIGN.md §8).
//
// A Pod bound to the node gets a sandbox: a named network namespace under /run/netns
// (loopback up) attached by a CNI ADD through libcni, exactly as a container runtime
// does (ContainerID = the sandbox id, IfName eth0, K8S_POD_* args), with the plugins and
// network config of the node's CNI directories. The plugins run in the node's host
// network namespace (Config.HostNetNS), where the runtime of a real node would run.
// ADD is retried with a bounded back-off, quickly on TRY_AGAIN_LATER (code 11).
//
// Containers are processes started inside the sandbox namespace:
//   - image registry.k8s.io/e2e-test-images/agnhost:* runs the real agnhost binary
//     (the image's entrypoint is /agnhost, its default args "pause") with the
//     container's command and args;
//   - any other image runs a responder (the "respond" subcommand of strata-vnode) that
//     answers on every declared containerPort, TCP and UDP, with the Pod's name.
//
// Their output goes to one log file per container start; exits are reflected in the
// container statuses and restarts follow restartPolicy with kubelet's back-off.
// Readiness, liveness and startup probes of type tcpSocket and httpGet are dialled
// from the node's host network namespace (the node's gateway path), exec probes run
// inside the Pod's namespace. RunInContainer (kubectl exec) runs a host command inside
// the Pod's namespace ("/agnhost" is the configured agnhost binary); GetContainerLogs
// (kubectl logs) reads the log files.
//
// The Node is registered Ready only once a CNI network config exists in the CNI
// config directory, like a kubelet's NetworkReady.
//
// State: each Pod has a directory <state-dir>/pods/<uid> with state.json (sandbox id,
// namespace path, PIDs and their start times) and the logs. A new provider (a restart)
// tears down what a previous run left there — processes killed, CNI DEL, namespace
// removed — and virtual-kubelet then creates the Pods bound to the node afresh.
package vnode
