# shellcheck shell=bash
# Copyright The Strata Authors.
# SPDX-License-Identifier: Apache-2.0
#
# strata-apiserver's high-availability shape in the local cluster (sourced by
# hack/local-cluster.sh, which defines DIR, PKI, KCFG, LOGS, DATA, PORT_BASE, PORT_STRATA,
# REPLICAS, ETCD_MEMBERS, ETCD_BIN and the helpers info, die, kc, start_component, wait_for):
#
#   --etcd-members M        an etcd cluster of M members (strata-etcd-1..M, the real etcd
#                           binary, every member a supervised process) as strata-apiserver's
#                           storage instead of its embedded etcd. TLS everywhere: members
#                           authenticate each other with peer certificates of their own CA
#                           (pki/etcd-ca), clients must present a certificate of that CA
#                           (pki/strata-etcd-client, strata-apiserver's).
#   --apiserver-replicas N  N supervised strata-apiserver processes on that cluster
#                           (strata-apiserver-1..N, each on its own port), behind the
#                           component strata-apiserver-proxy on strata-apiserver's usual port
#                           (hack/local-cluster/serviceproxy: the Service's ready endpoints).
#                           With N=1 the one process is strata-apiserver, on that port.
#                           Node K's agent watches the replicas directly
#                           (--controlplane-servers), starting with replica ((K-1) mod N)+1.
# The replicas elect the status writer among themselves (the Lease
# kube-system/strata-apiserver-status, docs/high-availability.md).

readonly HA_MAX_REPLICAS=7 T_STRATA_ETCD=90
# The status Lease's timing. A replica killed with SIGKILL does not release the Lease,
# and its restarted process has a new identity, so the other replica writes status only
# once the Lease has expired: with the defaults (15 s, renew deadline 10 s, retry 2 s)
# up to ~17 s without status writes. Here 6 s/4 s/1 s: a crashed writer is replaced
# within ~7 s (the failover e2e wants the status exact within 10 s), at the cost of
# a renewal every second (cheap on this cluster).
readonly HA_LEASE_FLAGS=(--leader-elect-lease-duration=6s --leader-elect-renew-deadline=4s --leader-elect-retry-period=1s)

# ha_check_flags: --apiserver-replicas and --etcd-members are valid together.
ha_check_flags() {
  [[ $REPLICAS =~ ^[0-9]+$ ]] && ((REPLICAS >= 1 && REPLICAS <= HA_MAX_REPLICAS)) ||
    die "--apiserver-replicas must be a number from 1 to $HA_MAX_REPLICAS, got '$REPLICAS'"
  [[ $ETCD_MEMBERS =~ ^(0|1|3|5)$ ]] ||
    die "--etcd-members must be 0 (strata-apiserver's embedded etcd), 1, 3 or 5, got '$ETCD_MEMBERS'"
  ((REPLICAS == 1 || ETCD_MEMBERS > 0)) ||
    die "--apiserver-replicas $REPLICAS needs --etcd-members (1, 3 or 5): replicas share one etcd cluster, an embedded etcd is one process's own"
}

# ha_enabled: strata-apiserver runs on the etcd cluster (--etcd-members > 0).
ha_enabled() { ((ETCD_MEMBERS > 0)); }

ha_layout() {
  STRATA_ETCD_CLIENT_URLS=""
  local m
  for ((m = 1; m <= ${ETCD_MEMBERS:-0}; m++)); do
    STRATA_ETCD_CLIENT_URLS+="${STRATA_ETCD_CLIENT_URLS:+,}https://127.0.0.1:$(ha_etcd_client_port "$m")"
  done
}

ha_etcd_client_port() { echo $((PORT_BASE + 3 + 2 * ($1 - 1))); }
ha_etcd_peer_port() { echo $((PORT_BASE + 4 + 2 * ($1 - 1))); }

# ha_replica_name R / ha_replica_port R: replica R's component name and port.
ha_replica_name() { ((REPLICAS == 1)) && echo strata-apiserver || echo "strata-apiserver-$1"; }
ha_replica_port() { ((REPLICAS == 1)) && echo "$PORT_STRATA" || echo $((PORT_STRATA + $1)); }

# ha_ports: "NAME PORT" of the etcd members and replicas, for the port check.
ha_ports() {
  local m r
  for ((m = 1; m <= ${ETCD_MEMBERS:-0}; m++)); do
    echo "strata-etcd-$m $(ha_etcd_client_port "$m")"
    echo "strata-etcd-$m-peer $(ha_etcd_peer_port "$m")"
  done
  if ((${REPLICAS:-1} > 1)); then
    for ((r = 1; r <= REPLICAS; r++)); do
      echo "$(ha_replica_name "$r") $(ha_replica_port "$r")"
    done
  fi
}

# ha_status_ports ARRAY: adds the members' and replicas' ports to the associative ARRAY.
ha_status_ports() {
  local -n ports_ref=$1
  local m r
  for ((m = 1; m <= ETCD_MEMBERS; m++)); do
    ports_ref[strata-etcd-$m]=$(ha_etcd_client_port "$m")
  done
  for ((r = 1; r <= REPLICAS; r++)); do
    ports_ref[$(ha_replica_name "$r")]=$(ha_replica_port "$r")
  done
  ((REPLICAS == 1)) || ports_ref[strata-apiserver-proxy]=$PORT_STRATA
}

# ha_make_pki: the etcd cluster's CA, a certificate per member (serving and peer) and
# strata-apiserver's client certificate. Nothing without --etcd-members.
ha_make_pki() {
  ha_enabled || return 0
  local m
  (
    umask 077
    pki_ca "$PKI" etcd-ca strata-local-etcd-ca || exit 1
    for ((m = 1; m <= ETCD_MEMBERS; m++)); do
      pki_cert "$PKI" "strata-etcd-$m" "/CN=strata-etcd-$m" etcd-ca serverAuth,clientAuth "IP:127.0.0.1,DNS:localhost" || exit 1
    done
    pki_cert "$PKI" strata-etcd-client "/CN=strata-apiserver" etcd-ca clientAuth
  )
}

# ha_etcd_curl PORT PATH: an authenticated request to a member.
ha_etcd_curl() {
  curl -sf --max-time 5 --cacert "$PKI/etcd-ca.crt" --cert "$PKI/strata-etcd-client.crt" --key "$PKI/strata-etcd-client.key" \
    "https://127.0.0.1:$1$2"
}

# ha_start_etcd: every member at once (a new cluster needs a quorum to start), then
# waits for each one's /health.
ha_start_etcd() {
  ha_enabled || return 0
  local m initial="" token
  token="strata-local-$(printf '%s' "$DIR" | sha1sum | cut -c1-8)"
  for ((m = 1; m <= ETCD_MEMBERS; m++)); do
    initial+="${initial:+,}strata-etcd-$m=https://127.0.0.1:$(ha_etcd_peer_port "$m")"
  done
  for ((m = 1; m <= ETCD_MEMBERS; m++)); do
    local client peer
    client=$(ha_etcd_client_port "$m") peer=$(ha_etcd_peer_port "$m")
    start_component "strata-etcd-$m" "$ETCD_BIN/etcd" --name="strata-etcd-$m" --data-dir="$DATA/strata-etcd-$m" \
      --listen-client-urls="https://127.0.0.1:$client" --advertise-client-urls="https://127.0.0.1:$client" \
      --listen-peer-urls="https://127.0.0.1:$peer" --initial-advertise-peer-urls="https://127.0.0.1:$peer" \
      --initial-cluster="$initial" --initial-cluster-state=new --initial-cluster-token="$token" \
      --cert-file="$PKI/strata-etcd-$m.crt" --key-file="$PKI/strata-etcd-$m.key" \
      --trusted-ca-file="$PKI/etcd-ca.crt" --client-cert-auth \
      --peer-cert-file="$PKI/strata-etcd-$m.crt" --peer-key-file="$PKI/strata-etcd-$m.key" \
      --peer-trusted-ca-file="$PKI/etcd-ca.crt" --peer-client-cert-auth \
      --listen-metrics-urls="" --log-level=warn
  done
  for ((m = 1; m <= ETCD_MEMBERS; m++)); do
    wait_for "strata-etcd-$m" "$T_STRATA_ETCD" "strata-etcd-$m's /health on 127.0.0.1:$(ha_etcd_client_port "$m") (TLS)" \
      ha_etcd_curl "$(ha_etcd_client_port "$m")" /health
  done
  info "etcd cluster for strata-apiserver ready: $ETCD_MEMBERS members, TLS ($STRATA_ETCD_CLIENT_URLS)"
}

# ha_start_strata: the replicas on the etcd cluster, each waited for until ready, then
# the proxy in front of them (more than one replica).
ha_start_strata() {
  local kubeconfig=$KCFG/strata-apiserver.kubeconfig conf=$DIR/strata-apiserver.conf r name port
  kc -n kube-system get configmap strata-config -o jsonpath='{.data.strata-apiserver\.conf}' >"$conf" ||
    die "could not read strata-apiserver.conf from ConfigMap kube-system/strata-config (artifacts/base/configmap.yaml)"
  for ((r = 1; r <= REPLICAS; r++)); do
    name=$(ha_replica_name "$r") port=$(ha_replica_port "$r")
    start_component "$name" "$DIR/bin/strata-apiserver" --config="$conf" \
      --bind-address=127.0.0.1 --secure-port="$port" \
      --tls-cert-file="$PKI/strata-apiserver.crt" --tls-private-key-file="$PKI/strata-apiserver.key" \
      --kubeconfig="$kubeconfig" --authentication-kubeconfig="$kubeconfig" --authorization-kubeconfig="$kubeconfig" \
      --etcd-servers="$STRATA_ETCD_CLIENT_URLS" --etcd-cafile="$PKI/etcd-ca.crt" \
      --etcd-certfile="$PKI/strata-etcd-client.crt" --etcd-keyfile="$PKI/strata-etcd-client.key" \
      "${HA_LEASE_FLAGS[@]}"
  done
  for ((r = 1; r <= REPLICAS; r++)); do
    name=$(ha_replica_name "$r") port=$(ha_replica_port "$r")
    wait_for "$name" "$T_STRATA" "$name's /readyz on 127.0.0.1:$port" \
      curl -sf --max-time 5 --cacert "$PKI/ca.crt" "https://127.0.0.1:$port/readyz"
    info "$name ready on 127.0.0.1:$port (etcd cluster of $ETCD_MEMBERS members)"
  done
  ((REPLICAS > 1)) || return 0
  ha_start_proxy
}

# ha_agent_servers K: the replicas' URLs for node K's agent (--controlplane-servers),
# starting with replica ((K-1) mod N)+1: the agents are spread over the replicas, and
# each moves on to the next in the list when its replica is gone.
ha_agent_servers() {
  local k=$1 i r list=""
  for ((i = 0; i < REPLICAS; i++)); do
    r=$((((k - 1 + i) % REPLICAS) + 1))
    list+="${list:+,}https://127.0.0.1:$(ha_replica_port "$r")"
  done
  echo "$list"
}

ha_start_proxy() {
  local r backends=()
  info "go build ./hack/local-cluster/serviceproxy"
  (cd "$ROOT" && go build -o "$DIR/bin/" ./hack/local-cluster/serviceproxy) >>"$LOGS/build.log" 2>&1 ||
    die "building hack/local-cluster/serviceproxy failed:
$(tail -n 30 "$LOGS/build.log")"
  for ((r = 1; r <= REPLICAS; r++)); do
    backends+=(--backend="127.0.0.1:$(ha_replica_port "$r")")
  done
  start_component strata-apiserver-proxy "$DIR/bin/serviceproxy" --listen="127.0.0.1:$PORT_STRATA" \
    "${backends[@]}" --ca-file="$PKI/ca.crt"
  wait_for strata-apiserver-proxy "$T_STRATA" "strata-apiserver's /readyz through the proxy on 127.0.0.1:$PORT_STRATA" \
    curl -sf --max-time 5 --cacert "$PKI/ca.crt" "https://127.0.0.1:$PORT_STRATA/readyz"
  info "strata-apiserver-proxy on 127.0.0.1:$PORT_STRATA spreads connections over $REPLICAS replicas"
}
