#!/usr/bin/env bash
# The test command. Prepares what the tests need that cargo cannot fetch (a
# Python with botocore, for an independent SigV4 check), then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/python-venv
if [ ! -x "$venv/bin/python" ]; then
    echo "test: creating $venv"
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import botocore" 2>/dev/null; then
    echo "test: installing botocore into $venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "botocore>=1.34,<2"
fi
export PYPWEXT_PYTHON="$PWD/$venv/bin/python"

exec cargo test --workspace "$@"
