# aop — make demo runs the whole loop on local files; make test runs every test.
GO       ?= go
DEMO_DIR ?= demo
FUZZTIME ?= 30s

.PHONY: all build demo test test-short bench fuzz lint check-deps clean

all: build

build:
	$(GO) build -o bin/aop ./cmd/aop

## demo: generate, fill, harvest and consolidate the example company's workbooks in $(DEMO_DIR)/, then close its year month by month
demo: build
	./bin/aop demo --out $(DEMO_DIR) --with-actuals

## test: every test, including LibreOffice round trips (skipped with a message when soffice is missing, except in CI),
## then the add-ins' Node tests against bin/aop (their packages installed with npm ci when missing)
test: check-deps build
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...
	cd addin && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm test

test-short:
	$(GO) test -short -count=1 ./...

## bench: benchmarks with their figures; the 1,000-workbook scale runs build their workbooks once (cached in $TMPDIR)
bench:
	$(GO) test -run '^$$' -bench . -benchmem $$($(GO) list ./... | grep -v /cmd/internal/bench) | tee bench.out
	AOP_BENCH=1 $(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./cmd/internal/bench | tee -a bench.out

## fuzz: run each fuzz target for FUZZTIME
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzRead$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./excel/xlsxread
	$(GO) test -run '^$$' -fuzz '^FuzzSheetXML$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./excel/xlsxread
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./cmd/internal/cyclefile
	$(GO) test -run '^$$' -fuzz '^FuzzLedgerCSV$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./cmd/internal/cyclefile
	$(GO) test -run '^$$' -fuzz '^FuzzActualsCSV$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./cmd/internal/cyclefile
	$(GO) test -run '^$$' -fuzz '^FuzzHarvest$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./cmd/internal/harvest
	$(GO) test -run '^$$' -fuzz '^FuzzParseDecimal$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./engine/grid
	$(GO) test -run '^$$' -fuzz '^FuzzReadWorkbook$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./cmd/internal/httpapi
	$(GO) test -run '^$$' -fuzz '^FuzzWebhookBody$$' -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./cmd/internal/httpapi

lint: check-deps
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

## check-deps: enforce the dependency rules of DESIGN.md
check-deps:
	@sh .ci/check-deps

clean:
	rm -rf bin $(DEMO_DIR) bench.out
