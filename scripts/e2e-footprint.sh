#!/usr/bin/env bash
# What one invocation of the end-to-end bench's function costs in counts that
# do not move with the machine's load: the instructions it runs and its
# level-1 cache misses as valgrind's cachegrind simulates them, for the
# pypwext stack and for the same work by hand (see examples/benches/e2e.rs).
#
# The end-to-end ratio follows the code an invocation touches more than the
# instructions it runs: the emulator shares the function's CPU and empties
# its caches between invocations. Use this to judge a change to the
# per-invocation path before timing it with
# `cargo bench -p pypwext-examples --bench e2e`.
#
# Usage:  scripts/e2e-footprint.sh
#         PYPWEXT_BENCH_LOG_LEVEL=WARN scripts/e2e-footprint.sh   # without the lines
#
# Needs valgrind (Debian: apt-get install valgrind). About two minutes,
# most of it building the bench; the reports stay in target/e2e-footprint/.
set -euo pipefail

cd "$(dirname "$0")/.."
if ! command -v valgrind >/dev/null; then
    echo "e2e-footprint: valgrind is not installed: install it (Debian: apt-get install valgrind)" >&2
    exit 1
fi
PYPWEXT_BENCH_CACHEGRIND="$PWD/target/e2e-footprint" exec cargo bench -p pypwext-examples --bench e2e
