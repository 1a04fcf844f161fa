# shellcheck shell=bash
# Copyright The Strata Authors.
# SPDX-License-Identifier: Apache-2.0
#
# Nodes of the local cluster: each node is its own network namespace (its "host") with
# its own Open vSwitch (ovsdb-server and ovs-vswitchd, userspace datapath), joined to
# the other nodes by an underlay: a Linux bridge in a namespace of its own, one veth per
# node. Pods of different nodes reach each other by routing through the underlay (see
# nodeagent/nodenet); strata-agent (run outside, in the root namespace) configures the
# node's gateway, forwarding and routes through --host-netns and --ovs-rundir.
#
#   underlay netns UL:  bridge ulbr ── n1 ─┐   ┌─ n2 ── ...
#   node netns N1:      ul0 172.30.0.11/24 ┘   └ ul0 172.30.0.12/24  (node netns N2)
#                       lo, ovsdb-server + ovs-vswitchd (OVS_RUNDIR NODE_DIR/run)
#
# Sourced, never executed; needs hack/local-cluster/lib.sh (PID files, stop_pid).
# Functions return non-zero after printing an error that says what to do.
#
#   underlay_up UL                      create the underlay namespace and its bridge
#   underlay_down UL                    delete it (and the underlay ends of node veths)
#   node_up UL K NETNS NODE_DIR         node K (1..200): namespace, uplink, OVS
#   node_down NETNS NODE_DIR            stop the node's OVS (by PID), delete its namespace
#   node_ovs_start NETNS NODE_DIR       (re)start the node's OVS on a fresh database
#   node_ovs_stop NODE_DIR              stop the node's OVS daemons by PID
#   node_ip K                           the node's InternalIP (172.30.0.<10+K>)
#   node_vsctl NODE_DIR ARGS...         ovs-vsctl on the node's database
#
# NODE_DIR layout: run/ (OVS_RUNDIR: db.sock, *.ctl, <bridge>.mgmt, OVS's own pidfiles),
# log/ (ovsdb-server.log, ovs-vswitchd.log, *.out), db/conf.db, pids/<daemon>.pid
# ("PID STARTTIME", lib.sh format; stop only these).

readonly NODE_UNDERLAY_BRIDGE=ulbr NODE_UPLINK=ul0 NODE_SUBNET_PREFIX=172.30.0 NODE_SUBNET_BITS=24
readonly NODE_OVS_SCHEMA=${NODE_OVS_SCHEMA:-/usr/share/openvswitch/vswitch.ovsschema}
# Waits (seconds) for the OVS daemons; generous for a busy 2-core machine.
readonly NODE_T_OVS=30 NODE_STOP_GRACE=10
# Unix socket paths (NODE_DIR/run/<bridge>.mgmt) must fit in 107 bytes.
readonly NODE_MAX_DIR_LEN=80

# node_err MESSAGE...: prints an error and fails.
node_err() {
  echo "local-cluster: node: error: $*" >&2
  return 1
}

# node_ip K: the InternalIP of node K.
node_ip() { echo "$NODE_SUBNET_PREFIX.$((10 + $1))"; }

# node_netns_exists NAME: true if the named network namespace exists.
node_netns_exists() { [[ -e /run/netns/$1 ]]; }

# node_check_tools: the programs the nodes need.
node_check_tools() {
  local tool
  for tool in ip ethtool ovsdb-tool ovsdb-server ovs-vswitchd ovs-vsctl ovs-appctl setsid; do
    command -v "$tool" >/dev/null ||
      node_err "'$tool' is not in PATH (Debian: apt-get install -y openvswitch-switch iproute2 ethtool)" || return 1
  done
  [[ -r $NODE_OVS_SCHEMA ]] || node_err "the OVS schema $NODE_OVS_SCHEMA is missing (set NODE_OVS_SCHEMA)" || return 1
  ((EUID == 0)) || node_err "nodes need root (network namespaces, veths, OVS)" || return 1
}

# node_run WHAT COMMAND...: runs COMMAND; on failure prints WHAT with its output.
node_run() {
  local what=$1 out
  shift
  out=$("$@" 2>&1) || node_err "$what failed: $* : $out" || return 1
}

# ---------------------------------------------------------------------------------------
# Underlay

# underlay_up UL: creates the namespace UL with lo up and the bridge ulbr.
underlay_up() {
  local ul=$1
  [[ -n $ul ]] || node_err "underlay_up: missing the namespace name" || return 1
  node_check_tools || return 1
  if node_netns_exists "$ul"; then
    node_err "network namespace $ul exists already (an earlier run?); remove it with: ip netns delete $ul" || return 1
  fi
  node_run "creating the underlay namespace" ip netns add "$ul" || return 1
  node_run "underlay lo" ip -n "$ul" link set lo up || return 1
  node_run "creating the underlay bridge" ip -n "$ul" link add "$NODE_UNDERLAY_BRIDGE" type bridge || return 1
  node_run "underlay bridge up" ip -n "$ul" link set "$NODE_UNDERLAY_BRIDGE" up || return 1
}

# underlay_down UL: deletes the underlay namespace; safe when it is gone.
underlay_down() {
  local ul=$1
  node_netns_exists "$ul" || return 0
  node_run "deleting the underlay namespace" ip netns delete "$ul"
}

# ---------------------------------------------------------------------------------------
# Nodes

# node_up UL K NETNS NODE_DIR: creates node K's namespace NETNS with lo up and the
# uplink ul0 (node_ip K) on the underlay bridge, and starts its OVS with state in
# NODE_DIR.
node_up() {
  local ul=$1 k=$2 ns=$3 dir=$4 peer
  if (($# != 4)); then
    node_err "usage: node_up UNDERLAY_NETNS K NETNS NODE_DIR" || return 1
  fi
  [[ $k =~ ^[0-9]+$ ]] && ((k >= 1 && k <= 200)) || node_err "node number must be 1..200, got '$k'" || return 1
  node_check_tools || return 1
  node_netns_exists "$ul" || node_err "the underlay namespace $ul does not exist; run underlay_up $ul first" || return 1
  if node_netns_exists "$ns"; then
    node_err "network namespace $ns exists already (an earlier run?); remove it with node_down $ns $dir" || return 1
  fi
  [[ $dir == /* ]] || node_err "NODE_DIR must be absolute, got '$dir'" || return 1
  ((${#dir} <= NODE_MAX_DIR_LEN)) ||
    node_err "NODE_DIR $dir is longer than $NODE_MAX_DIR_LEN characters: OVS socket paths would not fit; use a shorter --dir" || return 1
  peer=n$k
  if ip -n "$ul" link show "$peer" >/dev/null 2>&1; then
    node_err "the underlay has a port $peer already: node $k is up (or was not torn down)" || return 1
  fi
  node_run "creating the node namespace" ip netns add "$ns" || return 1
  node_run "node lo" ip -n "$ns" link set lo up || return 1
  node_run "creating the uplink veth" ip -n "$ns" link add "$NODE_UPLINK" type veth peer name "$peer" netns "$ul" || return 1
  node_run "attaching the uplink to the underlay" ip -n "$ul" link set "$peer" master "$NODE_UNDERLAY_BRIDGE" up || return 1
  node_run "uplink address" ip -n "$ns" addr add "$(node_ip "$k")/$NODE_SUBNET_BITS" dev "$NODE_UPLINK" || return 1
  node_run "uplink up" ip -n "$ns" link set "$NODE_UPLINK" up || return 1
  # The userspace datapath does not complete partial checksums: offload off on both ends.
  node_run "uplink checksum offload" ip netns exec "$ns" ethtool -K "$NODE_UPLINK" tx off || return 1
  node_run "underlay port checksum offload" ip netns exec "$ul" ethtool -K "$peer" tx off || return 1
  node_ovs_start "$ns" "$dir"
}

# node_down NETNS NODE_DIR: stops the node's OVS daemons (by their recorded PIDs) and
# deletes its namespace, which deletes the uplink veth and its underlay end. Safe to run
# twice; keeps NODE_DIR (logs) for the caller to remove.
node_down() {
  local ns=$1 dir=$2 rc=0
  if (($# != 2)); then
    node_err "usage: node_down NETNS NODE_DIR" || return 1
  fi
  node_ovs_stop "$dir" || rc=1
  if node_netns_exists "$ns"; then
    node_run "deleting the node namespace" ip netns delete "$ns" || rc=1
  fi
  return $rc
}

# ---------------------------------------------------------------------------------------
# The node's Open vSwitch

# node_ovs_env NODE_DIR: the environment of the node's OVS daemons and tools.
node_ovs_env() {
  echo "OVS_RUNDIR=$1/run" "OVS_LOGDIR=$1/log" "OVS_DBDIR=$1/db"
}

# node_vsctl NODE_DIR ARGS...: ovs-vsctl on the node's database (30 s timeout).
node_vsctl() {
  local dir=$1
  shift
  ovs-vsctl --db="unix:$dir/run/db.sock" --timeout=30 "$@"
}

# node_spawn NODE_DIR NAME NETNS ARGV...: starts ARGV in NETNS in the background, in its
# own session, output to log/NAME.out, and records its PID in pids/NAME.pid. `ip netns
# exec` execs ARGV, so the PID is the daemon's.
node_spawn() {
  local dir=$1 name=$2 ns=$3 pid
  shift 3
  # shellcheck disable=SC2046 # the environment words split on purpose
  env $(node_ovs_env "$dir") setsid ip netns exec "$ns" "$@" </dev/null >>"$dir/log/$name.out" 2>&1 &
  pid=$!
  write_pidfile "$dir/pids/$name.pid" "$pid"
}

# node_wait NODE_DIR NAME WHAT CHECK...: polls CHECK every 0.1 s for NODE_T_OVS seconds
# while the daemon NAME runs; prints the log tail on failure.
node_wait() {
  local dir=$1 name=$2 what=$3 i
  shift 3
  for ((i = 0; i < NODE_T_OVS * 10; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    if ! pidfile_pid "$dir/pids/$name.pid" >/dev/null; then
      node_err "$name exited while waiting for $what; end of $dir/log/$name.out:
$(tail -n 20 "$dir/log/$name.out" 2>/dev/null)" || return 1
    fi
    sleep 0.1
  done
  node_err "waited ${NODE_T_OVS}s for $what; end of $dir/log/$name.log:
$(tail -n 20 "$dir/log/$name.log" 2>/dev/null)"
}

# node_ovs_start NETNS NODE_DIR: creates a fresh database from the schema and starts
# ovsdb-server and ovs-vswitchd inside NETNS, waiting until vswitchd has applied the
# configuration. The bridge is the agent's (strata-agent creates br-int, netdev).
node_ovs_start() {
  local ns=$1 dir=$2 sub
  node_netns_exists "$ns" || node_err "the node namespace $ns does not exist" || return 1
  if pidfile_pid "$dir/pids/ovsdb-server.pid" >/dev/null || pidfile_pid "$dir/pids/ovs-vswitchd.pid" >/dev/null; then
    node_err "the OVS of $dir is running already; node_ovs_stop $dir first" || return 1
  fi
  for sub in run log db pids; do
    mkdir -p "$dir/$sub" || node_err "cannot create $dir/$sub" || return 1
  done
  rm -f "$dir/db/conf.db" "$dir/run/db.sock"
  node_run "creating the OVS database" ovsdb-tool create "$dir/db/conf.db" "$NODE_OVS_SCHEMA" || return 1
  node_ovsdb_spawn "$ns" "$dir" || return 1
  node_run "initialising the OVS database" node_vsctl "$dir" --no-wait init || return 1
  node_vswitchd_spawn "$ns" "$dir" || return 1
  node_record_pid "$dir" ovsdb-server && node_record_pid "$dir" ovs-vswitchd
}

# node_ovsdb_spawn NETNS NODE_DIR: starts ovsdb-server on the node's database and
# waits until it answers.
node_ovsdb_spawn() {
  local ns=$1 dir=$2
  node_spawn "$dir" ovsdb-server "$ns" ovsdb-server "$dir/db/conf.db" \
    --remote="punix:$dir/run/db.sock" \
    --pidfile="$dir/run/ovsdb-server.pid" \
    --unixctl="$dir/run/ovsdb-server.ctl" \
    --log-file="$dir/log/ovsdb-server.log" || return 1
  node_wait "$dir" ovsdb-server "ovsdb-server to listen on $dir/run/db.sock" \
    node_vsctl "$dir" --no-wait show
}

# node_vswitchd_spawn NETNS NODE_DIR: starts ovs-vswitchd and waits until it has
# applied the database's configuration.
node_vswitchd_spawn() {
  local ns=$1 dir=$2
  node_spawn "$dir" ovs-vswitchd "$ns" ovs-vswitchd "unix:$dir/run/db.sock" \
    --pidfile="$dir/run/ovs-vswitchd.pid" \
    --unixctl="$dir/run/ovs-vswitchd.ctl" \
    --log-file="$dir/log/ovs-vswitchd.log" || return 1
  node_wait "$dir" ovs-vswitchd "ovs-vswitchd to answer on $dir/run/ovs-vswitchd.ctl" \
    ovs-appctl -t "$dir/run/ovs-vswitchd.ctl" version || return 1
  # Without --no-wait, ovs-vsctl waits until vswitchd has applied the configuration.
  node_run "waiting for ovs-vswitchd to apply the configuration" node_vsctl "$dir" init
}

# node_ovs_crash NETNS NODE_DIR NAME: kills the node's NAME (ovsdb-server or
# ovs-vswitchd) with SIGKILL, as a crash, and starts it again on the same database, as
# a service manager would. ovs-vswitchd loses every flow; the agent reconnects and
# replays. Prints how long the daemon was down.
node_ovs_crash() {
  local ns=$1 dir=$2 name=$3 pid start t0 i
  case $name in
    ovsdb-server | ovs-vswitchd) ;;
    *) node_err "cannot restart '$name': ovsdb-server or ovs-vswitchd" || return 1 ;;
  esac
  read -r pid start <"$dir/pids/$name.pid" 2>/dev/null || node_err "no PID of $name recorded in $dir/pids" || return 1
  t0=$(date +%s%N)
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    pid_gone "$pid" "$start" && break
    sleep 0.1
  done
  pid_gone "$pid" "$start" || node_err "$name (pid $pid) survived SIGKILL for 10 s" || return 1
  rm -f "$dir/pids/$name.pid"
  if [[ $name == ovsdb-server ]]; then
    node_ovsdb_spawn "$ns" "$dir" || return 1
  else
    node_vswitchd_spawn "$ns" "$dir" || return 1
  fi
  node_record_pid "$dir" "$name" || return 1
  echo "$name of $dir restarted after $((($(date +%s%N) - t0) / 1000000)) ms"
}

# node_record_pid NODE_DIR NAME: records the PID the daemon wrote to run/NAME.pid (its
# own, whoever forked it) in pids/NAME.pid.
node_record_pid() {
  local dir=$1 name=$2 pid
  read -r pid <"$dir/run/$name.pid" 2>/dev/null && [[ $pid =~ ^[0-9]+$ ]] ||
    node_err "$name wrote no PID to $dir/run/$name.pid" || return 1
  write_pidfile "$dir/pids/$name.pid" "$pid"
}

# node_ovs_stop NODE_DIR: stops ovs-vswitchd, then ovsdb-server, by the PIDs recorded
# in NODE_DIR/pids (SIGTERM, SIGKILL after NODE_STOP_GRACE s). Safe when not running.
node_ovs_stop() {
  local dir=$1 name pid start rc=0
  for name in ovs-vswitchd ovsdb-server; do
    [[ -f $dir/pids/$name.pid ]] || continue
    read -r pid start <"$dir/pids/$name.pid" || continue
    if ! stop_pid "$pid" "$start" "$NODE_STOP_GRACE" >/dev/null; then
      node_err "$name (pid $pid) of $dir survived SIGKILL" || rc=1
      continue
    fi
    rm -f "$dir/pids/$name.pid"
  done
  return $rc
}
