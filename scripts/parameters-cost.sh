#!/usr/bin/env bash
# What the `parameters` feature costs a function: the service-only fixture
# examples/build-cost/with-pypwext (a) next to examples/build-cost/with-parameters
# (b), the same function that also reads one SSM parameter during init
# through pypwext::parameters. For each: the clean release build time (a fresh
# target directory, builds alternated a, b, …, PARAMETERS_COST_ROUNDS each,
# median), the stripped binary, and the cold start (exec to first response
# through the Runtime API emulator, median of 25, by the `cold_start_pair`
# bench), (b) reading its parameter from moto's server on loopback, the
# function's SDK configured from the environment (AWS_ENDPOINT_URL, keys,
# region) as in Lambda.
#
# Usage:  scripts/parameters-cost.sh      (moto's server from target/python-venv,
#                                          as scripts/test.sh installs it)
# About 10 minutes on two cores; not run by CI. Run it on an idle machine.
set -euo pipefail

ROUNDS="${PARAMETERS_COST_ROUNDS:-1}"
cd "$(dirname "$0")/.."
root="$PWD"
work="$root/target/parameters-cost"
venv="$root/target/python-venv"
fixtures=(with-pypwext with-parameters)

COST_NAME=parameters-cost
# shellcheck source=scripts/lib/cost.sh
. "$root/scripts/lib/cost.sh"

rm -rf "$work"
mkdir -p "$work"
for fixture in "${fixtures[@]}"; do
    copy_fixture "$fixture" "$work/$fixture"
done

# Trim the copied lock file to each fixture (no version changes).
for fixture in "${fixtures[@]}"; do
    (cd "$work/$fixture" && cargo tree -e normal --prefix none >/dev/null)
done

say "building the cold-start runner"
cargo bench -p pypwext-examples --bench cold_start_pair --no-run --quiet

declare -A build_times
for round in $(seq "$ROUNDS"); do
    for fixture in "${fixtures[@]}"; do
        target="$work/target-$fixture"
        seconds=$(clean_build "$work/$fixture" "$target")
        say "round $round: $fixture built in $seconds s"
        build_times[$fixture]+="$seconds "
        strip -o "$work/$fixture.stripped" "$target/release/build-cost-$fixture"
        rm -rf "$target"
    done
done

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$venv/bin/moto_server" -H 127.0.0.1 -p "$port" >/dev/null 2>&1 &
moto=$!
trap 'kill "$moto" 2>/dev/null || true' EXIT
export AWS_ENDPOINT_URL="http://127.0.0.1:$port" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
for _ in $(seq 100); do
    "$venv/bin/python" -c "import boto3; boto3.client('ssm', region_name='eu-west-1', endpoint_url='$AWS_ENDPOINT_URL').put_parameter(Name='/build-cost/greeting', Value='hello', Type='String', Overwrite=True)" 2>/dev/null && break
    sleep 0.2
done

say "timing cold starts"
output=$(cargo bench -p pypwext-examples --bench cold_start_pair --quiet -- \
    "$work/with-parameters.stripped" "$work/with-pypwext.stripped")
printf '%s\n' "$output" >&2
cold=$(grep '^cold start medians (ms):' <<<"$output")
read -r cold_b cold_a _ <<<"${cold#cold start medians (ms): }"

a=with-pypwext
b=with-parameters
build_a=$(printf '%s\n' ${build_times[$a]} | median)
build_b=$(printf '%s\n' ${build_times[$b]} | median)
size_a=$(stat -c %s "$work/$a.stripped")
size_b=$(stat -c %s "$work/$b.stripped")
echo
echo "== parameters cost: (b) reads one SSM parameter during init vs (a) the same function without the feature =="
printf '%-44s %-14s %-14s %s\n' "measured" "(b) parameters" "(a) without" "b/a"
printf '%-44s %-14s %-14s %s\n' "clean release build (median of $ROUNDS)" "$build_b s" "$build_a s" "$(ratio "$build_b" "$build_a")x"
printf '%-44s %-14s %-14s %s\n' "stripped binary" "$(mib "$size_b")" "$(mib "$size_a")" "$(ratio "$size_b" "$size_a")x"
printf '%-44s %-14s %-14s %s\n' "cold start to first response (median of 25)" "$cold_b ms" "$cold_a ms" "$(ratio "$cold_b" "$cold_a")x"
