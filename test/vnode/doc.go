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
// provider that runs each Pod as a network namespace with processes in it, since the
// development and CI machines have no container engine. cmd/strata-vnode is its
// program.
//
// Sandbox: a Pod bound to the node gets a named network namespace
// <netns-dir>/vnode-<node>-<random> (loopback up) attached by a CNI ADD through
// libcni, exactly as a container runtime does (ContainerID = the sandbox id, IfName
// eth0, CNI_ARGS IgnoreUnknown=1;K8S_POD_NAMESPACE;K8S_POD_NAME;
// K8S_POD_INFRA_CONTAINER_ID;K8S_POD_UID, results cached under the state dir), with
// the plugins and the first network config of the node's CNI directories. The plugins
// run in the node's host network namespace (RuntimeConfig.HostNetNS), where the runtime
// of a real node runs them. A failed ADD is undone with DEL and retried with a bounded
// back-off, sooner on TRY_AGAIN_LATER (code 11). hostNetwork Pods run in the node's
// namespace with the node's address, without CNI.
//
// Containers are processes started inside the sandbox namespace, each its own process
// group:
//   - image registry.k8s.io/e2e-test-images/agnhost:* runs the real agnhost binary with
//     the image's entrypoint (/agnhost) and default args (pause) under Docker semantics
//     for command and args ("sh -c ..." commands run the host's sh);
//   - image registry.k8s.io/coredns/coredns:* runs the configured coredns binary with
//     the image's entrypoint (/coredns, no CMD), under the same semantics;
//   - any other image runs a responder ("strata-vnode respond") that answers on every
//     declared containerPort, TCP and UDP, with the Pod's name.
//
// A Pod off the host network has its own UTS namespace (utsns.go), created with its
// sandbox and shared by its containers, exec'd processes and exec probes, whose
// hostname is the Pod's as a kubelet computes it (hostname.go: hostnameOverride, else
// spec.hostname, else the Pod's name, cut to 63 characters; the FQDN with
// setHostnameAsFQDN); HOSTNAME is set to it. hostNetwork Pods keep the host's.
//
// Each container runs in its own mount namespace (mountns.go), the host's with the
// container's volumes (volumes.go: emptyDir, hostPath, configMap, secret, downwardAPI
// fieldRef, projected with serviceAccountToken through the TokenRequest API, so the
// kube-api-access volume works) bind-mounted at their mountPaths, the image's own
// binary read-only where the image has it (the configured agnhost at /agnhost in
// agnhost containers, the configured coredns at /coredns in CoreDNS containers, so
// that `bash -c "/agnhost ..."` runs as in the image) and the Pod's
// resolv.conf at /etc/resolv.conf (off the host network also its /etc/hostname and
// a kubelet-managed /etc/hosts with the Pod's IPs, names and hostAliases); exec'd
// processes and exec probes join it. The
// resolv.conf follows dnsPolicy and dnsConfig exactly as a kubelet computes it
// (dns.go; --cluster-dns, --cluster-domain, --resolv-conf). Volume files are written
// once when the Pod starts (no refresh of ConfigMaps or tokens).
//
// Env is resolved by the provider once the sandbox has its address (env.go; the node
// runs with virtual-kubelet's SkipDownwardAPIResolution, whose own resolution refuses
// status.podIP and status.hostIP): envFrom ConfigMaps and Secrets, valueFrom fieldRef
// (status.podIP and status.hostIP too), configMapKeyRef and secretKeyRef; values are
// passed through with $(VAR) expanded. Output goes to one log file per
// container start; exits are reflected in the container statuses and restarts follow
// restartPolicy with kubelet's back-off (immediate, then 10s doubling to 5m). Init
// containers run first, in order. Startup, readiness and liveness probes of type
// tcpSocket and httpGet are dialled from the node's host network namespace (the node's
// gateway path, as a kubelet dials them), exec probes run inside the Pod's namespace;
// Ready follows readiness, a liveness failure restarts the container.
//
// Exec (kubectl exec) runs a host command inside the Pod's network namespace and the
// container's mount namespace ("/agnhost" is the configured agnhost, "/coredns" the
// configured coredns), with stdin and a pseudo-terminal when asked (a request for a
// pseudo-terminal and stderr together gets the terminal alone, which carries stderr, as
// from a kubelet; virtual-kubelet's handler alone would refuse it); logs (kubectl logs,
// -f, --tail, --limit-bytes, -p) read the log files; port-forward dials the Pod's
// loopback from inside its namespace. Attach, log timestamps and since are not
// supported.
//
// Deletion stops the processes (SIGTERM, SIGKILL after the grace period), runs CNI DEL,
// removes the namespace and the Pod's directory, reports the terminal status and then
// deletes the Pod object (Provider.OnPodDeleted), as a kubelet does. A Pod that finished
// for good (Succeeded, Failed) has its network released at once and keeps its logs.
//
// The Node is registered with its capacity, InternalIP (the underlay address), Hostname
// (the kubelet API address, through which kube-apiserver reaches the kubelet API on
// daemonEndpoints.kubeletEndpoint) and a lease; it is Ready only once a CNI network
// config exists in the CNI config directory, like a kubelet's NetworkReady.
//
// State: <state-dir>/pods/<uid>/ holds state.json (sandbox id, namespace paths, CNI
// network, PIDs with their start times) and the logs; <state-dir>/mntns and
// <state-dir>/utsns hold the mount and UTS namespace files; <state-dir>/vnode.lock keeps a
// second program off a state dir in use. A new provider (a restart, even after
// SIGKILL) first tears down what the previous run left — processes killed, CNI DEL,
// namespace removed — and virtual-kubelet then creates the Pods bound to the node
// afresh (new sandboxes and addresses). A graceful stop (SIGTERM) tears every Pod down.
package vnode
