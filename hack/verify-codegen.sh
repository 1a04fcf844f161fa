#!/usr/bin/env bash
# Fails when the generated code is not what hack/update-codegen.sh produces from the
# current API types. It regenerates into a copy of the tree and compares, so a dirty
# work tree is never touched.
set -o errexit -o nounset -o pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
TMP="$(mktemp -d)"
trap 'rm -rf "${TMP}"' EXIT

# Copy the module (without build outputs) and regenerate there.
tar -C "${ROOT}" --exclude=./_output --exclude=./.git -cf - . | tar -C "${TMP}" -xf -
(cd "${TMP}" && hack/update-codegen.sh >/dev/null)

status=0
for dir in apis generated hack/api-violations.list; do
    if ! diff -Naupr "${ROOT}/${dir}" "${TMP}/${dir}" >"${TMP}/diff.txt" 2>&1; then
        echo "generated code under ${dir} is stale; run hack/update-codegen.sh:" >&2
        head -50 "${TMP}/diff.txt" >&2
        status=1
    fi
done
[ "${status}" -eq 0 ] && echo "generated code is up to date"
exit "${status}"
