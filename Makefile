# Shopfront. `make run` serves the demo shop; `make test` runs every check.
# Both provide what they need (PostgreSQL, Chromium) on a fresh Debian machine.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
GO ?= go
BIN := .data/bin/shopfront
PG := db/dev-postgres.sh

.PHONY: run test check generate build bench chromium validator clean

# The Nu Html Checker that tests validate every page with: the npm package
# vnu-jar, run with Java.
VNU_VERSION := 26.9.27
VNU_DIR := .data/tools/vnu-jar-$(VNU_VERSION)
VNU_JAR := $(VNU_DIR)/package/build/dist/vnu.jar

## run: serve the demo shop at http://localhost:8080 (a development Postgres is provided)
run: build
ifeq ($(strip $(DATABASE_URL)),)
	@$(PG) $(MAKE) --no-print-directory serve-dev
else
	@$(MAKE) --no-print-directory serve-dev
endif

.PHONY: serve-dev
serve-dev:
	@$(BIN) migrate
	@$(BIN) seed
	@exec $(BIN) serve

## build: compile the binary into .data/bin
build:
	@mkdir -p .data/bin
	$(GO) build -o $(BIN) ./cmd/shopfront

## generate: regenerate sqlc and templ code (commit the result)
generate:
	$(GO) tool sqlc generate
	$(GO) tool templ generate -log-level warn

## check: formatting, vet, and generated code up to date
check:
	@files=$$(gofmt -l $$(find . -name '*.go' -not -path './.data/*')); \
	  if [ -n "$$files" ]; then echo "gofmt would change: $$files (run gofmt -w)" >&2; exit 1; fi
	$(GO) vet ./...
	@$(GO) tool sqlc diff >/dev/null || { echo "sqlc output is stale: run 'make generate' and commit" >&2; exit 1; }
	@$(GO) tool templ generate -check -log-level error >/dev/null || { echo "templ output is stale: run 'make generate' and commit" >&2; exit 1; }

## test: check, then every test against real Postgres and headless Chromium,
## under the race detector (which needs a C compiler: installed when missing and root)
test: check chromium validator
	@race=-race; \
	if ! command -v gcc >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing gcc for the race detector (once)…" >&2; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends gcc libc6-dev >/dev/null \
	      || { echo "make test: installing gcc with apt-get failed" >&2; exit 1; }; \
	  fi; \
	fi; \
	if [ "$$($(GO) env CGO_ENABLED)" != 1 ]; then \
	  echo "make test: cgo is off (no C compiler, or CGO_ENABLED=0), so the race detector is off too" >&2; race=; \
	fi; \
	DEV_PG_PRIVATE=1 VNU_JAR="$(abspath $(VNU_JAR))" $(PG) $(GO) test $$race -count=1 -timeout 30m ./...

## chromium: install Debian's chromium for the browser tests when missing
chromium:
	@if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/lib/chromium/chromium ]; then \
	  if [ "$$(id -u)" != 0 ]; then echo "make test: Chromium is missing: run 'sudo apt-get install chromium'" >&2; exit 1; fi; \
	  echo "installing Debian's chromium package (once)…" >&2; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends chromium >/dev/null \
	    || { echo "make test: installing chromium with apt-get failed" >&2; exit 1; }; \
	fi

## validator: the Nu Html Checker (Java, and the npm package vnu-jar) for the HTML tests
validator:
	@if ! command -v java >/dev/null 2>&1; then \
	  if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then echo "make test: Java is missing for the HTML checker: run 'sudo apt-get install default-jre-headless'" >&2; exit 1; fi; \
	  echo "installing Debian's default-jre-headless for the HTML checker (once)…" >&2; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends default-jre-headless >/dev/null \
	    || { echo "make test: installing default-jre-headless with apt-get failed" >&2; exit 1; }; \
	fi
	@if [ ! -f $(VNU_JAR) ]; then \
	  if ! command -v npm >/dev/null 2>&1; then \
	    if [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then echo "make test: npm is missing to fetch the HTML checker: run 'sudo apt-get install npm'" >&2; exit 1; fi; \
	    echo "installing Debian's npm to fetch the HTML checker (once)…" >&2; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends npm >/dev/null \
	      || { echo "make test: installing npm with apt-get failed" >&2; exit 1; }; \
	  fi; \
	  echo "fetching the HTML checker, vnu-jar@$(VNU_VERSION), from npm (once)…" >&2; \
	  rm -rf $(VNU_DIR) && mkdir -p $(VNU_DIR) && \
	  (cd $(VNU_DIR) && npm pack --silent vnu-jar@$(VNU_VERSION) >/dev/null && tar xzf vnu-jar-$(VNU_VERSION).tgz && rm vnu-jar-$(VNU_VERSION).tgz) \
	    && [ -f $(VNU_JAR) ] || { rm -rf $(VNU_DIR); echo "make test: fetching vnu-jar@$(VNU_VERSION) with npm failed" >&2; exit 1; }; \
	fi

## bench: Go benchmarks, then load from a second process: one node, the
## catalogue at 10,000 and 100,000 generated products, live streams, then
## hot-product checkout on three nodes
bench: build
	@$(PG) $(GO) test -run '^$$' -bench . -benchmem -count=1 ./...
	@$(PG) $(GO) run ./cmd/loadgen -bin $(BIN)
	@$(PG) $(GO) run ./cmd/loadgen -bin $(BIN) -nodes 3 -scenarios checkout-hot-product -sizes "" -live=false

clean:
	rm -rf .data/bin

## image: the production image as a tarball, built without Docker (docs/deploy.md)
.PHONY: image
image:
	@mkdir -p .data
	$(GO) run ./cmd/image -o .data/shopfront-image.tar
