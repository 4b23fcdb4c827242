#!/usr/bin/env bash
# `make bench`: whole-process figures for terraform-provider-cams, measured in
# one run side by side with the Go-built providers of the shared benchmark
# harness (null 2.1.2, workato 0.16.0), then a table with the ratios.
#
#   scripts/bench.sh [-n RUNS]          default RUNS=20
#   scripts/bench.sh -c                 only the contention benchmark (no harness needed)
#
# Needs the benchmark harness, which is not part of this repository: set
# CAMS_BENCH_DIR to it; its setup.sh installs Terraform 1.0.3 and the peers
# under /tmp. Raw output goes to .tfwork/bench/raw.txt,
# the table to .tfwork/bench/report.md (and stdout).
#
# Then the contention benchmark (scripts/bench_contention.sh: 3 concurrent
# plans x 15 reads on one account at 5 QPS, with and without the host-wide
# budget), appended to the report.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build() {
  echo "==> building (release)" >&2
  # Two builds: built together, Cargo would unify the emulator's features of
  # shared crates into the provider binary being measured.
  (cd "$root" && cargo build --release --bin terraform-provider-cams --quiet)
  (cd "$root" && cargo build --release -p cams-emulator --quiet)
}
if [[ ${1:-} == -c ]]; then
  build
  exec "$root/scripts/bench_contention.sh"
fi
runs=20
if [[ ${1:-} == -n ]]; then runs=$2; shift 2; fi
bench=${CAMS_BENCH_DIR:-}
[[ -n $bench && -x $bench/handshake.sh ]] || { echo "bench.sh: set CAMS_BENCH_DIR to the benchmark harness (a directory with handshake.sh and setup.sh)" >&2; exit 2; }
bench=$(cd "$bench" && pwd)
work=$root/.tfwork/bench
rm -rf "$work"
mkdir -p "$work/flows"

build
cams=$root/target/release/terraform-provider-cams
emulator=$root/target/release/cams-emulator
config=$root/benches/terraform/cams.tf
"$bench/setup.sh" >/dev/null
null=/tmp/tfbench/providers/null/terraform-provider-null_v2.1.2_x4
workato=/tmp/tfbench/providers/workato/terraform-provider-workato_v0.16.0

# 50 flows for the plans, copies of the example sign-up flow.
for i in $(seq 0 49); do
  cp "$root/examples/flows/9267533281264300.json" "$work/flows/$((8000000000000000 + i)).json"
done

emulators=()
trap 'for p in "${emulators[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
# start_emulator NAME ARGS... -> sets $url (not a $(...) subshell, so that
# the EXIT trap knows the process to stop)
start_emulator() {
  local name=$1
  shift
  "$emulator" --flows "$work/flows" --access-key bench-access-key-id:bench-access-key-secret \
    --quiet "$@" >"$work/$name.out" 2>"$work/$name.log" &
  emulators+=($!)
  for _ in $(seq 200); do
    grep -q listening "$work/$name.out" 2>/dev/null && break
    sleep 0.05
  done
  url=$(sed -n 's/^cams-emulator listening on //p' "$work/$name.out")
  [[ -n $url ]] || { echo "bench.sh: emulator $name did not start, see $work/$name.log" >&2; exit 1; }
}
start_emulator unlimited --qps 0
unlimited=$url
start_emulator paced --qps 5
paced=$url
start_emulator large --qps 0 --fault '*=large:20971520'
large=$url

cams_plan=(-b "$cams" -s local/cams -c "$config")
raw=$work/raw.txt
{
  echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg), runs=$runs"
  echo "## start-up"
  for b in "$null" "$workato" "$cams"; do
    "$bench/handshake.sh" "$b" -n "$runs"
  done
  echo "## plans"
  for k in 1 50; do
    "$bench/plan.sh" -n "$runs" -p null -k $k
    "$bench/plan.sh" -n "$runs" "${cams_plan[@]}" -k $k -- -var "endpoint=$unlimited"
  done
  "$bench/plan.sh" -n "$runs" -p null -C schema
  "$bench/plan.sh" -n "$runs" -p workato -C schema
  "$bench/plan.sh" -n "$runs" "${cams_plan[@]}" -C schema
  echo "## rss"
  "$bench/rss.sh" -n 5 -p null -k 50 | tail -1
  "$bench/rss.sh" -n 5 "${cams_plan[@]}" -k 50 -- -var "endpoint=$unlimited" | tail -1
  echo "## size"
  "$bench/size.sh" "$null" "$workato" "$cams"
  echo "## paced: 40 reads at 5 QPS (floor 7 s)"
  for i in 1 2 3; do
    # The account's window outlives a run: the host-wide budget (like CAMS)
    # still counts the last second of the previous run. Start each run from
    # a fresh window, as the 7 s floor assumes.
    sleep 1.1
    curl -s -X POST "$paced/_emulator/reset" >/dev/null
    "$bench/plan.sh" -n 1 "${cams_plan[@]}" -k 40 -- -var "endpoint=$paced" -var rate_limit=5
    echo "paced run $i dropped $(curl -s "$paced/_emulator/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["throttled"])')"
  done
  echo "## large: 20 MiB of content (20971520 bytes)"
  "$bench/rss.sh" -n 3 "${cams_plan[@]}" -k 1 -- -var "endpoint=$large" | tail -1
} 2>&1 | tee "$raw" >&2
python3 "$root/scripts/bench_report.py" "$raw" | tee "$work/report.md"
echo "==> contention" >&2
"$root/scripts/bench_contention.sh" | tee -a "$work/report.md"
