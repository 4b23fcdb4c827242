#!/usr/bin/env bash
# The demo: build, start the local CAMS emulator with the example flows,
# install the provider into a local filesystem mirror, terraform init and
# apply examples/quickstart, and show the flow.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
echo "==> building (release)"
# Two builds: built together, Cargo would unify the emulator's features of
# shared crates into the provider binary.
cargo build --release --bin terraform-provider-cams
cargo build --release -p cams-emulator
tf=$("$root/scripts/ensure-terraform.sh")
work=$root/.tfwork/demo
rm -rf "$work"
mkdir -p "$work"

version=$(grep -m1 '^version' Cargo.toml | cut -d'"' -f2)
mirror=$work/mirror/registry.terraform.io/local/cams/$version/linux_amd64
mkdir -p "$mirror"
cp target/release/terraform-provider-cams "$mirror/terraform-provider-cams_v$version"
cat >"$work/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["registry.terraform.io/local/cams"]
  }
}
RC

echo "==> starting the CAMS emulator (examples/flows)"
target/release/cams-emulator --flows examples/flows >"$work/emulator.out" 2>"$work/emulator.log" &
emu=$!
trap 'kill $emu 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q listening "$work/emulator.out" 2>/dev/null && break
  sleep 0.05
done
url=$(sed -n 's/^cams-emulator listening on //p' "$work/emulator.out")
echo "    emulator at $url"

# The same layout as in the repository: quickstart/ next to flows/.
mkdir -p "$work/quickstart" "$work/flows"
cp examples/quickstart/main.tf "$work/quickstart/main.tf"
cp examples/flows/*.json "$work/flows/"
cd "$work/quickstart"
export TF_CLI_CONFIG_FILE=$work/terraformrc CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export ALIBABA_CLOUD_ACCESS_KEY_ID=demo-access-key-id ALIBABA_CLOUD_ACCESS_KEY_SECRET=demo-access-key-secret
echo "==> terraform init"
"$tf" init -input=false -no-color | sed 's/^/    /'
echo "==> terraform apply (full output in $work/apply.log)"
if ! "$tf" apply -auto-approve -input=false -no-color -var "endpoint=$url" >"$work/apply.log" 2>&1; then
  cat "$work/apply.log"
  exit 1
fi
grep -E '^(cams_flow|cams_chatapp_template|data.cams_flow_json).*(complete|Read complete)|^Apply complete' "$work/apply.log" | sed 's/^/    /'
echo "==> what the emulator saw (CreateFlow, the upload to its OSS bucket, UpdateFlowJSONAsset, PublishFlow, then the read-back)"
sed 's/^/    /' "$work/emulator.log"
echo "==> the new flow"
echo "    flow_id: $("$tf" output -raw flow_id)"
echo "    status:  $("$tf" output -raw status)"
echo "==> its screens, read back through cams_flow_json (output \"screens\")"
"$tf" output -json screens
echo "==> Flow JSON version, SHA-256, and whether CAMS holds exactly the uploaded document"
"$tf" output -raw version
echo
"$tf" output -raw sha256
echo
"$tf" output -raw same_document
echo
echo "==> the message template whose FLOW button opens the flow, and Meta's review as of the apply"
echo "    template: $("$tf" output -raw template_id)"
"$tf" state show -no-color cams_chatapp_template.signup | grep -E 'audit_status|template_code' | sed 's/^ */    /'
echo "==> plan again: nothing to change"
"$tf" plan -input=false -no-color -var "endpoint=$url" | grep -E 'No changes|Plan:' | sed 's/^/    /'
