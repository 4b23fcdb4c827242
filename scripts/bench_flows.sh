#!/usr/bin/env bash
# Whole-process figures for the cams_flow resource against the emulator at
# its documented limits (5 requests per second per operation and account),
# part of `make bench`:
#
#   1. creating N published flows (default 20): wall time, CAMS calls per
#      flow by operation, dropped (throttled) requests, and the floor the
#      per-operation limits allow;
#   2. a plan refreshing M unchanged flows (default 50): wall time, paced
#      calls per flow, and its floor;
#   3. a plan refreshing T unchanged message templates (default 50, the
#      flows gone): wall time, paced calls per template (the goal: one
#      GetChatappTemplateDetail each), and its floor.
#
#   scripts/bench_flows.sh [-c CREATE] [-r REFRESH] [-t TEMPLATES]
#
# The floor of K calls of one operation under "at most 5 in any second" is
# (K / 5 - 1) seconds (5 go at once, then 5 per second); operations are
# paced separately, so a run's floor is that of its busiest operation.
# Results go to .tfwork/bench-flows/report.txt (and stdout).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
create=20
refresh=50
templates=50
while [[ $# -gt 0 ]]; do
  case $1 in
    -c) create=$2; shift 2 ;;
    -r) refresh=$2; shift 2 ;;
    -t) templates=$2; shift 2 ;;
    *) echo "usage: $0 [-c CREATE] [-r REFRESH] [-t TEMPLATES]" >&2; exit 2 ;;
  esac
done
work=$root/.tfwork/bench-flows
rm -rf "$work"
mkdir -p "$work/tf"

(cd "$root" && cargo build --release --bin terraform-provider-cams --quiet)
(cd "$root" && cargo build --release -p cams-emulator --quiet)
tf=${CAMS_BENCH_TERRAFORM:-$(command -v terraform || "$root/scripts/ensure-terraform.sh")}

"$root/target/release/cams-emulator" --quiet --access-key bench-id:bench-secret \
  >"$work/emulator.out" 2>"$work/emulator.log" &
emu=$!
trap 'kill $emu 2>/dev/null || true' EXIT
for _ in $(seq 200); do
  grep -q listening "$work/emulator.out" 2>/dev/null && break
  sleep 0.05
done
url=$(sed -n 's/^cams-emulator listening on //p' "$work/emulator.out")

cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "registry.terraform.io/local/cams" = "$root/target/release"
  }
  direct {}
}
RC
cp "$root/examples/flows/9267533281264300.json" "$work/tf/flow.json"
cat >"$work/tf/main.tf" <<'TF'
terraform {
  required_providers {
    cams = { source = "local/cams" }
  }
}
variable "endpoint" { type = string }
variable "n" { type = number }
variable "t" {
  type    = number
  default = 0
}
provider "cams" {
  endpoint      = var.endpoint
  cust_space_id = "bench-space"
}
resource "cams_flow" "f" {
  count      = var.n
  name       = "bench-${count.index}"
  categories = ["SIGN_UP"]
  content    = file("${path.module}/flow.json")
  status     = "PUBLISHED"
}
resource "cams_chatapp_template" "t" {
  count    = var.t
  name     = "bench_${count.index}"
  language = "en_US"
  category = "UTILITY"
  body {
    text     = "Order {{1}} is ready."
    examples = ["A-1"]
  }
}
TF
export TF_CLI_CONFIG_FILE=$work/terraformrc CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export ALIBABA_CLOUD_ACCESS_KEY_ID=bench-id ALIBABA_CLOUD_ACCESS_KEY_SECRET=bench-secret
cd "$work/tf"

stats() { curl -s "$url/_emulator/stats"; }
reset() { curl -s -X POST "$url/_emulator/reset" >/dev/null; }
# report TITLE COUNT SECONDS [NOUN]: calls by operation, per resource, the floor.
report() {
  stats | python3 -c '
import json, sys
title, flows, wall = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
noun = sys.argv[4] if len(sys.argv) > 4 else "flow"
s = json.load(sys.stdin)
every = {k: v for k, v in s["requests_by_operation"].items() if v}
# OSS requests (the upload, and CAMS fetching it) are not paced CAMS calls.
oss = {k: v for k, v in every.items() if k in ("PutObject", "GetObject")}
ops = {k: v for k, v in every.items() if k not in oss}
paced = sum(ops.values())
floor = max(max(v / 5 - 1, 0) for v in ops.values())
ratio = wall / floor if floor else 0.0
print("%s: %d %ss in %.2f s; floor %.2f s; ratio %.2fx" % (title, flows, noun, wall, floor, ratio))
print("  CAMS calls: %d (%.2f per %s): %s" % (paced, paced / flows, noun, ", ".join("%s %d" % kv for kv in sorted(ops.items()))))
print("  OSS requests: %s; Flow JSON downloads: %d; dropped (throttled): %d" % (", ".join("%s %d" % kv for kv in sorted(oss.items())) or "none", s.get("downloads", 0), s["throttled"]))
' "$@"
}
timed() { # prints seconds
  local start end
  start=$(date +%s.%N)
  "$@" >"$work/last.log" 2>&1 || { cat "$work/last.log" >&2; exit 1; }
  end=$(date +%s.%N)
  python3 -c "print($end - $start)"
}

{
  echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $("$tf" version | head -1)"
  reset
  secs=$(timed "$tf" apply -auto-approve -input=false -no-color -var "endpoint=$url" -var "n=$create")
  report "create $create published flows" "$create" "$secs"
  "$tf" apply -auto-approve -input=false -no-color -var "endpoint=$url" -var "n=$refresh" >/dev/null
  reset
  secs=$(timed "$tf" plan -input=false -no-color -var "endpoint=$url" -var "n=$refresh")
  grep -q 'No changes' "$work/last.log" || { echo "the refresh plan was not empty" >&2; cat "$work/last.log" >&2; exit 1; }
  report "plan refreshing $refresh unchanged flows" "$refresh" "$secs"
  "$tf" apply -auto-approve -input=false -no-color -var "endpoint=$url" -var "n=0" -var "t=$templates" >/dev/null
  reset
  secs=$(timed "$tf" plan -input=false -no-color -var "endpoint=$url" -var "n=0" -var "t=$templates")
  grep -q 'No changes' "$work/last.log" || { echo "the template refresh plan was not empty" >&2; cat "$work/last.log" >&2; exit 1; }
  report "plan refreshing $templates unchanged templates" "$templates" "$secs" template
} | tee "$work/report.txt"
