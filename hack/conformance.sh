#!/usr/bin/env bash
# Copyright The Strata Authors.
# SPDX-License-Identifier: Apache-2.0
#
# Runs two public conformance suites, unmodified, against Strata on the local cluster
# (hack/local-cluster.sh) and writes their reports under docs/conformance/:
#
#   npa       sigs.k8s.io/network-policy-api v0.3.0's conformance suite
#             (TestConformanceProfiles --conformance-profiles=ClusterNetworkPolicy
#             --all-features): report YAML and the test log;
#   cyclonus  github.com/mattfenwick/cyclonus v0.5.6 `cyclonus generate` for Kubernetes
#             NetworkPolicy, TCP and UDP, every tag (those the default excludes too):
#             junit results and summary, per destination type.
#
# Both are built from their Go modules (no clone, no patch) and cached in
# _output/conformance/ (git-ignored): the suite's test binary through a throwaway module
# requiring sigs.k8s.io/network-policy-api, cyclonus with `go install`.
#
# Usage:
#   hack/conformance.sh [--kubeconfig FILE] [--suites npa,cyclonus] [--subset]
#                       [--destination-types pod-ip,service-name] [--include TAGS]
#                       [--exclude TAGS] [--out DIR]
#                       [--dir DIR] [--port-base N] [--build-only]
#
#   --kubeconfig FILE   run against this cluster (left running); default: bring up a local
#                       cluster in --dir with --port-base and tear it down at the end
#   --suites LIST       npa, cyclonus or both (default)
#   --subset            the CI subset of cyclonus (CYCLONUS_SUBSET_TAGS below, pod-ip only):
#                       a few minutes instead of the full run; its results go to
#                       OUT/cyclonus-subset-*
#   --destination-types LIST  cyclonus --destination-type values of the full run
#                       (default pod-ip,service-name), one run each
#   --include TAGS      run only the cyclonus cases of these tags (cyclonus --include) in
#                       the runs of --destination-types; results in OUT/cyclonus-DEST-TAGS-*
#   --exclude TAGS      leave out the cyclonus cases of these tags (cyclonus --exclude; default
#                       none, not cyclonus's own default); results in OUT/cyclonus-DEST[-TAGS]-minus-XTAGS-*.
#                       With --include, a full run can be split into parts of disjoint cases,
#                       e.g. --include multi-peer, and --exclude multi-peer,upstream-e2e,...
#   --out DIR           where the reports go (default docs/conformance)
#   --dir DIR           the local cluster's state dir (default _output/conformance/cluster)
#   --port-base N       the local cluster's first port (default 26300)
#   --build-only        build and cache both suites, run nothing
#
# Exit status: 0 only when every suite run passed (npa: the go test binary passed;
# cyclonus: 0 failed cases in its junit results). Reports are written either way.
# Full logs: _output/conformance/logs/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly PROG=hack/conformance.sh
readonly NPA_MODULE=sigs.k8s.io/network-policy-api NPA_VERSION=v0.3.0
readonly CYCLONUS_MODULE=github.com/mattfenwick/cyclonus CYCLONUS_VERSION=v0.5.6
# The CI subset: the cases of these tags (cyclonus --include, any of them), with the
# default excludes lifted. upstream-e2e are the cases ported from the Kubernetes e2e
# NetworkPolicy tests; namespaces-by-default-label the newest selector (the
# kubernetes.io/metadata.name label). 15 cases, about 15 minutes on an idle 2-core
# machine; end-port (12 more cases, 8 minutes) runs in the full run only, to keep CI
# under an hour from a cold machine.
readonly CYCLONUS_SUBSET_TAGS=upstream-e2e,namespaces-by-default-label
# Timeouts (seconds): the npa suite as a whole (its own waits are at most 300 s each),
# one cyclonus run.
readonly T_NPA=3600 T_CYCLONUS=14400
readonly CACHE=$ROOT/_output/conformance

OUT=$ROOT/docs/conformance
KUBECONFIG_FILE= SUITES=npa,cyclonus SUBSET=false DEST_TYPES=pod-ip,service-name INCLUDE= EXCLUDE= BUILD_ONLY=false
CLUSTER_DIR=$CACHE/cluster PORT_BASE=26300 CLUSTER_UP=false FAILED=()

T0=$SECONDS
say() { printf '\n[conformance %5ds] %s\n' "$((SECONDS - T0))" "$*"; }
die() {
  echo "conformance: error: $*" >&2
  exit 1
}
usage() { awk 'NR > 4 && !/^#/ {exit} NR > 4 {sub(/^# ?/, ""); print}' "${BASH_SOURCE[0]}"; }

parse_flags() {
  while (($#)); do
    local flag=${1%%=*} value=
    case $flag in
      -h | --help) usage; exit 0 ;;
      --subset) SUBSET=true; shift; continue ;;
      --build-only) BUILD_ONLY=true; shift; continue ;;
      --kubeconfig | --suites | --destination-types | --include | --exclude | --out | --dir | --port-base) ;;
      *) die "unknown flag '$1' (see $PROG --help)" ;;
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
      --kubeconfig) KUBECONFIG_FILE=$(realpath "$value") ;;
      --suites) SUITES=$value ;;
      --destination-types) DEST_TYPES=$value ;;
      --include) INCLUDE=$value ;;
      --exclude) EXCLUDE=$value ;;
      --out) OUT=$(realpath -m "$value") ;;
      --dir) CLUSTER_DIR=$(realpath -m "$value") ;;
      --port-base) PORT_BASE=$value ;;
    esac
  done
  local s
  for s in ${SUITES//,/ }; do
    [[ $s == npa || $s == cyclonus ]] || die "--suites: unknown suite '$s' (npa, cyclonus)"
  done
  for s in ${DEST_TYPES//,/ }; do
    [[ $s == pod-ip || $s == service-name ]] || die "--destination-types: '$s' is not pod-ip or service-name"
  done
  [[ -z $KUBECONFIG_FILE || -f $KUBECONFIG_FILE ]] || die "--kubeconfig $KUBECONFIG_FILE: no such file"
}

has_suite() { [[ ",$SUITES," == *",$1,"* ]]; }

# ---------------------------------------------------------------------------------------
# Builds (cached by version in _output/conformance/)

# Module proxy only, never a go.work from the surrounding checkout.
export GOWORK=off

# build_npa: the suite's test binary, from a throwaway module requiring the suite's module
# (its go.mod pins every dependency of the suite's tests).
build_npa() {
  local work=$CACHE/npa-$NPA_VERSION bin=$CACHE/npa-$NPA_VERSION/conformance.test
  [[ -x $bin ]] && { echo "network-policy-api $NPA_VERSION conformance suite cached: $bin"; return; }
  say "building the network-policy-api $NPA_VERSION conformance suite (go test -c; cold: ~5 min)"
  mkdir -p "$work"
  printf 'module strata.local/conformance-npa\n\ngo 1.26\n\nrequire %s %s\n' "$NPA_MODULE" "$NPA_VERSION" >"$work/go.mod"
  if ! (cd "$work" && GOFLAGS=-mod=mod go get -t "$NPA_MODULE/conformance@$NPA_VERSION" &&
    GOFLAGS=-mod=mod go test -c -o conformance.test.tmp "$NPA_MODULE/conformance") >"$work/build.log" 2>&1; then
    tail -n 30 "$work/build.log" >&2
    die "building the network-policy-api conformance suite failed; full log: $work/build.log"
  fi
  mv -f "$work/conformance.test.tmp" "$bin"
}

# build_cyclonus: cyclonus's command, `go install`ed at its version.
build_cyclonus() {
  local bin=$CACHE/cyclonus-$CYCLONUS_VERSION/cyclonus
  [[ -x $bin ]] && { echo "cyclonus $CYCLONUS_VERSION cached: $bin"; return; }
  say "building cyclonus $CYCLONUS_VERSION (go install; cold: ~5 min)"
  mkdir -p "$(dirname "$bin")"
  if ! GOFLAGS= GOBIN=$(dirname "$bin") go install "$CYCLONUS_MODULE/cmd/cyclonus@$CYCLONUS_VERSION" \
    >"$(dirname "$bin")/build.log" 2>&1; then
    tail -n 30 "$(dirname "$bin")/build.log" >&2
    die "building cyclonus failed; full log: $(dirname "$bin")/build.log"
  fi
}

# ---------------------------------------------------------------------------------------
# The cluster

cluster_up() {
  if [[ -n $KUBECONFIG_FILE ]]; then
    export KUBECONFIG=$KUBECONFIG_FILE
    say "using the cluster of $KUBECONFIG"
    kubectl get nodes -o wide --request-timeout=30s || die "the cluster of $KUBECONFIG does not answer"
    return
  fi
  ((EUID == 0)) || die "a local cluster needs root (its nodes are network namespaces with Open vSwitch); run as root or pass --kubeconfig"
  say "bringing up a local cluster in $CLUSTER_DIR (port base $PORT_BASE)"
  CLUSTER_UP=true
  "$ROOT/hack/local-cluster.sh" up --dir "$CLUSTER_DIR" --port-base "$PORT_BASE"
  export KUBECONFIG=$CLUSTER_DIR/kubeconfig
  kubectl get nodes -o wide
}

cluster_down() {
  $CLUSTER_UP || return 0
  trap '' INT TERM
  say "tearing the local cluster down"
  "$ROOT/hack/local-cluster.sh" down --dir "$CLUSTER_DIR" || echo "conformance: tearing down $CLUSTER_DIR failed; run: hack/local-cluster.sh down --dir $CLUSTER_DIR" >&2
}

# wait_namespaces_gone NAME...: deletes the namespaces and waits (up to 300 s) until they
# are gone, so that a run starts from a clean cluster.
wait_namespaces_gone() {
  local ns
  for ns; do
    kubectl delete namespace "$ns" --ignore-not-found --wait=false >/dev/null
  done
  kubectl wait --for=delete namespace "$@" --timeout=300s >/dev/null 2>&1 ||
    die "namespaces $* still exist after 300 s: $(kubectl get namespaces "$@" 2>&1 | tr '\n' ' ')"
}

# ---------------------------------------------------------------------------------------
# network-policy-api

# check_sctp: the suite's base manifests serve SCTP (agnhost porter with SERVE_SCTP_PORT_*,
# which exits when the kernel refuses an SCTP socket), so its Setup can only succeed on a
# kernel with SCTP. Loads the module when it is one; says so up front when there is none.
check_sctp() {
  grep -qw '^SCTP' /proc/net/protocols 2>/dev/null && return 0
  modprobe sctp 2>/dev/null || true
  grep -qw '^SCTP' /proc/net/protocols 2>/dev/null && { echo "loaded the sctp kernel module"; return 0; }
  echo "conformance: warning: this kernel has no SCTP (not in /proc/net/protocols; modprobe sctp failed):
  the suite's base Pods serve SCTP, their SCTP containers exit, they never become Ready and the
  suite's Setup fails after 300 s (docs/conformance/README.md). Running it all the same." >&2
}

# run_npa: TestConformanceProfiles with the ClusterNetworkPolicy profile and every feature.
# The report is written by the suite only when it gets to the end; the test log is kept in
# any case.
run_npa() {
  local bin=$CACHE/npa-$NPA_VERSION/conformance.test log=$CACHE/logs/npa.log report=$OUT/network-policy-api-$NPA_VERSION-report.yaml
  local version
  version=$(git -C "$ROOT" describe --tags --always --dirty 2>/dev/null || echo unknown)
  local args=(-test.run '^TestConformanceProfiles$' -test.v -test.timeout "${T_NPA}s"
    --conformance-profiles=ClusterNetworkPolicy --all-features
    --organization=strata-net --project=strata --url=https://github.com/strata-net/strata
    --version="$version" --contact=https://github.com/strata-net/strata/issues
    --additional-info=https://github.com/strata-net/strata/blob/main/hack/conformance.sh
    --report-output="$report.tmp")
  say "network-policy-api $NPA_VERSION conformance: ${bin#"$ROOT"/} ${args[*]}"
  check_sctp
  rm -f "$report.tmp"
  # The suite creates its namespaces and fails on one still terminating from a previous run.
  wait_namespaces_gone network-policy-conformance-{gryffindor,slytherin,hufflepuff,ravenclaw,forbidden-forrest}
  local rc=0
  (cd "$CACHE/npa-$NPA_VERSION" && timeout --kill-after=30 "$((T_NPA + 60))" "$bin" "${args[@]}") >"$log" 2>&1 || rc=$?
  if [[ -f $report.tmp ]]; then
    mv -f "$report.tmp" "$report"
    echo "report: ${report#"$ROOT"/}"
  else
    echo "the suite wrote no report (it stops before its report when its Setup fails); see the log"
  fi
  cp "$log" "$OUT/network-policy-api-$NPA_VERSION.log"
  grep -E '^(--- |ok|FAIL|PASS)|^\s+--- (PASS|FAIL|SKIP)' "$log" | tail -n 60 || true
  if ((rc != 0)); then
    FAILED+=("network-policy-api (exit $rc; log: ${OUT#"$ROOT"/}/network-policy-api-$NPA_VERSION.log)")
  fi
}

# ---------------------------------------------------------------------------------------
# cyclonus

# run_cyclonus NAME DEST_TYPE ARGS...: one `cyclonus generate` run; junit results and the
# summary (everything from its "SummaryTable" on) go to OUT/cyclonus-NAME-*.
run_cyclonus() {
  local name=$1 dest=$2
  shift 2
  local bin=$CACHE/cyclonus-$CYCLONUS_VERSION/cyclonus log=$CACHE/logs/cyclonus-$name.log
  local junit=$OUT/cyclonus-$name-junit.xml summary=$OUT/cyclonus-$name-summary.txt
  # --server-protocol: no SCTP (not every kernel has it; see docs/conformance/README.md).
  # --ignore-loopback: a Pod's connection to its own IP never leaves its network namespace
  # (the kernel delivers it on lo), so no implementation sees it; the Kubernetes e2e
  # NetworkPolicy tests ignore it too (ignoreLoopback, kubernetes/kubernetes#95879).
  # --job-timeout-seconds: agnhost connect's timeout, how long a blocked connection is
  # waited for (default 10 s); an allowed one answers in milliseconds.
  local args=(generate --server-protocol=TCP,UDP --destination-type="$dest" --ignore-loopback
    --job-timeout-seconds=2 --cleanup-namespaces --junit-results-file="$junit" "$@")
  say "cyclonus $CYCLONUS_VERSION ($name): cyclonus ${args[*]}"
  wait_namespaces_gone x y z
  local start=$SECONDS rc=0
  timeout --kill-after=30 "$T_CYCLONUS" "$bin" "${args[@]}" >"$log" 2>&1 || rc=$?
  local minutes
  minutes=$(awk -v s="$((SECONDS - start))" 'BEGIN {printf "%.1f", s / 60}')
  summarize_cyclonus "$name" "$dest" "$rc" "$minutes" "$log" "$junit" "${args[*]}" >"$summary"
  head -n 12 "$summary"
  local failures
  failures=$(junit_count failure "$junit")
  if ((rc != 0)) || [[ $failures != 0 ]]; then
    FAILED+=("cyclonus $name (exit $rc, failed cases: ${failures:-unknown}; log: ${log#"$ROOT"/})")
  fi
}

# junit_count ELEMENT FILE: how many ELEMENT (testcase, failure) the junit results hold
# ("" without the file; cyclonus leaves the testsuite's tests attribute at 0).
junit_count() {
  [[ -f $2 ]] || return 0
  grep -c "<$1[ >]" "$2" || true
}

# strata_version: the version of the strata-apiserver the cluster runs (its
# controllerinfos/strata-apiserver, which carries the commit it was built from), not the
# checkout's: with --kubeconfig the cluster may have been built from another commit.
strata_version() {
  kubectl get controllerinfos.system.antrea.io strata-apiserver -o 'jsonpath={.version}' 2>/dev/null ||
    echo "unknown (controllerinfos/strata-apiserver not readable)"
}

# summarize_cyclonus NAME DEST RC MINUTES LOG JUNIT ARGS: the figures of a run (cases,
# probes, failures, minutes), the failed cases, then cyclonus's own summary tables.
summarize_cyclonus() {
  local name=$1 dest=$2 rc=$3 minutes=$4 log=$5 junit=$6 args=$7
  local cases failures probes tries
  cases=$(junit_count testcase "$junit")
  failures=$(junit_count failure "$junit")
  # A probe (cyclonus's word) is the check of one step: every pod to every pod on the
  # step's ports and protocols, run again ("try") while it differs from the expected table.
  probes=$(grep -c 'running probe ' "$log" || true)
  tries=$(grep -c 'running kube probe on try' "$log" || true)
  echo "cyclonus $CYCLONUS_VERSION, run '$name' against Strata (destination type $dest)"
  echo "command: cyclonus ${args//"$ROOT"\//}"
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ), strata $(strata_version)"
  echo "cases: ${cases:-none} failed: ${failures:-unknown} probes: $probes (kube probe runs, retries included: $tries) minutes: $minutes exit: $rc"
  if [[ -f $junit ]]; then
    echo "failed cases:"
    awk '/<testcase /{match($0, /name="[^"]*"/); n = substr($0, RSTART + 6, RLENGTH - 7)} /<failure/{print "  - " n}' "$junit"
  fi
  echo
  sed -n '/SummaryTable:/,$p' "$log"
}

# ---------------------------------------------------------------------------------------

main() {
  parse_flags "$@"
  command -v go >/dev/null || die "go not found in PATH"
  command -v kubectl >/dev/null || die "kubectl not found in PATH"
  mkdir -p "$CACHE/logs" "$OUT"
  has_suite npa && build_npa
  has_suite cyclonus && build_cyclonus
  $BUILD_ONLY && return

  trap cluster_down EXIT
  trap 'exit 130' INT TERM
  cluster_up

  has_suite npa && run_npa
  if has_suite cyclonus; then
    if $SUBSET; then
      run_cyclonus subset pod-ip --include="$CYCLONUS_SUBSET_TAGS" --exclude=
    else
      local dest name
      for dest in ${DEST_TYPES//,/ }; do
        name=$dest
        [[ -z $INCLUDE ]] || name+=-${INCLUDE//,/+}
        [[ -z $EXCLUDE ]] || name+=-minus-${EXCLUDE//,/+}
        run_cyclonus "${name//\//_}" "$dest" --include="$INCLUDE" --exclude="$EXCLUDE"
      done
    fi
  fi

  say "done"
  if ((${#FAILED[@]})); then
    printf 'failed: %s\n' "${FAILED[@]}" >&2
    exit 1
  fi
  echo "every suite passed"
}

# One line, read whole before it runs: bash reads a script as it goes, and exit keeps it
# from reading on in a file edited meanwhile.
main "$@"; exit $?
