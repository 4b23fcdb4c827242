#!/usr/bin/env bash
# Builds and runs every cargo-fuzz target for SECONDS each (default 300),
# one after another, and exits non-zero if any of them finds a crash.
#
#   scripts/fuzz.sh [SECONDS]
#
# Corpora grow in fuzz/corpus/TARGET/ (only the seed-* files are tracked);
# crashing inputs land in fuzz/artifacts/TARGET/. Builds use the fuzz
# crate's own fuzz/target/, never the main crate's CARGO_TARGET_DIR.
set -euo pipefail

seconds=${1:-300}
if ! [[ $seconds =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 [SECONDS]  (a positive whole number, default 300)" >&2
    exit 2
fi
targets=(value_decoder api_response oss_error cli_config flow_summary)

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# A target dir meant for the main crate would mix sanitizer builds into it.
unset CARGO_TARGET_DIR
# cargo-fuzz passes nightly-only sanitizer flags; this lets stable take them.
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz not found; installing it"
    cargo install cargo-fuzz --locked
fi

# Build everything first, so a build error is not reported as a crash.
cargo fuzz build

failed=()
for target in "${targets[@]}"; do
    echo "=== fuzzing $target for ${seconds}s"
    if ! cargo fuzz run "$target" -- -max_total_time="$seconds"; then
        failed+=("$target")
    fi
done

if ((${#failed[@]})); then
    echo "fuzz targets that failed (inputs in fuzz/artifacts/): ${failed[*]}" >&2
    exit 1
fi
echo "all ${#targets[@]} fuzz targets ran ${seconds}s each without a crash"
