#!/usr/bin/env bash
# What pypwext costs a user at build time and at cold start. Two fixtures do
# the same work as a service-only function (parse an order, price it, answer
# API Gateway 201, log the request and the response at INFO):
#
#   (a) examples/build-cost/with-pypwext: #[logged] #[collect_errors(root)]
#       #[service_response] on pypwext with the features in PYPWEXT_FEATURES;
#   (b) examples/build-cost/by-hand: the same by hand on bare lambda_http.
#
# For each it measures the clean release build time (`cargo build --release`
# in a fresh target directory, builds alternated a, b, a, b, …, BUILD_COST_ROUNDS
# each, median), the size of the stripped binary, the number of crates in its
# normal dependency tree, and the cold start (exec to first response through
# the Runtime API emulator, median of 25, by the `cold_start_pair` bench). It
# prints a/b ratios next to the goals: build time <= 1.3x, stripped binary
# <= 1.1x, cold start <= 1.1x.
#
# Usage:  scripts/build-cost.sh
#         PYPWEXT_FEATURES=default scripts/build-cost.sh   # pypwext with all default features
#         PYPWEXT_FEATURES=service,metrics scripts/build-cost.sh
#
# The fixtures are copied under target/build-cost/ with the repository's
# Cargo.lock, so both build the same dependency versions as the workspace.
# About 15 minutes on two cores; not run by CI. Run it on an idle machine:
# the build times are wall-clock times.
set -euo pipefail

# The pypwext features of fixture (a), comma-separated, built with
# `default-features = false`; `default` builds pypwext's default features.
PYPWEXT_FEATURES="${PYPWEXT_FEATURES:-service}"
# Clean builds of each fixture (at least 3; the median counts).
BUILD_COST_ROUNDS="${BUILD_COST_ROUNDS:-3}"

cd "$(dirname "$0")/.."
root="$PWD"
work="$root/target/build-cost"
fixtures=(with-pypwext by-hand)

COST_NAME=build-cost
# shellcheck source=scripts/lib/cost.sh
. "$root/scripts/lib/cost.sh"

rm -rf "$work"
mkdir -p "$work"
for fixture in "${fixtures[@]}"; do
    copy_fixture "$fixture" "$work/$fixture"
done

# Point (a) at this repository's pypwext with the requested features.
if [ "$PYPWEXT_FEATURES" = default ]; then
    dependency="pypwext = { path = \"$root/pypwext\" }"
else
    quoted=$(printf '%s' "$PYPWEXT_FEATURES" | tr -d ' ' | sed -e 's/[^,][^,]*/"&"/g' -e 's/,/, /g')
    dependency="pypwext = { path = \"$root/pypwext\", default-features = false, features = [$quoted] }"
fi
sed -i "s|^pypwext = .*|${dependency//&/\\&}|" "$work/with-pypwext/Cargo.toml"
say "fixture (a) depends on: $dependency"

# Trim the copied lock file to each fixture (no version changes), then count
# the crates each depends on at run time (the fixture itself not counted).
declare -A crates
for fixture in "${fixtures[@]}"; do
    (cd "$work/$fixture" && cargo tree -e normal --prefix none >"$work/$fixture.tree")
    crates[$fixture]=$(($(sed -e 's/ (\*)$//' "$work/$fixture.tree" | sort -u | wc -l) - 1))
done

say "building the cold-start runner"
cargo bench -p pypwext-examples --bench cold_start_pair --no-run --quiet

declare -A build_times
for round in $(seq "$BUILD_COST_ROUNDS"); do
    for fixture in "${fixtures[@]}"; do
        target="$work/target-$fixture"
        seconds=$(clean_build "$work/$fixture" "$target")
        say "round $round: $fixture built in $seconds s"
        build_times[$fixture]+="$seconds "
        cp "$target/release/build-cost-$fixture" "$work/$fixture.bin"
        rm -rf "$target"
    done
done

declare -A build_median size
for fixture in "${fixtures[@]}"; do
    build_median[$fixture]=$(printf '%s\n' ${build_times[$fixture]} | median)
    strip -o "$work/$fixture.stripped" "$work/$fixture.bin"
    size[$fixture]=$(stat -c %s "$work/$fixture.stripped")
done

say "timing cold starts"
output=$(cargo bench -p pypwext-examples --bench cold_start_pair --quiet -- \
    "$work/with-pypwext.stripped" "$work/by-hand.stripped")
printf '%s\n' "$output" >&2
cold=$(grep '^cold start medians (ms):' <<<"$output")
read -r cold_a cold_b cold_ratio <<<"${cold#cold start medians (ms): }"

a=with-pypwext
b=by-hand
build_ratio=$(ratio "${build_median[$a]}" "${build_median[$b]}")
size_ratio=$(ratio "${size[$a]}" "${size[$b]}")
crates_ratio=$(ratio "${crates[$a]}" "${crates[$b]}")
cold_ratio=$(ratio "$cold_a" "$cold_b")

echo
echo "== build cost: a service-only function, (a) pypwext [$PYPWEXT_FEATURES] vs (b) by hand on lambda_http =="
printf '%-38s %-14s %-14s %-8s %s\n' "measured" "(a) pypwext" "(b) by hand" "a/b" "goal"
printf '%-38s %-14s %-14s %-8s %s\n' "clean release build (median of $BUILD_COST_ROUNDS)" \
    "${build_median[$a]} s" "${build_median[$b]} s" "${build_ratio}x" "<= 1.3x $(verdict "$build_ratio" 1.3)"
printf '%-38s %-14s %-14s %-8s %s\n' "stripped binary" \
    "$(mib "${size[$a]}")" "$(mib "${size[$b]}")" "${size_ratio}x" "<= 1.1x $(verdict "$size_ratio" 1.1)"
printf '%-38s %-14s %-14s %-8s %s\n' "crates in the normal dependency tree" \
    "${crates[$a]}" "${crates[$b]}" "${crates_ratio}x" ""
printf '%-38s %-14s %-14s %-8s %s\n' "cold start (median of 25)" \
    "$cold_a ms" "$cold_b ms" "${cold_ratio}x" "<= 1.1x $(verdict "$cold_ratio" 1.1)"
echo "build times (s): (a) ${build_times[$a]}| (b) ${build_times[$b]}"
