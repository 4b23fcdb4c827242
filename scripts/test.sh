#!/usr/bin/env bash
# Runs every test: the docs check (docs/ as generated from the schema), unit, property, protocol (real handshake + mTLS),
# client, emulator (also driven by the official CAMS and OSS Python SDKs), and
# end-to-end with the real Terraform CLI: both 1.0.3 (from pip) and a
# Terraform 1.8 or later (the `terraform` on PATH, or one listed in
# CAMS_TEST_TERRAFORM); fails at once when either is missing. Installs what
# it needs. Says what it builds and runs, and ends with the test counts
# (scripts/test_counts.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
echo "==> installing Terraform 1.0.3 and Alibaba's Python SDKs into ./.venv (pip; once)"
tf103=$("$root/scripts/ensure-terraform.sh")
export CAMS_TEST_TERRAFORM=$tf103${CAMS_TEST_TERRAFORM:+:$CAMS_TEST_TERRAFORM}
# A Terraform 1.8 or later is required too (provider functions, and the
# newer core's protocol handling): listed in CAMS_TEST_TERRAFORM or on PATH.
newer=""
IFS=: read -r -a listed <<<"$CAMS_TEST_TERRAFORM"
for tf in "${listed[@]}" "$(command -v terraform || true)"; do
  [ -n "$tf" ] && [ -x "$tf" ] || continue
  v=$("$tf" version 2>/dev/null | head -1 | sed -n 's/^Terraform v\([0-9]*\)\.\([0-9]*\)\..*/\1 \2/p')
  read -r major minor <<<"${v:-0 0}"
  if [ "$major" -gt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -ge 8 ]; }; then
    newer=$tf
  fi
done
if [ -z "$newer" ]; then
  echo "FAILED: no Terraform 1.8 or later: the end-to-end tests run with both 1.0.3 and a Terraform >= 1.8. Put one on PATH as \`terraform\`, or list it in CAMS_TEST_TERRAFORM." >&2
  exit 1
fi
export CAMS_TEST_NULL_PROVIDER=$root/.venv/lib/terraform-provider-null_v2.1.2_x4
CAMS_TEST_PYTHON=$("$root/scripts/ensure-python-sdks.sh")
export CAMS_TEST_PYTHON
echo "    terraform under test: $("$tf103" version | head -1), and $("$newer" version 2>/dev/null | head -1) ($newer)"
# Committed docs must be what the schema generates (`make docs` fixes them).
# Checked first, so its report shows at the top; the tests run anyway.
echo "==> building the docs generator (cams-docs) and checking docs/ against the schema"
cargo build -p cams-docs
docs_stale=0
cargo run -q -p cams-docs -- --check || docs_stale=1
echo "==> building every test target of the workspace (the first build takes minutes)"
cargo test --workspace --all-targets --no-run
echo "==> running them: unit and property, protocol, client, emulator (with the Python SDKs), end-to-end with Terraform"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
cargo test --workspace --all-targets "$@" 2>&1 | tee "$log" || status=$?
echo "==> $("$root/scripts/test_counts.sh" <"$log")"
if [ "$docs_stale" -ne 0 ]; then
  echo "FAILED: docs/ is stale (see the report above); run \`make docs\` and commit the result." >&2
  exit 1
fi
exit "$status"
