#!/usr/bin/env bash
# Installs the official Alibaba Cloud Python SDKs the emulator tests drive it
# with (tests/emulator_python_sdk.rs: CAMS `alibabacloud-cams20200606`, OSS
# `oss2`) into ./.venv, idempotently, and prints the venv's python.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=$root/.venv
if [[ ! -x $venv/bin/python ]]; then
  python3 -m venv "$venv" >&2
fi
have() { "$venv/bin/python" -c "import importlib.metadata as m; m.version('$1')" >/dev/null 2>&1; }
want=()
have alibabacloud-cams20200606 || want+=(alibabacloud-cams20200606==5.3.1)
have oss2 || want+=(oss2==2.19.1)
if ((${#want[@]})); then
  "$venv/bin/pip" install -q --disable-pip-version-check "${want[@]}" >&2
fi
echo "$venv/bin/python"
