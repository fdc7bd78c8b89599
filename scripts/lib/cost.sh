# Helpers of the cost scripts (build-cost.sh, parameters-cost.sh,
# feature-cost.sh): sourced, not run. Each script sets COST_NAME first.

say() { printf '%s: %s\n' "$COST_NAME" "$*" >&2; }
# The median of the numbers on stdin, one a line.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# "met" when ratio <= goal.
verdict() { awk -v r="$1" -v g="$2" 'BEGIN { print (r <= g) ? "met" : "NOT met" }'; }
now() { date +%s.%N; }
mib() { awk -v n="$1" 'BEGIN { printf "%.2f MiB", n / 1048576 }'; }

# clean_build DIR TARGET: a release build of the crate in DIR in a fresh
# target directory TARGET; prints the seconds it took.
clean_build() {
    rm -rf "$2"
    local started
    started=$(now)
    (cd "$1" && CARGO_TARGET_DIR="$2" cargo build --release --locked --quiet)
    awk -v s="$started" -v e="$(now)" 'BEGIN { printf "%.1f", e - s }'
}

# copy_fixture NAME DIR: examples/build-cost/NAME copied to DIR with the
# repository's Cargo.lock (so it builds the workspace's dependency versions),
# its pypwext dependency pointed at this repository's.
copy_fixture() {
    cp -r "$root/examples/build-cost/$1" "$2"
    cp "$root/Cargo.lock" "$2/Cargo.lock"
    sed -i "s|path = \"../../../pypwext\"|path = \"$root/pypwext\"|" "$2/Cargo.toml"
}
