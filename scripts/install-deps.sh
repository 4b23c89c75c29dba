#!/usr/bin/env bash
# Installs what segd needs to build and test on a fresh Debian machine, and nothing that is
# already there: libzmq3-dev and pkg-config through apt-get, the Python test clients through pip.
set -euo pipefail

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! pkg-config --exists libzmq 2>/dev/null; then
    echo "install-deps: installing libzmq3-dev and pkg-config (apt-get)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libzmq3-dev pkg-config >/dev/null
fi

if [ "${1:-}" = "--with-python" ]; then
    if ! python3 -c 'import zmq, jsonschema, pytest, rfc3339_validator, numpy, scipy' 2>/dev/null; then
        echo "install-deps: installing Python test clients (pip): $(tr '\n' ' ' < tests/requirements.txt)"
        python3 -m pip install -q -r tests/requirements.txt
    fi
fi
