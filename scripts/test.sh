#!/usr/bin/env bash
# Runs every test: the docs check (docs/ as generated from the schema), unit, property, protocol (real handshake + mTLS),
# client, emulator (also driven by the official CAMS and OSS Python SDKs), and
# end-to-end with the real Terraform CLI (1.0.3 from pip, plus any other
# terraform on PATH). Installs what it needs. Says what it builds and runs,
# and ends with the test counts (scripts/test_counts.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
echo "==> installing Terraform 1.0.3 and Alibaba's Python SDKs into ./.venv (pip; once)"
tf103=$("$root/scripts/ensure-terraform.sh")
export CAMS_TEST_TERRAFORM=$tf103
export CAMS_TEST_NULL_PROVIDER=$root/.venv/lib/terraform-provider-null_v2.1.2_x4
CAMS_TEST_PYTHON=$("$root/scripts/ensure-python-sdks.sh")
export CAMS_TEST_PYTHON
echo "    terraform under test: $("$tf103" version | head -1)$(command -v terraform >/dev/null && echo ", and $(terraform version 2>/dev/null | head -1) on PATH")"
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
