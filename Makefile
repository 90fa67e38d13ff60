# storegate's front door. CMake drives the C build; this file only names the everyday tasks:
#   make deps    install missing Debian (and npm) packages; quick when all is present
#   make         release build -> build/release/storegate
#   make serve   deps + build, install a store into var/ on first run, serve on 127.0.0.1:8080
#   make test    deps + build, source check, unit tests (ctest), end-to-end tests (pytest), browser
#                tests of the admin panel (node:test + playwright-core driving Debian's chromium)
#   make test-pg deps + build, the end-to-end tests with every store in PostgreSQL (a throwaway
#                cluster in a temp folder: scripts/test-pg.sh)
#   make asan    the unit and end-to-end tests under AddressSanitizer + UBSan (build/asan)
#   make fuzz    every libFuzzer target for FUZZ_SECONDS each (build/fuzz, clang)
#   make format  clang-format the C sources in place
#   make clean   remove build/ (var/, the local store, is kept)
# Debian's python3 packages live under /usr/bin/python3; the python3 first on PATH may be another.

PYTHON := /usr/bin/python3
JOBS ?= 2
FUZZ_SECONDS ?= 20

RELEASE_DIR := build/release
ASAN_DIR := build/asan
FUZZ_DIR := build/fuzz
FORMAT_DIRS := src tests/unit tests/fuzz

# Sanitizer runtime options for `make asan`: any leak, overflow or undefined behaviour fails the run.
# tests/lsan.supp names the only leaks tolerated (memory held inside libh2o at exit).
LSAN_SUPP := $(wildcard $(CURDIR)/tests/lsan.supp)
SAN_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	$(if $(LSAN_SUPP),LSAN_OPTIONS=suppressions=$(LSAN_SUPP):print_suppressions=0)

# Prerequisites run in the order written (deps before build before tests); parallelism lives inside
# `cmake --build -j$(JOBS)`.
.NOTPARALLEL:
MAKEFLAGS += --no-print-directory
.DEFAULT_GOAL := all
.PHONY: all build deps serve test test-pg check-source unit e2e browser asan fuzz format clean

all: build

deps:
	@scripts/deps.sh

# Configure only once; afterwards `cmake --build` re-runs CMake itself when CMakeLists.txt changes.
$(RELEASE_DIR)/CMakeCache.txt:
	cmake -S . -B $(RELEASE_DIR) -DCMAKE_BUILD_TYPE=Release

build: $(RELEASE_DIR)/CMakeCache.txt
	cmake --build $(RELEASE_DIR) -j$(JOBS)

serve: deps build
	@STOREGATE_BIN=$(abspath $(RELEASE_DIR)/storegate) scripts/serve.sh

test: deps build check-source unit e2e browser

check-source:
	@scripts/check-source.sh

unit: build
	ctest --test-dir $(RELEASE_DIR) --output-on-failure --no-tests=error

e2e: build
	STOREGATE_BIN=$(abspath $(RELEASE_DIR)/storegate) $(PYTHON) -m pytest -q tests/e2e

# The admin panel in a real browser: each test starts its own store (tests/browser/harness.js) and
# drives headless /usr/bin/chromium; screenshots of every screen land in tests/browser/screenshots/.
browser: build
	STOREGATE_BIN=$(abspath $(RELEASE_DIR)/storegate) node --test --test-concurrency=1 tests/browser/

# The same end-to-end suite, every installation in a database of its own on a throwaway PostgreSQL
# cluster (initdb in a temp folder, run by an unprivileged user, removed afterwards).
test-pg: deps build
	STOREGATE_BIN=$(abspath $(RELEASE_DIR)/storegate) scripts/test-pg.sh

asan: deps
	test -f $(ASAN_DIR)/CMakeCache.txt || \
		cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DSG_SANITIZE=ON
	cmake --build $(ASAN_DIR) -j$(JOBS)
	$(SAN_ENV) ctest --test-dir $(ASAN_DIR) --output-on-failure --no-tests=error
	$(SAN_ENV) STOREGATE_BIN=$(abspath $(ASAN_DIR)/storegate) $(PYTHON) -m pytest -q tests/e2e

# Each build/fuzz/fuzz_<name> runs with two corpus directories: a scratch one under build/fuzz that
# receives what libFuzzer finds, then the committed seeds in tests/fuzz/corpus/<name>/ (read only,
# so fuzzing never dirties the tree). Crashes land in build/fuzz/artifacts/.
fuzz: deps
	test -f $(FUZZ_DIR)/CMakeCache.txt || \
		CC=clang cmake -S . -B $(FUZZ_DIR) -DSG_FUZZ=ON -DCMAKE_C_FLAGS=-O1
	cmake --build $(FUZZ_DIR) -j$(JOBS)
	@set -e; n=0; \
	for bin in $(FUZZ_DIR)/fuzz_*; do \
		[ -f "$$bin" ] && [ -x "$$bin" ] || continue; \
		name=$${bin##*/fuzz_}; n=$$((n + 1)); \
		mkdir -p $(FUZZ_DIR)/corpus/$$name $(FUZZ_DIR)/artifacts; \
		seeds=; [ -d tests/fuzz/corpus/$$name ] && seeds=tests/fuzz/corpus/$$name; \
		echo "== fuzz $$name for $(FUZZ_SECONDS)s"; \
		"$$bin" -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_DIR)/artifacts/$$name- \
			$(FUZZ_DIR)/corpus/$$name $$seeds; \
	done; \
	if [ "$$n" -eq 0 ]; then echo "fuzz: no fuzz targets built (tests/fuzz/fuzz_*.c)" >&2; exit 1; fi; \
	echo "fuzz: $$n targets, $(FUZZ_SECONDS)s each, no crash"

format:
	@files=$$(for d in $(FORMAT_DIRS); do [ -d "$$d" ] && find "$$d" -type f -name '*.[ch]'; done); \
	if [ -n "$$files" ]; then clang-format -i $$files; fi

clean:
	rm -rf build
