# pbprobe — build, test and release targets. `make help` lists them.
GO        ?= go
PKG       := github.com/pbprobe/pbprobe
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
REVISION  ?= $(shell git rev-parse HEAD 2>/dev/null)
VPKG      := github.com/prometheus/common/version
LDFLAGS   := -s -w -X $(VPKG).Version=$(VERSION) -X $(VPKG).Revision=$(REVISION) -X $(VPKG).Branch=main
# A count, not a duration: Go 1.26's fuzz coordinator can fail a target with
# "context deadline exceeded" when a duration runs out under load (golang/go#75804).
FUZZTIME  ?= 100000x
BENCHTIME ?= 20x
# make compare rewrites docs/comparison.md unless COMPARE_WRITE=0 (CI: the
# tree stays clean, so make dist's version has no -dirty).
COMPARE_WRITE ?= 1
DIST      ?= dist
PLATFORMS := linux/amd64 linux/arm64 windows/amd64 windows/arm64 darwin/amd64 darwin/arm64

.PHONY: help run build test lint fmt fuzz bench footprint compare cross dist clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

run: ## probe the Password Boss hosts once from this machine
	$(GO) run ./cmd/pbprobe check

build: ## build ./pbprobe for this machine (stripped)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o pbprobe ./cmd/pbprobe

test: ## run every test with the race detector (root-only tests skip off CI)
	$(GO) test -race -count=1 ./...

lint: ## gofmt, go vet and staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	GOOS=windows $(GO) vet ./...
	GOOS=darwin $(GO) vet ./...
	$(GO) tool staticcheck ./...

fmt: ## gofmt the tree
	gofmt -w $$(git ls-files '*.go')

fuzz: ## run each fuzz target for FUZZTIME (default 100000x executions)
	@set -e; for dir in $$($(GO) list -f '{{.Dir}}' ./...); do \
	  for f in $$(cat $$dir/*_test.go 2>/dev/null | sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p'); do \
	    echo "fuzz $$f ($$dir)"; \
	    $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$dir; \
	  done; \
	done

bench: ## run the benchmarks (BENCHTIME, default 20x)
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=$(BENCHTIME) ./...

footprint: ## pbprobe run beside blackbox_exporter: RSS, /metrics latency, size and series
	$(GO) test -run='^$$' -bench='FootprintVsBlackbox|AgentIdleRSS' -benchtime=1x ./cmd/pbprobe/

compare: ## pbprobe beside blackbox_exporter against the same faults into docs/comparison.md; fails on a misclassification (root)
	PBPROBE_COMPARE_WRITE=$(COMPARE_WRITE) $(GO) test -run='^$$' -bench='^BenchmarkCompare$$' -benchtime=1x ./cmd/pbprobe/

cross: ## build for windows, darwin and linux on amd64 and arm64 into dist/
	@mkdir -p $(DIST)
	@set -e; for p in $(PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
	  echo "build $$os/$$arch"; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(DIST)/pbprobe-$$os-$$arch$$ext ./cmd/pbprobe; \
	done

# SIGN_PKCS12 and SIGN_PASSWORD_FILE: Authenticode-sign the Windows binaries and the MSI.
SIGN_PKCS12        ?=
SIGN_PASSWORD_FILE ?=

dist: ## every package (MSI, deb, rpm, macOS and RMM tarballs) and SHA256SUMS in dist/
	@# dist/screenshots (the status page's browser test, a CI artefact) stays.
	@mkdir -p $(DIST) && find $(DIST) -mindepth 1 -maxdepth 1 ! -name screenshots -exec rm -rf {} +
	$(MAKE) --no-print-directory cross
	DIST=$(DIST) VERSION=$(VERSION) SIGN_PKCS12=$(SIGN_PKCS12) SIGN_PASSWORD_FILE=$(SIGN_PASSWORD_FILE) \
	  packaging/dist.sh all

clean: ## remove build output
	rm -rf pbprobe $(DIST)
