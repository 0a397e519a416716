# Thin wrapper over CMake presets (CMakePresets.json holds the truth).
# The two commands of the README:  make demo   and   make test
.PHONY: all deps demo test test-release test-asan asan ubsan tsan noomp fuzz bench fmt fmt-check lint memcheck coverage clean

CMAKE ?= cmake
CTEST ?= ctest
CIP    = build/release/cip

all: deps
	$(CMAKE) --preset release >/dev/null
	$(CMAKE) --build --preset release -j2

deps:
	@tools/deps.sh build test

demo: all
	$(CIP) pipeline data/customers.csv --out out

test: test-release test-asan

test-release: all
	$(CTEST) --preset release

test-asan: deps
	$(CMAKE) --preset asan >/dev/null
	$(CMAKE) --build --preset asan -j2
	$(CTEST) --preset asan

asan: test-asan

ubsan tsan noomp: deps
	$(CMAKE) --preset $@ >/dev/null
	$(CMAKE) --build --preset $@ -j2
	$(CTEST) --test-dir build/$@ --output-on-failure -LE bench

fuzz:
	@tools/deps.sh build fuzz
	$(CMAKE) --preset fuzz >/dev/null
	$(CMAKE) --build --preset fuzz -j2
	@echo "fuzz targets are in build/fuzz/fuzz; e.g. build/fuzz/fuzz/fuzz_csv tests/fuzz-corpus/csv -max_total_time=60"

bench:
	@tools/deps.sh build bench
	$(CMAKE) --preset bench >/dev/null
	$(CMAKE) --build --preset bench -j2
	bench/run.sh build/bench

fmt:
	clang-format -i $$(git ls-files '*.c' '*.h')

fmt-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

lint: fmt-check
	tools/checksrc.sh

memcheck: all
	$(CTEST) --test-dir build/release -L unit -T memcheck

coverage: deps
	$(CMAKE) --preset coverage >/dev/null
	$(CMAKE) --build --preset coverage -j2
	$(CTEST) --test-dir build/coverage -LE bench

clean:
	rm -rf build
