#!/usr/bin/env bash
# The test command. Prepares what the tests need that cargo cannot fetch (a
# Python with botocore, for an independent SigV4 check; moto's server, a
# stand-in for Lambda that verifies signatures; and Powertools for AWS Lambda
# (Python), the golden peer for log lines and EMF; jsonschema, which checks every
# EMF line against tests/schemas/emf.json; opentelemetry-proto, the OpenTelemetry
# project's protobuf definitions, which decode what the `otel` feature exports;
# aws-sam-translator, AWS's own SAM translator, which turns the example's SAM
# template into the CloudFormation it deploys; cargo-lambda, an independent Runtime
# API emulator; redis-server, for the Redis idempotency store), then runs every
# test. The tests start and stop moto_server, redis-server and `cargo lambda
# watch` themselves, on free loopback ports.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/python-venv
if [ ! -x "$venv/bin/python" ]; then
    echo "test: creating $venv"
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import botocore, boto3, moto, aws_lambda_powertools, aws_xray_sdk, jsonschema, redis, opentelemetry.proto, samtranslator, yaml" 2>/dev/null || [ ! -x "$venv/bin/moto_server" ]; then
    echo "test: installing botocore, boto3, moto[server], aws-lambda-powertools (with its tracer's aws-xray-sdk), jsonschema, redis, opentelemetry-proto, aws-sam-translator and PyYAML into $venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "botocore>=1.34,<2" "boto3>=1.34,<2" "moto[server]>=5.1,<6" \
        "aws-lambda-powertools[tracer]>=3.20,<4" "jsonschema>=4.18,<5" "redis>=5,<9" "opentelemetry-proto>=1.30,<2" \
        "aws-sam-translator>=1.90,<2" "PyYAML>=6,<7"
fi
# cargo-lambda's wheel carries its binary; `--no-deps` leaves out the zig
# toolchain, which only cross-compiling needs.
if [ ! -x "$venv/bin/cargo-lambda" ]; then
    echo "test: installing cargo-lambda into $venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps "cargo-lambda>=1.8,<2"
fi
# redis-server for the Redis idempotency store's tests, which start their own
# on a free loopback port: Debian's package.
if ! command -v redis-server >/dev/null; then
    echo "test: installing redis-server (Debian's package)"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update --quiet=2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install --yes --quiet=2 --no-install-recommends redis-server >/dev/null
fi
export PYPWEXT_REDIS_SERVER="$(command -v redis-server)"
export PYPWEXT_CARGO_LAMBDA="$PWD/$venv/bin/cargo-lambda"
export PYPWEXT_PYTHON="$PWD/$venv/bin/python"

exec cargo test --workspace "$@"
