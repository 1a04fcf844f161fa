# shellcheck shell=bash
# Copyright The Strata Authors.
# SPDX-License-Identifier: Apache-2.0
#
# The local cluster's PKI, made with openssl (about 2 s). Sourced by hack/local-cluster.sh.
#
#   ca.{crt,key}                 cluster CA: serving certs, client certs, CSR signing
#   front-proxy-ca.{crt,key}     aggregation layer: kube-apiserver -> strata-apiserver
#   apiserver.{crt,key}          kube-apiserver serving (127.0.0.1, kubernetes.default.svc, ...,
#                                the nodes' IPs: their API server relays for Pods)
#   strata-apiserver.{crt,key}   strata-apiserver serving; the aggregator checks the name
#                                strata-apiserver.kube-system.svc although it dials 127.0.0.1
#   admin.{crt,key}              the kubeconfig's admin (group system:masters)
#   kube-controller-manager.*    user system:kube-controller-manager (built-in RBAC)
#   kube-scheduler.*             user system:kube-scheduler (built-in RBAC)
#   apiserver-kubelet-client.*   kube-apiserver -> kubelets (logs, exec; used once nodes exist)
#   front-proxy-client.*         kube-apiserver's identity towards aggregated servers
#   sa.{key,pub}                 service-account token signing
# Per node (hack/local-cluster/nodes.sh): node-<name>.* (system:node:<name>, the node
# substitute) and agent-<name>.* (system:strata-agent:<name>, group system:strata-agents,
# the node's strata-agent).
# strata-apiserver's own identity is not a certificate: it is its ServiceAccount
# (kube-system/strata-apiserver), with a token from the TokenRequest API, so that the
# RBAC in artifacts/base applies to it exactly as in a real cluster.

readonly PKI_DAYS=3650

# pki_quiet COMMAND...: runs an openssl command, showing its output only on failure.
pki_quiet() {
  local out
  if ! out=$("$@" 2>&1); then
    echo "$out" >&2
    echo "local-cluster: error: openssl failed: $*" >&2
    return 1
  fi
}

# pki_ca DIR NAME CN: a self-signed CA.
pki_ca() {
  pki_quiet openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$PKI_DAYS" \
    -keyout "$1/$2.key" -out "$1/$2.crt" -subj "/CN=$3" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"
}

# pki_cert DIR NAME SUBJECT CA USAGE [SAN]: a key and a certificate signed by CA; USAGE is
# serverAuth or clientAuth.
pki_cert() {
  local dir=$1 name=$2 subj=$3 ca=$4 usage=$5 san=${6:-}
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=${usage}"
    [[ -z $san ]] || echo "subjectAltName=${san}"
  } >"$dir/$name.ext"
  pki_quiet openssl req -newkey rsa:2048 -nodes -keyout "$dir/$name.key" -out "$dir/$name.csr" -subj "$subj" &&
    pki_quiet openssl x509 -req -sha256 -in "$dir/$name.csr" -CA "$dir/$ca.crt" -CAkey "$dir/$ca.key" \
      -CAcreateserial -out "$dir/$name.crt" -days "$PKI_DAYS" -extfile "$dir/$name.ext" &&
    rm -f "$dir/$name.csr" "$dir/$name.ext"
}

# lc_make_pki DIR SERVICE_IP [EXTRA_SANS]: creates every key and certificate above in DIR.
# SERVICE_IP is the first IP of the service CIDR (the `kubernetes` Service); EXTRA_SANS
# (",IP:a,IP:b" form, leading comma) are more names of kube-apiserver.
lc_make_pki() {
  local dir=$1 service_ip=$2 extra_sans=${3:-}
  mkdir -p "$dir"
  (
    umask 077
    pki_ca "$dir" ca strata-local-ca &&
      pki_ca "$dir" front-proxy-ca strata-local-front-proxy-ca &&
      pki_cert "$dir" apiserver "/CN=kube-apiserver" ca serverAuth \
        "IP:127.0.0.1,IP:${service_ip},DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local${extra_sans}" &&
      pki_cert "$dir" strata-apiserver "/CN=strata-apiserver" ca serverAuth \
        "DNS:strata-apiserver.kube-system.svc,DNS:strata-apiserver.kube-system.svc.cluster.local,DNS:localhost,IP:127.0.0.1" &&
      pki_cert "$dir" admin "/O=system:masters/CN=admin" ca clientAuth &&
      pki_cert "$dir" kube-controller-manager "/CN=system:kube-controller-manager" ca clientAuth &&
      pki_cert "$dir" kube-scheduler "/CN=system:kube-scheduler" ca clientAuth &&
      pki_cert "$dir" apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" ca clientAuth &&
      pki_cert "$dir" front-proxy-client "/CN=front-proxy-client" front-proxy-ca clientAuth &&
      pki_quiet openssl genrsa -out "$dir/sa.key" 2048 &&
      pki_quiet openssl rsa -in "$dir/sa.key" -pubout -out "$dir/sa.pub"
  )
}
