# sbomgraph developer targets. `make help` lists them.
SHELL := /bin/bash
GO ?= go
BIN := bin/sbomgraph
# Fuzz budget per target, as a count of executions: Go 1.26's fuzz coordinator can fail a target
# with a bare "context deadline exceeded" when a duration (-fuzztime 10s) runs out while a worker
# is mid-input (golang/go#75804, fixed in Go 1.27); a count has no deadline to race.
FUZZTIME ?= 20000x
# Packages with a FuzzDecode (or other Fuzz*) target, fuzzed one at a time by `make fuzz`.
FUZZ_PKGS := $(shell grep -l '^func Fuzz' $$(find . -name '*_test.go' -not -path './bin/*') 2>/dev/null | xargs -r -n1 dirname | sort -u)

.PHONY: help build run deps test lint generate generate-check api-baseline fuzz bench clean neo4j-up neo4j-down

help: ## list the targets
	@grep -E '^[a-z][a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build bin/sbomgraph
	$(GO) build -o $(BIN) ./cmd/sbomgraph

run: build ## start a server on a temp embedded store, ingest sample images, ask blast-radius and diff questions
	@bash cmd/sbomgraph/demo.sh $(BIN)

# The HTML report tests open the reports in headless Chromium (Debian's chromium package).
# `make deps` installs it when missing (as root, with apt-get); SBOMGRAPH_SKIP_CHROMIUM=1 skips
# both the install and those tests.
deps: ## install Debian's chromium for the HTML report tests, if missing (root, apt-get)
	@if [ -n "$$SBOMGRAPH_SKIP_CHROMIUM" ]; then echo "deps: SBOMGRAPH_SKIP_CHROMIUM is set: not installing chromium"; \
	elif command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "deps: installing chromium (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	else \
		echo "deps: chromium is missing; run 'sudo apt-get install -y --no-install-recommends chromium'" \
			"(or set SBOMGRAPH_SKIP_CHROMIUM=1 to skip the browser tests)" >&2; exit 1; \
	fi

test: deps ## run every test (unit, corpus, golden, HTML in headless Chromium, Neo4j), then a short fuzz pass
	bash $(NEO4J_SH) with $(GO) test ./...
	$(MAKE) fuzz FUZZTIME=$(FUZZTIME)

lint: generate-check ## gofmt, go vet, buf lint, buf format and buf breaking, and api/ up to date with proto/
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool buf lint
	$(GO) tool buf format -d --exit-code
	$(GO) tool buf breaking --against $(API_BASELINE)

# buf and the protoc plugins are pinned in go.mod (tool directive) and run with `go tool`, so
# generation needs nothing installed and gives the same bytes on every machine.
generate: ## regenerate the Go API in api/ from proto/ (buf.gen.yaml)
	rm -rf api/sbomgraph
	$(GO) tool buf generate

# buf breaking (in `make lint`) compares proto/ with $(API_BASELINE), the API as released: an
# image without comments that `make api-baseline` writes. v1 only grows compatibly (buf.yaml:
# breaking FILE); record a new baseline when a release ships, never to silence an error.
API_BASELINE := proto/breaking.binpb

api-baseline: ## record the current API as the baseline `make lint` checks compatibility against
	$(GO) tool buf build --exclude-source-info -o $(API_BASELINE)

generate-check: ## fail when api/ differs from what `make generate` would write
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(GO) tool buf generate -o "$$tmp" && \
	if ! diff -r api "$$tmp/api"; then echo "api/ is not what proto/ generates: run 'make generate'"; exit 1; fi

# A local Neo4j 5.26 for graph/neo4j's tests and benchmarks (graph/neo4j/server/neo4j.sh): the
# jars come from Maven Central once, the server's address and password land in bin/neo4j/env.
# `make test` starts one for the tests and stops it after them (or uses SBOMGRAPH_NEO4J_URI).
NEO4J_SH := graph/neo4j/server/neo4j.sh

neo4j-up: ## start a local Neo4j for the tests and benchmarks (settings: bin/neo4j/env)
	bash $(NEO4J_SH) up

neo4j-down: ## stop the local Neo4j and remove its data
	bash $(NEO4J_SH) down

fuzz: ## run each Fuzz target for FUZZTIME executions (default 20000x: 1-25 s each here)
	@set -e; for p in $(FUZZ_PKGS); do \
		for t in $$(grep -h -o '^func Fuzz[A-Za-z0-9_]*' $$p/*_test.go | cut -d' ' -f2); do \
			echo "fuzz $$p $$t ($(FUZZTIME))"; \
			$(GO) test $$p -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s; \
		done; done

BENCHTIME ?= 1s
bench: ## run the benchmarks (BENCHTIME, default 1s; Neo4j's too, on a local server) and print them as a table
	@mkdir -p bin; set -o pipefail; bash $(NEO4J_SH) with $(GO) test ./... -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) | tee bin/bench.txt
	@echo; grep -E '^(Benchmark|pkg:)' bin/bench.txt | column -t

clean: ## remove build output
	rm -rf bin
