#!/usr/bin/env bash
# Installs the Debian packages Strata's tests and local cluster need, when missing:
# Open vSwitch (ovsdb-server, ovs-vswitchd, ovs-ofctl, ovs-vsctl), ethtool, iproute2,
# openssl, curl and wget (the seed walkthrough's probe, run inside Pods). Idempotent: prints "all present" and does nothing when everything
# is there. Needs root (apt-get) only when something is missing.
set -o errexit -o nounset -o pipefail

declare -A PACKAGE_OF=(
    [ovsdb-server]=openvswitch-switch [ovs-vswitchd]=openvswitch-switch
    [ovs-vsctl]=openvswitch-common [ovs-ofctl]=openvswitch-common
    [ethtool]=ethtool [ip]=iproute2 [openssl]=openssl [curl]=curl [wget]=wget
)

missing=()
for cmd in "${!PACKAGE_OF[@]}"; do
    if ! command -v "${cmd}" >/dev/null 2>&1 && [ ! -x "/usr/sbin/${cmd}" ]; then
        missing+=("${PACKAGE_OF[${cmd}]}")
    fi
done
if [ "${#missing[@]}" -eq 0 ]; then
    echo "install-deps: all present (Open vSwitch, ethtool, iproute2, openssl, curl, wget)"
    exit 0
fi
mapfile -t packages < <(printf '%s\n' "${missing[@]}" | sort -u)
if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing Debian packages: ${packages[*]}" >&2
    echo "install-deps: run as root, or: sudo apt-get install -y ${packages[*]}" >&2
    exit 1
fi
echo "install-deps: installing ${packages[*]} (apt-get, about a minute)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
echo "install-deps: installed ${packages[*]}"
