#!/usr/bin/env bash
# Several Terraform runs on one account at once (issue 12): RUNS concurrent
# `terraform plan`s of READS `cams_flow_json` reads each, against one
# cams-emulator enforcing 5 requests per second per AccessKeyId, first with
# the host-wide budget (the provider processes share the account's budget
# through a file, as runs of one user on one machine do), then without it
# (each process paces alone and adapts to throttling, as runs on separate
# machines do). Prints, per mode, the wall time of the whole batch against
# the ideal RUNS×READS/5 s and the requests the emulator dropped.
#
#   scripts/bench_contention.sh [-r RUNS] [-n READS]    default 3 runs × 15 reads
#
# `scripts/bench.sh` builds the release binaries and runs this as part of
# `make bench`; `scripts/bench.sh -c` runs only this.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=3 reads=15
while getopts "r:n:" o; do
  case $o in
    r) runs=$OPTARG ;; n) reads=$OPTARG ;;
    *) sed -n '2,14p' "$0" >&2; exit 2 ;;
  esac
done
cams=${CAMS_PROVIDER_BIN:-$root/target/release/terraform-provider-cams}
emulator=${CAMS_EMULATOR_BIN:-$root/target/release/cams-emulator}
for b in "$cams" "$emulator"; do
  [[ -x $b ]] || { echo "bench_contention.sh: $b not built (run scripts/bench.sh -c)" >&2; exit 2; }
done
tf=$("$root/scripts/ensure-terraform.sh")
work=$root/.tfwork/bench-contention
rm -rf "$work"
mkdir -p "$work/flows"
for i in $(seq 0 $((reads - 1))); do
  cp "$root/examples/flows/9267533281264300.json" "$work/flows/$((8000000000000000 + i)).json"
done

"$emulator" --flows "$work/flows" --access-key bench-access-key-id:bench-access-key-secret \
  --quiet --qps 5 >"$work/emulator.out" 2>"$work/emulator.log" &
emulator_pid=$!
trap 'kill "$emulator_pid" 2>/dev/null || true' EXIT
for _ in $(seq 200); do
  grep -q listening "$work/emulator.out" 2>/dev/null && break
  sleep 0.05
done
url=$(sed -n 's/^cams-emulator listening on //p' "$work/emulator.out")
[[ -n $url ]] || { echo "bench_contention.sh: the emulator did not start, see $work/emulator.log" >&2; exit 1; }
stat() { curl -s "$url/_emulator/stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

ideal=$(python3 -c "print($runs * $reads / 5)")
echo "## contention: $runs concurrent plans x $reads reads on one account at 5 QPS (ideal ${ideal} s)"
for mode in on off; do
  curl -s -X POST "$url/_emulator/reset" >/dev/null
  # One runtime directory for the batch: one user on one machine.
  runtime=$work/$mode/runtime
  mkdir -p -m 700 "$runtime"
  for i in $(seq "$runs"); do
    dir=$work/$mode/run$i
    mkdir -p "$dir/plugins"
    ln -s "$cams" "$dir/plugins/terraform-provider-cams"
    cp "$root/benches/terraform/cams.tf" "$dir/main.tf"
    printf 'provider_installation {\n  dev_overrides {\n    "registry.terraform.io/local/cams" = "%s"\n  }\n  direct {}\n}\n' \
      "$dir/plugins" >"$dir/terraformrc"
  done
  shared=true
  [[ $mode == off ]] && shared=false
  started=$EPOCHREALTIME
  pids=()
  for i in $(seq "$runs"); do
    dir=$work/$mode/run$i
    (cd "$dir" && env TF_CLI_CONFIG_FILE="$dir/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1 \
      XDG_RUNTIME_DIR="$runtime" ALIBABA_CLOUD_CAMS_SHARED_RATE_LIMIT=$shared \
      "$tf" plan -input=false -no-color -lock=false -var "endpoint=$url" -var k="$reads" \
      -var rate_limit=5 >"$dir/plan.log" 2>&1) &
    pids+=($!)
  done
  failed=0
  for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
  wall=$(python3 -c "print(f'{$EPOCHREALTIME - $started:.2f}')")
  ratio=$(python3 -c "print(f'{$wall / $ideal:.2f}')")
  echo "host-wide budget $mode: wall ${wall} s = ${ratio}x the ${ideal} s ideal, $(stat throttled) requests dropped, $(stat accepted) accepted, $((runs - failed))/$runs runs succeeded"
  ((failed == 0)) || echo "  failed runs' logs: $work/$mode/run*/plan.log" >&2
done
