#!/usr/bin/env bash
# Prints the unit packages: those whose tests need neither root nor Open vSwitch
# (make test-unit runs them). The other tiers are recognised by what they use:
#   - a package whose tests import nodeagent/ovs/ovstest runs a private Open vSwitch
#     in network namespaces (ovstest.Require: root and OVS);
#   - test/e2e/... brings up strata-apiserver or the local cluster (root, the
#     binaries of make kube-binaries).
# make test runs every tier.
set -o errexit -o nounset -o pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

module=$(go list -m)
go list -f '{{.ImportPath}} {{join .TestImports " "}} {{join .XTestImports " "}}' ./... |
  awk -v ovstest="$module/nodeagent/ovs/ovstest" -v e2e="$module/test/e2e/" '
    index($1, e2e) == 1 { next }
    {
      for (i = 1; i <= NF; i++) if ($i == ovstest) next
      print $1
    }'
