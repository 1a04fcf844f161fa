# shellcheck shell=bash
# Copyright The Strata Authors.
# SPDX-License-Identifier: Apache-2.0
#
# Helpers shared by hack/local-cluster.sh and hack/local-cluster/supervise.sh: messages,
# PID files that survive PID reuse, and stopping a process by its PID.
# Sourced, never executed.

# A PID file holds "PID STARTTIME", where STARTTIME is field 22 of /proc/PID/stat
# (clock ticks since boot). A recycled PID has another start time, so a stale PID file
# never makes us signal an unrelated process.

# lc_now: seconds since the epoch with milliseconds.
lc_now() { date +%s.%3N; }

# lc_log FILE MESSAGE...: appends a timestamped line to FILE.
lc_log() {
  local file=$1
  shift
  printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" "$*" >>"$file"
}

# proc_starttime PID: prints the start time of PID, fails if there is no such process.
proc_starttime() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  # Field 2 (comm) may hold spaces and parentheses; the fields after the last ')' are
  # state(3) ppid(4) ... starttime(22), i.e. the 20th of the remainder.
  stat=${stat##*) }
  # shellcheck disable=SC2086 # word splitting on purpose
  set -- $stat
  echo "${20}"
}

# proc_state PID: prints the state letter of PID (R, S, D, Z, ...), fails if none.
proc_state() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  echo "${stat%% *}"
}

# write_pidfile FILE PID: records PID and its start time.
write_pidfile() {
  local start
  start=$(proc_starttime "$2") || start=0
  echo "$2 $start" >"$1.tmp" && mv -f "$1.tmp" "$1"
}

# pidfile_pid FILE: prints the PID recorded in FILE if that very process is still
# alive (and not a zombie); fails otherwise.
pidfile_pid() {
  local pid start now state
  [[ -s $1 ]] || return 1
  read -r pid start <"$1" || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  now=$(proc_starttime "$pid") || return 1
  [[ $now == "$start" ]] || return 1
  state=$(proc_state "$pid") || return 1
  [[ $state != Z ]] || return 1
  echo "$pid"
}

# pid_gone PID STARTTIME: true once PID no longer runs (exited, reaped or zombie) or
# has been recycled.
pid_gone() {
  local now state
  now=$(proc_starttime "$1") || return 0
  [[ $now == "$2" ]] || return 0
  state=$(proc_state "$1") || return 0
  [[ $state == Z ]]
}

# stop_pid PID STARTTIME GRACE_SECONDS: SIGTERM, wait up to GRACE_SECONDS, then SIGKILL
# and wait up to 10 s more. Prints "term", "kill" or "gone" (already gone) and fails if
# the process survived SIGKILL.
stop_pid() {
  local pid=$1 start=$2 grace=$3 i
  if pid_gone "$pid" "$start"; then
    echo gone
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    pid_gone "$pid" "$start" && { echo term; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    pid_gone "$pid" "$start" && { echo kill; return 0; }
    sleep 0.1
  done
  echo alive
  return 1
}
