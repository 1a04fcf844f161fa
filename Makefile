# Strata: see README.md. `make help` lists the targets.
GO        ?= go
BIN_DIR   ?= bin
GO_TEST   ?= $(GO) test -count=1 -timeout=30m
PKGS      ?= ./...
# UNIT_PKGS are the packages whose tests need neither root nor Open vSwitch
# (hack/unit-packages.sh: not under test/e2e/, and no test importing
# nodeagent/ovs/ovstest, the private Open vSwitch that needs root).
UNIT_PKGS ?= $(shell hack/unit-packages.sh)
# RACE_PKGS are the packages make test-race (CI) runs with the race detector: all the
# unit packages.
RACE_PKGS ?= $(UNIT_PKGS)

.PHONY: help all build test test-race test-unit test-e2e kube-binaries deps verify verify-gofmt verify-vet verify-codegen \
        update update-codegen run down bench bench-scale bench-agents clean conformance conformance-subset

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

all: verify build test ## verify, build and test

build: ## compile every package and the binaries under cmd/ into bin/ (version-stamped)
	$(GO) build ./...
	@mkdir -p $(BIN_DIR) && $(GO) build -ldflags "$$(hack/version-ldflags.sh)" -o $(BIN_DIR)/ ./cmd/...

deps: ## install the Debian packages the tests need (Open vSwitch, ethtool, iproute2) when missing
	@hack/install-deps.sh

# TEST_P test binaries run at once: the e2e packages (each on a local cluster of its own)
# spend most of their time waiting on the clusters, so they overlap well even on 2 cores.
TEST_P    ?= 3

test: deps kube-binaries ## run every test: unit, real etcd, real Open vSwitch and network namespaces (as root), e2e on the local cluster
	$(GO_TEST) -p $(TEST_P) $(PKGS)

test-race: ## run the tests that need neither root nor Open vSwitch with the race detector (CI runs it)
	$(GO_TEST) -race $(RACE_PKGS)

test-e2e: kube-binaries ## run the end-to-end tests (standalone strata-apiserver, and the local cluster of hack/local-cluster.sh)
	$(GO_TEST) ./test/e2e/...

kube-binaries: ## build and cache etcd, kube-apiserver, kube-controller-manager, kube-scheduler, agnhost, coredns (no-op when cached; cold: 15-36 min)
	@hack/kube-binaries.sh

conformance: kube-binaries ## run network-policy-api's conformance suite and the full cyclonus on a local cluster; reports in docs/conformance/ (root; hours)
	@hack/conformance.sh

conformance-subset: kube-binaries ## the suite and the CI subset of cyclonus (see hack/conformance.sh --subset; root)
	@hack/conformance.sh --subset

test-unit: ## run the tests that need neither root nor Open vSwitch (hack/unit-packages.sh lists the packages)
	$(GO_TEST) $(UNIT_PKGS)

bench: ## run the Go benchmarks (not the agents' scale benchmark: make bench-agents)
	$(GO) test -run '^$$' -bench . -benchmem -timeout 60m $$($(GO) list $(PKGS) | grep -v /test/bench/scale$$)

# The agents' scale benchmark (BenchmarkAgentScale) needs a local cluster of its own
# (test/bench/scale/doc.go).
SCALE_CLUSTER ?= /tmp/strata-scale-lc
SCALE_PORT_BASE ?= 44000
SCALE_NODES ?= 1000
# SCALE_VIA=kube-apiserver: the agents through kube-apiserver to the cluster's own 2 replicas.
SCALE_VIA ?= direct
SCALE_UP_FLAGS = $(if $(filter kube-apiserver,$(SCALE_VIA)),--apiserver-replicas 2 --etcd-members 3)
bench-agents: ## simulated agents against 2 strata-apiserver replicas on a local cluster (docs/performance.md)
	hack/local-cluster.sh up --dir $(SCALE_CLUSTER) --port-base $(SCALE_PORT_BASE) --nodes 0 $(SCALE_UP_FLAGS)
	$(GO) test ./test/bench/scale -run '^$$' -bench AgentScale -benchtime 1x -timeout 90m \
	  -strata.cluster=$(SCALE_CLUSTER) -strata.nodes=$(SCALE_NODES) -strata.via=$(SCALE_VIA); rc=$$?; \
	  hack/local-cluster.sh down --dir $(SCALE_CLUSTER); exit $$rc

bench-scale: ## the policy computation's scale figures (docs/performance.md)
	$(GO) test ./apiserver/policy -run '^$$' -bench 'BenchmarkScale|BenchmarkCompute' -benchtime 1x -benchmem -timeout 60m
	$(GO) test ./apiserver -run '^$$' -bench BenchmarkIncrementalS1 -benchtime 200x -timeout 60m
	$(GO) test ./apiserver -run '^$$' -bench BenchmarkExplainS1 -benchtime 1000x -timeout 60m

verify: verify-gofmt verify-vet verify-codegen ## check formatting, vet and generated code

verify-gofmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

verify-vet:
	$(GO) vet ./...

verify-codegen:
	hack/verify-codegen.sh

update: update-codegen ## regenerate generated code

update-codegen:
	hack/update-codegen.sh

run: ## bring up the local cluster (2 worker nodes) with the seed's guestbook; Ctrl-C tears it down (root)
	@hack/run-demo.sh

down: ## tear down a local cluster left behind by make run
	@hack/local-cluster.sh down

clean: ## remove build outputs (keeps the cached Kubernetes binaries in _output/bin)
	rm -rf $(BIN_DIR)
