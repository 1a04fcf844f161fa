#!/usr/bin/env bash
# Copyright The Strata Authors.
# SPDX-License-Identifier: Apache-2.0
#
# Keeps one component of the local cluster running, as kubelet or systemd would.
#
# Usage: supervise.sh DIR NAME -- COMMAND [ARG...]
#
# Runs COMMAND with its output appended to DIR/logs/NAME.log. When it exits, logs the
# exit (to DIR/logs/NAME.log and DIR/logs/supervisor.log) and starts it again after a
# back-off of 1 s, doubling up to 30 s; the back-off resets once the component has run
# for 60 s. State, for hack/local-cluster.sh status/down:
#   DIR/run/NAME.supervisor.pid  this supervisor ("PID STARTTIME")
#   DIR/run/NAME.pid             the running component ("PID STARTTIME")
#   DIR/run/NAME.restarts        how many times the component was restarted
# SIGTERM (or SIGINT) stops the component (SIGTERM, SIGKILL after 30 s) and then the
# supervisor. Started by hack/local-cluster.sh under setsid, so it outlives the shell
# that ran `up` and a Ctrl-C there.
set -uo pipefail

# shellcheck source=hack/local-cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

readonly BACKOFF_MIN=1 BACKOFF_MAX=30 BACKOFF_RESET_AFTER=60 STOP_GRACE=30

usage() {
  echo "usage: supervise.sh DIR NAME -- COMMAND [ARG...]" >&2
  exit 2
}

if (($# < 4)) || [[ $3 != -- ]]; then
  usage
fi
DIR=$1 NAME=$2
shift 3
RUN=$DIR/run LOG=$DIR/logs/$NAME.log SUPLOG=$DIR/logs/supervisor.log

child="" child_start="" sleeper=""

# say MESSAGE: logs MESSAGE to the component's log and to the supervisor log.
say() {
  lc_log "$LOG" "supervisor: $*"
  lc_log "$SUPLOG" "$NAME: $*"
}

# on_stop: stops the component and exits; runs on SIGTERM/SIGINT.
on_stop() {
  trap '' TERM INT
  if [[ -n $sleeper ]]; then
    kill -TERM "$sleeper" 2>/dev/null
    wait "$sleeper" 2>/dev/null
  fi
  if [[ -n $child ]]; then
    local how
    how=$(stop_pid "$child" "$child_start" "$STOP_GRACE")
    wait "$child" 2>/dev/null
    case $how in
      kill) say "stopped ${NAME} (pid ${child}) with SIGKILL: it ignored SIGTERM for ${STOP_GRACE}s" ;;
      alive) say "could not stop ${NAME} (pid ${child}) even with SIGKILL" ;;
      *) say "stopped ${NAME} (pid ${child})" ;;
    esac
  fi
  rm -f "$RUN/$NAME.pid" "$RUN/$NAME.supervisor.pid"
  say "supervisor exits"
  exit 0
}
trap on_stop TERM INT

write_pidfile "$RUN/$NAME.supervisor.pid" "$$"
restarts=0
echo "$restarts" >"$RUN/$NAME.restarts"
backoff=$BACKOFF_MIN
say "supervising ${NAME}: $*"

while :; do
  started=$SECONDS
  "$@" >>"$LOG" 2>&1 </dev/null &
  child=$!
  child_start=$(proc_starttime "$child") || child_start=0
  write_pidfile "$RUN/$NAME.pid" "$child"
  say "started ${NAME} (pid ${child})"

  # wait returns early when a trapped signal arrives; on_stop then exits. (2>/dev/null:
  # bash's own "Killed" job notice; the exit is logged below.)
  wait "$child" 2>/dev/null
  status=$?
  child=""
  ran=$((SECONDS - started))
  rm -f "$RUN/$NAME.pid"

  if ((ran >= BACKOFF_RESET_AFTER)); then
    backoff=$BACKOFF_MIN
  fi
  restarts=$((restarts + 1))
  echo "$restarts" >"$RUN/$NAME.restarts"
  if ((status > 128)); then
    reason="killed by signal $((status - 128))"
  else
    reason="exited with status ${status}"
  fi
  say "${NAME} ${reason} after ${ran}s; restart #${restarts} in ${backoff}s"

  sleep "$backoff" &
  sleeper=$!
  wait "$sleeper"
  sleeper=""
  backoff=$((backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : backoff * 2))
done
