#!/usr/bin/env bash
# Copyright The Strata Authors.
# SPDX-License-Identifier: Apache-2.0
#
# A local Kubernetes cluster made of the real control-plane programs, run as processes
# on loopback (no container engine needed): etcd, kube-apiserver (with the aggregation
# layer), kube-controller-manager, kube-scheduler and strata-apiserver, registered
# through one APIService per served group-version (artifacts/base/apiservices.yaml).
#
# Usage:
#   hack/local-cluster.sh up     [--dir DIR] [--port-base N] [--nodes N] [--skip-kube-build]
#                                [--apiserver-replicas N] [--etcd-members M]
#   hack/local-cluster.sh status [--dir DIR]
#   hack/local-cluster.sh down   [--dir DIR]
#   hack/local-cluster.sh crash-ovs --node K --daemon ovsdb-server|ovs-vswitchd [--dir DIR]
#
#   up      builds what is missing (hack/kube-binaries.sh, strata-apiserver), starts every
#           component under a supervisor that restarts it when it dies (back-off 1 s to
#           30 s), and returns once the cluster is ready: every APIService Available and
#           `kubectl get tiers` answering. The cluster keeps running in the background.
#   status  each component with its PID, state and restart count; the APIServices'
#           Available condition. Exits 0 only when everything is up.
#   down    stops every process `up` started (by PID: SIGTERM, then SIGKILL after 30 s)
#           and removes DIR. Safe to run twice.
#   crash-ovs  kills node K's ovsdb-server or ovs-vswitchd with SIGKILL (a crash) and
#           starts it again on the same database, as a service manager would (fault tests).
#
# Options:
#   --dir DIR          state directory (default _output/local-cluster; env LOCAL_CLUSTER_DIR):
#                      kubeconfig (admin), logs/<component>.log, logs/supervisor.log, pki/,
#                      data/, run/ (PID files), bin/strata-apiserver
#   --port-base N      first port of the cluster (default 24300; env LOCAL_CLUSTER_PORT_BASE):
#                      etcd N, N+1 (peer), strata-apiserver's etcd N+2, kube-apiserver N+43,
#                      strata-apiserver N+49, kube-controller-manager N+57, kube-scheduler N+59
#   --nodes N          worker nodes (default 2, env LOCAL_CLUSTER_NODES; 0: control plane only; see
#                      hack/local-cluster/nodes.sh): each its own network
#                      namespace with its own OVS, strata-agent and strata-vnode (virtual-kubelet);
#                      kubelet APIs on ports N+61.., agent servers on N+71.. (needs root)
#   --skip-kube-build  do not run hack/kube-binaries.sh; fail if a binary is missing
#   --etcd-members M   strata-apiserver's storage (env LOCAL_CLUSTER_ETCD_MEMBERS): 0 (default)
#                      its embedded etcd; 1, 3 or 5: an etcd cluster of M members (components
#                      strata-etcd-1..M, the real etcd binary) with TLS between members (peer
#                      certificates) and for clients (strata-apiserver's client certificate);
#                      member m serves clients on N+3+2(m-1) and peers on N+4+2(m-1)
#   --apiserver-replicas N  strata-apiserver replicas (default 1, at most 7; env
#                      LOCAL_CLUSTER_APISERVER_REPLICAS); more than 1 needs --etcd-members.
#                      Replica r (component strata-apiserver-r) listens on N+49+r; the
#                      component strata-apiserver-proxy listens on N+49 (where the APIServices'
#                      ExternalName Service points) and spreads connections over the replicas
#                      that answer /readyz, as kube-proxy spreads a ClusterIP's connections over
#                      a Service's ready endpoints (hack/local-cluster/serviceproxy explains why
#                      not kube-apiserver's endpoint routing). One replica holds the status Lease.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HERE=$ROOT/hack/local-cluster
# shellcheck source=hack/local-cluster/lib.sh
source "$HERE/lib.sh"
# shellcheck source=hack/local-cluster/pki.sh
source "$HERE/pki.sh"
# shellcheck source=hack/local-cluster/node.sh
source "$HERE/node.sh"
# shellcheck source=hack/local-cluster/nodes.sh
source "$HERE/nodes.sh"
# shellcheck source=hack/local-cluster/replicas.sh
source "$HERE/replicas.sh"

readonly PROG=hack/local-cluster.sh
readonly SERVICE_CIDR=10.96.0.0/16 SERVICE_IP=10.96.0.1
# The cluster DNS (artifacts/local-cluster/coredns.yaml: the kube-dns Service's clusterIP).
readonly DNS_IP=10.96.0.10 CLUSTER_DOMAIN=cluster.local
readonly CLUSTER_CIDR=10.244.0.0/16 NODE_CIDR_MASK=24
readonly CLUSTER_NAME=strata-local
# Timeouts (seconds) of the waits of `up`; generous, for a busy 2-core machine.
readonly T_ETCD=60 T_APISERVER=180 T_STRATA=120 T_APISERVICE=120 T_GET=60 T_CONTROLLERS=120
# The controllers this cluster needs: the workload, endpoint, namespace, garbage-collection
# and node controllers the tests' workloads use, plus what they depend on (replica sets
# for deployments, service accounts and the root CA ConfigMap for pods, role aggregation
# for the view/edit/admin rules, CSR signing for nodes' kubelets).
readonly KCM_CONTROLLERS=replicationcontroller-controller,replicaset-controller,deployment-controller,statefulset-controller,daemonset-controller,endpoints-controller,endpointslice-controller,endpointslice-mirroring-controller,namespace-controller,garbage-collector-controller,node-ipam-controller,node-lifecycle-controller,pod-garbage-collector-controller,serviceaccount-controller,serviceaccount-token-controller,root-ca-certificate-publisher-controller,clusterrole-aggregation-controller,certificatesigningrequest-signing-controller,certificatesigningrequest-approving-controller,taint-eviction-controller

# ---------------------------------------------------------------------------------------
# Messages

T0=$(lc_now)
info() { printf '[%6.1fs] %s\n' "$(awk -v a="$(lc_now)" -v b="$T0" 'BEGIN {print a - b}')" "$*"; }
die() {
  echo "local-cluster: error: $*" >&2
  exit 1
}
usage() {
  awk 'NR > 4 && !/^#/ {exit} NR > 4 {sub(/^# ?/, ""); print}' "${BASH_SOURCE[0]}"
}

# ---------------------------------------------------------------------------------------
# Configuration: flags, then the state directory's layout

# set_layout: the paths and ports derived from DIR and PORT_BASE.
set_layout() {
  ENV_FILE=$DIR/local-cluster.env
  RUN=$DIR/run LOGS=$DIR/logs PKI=$DIR/pki DATA=$DIR/data KCFG=$DIR/kubeconfigs
  KUBECONFIG_ADMIN=$DIR/kubeconfig
  PORT_ETCD=$((PORT_BASE)) PORT_ETCD_PEER=$((PORT_BASE + 1)) PORT_STRATA_ETCD=$((PORT_BASE + 2))
  PORT_APISERVER=$((PORT_BASE + 43)) PORT_STRATA=$((PORT_BASE + 49))
  PORT_KCM=$((PORT_BASE + 57)) PORT_SCHEDULER=$((PORT_BASE + 59))
  ha_layout
}

# ports: "NAME PORT" for every port the cluster listens on.
ports() {
  printf '%s %s\n' etcd "$PORT_ETCD" etcd-peer "$PORT_ETCD_PEER" kube-apiserver "$PORT_APISERVER" \
    strata-apiserver "$PORT_STRATA" strata-apiserver-etcd "$PORT_STRATA_ETCD" \
    kube-controller-manager "$PORT_KCM" kube-scheduler "$PORT_SCHEDULER"
  ha_ports
  node_ports
}

# parse_flags ALLOWED ARGS...: sets DIR, PORT_BASE, NODES, SKIP_KUBE_BUILD from the
# flags named in ALLOWED (space-separated) and the environment.
parse_flags() {
  local allowed=" $1 "
  shift
  DIR=${LOCAL_CLUSTER_DIR:-$ROOT/_output/local-cluster}
  PORT_BASE=${LOCAL_CLUSTER_PORT_BASE:-24300}
  NODES=${LOCAL_CLUSTER_NODES:-2} SKIP_KUBE_BUILD=false
  REPLICAS=${LOCAL_CLUSTER_APISERVER_REPLICAS:-1} ETCD_MEMBERS=${LOCAL_CLUSTER_ETCD_MEMBERS:-0}
  while (($#)); do
    local flag=${1%%=*} value=
    [[ $allowed == *" $flag "* ]] || die "unknown flag '$1' for '$COMMAND' (see $PROG --help)"
    case $flag in
      --skip-kube-build) SKIP_KUBE_BUILD=true; shift; continue ;;
    esac
    if [[ $1 == *=* ]]; then
      value=${1#*=}
      shift
    else
      (($# >= 2)) || die "$flag needs a value"
      value=$2
      shift 2
    fi
    case $flag in
      --dir) DIR=$value ;;
      --port-base) PORT_BASE=$value ;;
      --nodes) NODES=$value ;;
      --apiserver-replicas) REPLICAS=$value ;;
      --etcd-members) ETCD_MEMBERS=$value ;;
    esac
  done
  [[ -n $DIR ]] || die "--dir must not be empty"
  [[ $DIR == /* ]] || DIR=$PWD/$DIR
  DIR=${DIR%/}
  if ! [[ $PORT_BASE =~ ^[0-9]+$ ]] || ((PORT_BASE < 1024 || PORT_BASE > 65475)); then
    die "--port-base (or LOCAL_CLUSTER_PORT_BASE) must be a number from 1024 to 65475, got '$PORT_BASE'"
  fi
  [[ $NODES =~ ^[0-9]+$ ]] || die "--nodes must be a number (0 or more), got '$NODES'"
  ha_check_flags
  set_layout
}

# load_env: reads the configuration `up` recorded in DIR (ports, nodes).
load_env() {
  local key value
  while IFS='=' read -r key value; do
    case $key in
      PORT_BASE) PORT_BASE=$value ;;
      NODES) NODES=$value ;;
      REPLICAS) REPLICAS=$value ;;
      ETCD_MEMBERS) ETCD_MEMBERS=$value ;;
    esac
  done <"$ENV_FILE"
  set_layout
}

# ---------------------------------------------------------------------------------------
# Pre-flight checks of `up`

check_tools() {
  local tool
  for tool in kubectl openssl curl go setsid base64; do
    command -v "$tool" >/dev/null || die "'$tool' is not in PATH; install it (Debian: hack/install-deps.sh installs openssl and curl; kubectl must be preinstalled)"
  done
}

# live_pids: "NAME PID" of every process recorded under DIR/run that still runs.
live_pids() {
  local f pid name
  for f in "$RUN"/*.pid; do
    [[ -e $f ]] || continue
    if pid=$(pidfile_pid "$f"); then
      name=$(basename "$f" .pid)
      echo "$name $pid"
    fi
  done
}

# check_dir: DIR must not exist, be empty, or be... nothing else. Explains how to fix.
check_dir() {
  [[ -e $DIR ]] || return 0
  [[ -d $DIR ]] || die "--dir $DIR exists and is not a directory; choose another --dir"
  if [[ -f $ENV_FILE ]]; then
    local running
    running=$(live_pids | tr '\n' ' ')
    if [[ -n $running ]]; then
      die "a local cluster is already running in $DIR (processes: ${running% }).
  Use it (kubeconfig: $KUBECONFIG_ADMIN; '$PROG status --dir $DIR'),
  or stop it first: $PROG down --dir $DIR"
    fi
    die "$DIR holds the state of a local cluster that is not running (a crashed or interrupted run?).
  Remove it with: $PROG down --dir $DIR   (or use another --dir)"
  fi
  [[ -z $(ls -A "$DIR") ]] ||
    die "--dir $DIR exists, is not empty and was not created by $PROG (no $(basename "$ENV_FILE")); choose another --dir"
}

# port_user PORT: prints what listens on 127.0.0.1:PORT (or any address), if anything.
port_user() {
  if command -v ss >/dev/null; then
    ss -Hltnp "sport = :$1" 2>/dev/null | awk '{print $4, $6}' | head -1
  elif (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    echo "127.0.0.1:$1"
  fi
}

check_ports() {
  local name port user problems=""
  while read -r name port; do
    user=$(port_user "$port")
    [[ -z $user ]] || problems+="  port $port ($name) is already in use: $user"$'\n'
  done < <(ports)
  [[ -z $problems ]] && return 0
  die "ports needed by the local cluster are taken:
${problems}  Stop whatever uses them, or move the cluster with --port-base N (or LOCAL_CLUSTER_PORT_BASE=N);
  it uses ports N..N+59 (now N=$PORT_BASE)."
}

# kube_binaries: sets KUBE_BIN, ETCD_BIN and COREDNS_BIN, building them unless --skip-kube-build.
kube_binaries() {
  local name
  if ! $SKIP_KUBE_BUILD; then
    info "hack/kube-binaries.sh (a no-op when cached; a cold build takes 15-36 minutes)"
    "$ROOT/hack/kube-binaries.sh" | sed 's/^/    /' || die "hack/kube-binaries.sh failed (see its output above)"
  fi
  KUBE_BIN=$("$ROOT/hack/kube-binaries.sh" --print-dir)
  ETCD_BIN=$("$ROOT/hack/kube-binaries.sh" --print-etcd-dir)
  COREDNS_BIN=$("$ROOT/hack/kube-binaries.sh" --print-coredns-dir)
  for name in "$ETCD_BIN/etcd" "$COREDNS_BIN/coredns" "$KUBE_BIN/kube-apiserver" "$KUBE_BIN/kube-controller-manager" "$KUBE_BIN/kube-scheduler"; do
    [[ -x $name ]] || die "missing binary $name: build it with hack/kube-binaries.sh (a cold build takes 15-36 minutes; then it is cached)"
  done
}

build_strata() {
  info "go build ./cmd/strata-apiserver ./cmd/stratactl"
  mkdir -p "$DIR/bin"
  (cd "$ROOT" && go build -ldflags "$(hack/version-ldflags.sh)" -o "$DIR/bin/" ./cmd/strata-apiserver ./cmd/stratactl) \
    >"$LOGS/build.log" 2>&1 ||
    die "building strata-apiserver and stratactl failed:
$(tail -n 30 "$LOGS/build.log")"
}

# ---------------------------------------------------------------------------------------
# Kubeconfigs

# write_kubeconfig FILE USER (--client-certificate=... --client-key=... | --token=...)
write_kubeconfig() {
  local file=$1 user=$2
  shift 2
  kubectl config --kubeconfig="$file" set-cluster "$CLUSTER_NAME" --server="https://127.0.0.1:$PORT_APISERVER" \
    --certificate-authority="$PKI/ca.crt" --embed-certs=true >/dev/null
  kubectl config --kubeconfig="$file" set-credentials "$user" "$@" >/dev/null
  kubectl config --kubeconfig="$file" set-context "$CLUSTER_NAME" --cluster="$CLUSTER_NAME" --user="$user" >/dev/null
  kubectl config --kubeconfig="$file" use-context "$CLUSTER_NAME" >/dev/null
  chmod 600 "$file"
}

# cert_kubeconfig FILE NAME: a kubeconfig for the client certificate PKI/NAME.{crt,key}.
cert_kubeconfig() {
  write_kubeconfig "$1" "$2" --client-certificate="$PKI/$2.crt" --client-key="$PKI/$2.key" --embed-certs=true
}

# kc ARGS...: kubectl as the admin of this cluster.
kc() { kubectl --kubeconfig="$KUBECONFIG_ADMIN" --request-timeout=30s "$@"; }

# ---------------------------------------------------------------------------------------
# Components

# start_component NAME COMMAND...: runs COMMAND under its own supervisor (own session),
# and waits until the supervisor has recorded itself.
start_component() {
  local name=$1 i
  shift
  echo "$name" >>"$RUN/order"
  setsid "$HERE/supervise.sh" "$DIR" "$name" -- "$@" </dev/null >>"$LOGS/supervisor.log" 2>&1 &
  for ((i = 0; i < 100; i++)); do
    [[ -s $RUN/$name.pid ]] && return 0
    sleep 0.05
  done
  die "the supervisor of $name did not start within 5s; see $LOGS/supervisor.log"
}

restarts_of() { cat "$RUN/$1.restarts" 2>/dev/null || echo 0; }

# wait_for COMPONENT TIMEOUT WHAT COMMAND...: polls COMMAND until it succeeds. Fails,
# naming WHAT, after TIMEOUT seconds or as soon as COMPONENT died twice.
wait_for() {
  local component=$1 timeout=$2 what=$3 deadline out=""
  shift 3
  deadline=$((SECONDS + timeout))
  while :; do
    out=$("$@" 2>&1) && return 0
    if (($(restarts_of "$component") >= 2)); then
      die "$component keeps exiting while waiting for $what; last lines of $LOGS/$component.log:
$(tail -n 25 "$LOGS/$component.log")"
    fi
    if ((SECONDS >= deadline)); then
      die "timed out after ${timeout}s waiting for $what; last error: $(tail -n 3 <<<"$out")
  last lines of $LOGS/$component.log:
$(tail -n 25 "$LOGS/$component.log")"
    fi
    sleep 0.3
  done
}

start_etcd() {
  start_component etcd "$ETCD_BIN/etcd" --name=local --data-dir="$DATA/etcd" \
    --listen-client-urls="http://127.0.0.1:$PORT_ETCD" --advertise-client-urls="http://127.0.0.1:$PORT_ETCD" \
    --listen-peer-urls="http://127.0.0.1:$PORT_ETCD_PEER" --initial-advertise-peer-urls="http://127.0.0.1:$PORT_ETCD_PEER" \
    --initial-cluster="local=http://127.0.0.1:$PORT_ETCD_PEER" --listen-metrics-urls="" --log-level=warn
  wait_for etcd "$T_ETCD" "etcd's /health on 127.0.0.1:$PORT_ETCD" \
    curl -sf --max-time 5 "http://127.0.0.1:$PORT_ETCD/health"
  info "etcd ready on 127.0.0.1:$PORT_ETCD"
}

start_kube_apiserver() {
  start_component kube-apiserver "$KUBE_BIN/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$PORT_ETCD" \
    --bind-address=127.0.0.1 --secure-port="$PORT_APISERVER" \
    --advertise-address=127.0.0.1 --endpoint-reconciler-type=none \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
    --client-ca-file="$PKI/ca.crt" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --authorization-mode=Node,RBAC \
    --allow-privileged=true \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --requestheader-client-ca-file="$PKI/front-proxy-ca.crt" \
    --requestheader-allowed-names=front-proxy-client \
    --requestheader-username-headers=X-Remote-User \
    --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --proxy-client-cert-file="$PKI/front-proxy-client.crt" --proxy-client-key-file="$PKI/front-proxy-client.key"
  wait_for kube-apiserver "$T_APISERVER" "kube-apiserver's /readyz on 127.0.0.1:$PORT_APISERVER" \
    curl -sf --max-time 5 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
    "https://127.0.0.1:$PORT_APISERVER/readyz"
  info "kube-apiserver ready on 127.0.0.1:$PORT_APISERVER"
}

start_controllers() {
  start_component kube-controller-manager "$KUBE_BIN/kube-controller-manager" \
    --kubeconfig="$KCFG/kube-controller-manager.kubeconfig" \
    --authentication-kubeconfig="$KCFG/kube-controller-manager.kubeconfig" \
    --authorization-kubeconfig="$KCFG/kube-controller-manager.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$PORT_KCM" \
    --leader-elect=false --cluster-name="$CLUSTER_NAME" \
    --controllers="$KCM_CONTROLLERS" \
    --use-service-account-credentials=true \
    --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
    --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --allocate-node-cidrs=true --cluster-cidr="$CLUSTER_CIDR" --node-cidr-mask-size="$NODE_CIDR_MASK" \
    --service-cluster-ip-range="$SERVICE_CIDR"
  start_component kube-scheduler "$KUBE_BIN/kube-scheduler" \
    --kubeconfig="$KCFG/kube-scheduler.kubeconfig" \
    --authentication-kubeconfig="$KCFG/kube-scheduler.kubeconfig" \
    --authorization-kubeconfig="$KCFG/kube-scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --secure-port="$PORT_SCHEDULER" --leader-elect=false
}

# apply_identity: strata-apiserver's ServiceAccount, RBAC, the aggregated roles and its
# ConfigMap (every file of artifacts/base but the APIServices), and its kubeconfig with a token of
# that ServiceAccount.
apply_identity() {
  local f files=()
  for f in "$ROOT"/artifacts/base/*.yaml; do
    [[ $(basename "$f") == apiservices.yaml ]] || files+=(-f "$f")
  done
  kc apply "${files[@]}" >"$LOGS/apply-base.log" 2>&1 ||
    die "kubectl apply of artifacts/base failed: $(cat "$LOGS/apply-base.log")"
  local token
  token=$(kc create token strata-apiserver --namespace=kube-system --duration=87600h) ||
    die "could not get a token for ServiceAccount kube-system/strata-apiserver"
  write_kubeconfig "$KCFG/strata-apiserver.kubeconfig" strata-apiserver --token="$token"
  info "applied artifacts/base (ServiceAccount, RBAC, aggregated roles, ConfigMap strata-config)"
}

# crd_established NAME: succeeds once the CRD NAME has its Established condition True.
crd_established() {
  local status
  status=$(kc get crd "$1" -o 'jsonpath={.status.conditions[?(@.type=="Established")].status}') || return 1
  [[ $status == True ]] || { echo "CRD $1 Established: ${status:-no condition yet}"; return 1; }
}

# apply_upstream_crds: the ClusterNetworkPolicy CRD of sigs.k8s.io/network-policy-api
# (artifacts/network-policy-api, its experimental channel: a superset of the standard one),
# Established before strata-apiserver starts, since its computation watches it.
apply_upstream_crds() {
  local crd=$ROOT/artifacts/network-policy-api/experimental/policy.networking.k8s.io_clusternetworkpolicies.yaml
  kc apply -f "$crd" >"$LOGS/apply-network-policy-api.log" 2>&1 ||
    die "kubectl apply of $crd failed: $(cat "$LOGS/apply-network-policy-api.log")"
  # Polled, not kubectl wait: that fails at once while the new CRD has no conditions yet.
  wait_for kube-apiserver "$T_STRATA" "CRD clusternetworkpolicies.policy.networking.k8s.io to be Established" \
    crd_established clusternetworkpolicies.policy.networking.k8s.io
  info "applied the ClusterNetworkPolicy CRD of network-policy-api v0.3.0 (experimental channel)"
}

# start_strata: strata-apiserver as configured: one process on its embedded etcd
# (the default), or replicas on the etcd cluster (hack/local-cluster/replicas.sh).
start_strata() {
  if ha_enabled; then
    ha_start_strata
    return
  fi
  local kubeconfig=$KCFG/strata-apiserver.kubeconfig conf=$DIR/strata-apiserver.conf
  # Its configuration file is the ConfigMap's, as a Deployment would mount it (a change
  # of the ConfigMap takes effect at the next start).
  kc -n kube-system get configmap strata-config -o jsonpath='{.data.strata-apiserver\.conf}' >"$conf" ||
    die "could not read strata-apiserver.conf from ConfigMap kube-system/strata-config (artifacts/base/configmap.yaml)"
  start_component strata-apiserver "$DIR/bin/strata-apiserver" --config="$conf" \
    --bind-address=127.0.0.1 --secure-port="$PORT_STRATA" \
    --tls-cert-file="$PKI/strata-apiserver.crt" --tls-private-key-file="$PKI/strata-apiserver.key" \
    --kubeconfig="$kubeconfig" --authentication-kubeconfig="$kubeconfig" --authorization-kubeconfig="$kubeconfig" \
    --data-dir="$DATA/strata-apiserver" --embedded-etcd-listen="127.0.0.1:$PORT_STRATA_ETCD"
  wait_for strata-apiserver "$T_STRATA" "strata-apiserver's /readyz on 127.0.0.1:$PORT_STRATA" \
    curl -sf --max-time 5 --cacert "$PKI/ca.crt" "https://127.0.0.1:$PORT_STRATA/readyz"
  info "strata-apiserver ready on 127.0.0.1:$PORT_STRATA"
}

# render_apiservices: artifacts/base/apiservices.yaml and the ExternalName Service of
# artifacts/local-cluster, with this cluster's port and CA (kustomize, built into kubectl).
render_apiservices() {
  local out=$DIR/manifests ca
  mkdir -p "$out"
  cp "$ROOT/artifacts/base/apiservices.yaml" "$ROOT/artifacts/local-cluster/service.yaml" "$out/"
  ca=$(base64 -w0 <"$PKI/ca.crt")
  cat >"$out/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [apiservices.yaml, service.yaml]
patches:
- target: {kind: APIService}
  patch: |-
    - {op: replace, path: /spec/service/port, value: $PORT_STRATA}
    - {op: add, path: /spec/caBundle, value: "$ca"}
- target: {kind: Service, name: strata-apiserver}
  patch: |-
    - {op: replace, path: /spec/ports/0/port, value: $PORT_STRATA}
EOF
  kubectl kustomize "$out" >"$out/rendered.yaml" 2>"$LOGS/kustomize.log" ||
    die "kubectl kustomize $out failed: $(cat "$LOGS/kustomize.log")"
}

register_apiservices() {
  render_apiservices
  local names
  names=$(kc apply -f "$DIR/manifests/rendered.yaml" -o name 2>"$LOGS/apply-apiservices.log") ||
    die "kubectl apply of the APIServices failed: $(cat "$LOGS/apply-apiservices.log")"
  mapfile -t APISERVICES < <(grep '^apiservice' <<<"$names")
  ((${#APISERVICES[@]})) || die "artifacts/base/apiservices.yaml holds no APIService"
  wait_for strata-apiserver "$T_APISERVICE" "${APISERVICES[*]#*/} to be Available" \
    kc wait --for=condition=Available --timeout=10s "${APISERVICES[@]}"
  info "APIServices Available: ${APISERVICES[*]#*/}"
  # Gotcha: an APIService can report Available while requests still fail; only a real
  # request through kube-apiserver tells that the server answers.
  wait_for strata-apiserver "$T_GET" "'kubectl get tiers' through kube-apiserver" kc get tiers
  info "kubectl get tiers answers through kube-apiserver"
}

# wait_controllers: kube-controller-manager and kube-scheduler are healthy, and the
# controllers the cluster relies on did their first job.
wait_controllers() {
  wait_for kube-controller-manager "$T_CONTROLLERS" "kube-controller-manager's /healthz on 127.0.0.1:$PORT_KCM" \
    curl -sfk --max-time 5 "https://127.0.0.1:$PORT_KCM/healthz"
  wait_for kube-scheduler "$T_CONTROLLERS" "kube-scheduler's /healthz on 127.0.0.1:$PORT_SCHEDULER" \
    curl -sfk --max-time 5 "https://127.0.0.1:$PORT_SCHEDULER/healthz"
  wait_for kube-controller-manager "$T_CONTROLLERS" "the ServiceAccount default/default (serviceaccount controller)" \
    kc get serviceaccount default --namespace=default
  wait_for kube-controller-manager "$T_CONTROLLERS" "the policy rules in ClusterRole view (clusterrole-aggregation controller)" \
    grep_view_role
  info "kube-controller-manager and kube-scheduler ready"
}

grep_view_role() {
  kc get clusterrole view -o jsonpath='{.rules[*].resources}' | grep -q clusternetworkpolicies
}

# ---------------------------------------------------------------------------------------
# Stopping

# stop_component NAME: stops NAME's supervisor (which stops NAME), then NAME itself if
# it is still there (its supervisor may have been killed).
stop_component() {
  local name=$1 spid="" sstart="" pid="" start="" how alive=false
  [[ -f $RUN/$name.supervisor.pid ]] && read -r spid sstart <"$RUN/$name.supervisor.pid"
  [[ -f $RUN/$name.pid ]] && read -r pid start <"$RUN/$name.pid"
  pidfile_pid "$RUN/$name.pid" >/dev/null && alive=true
  if [[ -n $spid ]]; then
    stop_pid "$spid" "$sstart" 40 >/dev/null ||
      echo "local-cluster: warning: the supervisor of $name (pid $spid) survived SIGKILL" >&2
  fi
  if [[ -n $pid ]]; then
    # Normally its supervisor has stopped it; not if the supervisor was killed.
    how=$(stop_pid "$pid" "$start" 30) || echo "local-cluster: warning: $name (pid $pid) survived SIGKILL" >&2
    case $how in
      gone) $alive && echo "    $name (pid $pid) stopped" || echo "    $name (pid $pid) was not running" ;;
      kill) echo "    $name (pid $pid) stopped with SIGKILL after 30s" ;;
      *) echo "    $name (pid $pid) stopped (its supervisor was gone)" ;;
    esac
  fi
  rm -f "$RUN/$name.supervisor.pid" "$RUN/$name.pid"
  return 0
}

# stop_all: stops every component, clients before the servers they use: first all
# others together (controllers, scheduler, nodes), then strata-apiserver, kube-apiserver
# and etcd. Order matters: strata-apiserver waits up to 60 s on SIGTERM for the watches
# that kube-controller-manager holds on it (through kube-apiserver) to end.
stop_all() {
  stop_nodes
  [[ -f $RUN/order ]] || return 0
  local names name pids=()
  mapfile -t names < <(tac "$RUN/order" | awk '!seen[$0]++')
  for name in "${names[@]}"; do
    case $name in
      strata-apiserver* | kube-apiserver | etcd | strata-etcd-*) ;;
      *) stop_component "$name" & pids+=($!) ;;
    esac
  done
  ((${#pids[@]} == 0)) || wait "${pids[@]}"
  # The replicas together (each may wait for its watches), then the proxy in front of them.
  pids=()
  for name in "${names[@]}"; do
    [[ $name == strata-apiserver || $name == strata-apiserver-[0-9]* ]] && { stop_component "$name" & pids+=($!); }
  done
  ((${#pids[@]} == 0)) || wait "${pids[@]}"
  for name in strata-apiserver-proxy kube-apiserver etcd; do
    [[ " ${names[*]} " == *" $name "* ]] && stop_component "$name"
  done
  pids=()
  for name in "${names[@]}"; do
    [[ $name == strata-etcd-* ]] && { stop_component "$name" & pids+=($!); }
  done
  ((${#pids[@]} == 0)) || wait "${pids[@]}"
  return 0
}

# ---------------------------------------------------------------------------------------
# Commands

cmd_up() {
  parse_flags "--dir --port-base --nodes --skip-kube-build --apiserver-replicas --etcd-members" "$@"
  check_tools
  check_dir
  check_ports
  kube_binaries

  mkdir -p "$DIR"
  printf 'PORT_BASE=%s\nNODES=%s\nREPLICAS=%s\nETCD_MEMBERS=%s\nCREATED=%s\n' \
    "$PORT_BASE" "$NODES" "$REPLICAS" "$ETCD_MEMBERS" "$(date -u +%FT%TZ)" >"$ENV_FILE"
  mkdir -p "$RUN" "$LOGS" "$PKI" "$DATA" "$KCFG"
  trap on_up_exit EXIT
  trap 'exit 130' INT TERM

  build_strata
  lc_make_pki "$PKI" "$SERVICE_IP" "$(node_sans)" || die "creating the PKI in $PKI failed"
  cert_kubeconfig "$KUBECONFIG_ADMIN" admin
  cert_kubeconfig "$KCFG/kube-controller-manager.kubeconfig" kube-controller-manager
  cert_kubeconfig "$KCFG/kube-scheduler.kubeconfig" kube-scheduler
  ha_make_pki || die "creating the etcd cluster's PKI in $PKI failed"
  info "PKI and kubeconfigs in $DIR"

  start_etcd
  ha_start_etcd
  start_kube_apiserver
  start_controllers
  apply_identity
  apply_upstream_crds
  start_strata
  register_apiservices
  wait_controllers
  start_nodes
  UP_DONE=true
  info "local cluster is up; logs in $LOGS"
  echo "export KUBECONFIG=$KUBECONFIG_ADMIN"
}

# on_up_exit: when `up` fails, stop what it started and keep the logs.
on_up_exit() {
  local status=$?
  [[ ${UP_DONE:-false} == true ]] && return
  trap - EXIT INT TERM
  echo "local-cluster: up failed; stopping what it started (logs stay in $LOGS)" >&2
  stop_all >&2
  echo "local-cluster: when done with the logs: $PROG down --dir $DIR" >&2
  exit "$((status == 0 ? 1 : status))"
}

cmd_down() {
  parse_flags "--dir" "$@"
  if [[ ! -e $DIR ]]; then
    echo "no local cluster in $DIR: nothing to do"
    return 0
  fi
  [[ -f $ENV_FILE ]] || die "$DIR was not created by $PROG (no $(basename "$ENV_FILE")); not touching it"
  load_env
  echo "stopping the local cluster in $DIR"
  stop_all
  local left
  left=$(live_pids | tr '\n' ' ')
  [[ -z $left ]] || die "processes still running after SIGKILL: $left; DIR $DIR kept"
  rm -rf "$DIR"
  local name port user
  while read -r name port; do
    user=$(port_user "$port")
    [[ -z $user ]] || echo "local-cluster: warning: port $port ($name) is still in use by something else: $user" >&2
  done < <(ports)
  echo "stopped; removed $DIR"
}

cmd_status() {
  parse_flags "--dir" "$@"
  if [[ ! -f $ENV_FILE ]]; then
    echo "no local cluster in $DIR"
    return 1
  fi
  load_env
  local ok=true name pid state port reason
  declare -A port_of=([etcd]=$PORT_ETCD [kube-apiserver]=$PORT_APISERVER [strata-apiserver]=$PORT_STRATA
    [kube-controller-manager]=$PORT_KCM [kube-scheduler]=$PORT_SCHEDULER)
  ha_status_ports port_of
  echo "local cluster in $DIR (kubeconfig $KUBECONFIG_ADMIN, nodes: $NODES, strata-apiserver replicas: $REPLICAS, etcd members: $ETCD_MEMBERS)"
  printf '%-26s %-8s %-9s %-9s %s\n' COMPONENT PID STATE RESTARTS ADDRESS
  while read -r name; do
    if pid=$(pidfile_pid "$RUN/$name.pid"); then
      state=running
    elif pidfile_pid "$RUN/$name.supervisor.pid" >/dev/null; then
      pid=- state=restarting ok=false
    else
      pid=- state=stopped ok=false
    fi
    port=${port_of[$name]:-}
    printf '%-26s %-8s %-9s %-9s %s\n' "$name" "$pid" "$state" "$(restarts_of "$name")" "${port:+127.0.0.1:$port}"
  done < <(awk '!seen[$0]++' "$RUN/order" 2>/dev/null)
  echo
  local apiservices
  if apiservices=$(kubectl --kubeconfig="$KUBECONFIG_ADMIN" --request-timeout=10s get apiservices \
    -l app.kubernetes.io/part-of=strata -o jsonpath='{range .items[*]}{.metadata.name}{"\t"}{.status.conditions[?(@.type=="Available")].status}{"\t"}{.status.conditions[?(@.type=="Available")].reason}{"\n"}{end}' 2>&1); then
    printf '%-44s %-10s %s\n' APISERVICE AVAILABLE REASON
    while IFS=$'\t' read -r name state reason; do
      [[ -n $name ]] || continue
      printf '%-44s %-10s %s\n' "$name" "${state:-Unknown}" "$reason"
      [[ $state == True ]] || ok=false
    done <<<"$apiservices"
  else
    echo "APIServices: kube-apiserver does not answer: $apiservices"
    ok=false
  fi
  $ok
}

cmd_crash_ovs() {
  local node="" daemon="" args=()
  while (($#)); do
    case $1 in
      --node) (($# >= 2)) || die "--node needs a value"; node=$2; shift 2 ;;
      --node=*) node=${1#*=}; shift ;;
      --daemon) (($# >= 2)) || die "--daemon needs a value"; daemon=$2; shift 2 ;;
      --daemon=*) daemon=${1#*=}; shift ;;
      *) args+=("$1"); shift ;;
    esac
  done
  parse_flags "--dir" "${args[@]}"
  [[ -f $ENV_FILE ]] || die "no local cluster in $DIR"
  load_env
  [[ $node =~ ^[0-9]+$ ]] && ((node >= 1 && node <= NODES)) || die "--node must be a node number from 1 to $NODES, got '$node'"
  [[ $daemon == ovsdb-server || $daemon == ovs-vswitchd ]] || die "--daemon must be ovsdb-server or ovs-vswitchd, got '$daemon'"
  node_ovs_crash "$(node_netns "$node")" "$(node_dir "$node")" "$daemon" || die "restarting $daemon of node $node failed"
}

main() {
  COMMAND=${1:-}
  (($#)) && shift
  case $COMMAND in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    crash-ovs) cmd_crash_ovs "$@" ;;
    -h | --help | help) usage ;;
    "") usage >&2; exit 2 ;;
    *) die "unknown command '$COMMAND' (up, down, status, crash-ovs; see $PROG --help)" ;;
  esac
}

main "$@"
