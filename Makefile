# ScaleSweep: `make demo` and `make test` are the whole quick start.
SHELL := /bin/bash
export OMPI_ALLOW_RUN_AS_ROOT := 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM := 1
BIN := .build/release/scalesweep
RANKS ?= 2
PREFIX ?= /usr/local
# `make install` links the Swift runtime statically (the binary then needs
# only MPI, HDF5, OpenBLAS, libstdc++ and libc), in its own build directory:
# `swift test` needs the shared runtime, and one directory cannot hold both.
STATIC_BUILD := .build/static

.PHONY: deps python build demo test bench reproduce clean format install uninstall

deps:
	@scripts/install-deps.sh

python:
	@scripts/python-env.sh

build: deps
	swift build -c release

demo: build
	@mkdir -p out
	mpirun --oversubscribe -np $(RANKS) $(BIN) run jobs/demo.json --out out/demo.h5 --force --progress-interval 5
	$(BIN) inspect out/demo.h5
	$(BIN) export out/demo.h5 --csv out/demo.csv
	@echo "plot: out/demo-frontier.svg (.png, .pdf)   tables: out/demo-frontier/   tidy data: out/demo.csv"
	$(BIN) frontier out/demo.h5 --compute nt --bootstrap 200 --svg out/demo-frontier.svg --csv out/demo-frontier

# Every test, including multi-rank runs under mpirun (they find the binary
# through SCALESWEEP_BIN and the Python readers through SCALESWEEP_PYTHON),
# then sweeps across two network namespaces as hosts (with lost hosts), then
# `make install` into a temporary prefix (run without the toolchain,
# modulefile, uninstall), then sweeps through a real single-node Slurm
# started for the test, with the installed binary and scripts.
test: deps python
	swift build -c release
	set -o pipefail; SCALESWEEP_BIN=$(CURDIR)/$(BIN) SCALESWEEP_PYTHON=$(CURDIR)/.venv/bin/python \
	  swift test -c release 2>&1 | tee .build/swift-test.log
	SCALESWEEP_BIN=$(CURDIR)/$(BIN) SCALESWEEP_PYTHON=$(CURDIR)/.venv/bin/python \
	  scripts/multihost-test.sh
	scripts/install-test.sh
	SCALESWEEP_PYTHON=$(CURDIR)/.venv/bin/python scripts/slurm-test.sh
	@n=$$(sed -n 's/.*Test run with \([0-9]*\) tests.*passed.*/\1/p' .build/swift-test.log | tail -1); \
	  echo "tests: $$((n + 3)) passed, 0 failed"

install:
	swift build -c release --static-swift-stdlib --scratch-path $(STATIC_BUILD)
	scripts/install.sh install "$(PREFIX)" $(STATIC_BUILD)/release/scalesweep

uninstall:
	scripts/install.sh uninstall "$(PREFIX)"

bench: build
	bench/makespan.sh
	bench/command-overhead.sh

# The paper's exponents (docs/reproduction.md), the -small jobs: model 1
# (about 7 minutes), then model 2, the MLP (about 20 minutes).
reproduce: build python
	scripts/reproduce.sh
	scripts/reproduce.sh --mlp

format:
	swift format -i -r Package.swift Sources Tests

clean:
	rm -rf .build out
