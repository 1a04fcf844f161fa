# shellcheck shell=bash
# Copyright The Strata Authors.
# SPDX-License-Identifier: Apache-2.0
#
# The worker nodes of the local cluster (sourced by hack/local-cluster.sh, which defines
# DIR, PKI, KCFG, LOGS, RUN, KUBE_BIN, PORT_BASE, NODES and the helpers info, die, kc,
# start_component, stop_component, wait_for, write_kubeconfig, cert_kubeconfig).
#
# Node K (1..NODES) is named workerK and is made of:
#   - its host: network namespace strata-<id>-nK with its own OVS (hack/local-cluster/node.sh),
#     joined to the other nodes by the underlay namespace strata-<id>-ul;
#   - strata-agent (root namespace; acts on the host through --host-netns and --ovs-rundir):
#     bridge, gateway, routes to the other nodes, policies, CNI server; it installs
#     strata-cni and its network config into DIR/nodes/K/cni; its HTTPS server (/healthz,
#     /readyz, /metrics) on 127.0.0.1:PORT_BASE+70+K, accepting the cluster CA's client
#     certificates (the admin's) and tokens;
#   - strata-vnode (virtual-kubelet): registers the Node, runs its Pods as network
#     namespaces attached through libcni and the installed strata-cni; kubelet API on
#     127.0.0.1:PORT_BASE+60+K; --cluster-dns DNS_IP; the relay of NODE_IP:6443 to
#     kube-apiserver (see below).
# Then CoreDNS (artifacts/local-cluster/coredns.yaml), waited for until Ready.
#
# The API server relay: kube-apiserver listens on 127.0.0.1 of the machine, out of the
# Pods' reach, and Service ClusterIPs have no proxy behind them yet, so in-cluster
# clients (CoreDNS's kubernetes plugin) cannot use KUBERNETES_SERVICE_HOST=10.96.0.1 as
# a kubelet sets it. Each vnode relays its node's IP:6443 to kube-apiserver (whose
# certificate names the node IPs) and gives its Pods that address instead
# (--apiserver-relay-port). Once ClusterIPs work and the `kubernetes` Service has
# endpoints the Pods reach, dropping the flag restores the kubelet's ClusterIP.
# <id> is derived from DIR, so that clusters in different directories never share a
# namespace name.

readonly NODE_NAME_PREFIX=worker T_NODES=180 T_DNS=180 NODE_APISERVER_RELAY_PORT=6443

# node_id: 6 hex characters identifying this cluster's namespaces.
nodes_id() { printf '%s' "$DIR" | sha1sum | cut -c1-6; }
underlay_netns() { echo "strata-$(nodes_id)-ul"; }
node_netns() { echo "strata-$(nodes_id)-n$1"; }
node_dir() { echo "$DIR/nodes/$1"; }
node_name() { echo "$NODE_NAME_PREFIX$1"; }
kubelet_port() { echo $((PORT_BASE + 60 + $1)); }
agent_port() { echo $((PORT_BASE + 70 + $1)); }

# node_sans: the nodes' IPs as extra names of kube-apiserver's certificate (",IP:..."),
# for the Pods that reach it through their node's relay.
node_sans() {
  local k
  for ((k = 1; k <= NODES; k++)); do
    printf ',IP:%s' "$(node_ip "$k")"
  done
}

# node_ports: "NAME PORT" of the kubelet API and of the agent server of every node,
# for the port check.
node_ports() {
  local k
  for ((k = 1; k <= NODES; k++)); do
    echo "kubelet-$(node_name "$k") $(kubelet_port "$k")"
    echo "strata-agent-$(node_name "$k") $(agent_port "$k")"
  done
}

build_node_binaries() {
  info "go build ./cmd/strata-agent ./cmd/strata-cni ./cmd/strata-vnode"
  (cd "$ROOT" && go build -ldflags "$(hack/version-ldflags.sh)" -o "$DIR/bin/" ./cmd/strata-agent ./cmd/strata-cni ./cmd/strata-vnode) >>"$LOGS/build.log" 2>&1 ||
    die "building the node programs failed:
$(tail -n 30 "$LOGS/build.log")"
  [[ -x $KUBE_BIN/agnhost ]] || die "missing $KUBE_BIN/agnhost: build it with hack/kube-binaries.sh"
  [[ -x $COREDNS_BIN/coredns ]] || die "missing $COREDNS_BIN/coredns: build it with hack/kube-binaries.sh"
}

# node_identities: the agents' RBAC (artifacts/agent, without the DaemonSet: agents run
# as processes here) and, per node, two client certificates: the agent's
# (system:strata-agent:<name>, group system:strata-agents: strata-apiserver's node
# authorizer confines it to its Node, docs/least-privilege.md) and the node
# substitute's (system:node:<name>, group system:nodes: the Node authorizer). No
# agent shares another's identity, and there is no agent token.
node_identities() {
  kc apply -f "$ROOT/artifacts/agent/rbac.yaml" >"$LOGS/apply-agent.log" 2>&1 ||
    die "kubectl apply of artifacts/agent/rbac.yaml failed: $(cat "$LOGS/apply-agent.log")"
  local k name
  # virtual-kubelet watches every Service, ConfigMap and Secret (a kubelet watches only
  # those of its Pods, which the Node authorizer grants): a dev-cluster-only grant.
  kc apply -f - >>"$LOGS/apply-agent.log" 2>&1 <<'EOF2' || die "granting the node substitutes their reads failed: $(cat "$LOGS/apply-agent.log")"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: strata-local-vnode}
rules:
- apiGroups: [""]
  resources: [services, configmaps, secrets]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: strata-local-vnode}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: strata-local-vnode}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:nodes"}
EOF2
  for ((k = 1; k <= NODES; k++)); do
    name=$(node_name "$k")
    (umask 077 && pki_cert "$PKI" "node-$name" "/O=system:nodes/CN=system:node:$name" ca clientAuth) ||
      die "creating the certificate of node $name failed"
    cert_kubeconfig "$KCFG/node-$name.kubeconfig" "node-$name"
    (umask 077 && pki_cert "$PKI" "agent-$name" "/O=system:strata-agents/CN=system:strata-agent:$name" ca clientAuth) ||
      die "creating the agent certificate of node $name failed"
    cert_kubeconfig "$KCFG/agent-$name.kubeconfig" "agent-$name"
  done
}

# start_node K: node K's host, agent and node substitute.
start_node() {
  local k=$1 name ns dir cp_flags=()
  name=$(node_name "$k") ns=$(node_netns "$k") dir=$(node_dir "$k")
  # Several strata-apiserver replicas: the agent watches them directly, its own first
  # (hack/local-cluster/replicas.sh).
  ((REPLICAS > 1)) && cp_flags=(--controlplane-servers="$(ha_agent_servers "$k")" --controlplane-ca-file="$PKI/ca.crt")
  mkdir -p "$dir/agent" "$dir/vnode" "$dir/cni/bin" "$dir/cni/net.d" "$dir/ipam"
  node_up "$(underlay_netns)" "$k" "$ns" "$dir" || die "bringing up the host of node $name failed"
  echo "$k" >>"$DIR/nodes/up"
  start_component "strata-agent-$name" "$DIR/bin/strata-agent" --node-name="$name" \
    --kubeconfig="$KCFG/agent-$name.kubeconfig" --ovs-rundir="$dir/run" --datapath-type=netdev \
    --state-dir="$dir/agent" --audit-log="$dir/log/np.log" \
    --pod-network --host-netns="$ns" \
    --cni-socket="$dir/run/cni.sock" --cni-bin-dir="$dir/cni/bin" --cni-conf-dir="$dir/cni/net.d" \
    --cni-plugin="$DIR/bin/strata-cni" --cni-ipam-dir="$dir/ipam" \
    --bind-address=127.0.0.1 --secure-port="$(agent_port "$k")" --client-ca-file="$PKI/ca.crt" \
    --stats-interval=2s "${cp_flags[@]}"
  start_component "strata-vnode-$name" "$DIR/bin/strata-vnode" --node-name="$name" \
    --kubeconfig="$KCFG/node-$name.kubeconfig" --node-ip="$(node_ip "$k")" \
    --kubelet-address=127.0.0.1 --kubelet-port="$(kubelet_port "$k")" \
    --state-dir="$dir/vnode" --cni-bin-dir="$dir/cni/bin" --cni-conf-dir="$dir/cni/net.d" \
    --host-netns="$ns" --agnhost="$KUBE_BIN/agnhost" --coredns="$COREDNS_BIN/coredns" \
    --cluster-dns="$DNS_IP" --cluster-domain="$CLUSTER_DOMAIN" \
    --apiserver-relay-port="$NODE_APISERVER_RELAY_PORT"
}

# start_dns: CoreDNS as kubeadm deploys it, waited for until its Pods are Ready.
start_dns() {
  kc apply -f "$ROOT/artifacts/local-cluster/coredns.yaml" >"$LOGS/apply-coredns.log" 2>&1 ||
    die "kubectl apply of artifacts/local-cluster/coredns.yaml failed: $(cat "$LOGS/apply-coredns.log")"
  wait_for "strata-vnode-$(node_name 1)" "$T_DNS" "the CoreDNS Pods (kube-system, k8s-app=kube-dns) of Deployment coredns to be Ready" \
    kc -n kube-system rollout status deployment/coredns --timeout=10s
  info "CoreDNS Ready: Service kube-system/kube-dns ($DNS_IP)"
}

start_nodes() {
  ((NODES == 0)) && return 0
  node_check_tools || die "the nodes cannot start"
  build_node_binaries
  node_identities
  mkdir -p "$DIR/nodes"
  underlay_up "$(underlay_netns)" || die "creating the underlay failed"
  local k names=()
  for ((k = 1; k <= NODES; k++)); do
    start_node "$k"
    names+=("node/$(node_name "$k")")
  done
  wait_for "strata-agent-$(node_name 1)" "$T_NODES" "${names[*]} to be Ready (agents installed the CNI config)" \
    kc wait --for=condition=Ready --timeout=10s "${names[@]}"
  info "nodes Ready: ${names[*]#node/}"
  start_dns
}

# stop_nodes: the node substitutes first, then their Pods (CNI DEL through the still
# running agents), then the agents and every host. Safe to run twice.
stop_nodes() {
  [[ -f $DIR/nodes/up ]] || return 0
  local k name dir
  while read -r k; do
    name=$(node_name "$k") dir=$(node_dir "$k")
    stop_component "strata-vnode-$name"
    "$DIR/bin/strata-vnode" cleanup --state-dir="$dir/vnode" --cni-bin-dir="$dir/cni/bin" \
      --cni-conf-dir="$dir/cni/net.d" --host-netns="$(node_netns "$k")" >>"$LOGS/strata-vnode-$name.log" 2>&1 ||
      echo "local-cluster: warning: cleaning up the Pods of $name failed; see $LOGS/strata-vnode-$name.log" >&2
  done <"$DIR/nodes/up"
  while read -r k; do
    stop_component "strata-agent-$(node_name "$k")"
    node_down "$(node_netns "$k")" "$(node_dir "$k")" || echo "local-cluster: warning: node $k: teardown incomplete" >&2
  done <"$DIR/nodes/up"
  underlay_down "$(underlay_netns)" || echo "local-cluster: warning: the underlay namespace is left" >&2
  rm -f "$DIR/nodes/up"
}
