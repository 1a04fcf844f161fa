#!/usr/bin/env bash
# Copyright The Strata Authors.
# SPDX-License-Identifier: Apache-2.0
#
# Builds the Kubernetes control-plane binaries used by the e2e tests from Go modules
# (only the Go module proxy is needed) and caches them by version:
#
#   _output/bin/kube-<KUBE_VERSION>/  kube-apiserver kube-controller-manager kube-scheduler agnhost
#   _output/bin/etcd-<ETCD_VERSION>/  etcd etcdctl
#   _output/bin/coredns-<COREDNS_VERSION>/  coredns (the cluster DNS, with its default plugin set)
#
# A binary is rebuilt only when it is missing or its stamp file names another version/recipe.
# Each group is built through a throw-away wrapper module in _output/kube-build/, because
# neither k8s.io/kubernetes nor go.etcd.io/etcd/server/v3 can be `go install`ed directly
# (both rely on replace directives that only apply when they are the main module); CoreDNS
# takes the same path, so that its build is one of this script's groups like the others.
#
# Usage: hack/kube-binaries.sh [--etcd-only] [--print-dir] [--print-etcd-dir] [--print-coredns-dir]
#   --print-dir          print the kube bin dir and exit (builds nothing)
#   --print-etcd-dir     print the etcd bin dir and exit (builds nothing)
#   --print-coredns-dir  print the coredns bin dir and exit (builds nothing)
#   --etcd-only          build/check etcd + etcdctl only (seconds-to-minutes instead of ~20 min)
# Env:   KUBE_VERSION (default v1.37.2), ETCD_VERSION (default v3.7.0),
#        COREDNS_VERSION (default v1.15.0)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KUBE_VERSION=${KUBE_VERSION:-v1.37.2}
ETCD_VERSION=${ETCD_VERSION:-v3.7.0}
COREDNS_VERSION=${COREDNS_VERSION:-v1.15.0}
OUT=${ROOT}/_output
KUBE_BIN=${OUT}/bin/kube-${KUBE_VERSION}
ETCD_BIN=${OUT}/bin/etcd-${ETCD_VERSION}
COREDNS_BIN=${OUT}/bin/coredns-${COREDNS_VERSION}
# Bump when the build recipe (flags, ldflags) changes, to force a rebuild of cached binaries.
RECIPE=1

KUBE_BINARIES=(kube-apiserver kube-controller-manager kube-scheduler agnhost)
declare -A KUBE_PKGS=(
  [kube-apiserver]=k8s.io/kubernetes/cmd/kube-apiserver
  [kube-controller-manager]=k8s.io/kubernetes/cmd/kube-controller-manager
  [kube-scheduler]=k8s.io/kubernetes/cmd/kube-scheduler
  [agnhost]=k8s.io/kubernetes/test/images/agnhost
)
ETCD_BINARIES=(etcd etcdctl)
declare -A ETCD_PKGS=(
  [etcd]=go.etcd.io/etcd/server/v3
  [etcdctl]=go.etcd.io/etcd/etcdctl/v3
)
COREDNS_BINARIES=(coredns)
declare -A COREDNS_PKGS=(
  [coredns]=github.com/coredns/coredns
)

# Module proxy only, never a go.work from the surrounding checkout, no VCS stamping
# (the wrapper modules live inside this git checkout).
export GOFLAGS="-mod=mod -buildvcs=false"
export GOWORK=off

die() { echo "kube-binaries: error: $*" >&2; exit 1; }

# stamp_of DIR NAME: the stamp file recording which version/recipe produced DIR/NAME.
stamp_of() { echo "$1/.stamp-$2"; }

# is_cached DIR NAME VERSION: true if DIR/NAME exists and was built for VERSION with this recipe.
is_cached() {
  [[ -x "$1/$2" && "$(cat "$(stamp_of "$1" "$2")" 2>/dev/null)" == "$3 recipe=${RECIPE}" ]]
}

# json_field NAME: the string value of a top-level field of `go mod download -json` output on stdin.
json_field() { sed -n "s/^[[:space:]]*\"$1\": \"\(.*\)\",\{0,1\}\$/\1/p"; }

# mod_file MODULE@VERSION: downloads the module and prints the path of its go.mod.
mod_file() {
  local json gomod
  json=$(go mod download -json "$1" 2>&1) || true
  gomod=$(json_field GoMod <<<"$json")
  [[ -f "$gomod" ]] || die "cannot download $1 from the Go module proxy: $(json_field Error <<<"$json")"
  echo "$gomod"
}

# go_header GOMOD: the go/godebug directives of a dependency's go.mod, so the wrapper
# main module gets the same language version and GODEBUG defaults as upstream builds.
go_header() { grep -E '^(go|godebug)[[:space:]]' "$1"; }

# write_kube_gomod DIR: the wrapper module requiring k8s.io/kubernetes and replacing every
# staging module (`k8s.io/X => ./staging/src/k8s.io/X` upstream) with its v0.Y.Z release.
write_kube_gomod() {
  local dir=$1 gomod staging_version=v0.${KUBE_VERSION#v1.}
  gomod=$(mod_file "k8s.io/kubernetes@${KUBE_VERSION}")
  {
    echo "module strata.local/kube-build"
    echo
    go_header "$gomod"
    echo
    echo "require k8s.io/kubernetes ${KUBE_VERSION}"
    echo
    echo "replace ("
    sed -nE 's#^(replace)?[[:space:]]*(k8s\.io/[^[:space:]]+)[[:space:]]+=>[[:space:]]+\./staging/.*#\t\2 => \2 '"${staging_version}"'#p' "$gomod"
    echo ")"
  } >"${dir}/go.mod.tmp"
  grep -q '=> k8s.io/api ' "${dir}/go.mod.tmp" || die "no staging replace directives found in ${gomod}"
  mv "${dir}/go.mod.tmp" "${dir}/go.mod"
}

# write_etcd_gomod DIR: the wrapper module requiring etcd server + etcdctl.
write_etcd_gomod() {
  local dir=$1 gomod
  gomod=$(mod_file "go.etcd.io/etcd/server/v3@${ETCD_VERSION}")
  mod_file "go.etcd.io/etcd/etcdctl/v3@${ETCD_VERSION}" >/dev/null
  {
    echo "module strata.local/etcd-build"
    echo
    go_header "$gomod"
    echo
    echo "require ("
    echo "	go.etcd.io/etcd/server/v3 ${ETCD_VERSION}"
    echo "	go.etcd.io/etcd/etcdctl/v3 ${ETCD_VERSION}"
    echo ")"
  } >"${dir}/go.mod"
}

# write_coredns_gomod DIR: the wrapper module requiring CoreDNS. Its main package (coredns.go)
# imports core/plugin, the default plugin set of upstream's plugin.cfg.
write_coredns_gomod() {
  local dir=$1 gomod
  gomod=$(mod_file "github.com/coredns/coredns@${COREDNS_VERSION}")
  {
    echo "module strata.local/coredns-build"
    echo
    go_header "$gomod"
    echo
    echo "require github.com/coredns/coredns ${COREDNS_VERSION}"
  } >"${dir}/go.mod"
}

# kube_ldflags: version stamping as done by upstream hack/lib/version.sh, so that
# `kube-apiserver --version` and `kubectl version` report KUBE_VERSION, plus agnhost's own
# version (test/images/agnhost/Makefile). -X of a symbol a binary lacks is ignored, so one
# set of flags serves all four binaries. -s -w only drop symbol tables/DWARF (smaller
# binaries) and do not affect the shared GOCACHE. Runs inside the kube wrapper module.
kube_ldflags() {
  local minor=${KUBE_VERSION#v1.} date pkg agnhost flags="-s -w"
  minor=${minor%%.*}
  date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X ${pkg}.gitVersion=${KUBE_VERSION} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${minor}"
    flags+=" -X ${pkg}.gitTreeState=clean -X ${pkg}.buildDate=${date}"
  done
  agnhost=$(go list -m -f '{{.Dir}}' k8s.io/kubernetes) || return
  agnhost=$(cat "${agnhost}/test/images/agnhost/VERSION") || return
  echo "${flags} -X main.Version=${agnhost}"
}

# build_group VERSION BIN_DIR WORK_DIR GOMOD_WRITER BUILDER ESTIMATE NAME...
# Builds the missing/outdated binaries NAME... with BUILDER inside the wrapper module WORK_DIR
# (created by GOMOD_WRITER), installs them into BIN_DIR and stamps them.
build_group() {
  local version=$1 bin=$2 work=$3 writer=$4 builder=$5 estimate=$6; shift 6
  local missing=() name start secs
  for name; do
    if is_cached "$bin" "$name" "$version"; then
      echo "${name} ${version} cached"
    else
      missing+=("$name")
    fi
  done
  ((${#missing[@]})) || return 0

  mkdir -p "$work/out"
  if [[ ! -f "$work/go.mod" ]]; then
    "$writer" "$work"
  fi
  for name in "${missing[@]}"; do
    echo "building ${name} ${version} (${estimate})..."
  done
  start=$(date +%s)
  if ! (cd "$work" && "$builder" "${missing[@]}") >"$work/build.log" 2>&1; then
    tail -n 40 "$work/build.log" >&2
    die "building ${missing[*]} ${version} failed; full log: $work/build.log"
  fi
  secs=$(($(date +%s) - start))
  mkdir -p "$bin"
  for name in "${missing[@]}"; do
    mv -f "$work/out/$name" "$bin/$name"
    echo "$version recipe=${RECIPE}" >"$(stamp_of "$bin" "$name")"
    echo "${name} built in ${secs}s"
  done
}

# build_kube NAME...: one `go build -o DIR pkg...` for all kube binaries, so shared packages are
# compiled once (binary name = last element of the package path). Runs in the wrapper module.
build_kube() {
  local name pkgs=() ldflags
  for name; do pkgs+=("${KUBE_PKGS[$name]}"); done
  ldflags=$(kube_ldflags) || return
  go build -ldflags "$ldflags" -o out/ "${pkgs[@]}"
}

# build_etcd NAME...: one go build per binary, since go.etcd.io/etcd/server/v3 would
# otherwise be named "server". Runs in the wrapper module.
build_etcd() {
  local name
  for name; do
    go build -ldflags "-s -w" -o "out/$name" "${ETCD_PKGS[$name]}" || return
  done
}

# build_coredns NAME...: as upstream's Makefile does (CGO_ENABLED=0, GitCommit stamped; the
# release tag stands in for `git describe`). Runs in the wrapper module.
build_coredns() {
  local name
  for name; do
    CGO_ENABLED=0 go build -ldflags "-s -w -X github.com/coredns/coredns/coremain.GitCommit=${COREDNS_VERSION}" \
      -o "out/$name" "${COREDNS_PKGS[$name]}" || return
  done
}

main() {
  local etcd_only=false
  [[ "$KUBE_VERSION" =~ ^v1\.[0-9]+\.[0-9]+(-.+)?$ ]] || die "KUBE_VERSION must look like v1.37.2, got '$KUBE_VERSION'"
  [[ "$ETCD_VERSION" =~ ^v3\.[0-9]+\.[0-9]+(-.+)?$ ]] || die "ETCD_VERSION must look like v3.7.0, got '$ETCD_VERSION'"
  [[ "$COREDNS_VERSION" =~ ^v1\.[0-9]+\.[0-9]+(-.+)?$ ]] || die "COREDNS_VERSION must look like v1.15.0, got '$COREDNS_VERSION'"
  while (($#)); do
    case "$1" in
      --print-dir) echo "$KUBE_BIN"; return ;;
      --print-etcd-dir) echo "$ETCD_BIN"; return ;;
      --print-coredns-dir) echo "$COREDNS_BIN"; return ;;
      --etcd-only) etcd_only=true ;;
      -h|--help) awk 'NR > 4 && !/^#/ {exit} NR > 4 {sub(/^# ?/, ""); print}' "${BASH_SOURCE[0]}"; return ;;
      *) die "unknown argument '$1' (try --help)" ;;
    esac
    shift
  done
  command -v go >/dev/null || die "go not found in PATH"

  # Serialize concurrent runs (e.g. parallel test jobs) so they don't build twice.
  mkdir -p "$OUT"
  exec 9>"$OUT/.kube-binaries.lock"
  flock -n 9 || { echo "another kube-binaries.sh run holds $OUT/.kube-binaries.lock; waiting..."; flock 9; }

  build_group "$ETCD_VERSION" "$ETCD_BIN" "$OUT/kube-build/etcd-$ETCD_VERSION" write_etcd_gomod build_etcd \
    "a cold build takes ~1-3 minutes on 2 cores" "${ETCD_BINARIES[@]}"
  $etcd_only && return
  build_group "$COREDNS_VERSION" "$COREDNS_BIN" "$OUT/kube-build/coredns-$COREDNS_VERSION" write_coredns_gomod build_coredns \
    "a cold build takes ~3-8 minutes on 2 cores" "${COREDNS_BINARIES[@]}"
  build_group "$KUBE_VERSION" "$KUBE_BIN" "$OUT/kube-build/kube-$KUBE_VERSION" write_kube_gomod build_kube \
    "a cold build takes ~15-20 minutes on 2 idle cores, ~35 when busy" "${KUBE_BINARIES[@]}"
}

main "$@"
