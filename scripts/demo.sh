#!/usr/bin/env bash
# The demo: build, start the local CAMS emulator with the example flows,
# install the provider into a local filesystem mirror, terraform init and
# apply examples/quickstart, and show the flow.
#
# For the test that holds the README's transcript of the demo to what it
# prints (tests/demo_transcript.rs): CAMS_DEMO_BIN_DIR names a directory
# with both binaries already built (no build then), CAMS_DEMO_TERRAFORM a
# terraform binary, CAMS_DEMO_WORK the scratch directory.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [[ -n ${CAMS_DEMO_BIN_DIR:-} ]]; then
  bin=$CAMS_DEMO_BIN_DIR
else
  echo "==> building (release)"
  # Two builds: built together, Cargo would unify the emulator's features of
  # shared crates into the provider binary.
  cargo build --release --bin terraform-provider-cams
  cargo build --release -p cams-emulator
  bin=target/release
fi
tf=${CAMS_DEMO_TERRAFORM:-$("$root/scripts/ensure-terraform.sh")}
work=${CAMS_DEMO_WORK:-$root/.tfwork/demo}
rm -rf "$work"
mkdir -p "$work"

version=$(grep -m1 '^version' Cargo.toml | cut -d'"' -f2)
mirror=$work/mirror/registry.terraform.io/local/cams/$version/linux_amd64
mkdir -p "$mirror"
cp "$bin/terraform-provider-cams" "$mirror/terraform-provider-cams_v$version"
cat >"$work/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["registry.terraform.io/local/cams"]
  }
}
RC

echo "==> starting the CAMS emulator (examples/flows)"
"$bin/cams-emulator" --flows examples/flows >"$work/emulator.out" 2>"$work/emulator.log" &
emu=$!
trap 'kill $emu 2>/dev/null || true' EXIT
for _ in $(seq 200); do
  grep -q listening "$work/emulator.out" 2>/dev/null && break
  sleep 0.05
done
url=$(sed -n 's/^cams-emulator listening on //p' "$work/emulator.out")
[[ -n $url ]] || { echo "the emulator did not start:" >&2; cat "$work/emulator.log" >&2; exit 1; }
echo "    cams-emulator listening on $url"

# The same layout as in the repository: quickstart/ next to flows/.
mkdir -p "$work/quickstart" "$work/flows"
cp examples/quickstart/main.tf "$work/quickstart/main.tf"
cp examples/flows/*.json "$work/flows/"
cd "$work/quickstart"
export TF_CLI_CONFIG_FILE=$work/terraformrc CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export ALIBABA_CLOUD_ACCESS_KEY_ID=demo-access-key-id ALIBABA_CLOUD_ACCESS_KEY_SECRET=demo-access-key-secret
echo "==> terraform init"
"$tf" init -input=false -no-color | sed 's/^/    /'
echo "==> terraform apply (full output in ${work#"$root"/}/apply.log)"
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
