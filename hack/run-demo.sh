#!/usr/bin/env bash
# Copyright The Strata Authors.
# SPDX-License-Identifier: Apache-2.0
#
# `make run`: the local cluster with the seed demo. Installs what is missing (Debian
# packages, the Kubernetes binaries, built and cached), brings up hack/local-cluster.sh
# with 2 worker nodes running strata-agent, deploys the seed's guestbook into `default`,
# waits until every Pod is Running and Ready, prints how to use it, and keeps running
# until Ctrl-C, which tears everything down.
#
# Env: LOCAL_CLUSTER_DIR (default _output/local-cluster), LOCAL_CLUSTER_PORT_BASE,
#      LOCAL_CLUSTER_NODES (default 2).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${LOCAL_CLUSTER_DIR:-$ROOT/_output/local-cluster}
NODES=${LOCAL_CLUSTER_NODES:-2}
GUESTBOOK=$ROOT/test/manifests/seed/guestbook
readonly T_PODS=300
T0=$SECONDS

say() { printf '\n[make run %4ds] %s\n' "$((SECONDS - T0))" "$*"; }
die() {
  echo "make run: error: $*" >&2
  exit 1
}

((EUID == 0)) || die "the nodes need root (network namespaces, veths, Open vSwitch); run as root"

say "Debian packages (Open vSwitch, ethtool, iproute2, openssl, curl) — installed when missing"
"$ROOT/hack/install-deps.sh"
say "Kubernetes binaries (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, agnhost): cached, or built now (a cold build takes 15-36 minutes)"
"$ROOT/hack/kube-binaries.sh"

say "bringing up the local cluster in $DIR with $NODES worker nodes"
"$ROOT/hack/local-cluster.sh" up --dir "$DIR" --nodes "$NODES" --skip-kube-build
export KUBECONFIG=$DIR/kubeconfig

SLEEPER=
down() {
  # Ignore further INT/TERM until the cluster is down: a second Ctrl-C, or make passing
  # its own SIGTERM on to this script, must not cut the teardown short (the ignored
  # disposition is inherited by local-cluster.sh down).
  trap '' INT TERM
  trap - EXIT
  [[ -z $SLEEPER ]] || kill "$SLEEPER" 2>/dev/null || true
  say "tearing the local cluster down (further Ctrl-C is ignored until it is done)"
  "$ROOT/hack/local-cluster.sh" down --dir "$DIR"
}
trap down EXIT
# The first INT/TERM ignores the next ones at once, then exits through down().
trap 'trap "" INT TERM; exit 130' INT TERM

say "deploying the seed's guestbook (redis master, redis slaves, guestbook) into namespace default"
kubectl apply -f "$GUESTBOOK"
deadline=$((SECONDS + T_PODS))
until kubectl wait --for=condition=Ready pod -l 'app in (guestbook, redis)' --timeout=10s >/dev/null 2>&1 &&
  (($(kubectl get pods -l 'app in (guestbook, redis)' -o name | wc -l) == 6)); do
  ((SECONDS < deadline)) || die "the guestbook Pods were not all Ready within ${T_PODS}s:
$(kubectl get pods -o wide)"
  printf '  %s\n' "$(kubectl get pods --no-headers 2>/dev/null | awk '{print $3}' | sort | uniq -c | tr '\n' ' ')"
done
kubectl get pods -o wide

guestbook=$(kubectl get pods -l app=guestbook -o jsonpath='{.items[0].metadata.name}')
redis_ip=$(kubectl get pods -l app=redis,role=master -o jsonpath='{.items[0].status.podIP}')
cat <<EOF

The local cluster is up (took $((SECONDS - T0))s): a control plane and $NODES worker nodes, each
its own network namespace with its own Open vSwitch, strata-agent and node substitute.

  export KUBECONFIG=$KUBECONFIG
  kubectl get nodes -o wide
  kubectl get pods -o wide
  kubectl get tiers --sort-by=.spec.priority
  kubectl get acnp

stratactl (the article's antctl), built into $DIR/bin:
  export PATH=$DIR/bin:\$PATH
  stratactl version
  stratactl get realization            # every ClusterNetworkPolicy: phase, Nodes realized
  stratactl get realization NAME       # one policy, Node by Node

Probe as the article does, through the Services' DNS names (CoreDNS and the agents'
Service proxy), or a Pod IP directly:
  kubectl exec $guestbook -- wget -qO- -T 3 http://guestbook.default.svc.cluster.local:3000
  kubectl exec $guestbook -- /agnhost connect redis-master:6379 --timeout=3s
  kubectl exec $guestbook -- /agnhost connect $redis_ip:6379 --timeout=3s
(wget prints the answering Pod's name; agnhost connect: exit 0 connected, "TIMEOUT"
dropped, "REFUSED" rejected.)

The seed walkthrough's manifests are in $ROOT/test/manifests/seed, e.g.
  kubectl apply -f $ROOT/test/manifests/seed/np1.yaml

Logs: $DIR/logs (np.log of node K: $DIR/nodes/K/log/np.log).
Press Ctrl-C to tear everything down (or, from elsewhere: make down).
EOF
while :; do
  sleep 3600 &
  SLEEPER=$!
  wait "$SLEEPER"
done
