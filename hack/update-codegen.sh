#!/usr/bin/env bash
# Regenerates every generated file from the API types in apis/:
#   apis/**/zz_generated.{deepcopy,conversion,defaults,model_name}.go
#   generated/openapi            OpenAPI definitions (apiserver, kubectl explain, SSA)
#   generated/{clientset,listers,informers,applyconfiguration}
# Generated code is never edited by hand; hack/verify-codegen.sh proves it is current.
set -o errexit -o nounset -o pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "${ROOT}"
MODULE="$(go list -m)"
# `go list -m -f {{.Dir}}` prints nothing for a module that is not in the module cache
# yet (a fresh machine, or an empty GOMODCACHE): download the version go.mod pins first.
if [ -z "${CODEGEN_PKG:-}" ]; then
    go mod download k8s.io/code-generator
    CODEGEN_PKG="$(go list -m -f '{{.Dir}}' k8s.io/code-generator)"
fi
if [ ! -f "${CODEGEN_PKG}/kube_codegen.sh" ]; then
    echo "update-codegen: k8s.io/code-generator not found (CODEGEN_PKG='${CODEGEN_PKG}'); is it required in go.mod?" >&2
    exit 1
fi
BOILERPLATE="${ROOT}/hack/boilerplate.go.txt"

# kube_codegen.sh installs the generators at the version pinned in go.mod (hack/tools.go).
source "${CODEGEN_PKG}/kube_codegen.sh"

kube::codegen::gen_helpers --boilerplate "${BOILERPLATE}" "${ROOT}/apis"

kube::codegen::gen_openapi \
    --output-dir "${ROOT}/generated/openapi" \
    --output-pkg "${MODULE}/generated/openapi" \
    --output-model-name-file "zz_generated.model_name.go" \
    --extra-pkgs k8s.io/apimachinery/pkg/util/intstr \
    --report-filename "${ROOT}/hack/api-violations.list" \
    ${UPDATE_API_KNOWN_VIOLATIONS:+--update-report} \
    --boilerplate "${BOILERPLATE}" \
    "${ROOT}/apis"

kube::codegen::gen_client \
    --with-watch \
    --with-applyconfig \
    --applyconfig-openapi-schema <(go run "${MODULE}/hack/models-schema") \
    --output-dir "${ROOT}/generated" \
    --output-pkg "${MODULE}/generated" \
    --boilerplate "${BOILERPLATE}" \
    "${ROOT}/apis"
