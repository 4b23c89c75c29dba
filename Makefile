# segd — the two commands a fresh Debian machine with Swift needs: `make run` and `make test`.
SWIFT   ?= swift
CONFIG  ?= deploy/segd.toml
RELEASE := .build/release/segd
DEBUG   := .build/debug/segd

.PHONY: all deps build run demo test swift-test python-test check-config clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release --product segd

## Run the daemon on the default config (Ctrl-C stops it).
run: build
	$(RELEASE) run --config $(CONFIG)

## The daemon, a generator and a subscriber in one process: alerts flow within seconds.
demo: build
	$(RELEASE) demo --config $(CONFIG)

check-config: build
	$(RELEASE) check-config $(CONFIG)

## Every test: Swift (unit, sockets, subprocesses) and Python (pyzmq clients, JSON Schema validation).
test:
	@scripts/install-deps.sh --with-python
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	SEGD_BIN=$(DEBUG) python3 -m pytest -q tests

clean:
	rm -rf .build
