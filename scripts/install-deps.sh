#!/usr/bin/env bash
# Installs what segd needs to build and test on a fresh Debian machine, and nothing that is
# already there: libzmq3-dev and pkg-config through apt-get; with --with-python, also what the
# tests need: the Python test clients through pip and systemd-analyze (Debian package systemd,
# for the unit file check) through apt-get. Quiet when there is nothing to do.
set -euo pipefail

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=no
apt_install() {
    if [ "$apt_updated" = no ]; then
        as_root apt-get update -qq
        apt_updated=yes
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! pkg-config --exists libzmq 2>/dev/null; then
    echo "install-deps: installing libzmq3-dev and pkg-config (apt-get)"
    apt_install libzmq3-dev pkg-config
fi

if [ "${1:-}" = "--with-python" ]; then
    if ! command -v systemd-analyze >/dev/null 2>&1; then
        echo "install-deps: installing systemd for systemd-analyze (apt-get)"
        apt_install --no-install-recommends systemd
    fi
    if ! python3 -c 'import zmq, jsonschema, pytest, rfc3339_validator, numpy, scipy, prometheus_client' 2>/dev/null; then
        echo "install-deps: installing Python test clients (pip): $(tr '\n' ' ' < tests/requirements.txt)"
        python3 -m pip install -q -r tests/requirements.txt
    fi
fi
