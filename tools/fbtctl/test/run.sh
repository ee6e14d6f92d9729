#!/bin/sh
# fbtctl's host tests (parsers, and the CLI against a fake debugfs), for
# tests/host's `make run`: builds into a temporary directory.
here=$(cd "$(dirname "$0")/.." && pwd)
o=$(mktemp -d)
trap 'rm -rf "$o"' EXIT
make -s -C "$here" O="$o" test
