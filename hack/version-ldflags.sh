#!/usr/bin/env bash
# Prints the -ldflags that stamp Strata's binaries with their version
# (apis/version): the tag when HEAD is tagged v*, else v0.1.0-dev+<commit>, with
# ".dirty" when the tree has uncommitted changes; the commit; the build date.
#   go build -ldflags "$(hack/version-ldflags.sh)" ./cmd/...
set -o errexit -o nounset -o pipefail

BASE_VERSION=v0.1.0
PKG=github.com/strata-net/strata/apis/version
cd "$(dirname "${BASH_SOURCE[0]}")/.."

commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if version=$(git describe --tags --exact-match --match 'v*' 2>/dev/null); then
  :
else
  version="${BASE_VERSION}-dev+${commit}"
fi
if [[ $commit != unknown ]] && ! git diff --quiet HEAD -- 2>/dev/null; then
  version+=".dirty"
fi
echo "-X ${PKG}.gitVersion=${version} -X ${PKG}.gitCommit=${commit} -X ${PKG}.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
