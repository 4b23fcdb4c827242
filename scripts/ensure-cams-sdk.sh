#!/usr/bin/env bash
# Installs the official CAMS Python SDK (alibabacloud-cams20200606, used by
# tests/emulator_python_sdk.rs to prove the emulator accepts what the official
# client sends) into ./.venv, idempotently, and prints the venv's python.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=$root/.venv
if [[ ! -x $venv/bin/python ]]; then
  python3 -m venv "$venv" >&2
fi
if ! "$venv/bin/python" -c "import importlib.metadata as m; m.version('alibabacloud-cams20200606')" >/dev/null 2>&1; then
  "$venv/bin/pip" install -q --disable-pip-version-check alibabacloud-cams20200606==5.3.1 >&2
fi
echo "$venv/bin/python"
