# ogmint — the two commands: `make run` and `make test`.
GO        ?= go
BIN       := bin
MODULE    := $(BIN)/ogmint.wasm
VERSION   ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
FUZZTIME  ?= 60s

.PHONY: all build wasm run test test-go vet bench bench-text-wasm bench-render-wasm bench-world golden fuzz clean

all: build

## wasm: the render module (WASI reactor) shared by the host and the edge
wasm: $(MODULE)
$(MODULE): $(shell find wasm templates host/third_party/typesetting -type f) go.mod go.sum
	@mkdir -p $(BIN)
	GOOS=wasip1 GOARCH=wasm CGO_ENABLED=0 $(GO) build -buildmode=c-shared -trimpath -ldflags="-s -w" -o $@ ./wasm/cmd/ogmint-render

## build: bin/ogmint with the render module embedded
build: $(MODULE)
	cp $(MODULE) host/module/ogmint.wasm
	CGO_ENABLED=0 $(GO) build -tags embedwasm -trimpath -ldflags "-X main.version=$(VERSION)" -o $(BIN)/ogmint ./host/cmd/ogmint

## run: serve on embedded defaults (http://localhost:8080)
run: build
	$(BIN)/ogmint serve

## test: everything CI runs
test: vet test-go test-edge test-browser

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l wasm host templates scripts)" || (gofmt -l wasm host templates scripts; echo "gofmt needed"; exit 1)

# The Express receiver host/webhook/dispatch's tests deliver to (express, standardwebhooks).
WEBHOOK_NODE_DEPS := host/webhook/testdata/node/node_modules/.package-lock.json
$(WEBHOOK_NODE_DEPS): host/webhook/testdata/node/package.json host/webhook/testdata/node/package-lock.json
	cd host/webhook/testdata/node && npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

test-go: $(WEBHOOK_NODE_DEPS)
	$(GO) test -count=1 -timeout 20m ./...

## edge: the Cloudflare Worker and Deno bundles (edge/dist/) around the render module, and
##   the custom templates of TEMPLATES=dir (every <name>.json is custom_<name>), and
##   the fallback font families they hand it (edge/dist/fonts, from internal/cmd/edgefonts)
## edge-serve: the V1 endpoint in the real runtime: make edge-serve RUNTIME=workerd|deno PORT=8787
## test-edge: the edge tests in workerd and Deno (pixels, vectors, headers, fonts, size)
## edge-fixtures: the world-script cards the edge font tests expect, rendered natively (Go)
.PHONY: edge edge-serve test-edge edge-fixtures
RUNTIME   ?= workerd
PORT      ?= 8787
EDGE_DEPS := edge/node_modules/.package-lock.json
$(EDGE_DEPS): edge/package.json edge/package-lock.json
	cd edge && npm ci --ignore-scripts --no-audit --no-fund
	@touch $@
edge: $(MODULE) $(EDGE_DEPS)
	cd edge && GO="$(GO)" TEMPLATES="$(TEMPLATES)" node scripts/build.mjs
# Re-rendered when the module (renderer, templates, fonts) or the cases change.
EDGE_FIXTURES := edge/test/fixtures/cases.json
$(EDGE_FIXTURES): $(MODULE) edge/scripts/fixtures.mjs edge/scripts/worldcards.go
	cd edge && GO="$(GO)" node scripts/fixtures.mjs
edge-fixtures: $(EDGE_FIXTURES)
edge-serve: edge
	cd edge && node scripts/serve.mjs $(RUNTIME) $(PORT)
# The edge tests bundle the golden custom templates (their cards must match the host's).
test-edge: TEMPLATES = internal/golden/testdata/templates
test-edge: edge $(EDGE_FIXTURES)
	cd edge && npm test

## test-browser: the home page and the playground in Debian's Chromium, driven by npm
##   playwright-core (test/browser), against bin/ogmint on 127.0.0.1; skipped, saying why,
##   without chromium. Screenshots, the server's log and the per-keystroke times go to
##   $(OGMINT_ARTIFACTS), or a new directory under the temp dir (the test prints it)
.PHONY: test-browser
BROWSER_DEPS := test/browser/node_modules/.package-lock.json
$(BROWSER_DEPS): test/browser/package.json test/browser/package-lock.json
	cd test/browser && npm ci --ignore-scripts --no-audit --no-fund
	@touch $@
test-browser: build $(BROWSER_DEPS)
	cd test/browser && OGMINT_BIN=$(abspath $(BIN))/ogmint npm test

## bench: benchmarks; results go to docs/benchmarks.md by hand (see that file). First
##   ogmint against Takumi and satori + resvg on the same card, interleaved, three
##   rounds (scripts/peers/run.sh; OUT_DIR keeps the PNGs), then the Go benchmarks
##   and the HTTP runs of scripts/bench.sh
bench: build
	scripts/peers/run.sh
	scripts/bench.sh

## bench-text-wasm: the text engine's benchmarks run inside wazero, as the module runs them
bench-text-wasm:
	$(GO) build -o $(BIN)/wasmexec ./internal/cmd/wasmexec
	GOOS=wasip1 GOARCH=wasm $(GO) test -exec $(abspath $(BIN))/wasmexec -run XXX -bench 'NewTitle|ShapeNewWord|DrawText|ClearFrame' -benchtime 1000x ./wasm/typeset ./wasm/shape

## bench-render-wasm: the format-2 card's first render, cached-layer render and uncached render,
##   inside wazero as the module runs them (BENCH=RenderPart: its parts one by one)
BENCH ?= RenderRichTemplate
bench-render-wasm:
	$(GO) build -o $(BIN)/wasmexec ./internal/cmd/wasmexec
	GOOS=wasip1 GOARCH=wasm $(GO) test -exec $(abspath $(BIN))/wasmexec -run XXX -bench '$(BENCH)' -benchtime 40x ./wasm/render

## bench-world: the world-text benchmarks (BASE=<commit> adds the draw before/after)
bench-world: build
	scripts/worldtext-bench.sh

## golden: regenerate the golden images after an intended visual change
golden:
	OGMINT_UPDATE_GOLDEN=1 $(GO) test -count=1 -run "TestGolden" ./wasm/render/

## fuzz: run every fuzz target for FUZZTIME each
fuzz:
	$(GO) test -run XXX -fuzz FuzzParse -fuzztime $(FUZZTIME) ./wasm/params/
	$(GO) test -run XXX -fuzz FuzzClean -fuzztime $(FUZZTIME) ./wasm/textclean/
	$(GO) test -run XXX -fuzz FuzzLayout -fuzztime $(FUZZTIME) ./wasm/typeset/
	$(GO) test -run XXX -fuzz FuzzUnpack -fuzztime $(FUZZTIME) ./wasm/fonts/
	$(GO) test -run XXX -fuzz FuzzWOFF2 -fuzztime $(FUZZTIME) ./host/fontcat/
	$(GO) test -run XXX -fuzz FuzzDecodeWOFF -fuzztime $(FUZZTIME) ./host/fontcat/
	$(GO) test -run XXX -fuzz FuzzDecodeUnreserved -fuzztime $(FUZZTIME) ./host/api/
	$(GO) test -run XXX -fuzz FuzzEncoder -fuzztime $(FUZZTIME) ./wasm/pngenc/
	$(GO) test -run XXX -fuzz '^FuzzTemplateParse$$' -fuzztime $(FUZZTIME) ./templates/
	$(GO) test -run XXX -fuzz '^FuzzValidPathData$$' -fuzztime $(FUZZTIME) ./templates/
	$(GO) test -run XXX -fuzz '^FuzzNames$$' -fuzztime $(FUZZTIME) ./templates/
	$(GO) test -run XXX -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./wasm/svgpath/

clean:
	rm -rf $(BIN) host/module/ogmint.wasm
