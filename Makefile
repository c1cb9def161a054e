# sbomgraph developer targets. `make help` lists them.
SHELL := /bin/bash
GO ?= go
BIN := bin/sbomgraph
FUZZTIME ?= 10s
# Packages with a FuzzDecode (or other Fuzz*) target, fuzzed one at a time by `make fuzz`.
FUZZ_PKGS := $(shell grep -l '^func Fuzz' $$(find . -name '*_test.go' -not -path './bin/*') 2>/dev/null | xargs -r -n1 dirname | sort -u)

.PHONY: help build run test lint fuzz bench clean

help: ## list the targets
	@grep -E '^[a-z][a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build bin/sbomgraph
	$(GO) build -o $(BIN) ./cmd/sbomgraph

run: build ## build, inspect the bundled sample SBOMs, and diff two releases of a sample image
	@mkdir -p bin/samples
	@for f in alpine-3.16.2.syft.cdx.json alpine-3.17.2.syft.cdx.xml spdx-example-2.3.spdx syft-spdx3-image.golden.spdx3.json; do \
		gzip -dc testdata/corpus/$$f.gz > bin/samples/$$f; done
	$(BIN) inspect bin/samples/* testdata/corpus/big/debian-app-v4.syft.spdx.json.gz
	$(BIN) diff testdata/corpus/big/debian-app-v3.syft.cdx.json.gz testdata/corpus/big/debian-app-v4.syft.cdx.json.gz

test: ## run every test (unit, corpus, golden), then a short fuzz pass
	$(GO) test ./...
	$(MAKE) fuzz FUZZTIME=$(FUZZTIME)

lint: ## gofmt and go vet
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

fuzz: ## run each Fuzz target for FUZZTIME (default 10s)
	@set -e; for p in $(FUZZ_PKGS); do \
		for t in $$(grep -h -o '^func Fuzz[A-Za-z0-9_]*' $$p/*_test.go | cut -d' ' -f2); do \
			echo "fuzz $$p $$t ($(FUZZTIME))"; \
			$(GO) test $$p -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s; \
		done; done

BENCHTIME ?= 1s
bench: ## run the benchmarks (BENCHTIME, default 1s) and print them as a table
	@mkdir -p bin; set -o pipefail; $(GO) test ./... -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) | tee bin/bench.txt
	@echo; grep -E '^(Benchmark|pkg:)' bin/bench.txt | column -t

clean: ## remove build output
	rm -rf bin
