#!/usr/bin/env bash
# What an opt-in feature costs a function at build time: the service-only
# fixture examples/build-cost/with-pypwext with pypwext's features
# ["service"] (the base) and with ["service", FEATURE] for each FEATURE
# given, the same code. For each: the clean release build time (a fresh
# target directory, builds alternated base, FEATURE…, FEATURE_COST_ROUNDS
# each, median), the stripped binary and the crates in its normal
# dependency tree, with each feature's ratio to the base.
#
# Usage:  scripts/feature-cost.sh                     (idempotency and otel)
#         scripts/feature-cost.sh idempotency-redis
#
# About 8 minutes a feature and round on two cores; not run by CI. Run it on
# an idle machine: the build times are wall-clock times.
set -euo pipefail

ROUNDS="${FEATURE_COST_ROUNDS:-2}"
features=("$@")
[ ${#features[@]} -gt 0 ] || features=(idempotency otel)
cd "$(dirname "$0")/.."
root="$PWD"
work="$root/target/feature-cost"
COST_NAME=feature-cost
# shellcheck source=scripts/lib/cost.sh
. "$root/scripts/lib/cost.sh"

rm -rf "$work"
mkdir -p "$work"
variants=(base "${features[@]}")
declare -A crates
for variant in "${variants[@]}"; do
    dir="$work/$variant"
    copy_fixture with-pypwext "$dir"
    list='"service"'
    [ "$variant" = base ] || list="\"service\", \"$variant\""
    sed -i "s|^pypwext = .*|pypwext = { path = \"$root/pypwext\", default-features = false, features = [$list] }|" "$dir/Cargo.toml"
    # Trims the copied lock file to the fixture (no version changes).
    (cd "$dir" && cargo tree -e normal --prefix none >"$dir.tree")
    crates[$variant]=$(($(sed -e 's/ (\*)$//' "$dir.tree" | sort -u | wc -l) - 1))
done

declare -A build_times
for round in $(seq "$ROUNDS"); do
    for variant in "${variants[@]}"; do
        seconds=$(clean_build "$work/$variant" "$work/target-$variant")
        say "round $round: $variant built in $seconds s"
        build_times[$variant]+="$seconds "
        strip -o "$work/$variant.stripped" "$work/target-$variant/release/build-cost-with-pypwext"
        rm -rf "$work/target-$variant"
    done
done

base_build=$(printf '%s\n' ${build_times[base]} | median)
base_size=$(stat -c %s "$work/base.stripped")
echo
echo "== feature cost: the service-only function with [\"service\", FEATURE] vs [\"service\"] =="
printf '%-20s %-24s %-24s %s\n' "features" "clean build (median of $ROUNDS)" "stripped binary" "crates"
printf '%-20s %-24s %-24s %s\n' "service" "$base_build s" "$(mib "$base_size")" "${crates[base]}"
for feature in "${features[@]}"; do
    build=$(printf '%s\n' ${build_times[$feature]} | median)
    size=$(stat -c %s "$work/$feature.stripped")
    printf '%-20s %-24s %-24s %s\n' "service, $feature" \
        "$build s ($(ratio "$build" "$base_build")x)" \
        "$(mib "$size") ($(ratio "$size" "$base_size")x)" \
        "${crates[$feature]} ($(ratio "${crates[$feature]}" "${crates[base]}")x)"
done
for variant in "${variants[@]}"; do
    echo "build times (s), $variant: ${build_times[$variant]}"
done
