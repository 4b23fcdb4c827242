//! End-to-end: the `cams_flow` resource through the real Terraform CLI
//! (1.0.3 and 1.8 or later; the lifecycle over protocol 5 too) against the
//! in-process emulator: the lifecycle, a status asked in the configuration
//! (DEPRECATED too) and destroying each status, import, drift, validation,
//! a backward status, and faults during apply.
//!
//! What CAMS holds is read from the emulator's own store
//! (`GET /_emulator/flows`), never through the provider's client; that
//! client only sets up flows made "outside Terraform".

mod common;

use std::path::Path;
use std::sync::Arc;

use cams_provider::alibaba::credentials::{Credentials, Secret, StaticCredentials};
use cams_provider::alibaba::{CamsClient, ClientConfig, NewFlow};
use common::local_emulator::{HeldFlow, LocalEmulator, DEMO_KEY_ID, DEMO_SECRET};
use common::terraform::{terraforms, text, Workdir};
use tokio_util::sync::CancellationToken;

const SPACE: &str = "cams-e2e-space";

const MAIN_TF: &str = r#"
terraform {
  required_providers {
    cams = { source = "local/cams" }
  }
}
variable "endpoint" { type = string }
variable "status" {
  type    = string
  default = "DRAFT"
}
provider "cams" {
  endpoint      = var.endpoint
  cust_space_id = "cams-e2e-space"
}
resource "cams_flow" "signup" {
  name       = "signup"
  categories = ["SIGN_UP", "LEAD_GENERATION"]
  content    = file("${path.module}/flow.json")
  status     = var.status
}
output "id" { value = cams_flow.signup.id }
output "screens" { value = join(",", cams_flow.signup.screen_ids) }
output "version" { value = cams_flow.signup.json_version }
"#;

/// A publishable two-screen flow; `title` varies the second screen.
fn flow_json(title: &str) -> serde_json::Value {
    serde_json::json!({
        "version": "7.0",
        "screens": [
            {
                "id": "WELCOME",
                "title": "Welcome",
                "layout": {"type": "SingleColumnLayout", "children": [
                    {"type": "TextBody", "text": "Sign up in two steps."},
                    {"type": "Footer", "label": "Next", "on-click-action": {
                        "name": "navigate", "next": {"type": "screen", "name": "DETAILS"}, "payload": {}}}
                ]}
            },
            {
                "id": "DETAILS",
                "title": title,
                "terminal": true,
                "layout": {"type": "SingleColumnLayout", "children": [
                    {"type": "Form", "name": "form", "children": [
                        {"type": "TextInput", "name": "email", "label": "Email", "input-type": "email"},
                        {"type": "Footer", "label": "Done", "on-click-action": {
                            "name": "complete", "payload": {"email": "${form.email}"}}}
                    ]}
                ]}
            }
        ]
    })
}

fn write_flow(w: &Workdir, text: &str) {
    std::fs::write(w.path().join("flow.json"), text).unwrap();
}

fn workdir(emu_flow: &str) -> Workdir {
    let w = Workdir::new(MAIN_TF, None)
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", DEMO_KEY_ID)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", DEMO_SECRET);
    write_flow(&w, emu_flow);
    w
}

fn plan(w: &Workdir, tf: &Path, url: &str, status: &str) -> (i32, String) {
    let o = w.run(
        tf,
        &[
            "plan",
            "-detailed-exitcode",
            "-input=false",
            "-no-color",
            "-var",
            &format!("endpoint={url}"),
            "-var",
            &format!("status={status}"),
        ],
    );
    (o.status.code().unwrap_or(-1), text(&o))
}

fn apply(w: &Workdir, tf: &Path, url: &str, status: &str) -> std::process::Output {
    w.apply(tf, &[("endpoint", url), ("status", status)])
}

fn ok(o: &std::process::Output, what: &str) -> String {
    let out = text(o);
    assert!(o.status.success(), "{what} failed:\n{out}");
    out
}

fn client(url: &str) -> CamsClient {
    let credentials = Arc::new(StaticCredentials {
        credentials: Credentials {
            access_key_id: DEMO_KEY_ID.to_owned(),
            access_key_secret: Secret::new(DEMO_SECRET),
            security_token: None,
        },
        source: "test".to_owned(),
    });
    CamsClient::new(
        ClientConfig {
            endpoint: Some(url.to_owned()),
            ..ClientConfig::default()
        },
        credentials,
    )
    .unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// The flow `id` as the emulator holds it (read from its store, not
/// through the provider's client); panics when it holds none.
fn held(emu: &LocalEmulator, id: &str) -> HeldFlow {
    emu.flow(id)
        .unwrap_or_else(|| panic!("the emulator holds no flow {id}: {:?}", emu.flows()))
}

/// The flows the emulator holds in [`SPACE`] (not its seeded examples).
fn flows_in_space(emu: &LocalEmulator) -> std::collections::BTreeMap<String, HeldFlow> {
    let mut flows = emu.flows();
    flows.retain(|_, f| f.cust_space_id == SPACE);
    flows
}

fn status_in_cams(emu: &LocalEmulator, id: &str) -> String {
    held(emu, id).status
}

fn output(w: &Workdir, tf: &Path, name: &str) -> String {
    String::from_utf8(w.output_raw(tf, name)).unwrap()
}

/// Each Terraform over the protocol it negotiates (6), and 1.0.3 with the
/// provider offering protocol 5 only (as a provider built for older cores).
fn lifecycle_runs() -> Vec<(std::path::PathBuf, String, Option<u8>)> {
    let mut runs: Vec<_> = terraforms()
        .into_iter()
        .map(|(tf, version)| (tf, version, None))
        .collect();
    let (tf, version, _) = runs[0].clone();
    runs.push((tf, version, Some(5)));
    runs
}

#[test]
fn a_flow_from_draft_to_published_to_replaced_to_deprecated() {
    for (tf, version, protocol) in lifecycle_runs() {
        let version = format!("{version} (protocol {})", protocol.unwrap_or(6));
        let emu = LocalEmulator::start(&[]);
        let url = emu.url.as_str();
        let w = Workdir::new(MAIN_TF, protocol).with_demo_keys();
        write_flow(&w, &flow_json("Your details").to_string());

        // Create a draft: CAMS holds it as configured.
        ok(&apply(&w, &tf, url, "DRAFT"), &format!("{version}: create"));
        let id = output(&w, &tf, "id");
        let flow = held(&emu, &id);
        assert_eq!(
            (
                flow.name.as_str(),
                flow.categories.clone(),
                flow.status.as_str(),
                flow.cust_space_id.as_str(),
                flow.endpoint_uri.as_str()
            ),
            (
                "signup",
                vec!["LEAD_GENERATION".to_owned(), "SIGN_UP".to_owned()],
                "DRAFT",
                SPACE,
                ""
            ),
            "{version}: {flow:?}"
        );
        assert_eq!(flows_in_space(&emu).len(), 1, "{version}: one flow");
        assert_eq!(output(&w, &tf, "screens"), "WELCOME,DETAILS");
        assert_eq!(flow.json(), flow_json("Your details"));

        // Plan again, and after re-formatting the file: no changes.
        let (code, out) = plan(&w, &tf, url, "DRAFT");
        assert_eq!(code, 0, "{version}: plan after create:\n{out}");
        let reformatted = serde_json::to_string_pretty(&flow_json("Your details"))
            .unwrap()
            .replace("Your details", "Your d\\u0065tails");
        write_flow(&w, &reformatted);
        let (code, out) = plan(&w, &tf, url, "DRAFT");
        assert_eq!(
            code, 0,
            "{version}: re-formatted JSON must plan no change:\n{out}"
        );

        // A changed screen: an in-place update of the draft.
        write_flow(&w, &flow_json("About you").to_string());
        let (code, out) = plan(&w, &tf, url, "DRAFT");
        assert_eq!(code, 2, "{version}:\n{out}");
        assert!(
            out.contains("updated in-place") || out.contains("update in-place"),
            "{out}"
        );
        ok(&apply(&w, &tf, url, "DRAFT"), &format!("{version}: update"));
        assert_eq!(output(&w, &tf, "id"), id, "same flow");
        let by_operation = &emu.stats()["requests_by_operation"];
        assert!(
            by_operation["ModifyFlow"].as_u64().unwrap_or(0) == 0
                && by_operation["UpdateFlowJSONAsset"].as_u64() == Some(2),
            "only the content changed, only the content is sent: {by_operation}"
        );
        assert_eq!(held(&emu, &id).json(), flow_json("About you"));

        // Publish.
        ok(
            &apply(&w, &tf, url, "PUBLISHED"),
            &format!("{version}: publish"),
        );
        assert_eq!(status_in_cams(&emu, &id), "PUBLISHED");
        let (code, out) = plan(&w, &tf, url, "PUBLISHED");
        assert_eq!(code, 0, "{version}: after publish:\n{out}");
        assert!(!out.contains("Published Flow of This Name"), "{out}");

        // Tainted, the published flow is planned as a create (Terraform
        // sends no prior state): the plan still says it will be deprecated.
        ok(
            &w.run(&tf, &["taint", "-no-color", "cams_flow.signup"]),
            &format!("{version}: taint"),
        );
        let (code, out) = plan(&w, &tf, url, "PUBLISHED");
        assert_eq!(code, 2, "{version}: tainted:\n{out}");
        assert!(
            out.contains("A Published Flow of This Name Exists")
                && out.contains(&id)
                && out.contains("deprecated"),
            "{version}: a tainted published flow is replaced with a warning:\n{out}"
        );
        ok(
            &w.run(&tf, &["untaint", "-no-color", "cams_flow.signup"]),
            &format!("{version}: untaint"),
        );

        // Back to draft: a planned replacement, naming the attribute.
        let (code, out) = plan(&w, &tf, url, "DRAFT");
        assert_eq!(code, 2, "{version}:\n{out}");
        assert!(
            out.contains("Flow Will Be Replaced")
                && out.contains("\"PUBLISHED\" -> \"DRAFT\" # forces replacement"),
            "{out}"
        );

        // Changing a published flow's JSON replaces it, with a warning.
        write_flow(&w, &flow_json("Almost done").to_string());
        let (code, out) = plan(&w, &tf, url, "PUBLISHED");
        assert_eq!(code, 2, "{version}:\n{out}");
        assert!(out.contains("must be replaced"), "{out}");
        assert!(out.contains("Flow Will Be Replaced"), "{out}");
        assert!(
            !out.contains("Published Flow of This Name"),
            "{version}: the replacement is announced once:\n{out}"
        );
        ok(
            &apply(&w, &tf, url, "PUBLISHED"),
            &format!("{version}: replace"),
        );
        let new_id = output(&w, &tf, "id");
        assert_ne!(new_id, id);
        assert_eq!(status_in_cams(&emu, &id), "DEPRECATED", "old one retired");
        assert_eq!(status_in_cams(&emu, &new_id), "PUBLISHED");

        // Destroy: a published flow is deprecated, with a warning.
        let o = w.run(
            &tf,
            &[
                "destroy",
                "-auto-approve",
                "-no-color",
                "-var",
                &format!("endpoint={url}"),
                "-var",
                "status=PUBLISHED",
            ],
        );
        let out = ok(&o, &format!("{version}: destroy"));
        assert!(out.contains("Deprecated, Not Deleted"), "{out}");
        assert_eq!(status_in_cams(&emu, &new_id), "DEPRECATED");
        assert_eq!(calls(&emu, "DeleteFlow"), 0, "{version}: nothing deleted");
        assert_eq!(
            flows_in_space(&emu).len(),
            2,
            "{version}: both flows stay in CAMS"
        );
    }
}

/// Three flows in one configuration: a draft, one created DEPRECATED, and
/// one whose status comes from a variable.
const STATUSES_TF: &str = r#"
terraform {
  required_providers {
    cams = { source = "local/cams" }
  }
}
variable "endpoint" { type = string }
variable "status" { type = string }
provider "cams" {
  endpoint      = var.endpoint
  cust_space_id = "cams-e2e-space"
}
resource "cams_flow" "draft" {
  name       = "draft"
  categories = ["OTHER"]
  content    = file("${path.module}/flow.json")
}
resource "cams_flow" "retired" {
  name       = "retired"
  categories = ["OTHER"]
  content    = file("${path.module}/flow.json")
  status     = "DEPRECATED"
}
resource "cams_flow" "moving" {
  name       = "moving"
  categories = ["OTHER"]
  content    = file("${path.module}/flow.json")
  status     = var.status
}
output "ids" {
  value = join(",", [cams_flow.draft.id, cams_flow.retired.id, cams_flow.moving.id])
}
"#;

#[test]
fn deprecated_in_the_configuration_and_destroying_each_status() {
    for (tf, version) in terraforms() {
        let emu = LocalEmulator::start(&[]);
        let url = emu.url.as_str();
        let w = Workdir::new(STATUSES_TF, None).with_demo_keys();
        write_flow(&w, &flow_json("x").to_string());

        ok(
            &apply(&w, &tf, url, "PUBLISHED"),
            &format!("{version}: create"),
        );
        let ids = output(&w, &tf, "ids");
        let ids: Vec<&str> = ids.split(',').collect();
        let [draft, retired, moving] = ids[..] else {
            panic!("{ids:?}")
        };
        let statuses = |emu: &LocalEmulator| -> Vec<Option<String>> {
            [draft, retired, moving]
                .iter()
                .map(|id| emu.flow(id).map(|f| f.status))
                .collect()
        };
        let s = |x: &str| Some(x.to_owned());
        assert_eq!(
            statuses(&emu),
            [s("DRAFT"), s("DEPRECATED"), s("PUBLISHED")],
            "{version}: created as configured"
        );

        // PUBLISHED → DEPRECATED: forward, in place, the same flow.
        ok(
            &apply(&w, &tf, url, "DEPRECATED"),
            &format!("{version}: deprecate"),
        );
        assert_eq!(output(&w, &tf, "ids"), ids.join(","), "{version}");
        assert_eq!(
            statuses(&emu),
            [s("DRAFT"), s("DEPRECATED"), s("DEPRECATED")],
            "{version}"
        );
        assert_eq!(calls(&emu, "DeprecateFlow"), 2, "{version}");
        let (code, out) = plan(&w, &tf, url, "DEPRECATED");
        assert_eq!(code, 0, "{version}: deprecated plans no change:\n{out}");

        // DEPRECATED → PUBLISHED: backward, a planned replacement with the
        // warning; nothing changes in CAMS at plan time.
        let (code, out) = plan(&w, &tf, url, "PUBLISHED");
        assert_eq!(code, 2, "{version}:\n{out}");
        assert!(
            out.contains("cams_flow.moving must be replaced")
                && out.contains("\"DEPRECATED\" -> \"PUBLISHED\" # forces replacement")
                && out.contains("Flow Will Be Replaced")
                && !out.contains("cams_flow.retired must")
                && !out.contains("cams_flow.draft must"),
            "{version}: DEPRECATED -> PUBLISHED replaces:\n{out}"
        );

        // Destroy: the draft is deleted (DeleteFlow), the deprecated ones
        // stay in CAMS, removed from the state only.
        let o = w.run(
            &tf,
            &[
                "destroy",
                "-auto-approve",
                "-no-color",
                "-var",
                &format!("endpoint={url}"),
                "-var",
                "status=DEPRECATED",
            ],
        );
        let out = ok(&o, &format!("{version}: destroy"));
        assert!(out.contains("Deprecated Flow Stays in CAMS"), "{out}");
        assert_eq!(calls(&emu, "DeleteFlow"), 1, "{version}");
        assert_eq!(calls(&emu, "DeprecateFlow"), 2, "{version}: none more");
        assert_eq!(
            statuses(&emu),
            [None, s("DEPRECATED"), s("DEPRECATED")],
            "{version}: the draft deleted, the others kept"
        );
        let state = text(&w.run(&tf, &["state", "list"]));
        assert!(!state.contains("cams_flow"), "{version}: {state}");
    }
}

#[test]
fn import_drift_and_faults_leave_a_correct_state() {
    for (tf, version) in terraforms() {
        let emu = LocalEmulator::start(&[]);
        let url = emu.url.as_str();
        let cams = client(url);
        let rt = runtime();
        let cancel = CancellationToken::new();
        let document = flow_json("Imported").to_string();

        // A flow made outside Terraform, imported as SPACE:ID; a matching
        // configuration (with the file re-formatted) then plans no change.
        let categories = vec!["LEAD_GENERATION".to_owned(), "SIGN_UP".to_owned()];
        let id = rt
            .block_on(cams.create_flow(
                &NewFlow {
                    name: "signup",
                    categories: &categories,
                    cust_space_id: Some(SPACE),
                    endpoint_uri: None,
                },
                &cancel,
            ))
            .unwrap()
            .flow_id;
        rt.block_on(cams.set_flow_json(&id, SPACE, document.as_bytes(), &cancel))
            .unwrap();
        let w = workdir(&serde_json::to_string_pretty(&flow_json("Imported")).unwrap());
        let o = w.run(
            &tf,
            &[
                "import",
                "-no-color",
                "-var",
                &format!("endpoint={url}"),
                "cams_flow.signup",
                &format!("{SPACE}:{id}"),
            ],
        );
        ok(&o, &format!("{version}: import"));
        let (code, out) = plan(&w, &tf, url, "DRAFT");
        // Outputs are new after an import (Terraform 1.0 counts that as a
        // change); the resource itself must plan nothing.
        assert_ne!(code, 1, "{version}:\n{out}");
        assert!(
            !out.contains("cams_flow.signup will") && !out.contains("cams_flow.signup must"),
            "{version}: plan after import:\n{out}"
        );

        // JSON changed behind Terraform's back: the plan puts it back.
        rt.block_on(cams.set_flow_json(
            &id,
            SPACE,
            flow_json("Changed elsewhere").to_string().as_bytes(),
            &cancel,
        ))
        .unwrap();
        let (code, out) = plan(&w, &tf, url, "DRAFT");
        assert_eq!(code, 2, "{version}:\n{out}");
        assert!(
            out.contains("Changed elsewhere"),
            "the diff shows it:\n{out}"
        );

        // Deleted behind Terraform's back: the plan creates it again.
        rt.block_on(cams.delete_flow(&id, Some(SPACE), &cancel))
            .unwrap();
        let (code, out) = plan(&w, &tf, url, "DRAFT");
        assert_eq!(code, 2, "{version}:\n{out}");
        assert!(out.contains("will be created"), "{out}");
    }
}

#[test]
fn a_failure_after_create_keeps_the_flow_in_state_as_tainted() {
    for (tf, version) in terraforms() {
        for (fault, step) in [
            (
                "@GetChatappUploadAuthorization=error:Forbidden.RAM:403",
                "upload authorization refused",
            ),
            (
                "@UpdateFlowJSONAsset=error:InvalidParameter.FileUrlError:400",
                "CAMS error after CreateFlow",
            ),
        ] {
            let emu = LocalEmulator::start(&["--fault", fault]);
            let url = emu.url.as_str();
            let w = workdir(&flow_json("x").to_string());
            let o = apply(&w, &tf, url, "DRAFT");
            let out = text(&o);
            assert!(!o.status.success(), "{version} {step}:\n{out}");
            assert!(
                out.contains("Cannot Set the Flow JSON") && out.contains("tainted"),
                "{version} {step}:\n{out}"
            );
            let state = w.run(&tf, &["state", "list"]);
            assert!(
                text(&state).contains("cams_flow.signup"),
                "{version} {step}: the created flow must stay in the state:\n{}",
                text(&state)
            );
            let show = text(&w.run(&tf, &["show", "-no-color"]));
            assert!(show.contains("tainted"), "{version} {step}:\n{show}");
            // The flow the state keeps is the one CAMS holds: created, a
            // draft, without a Flow JSON (the step that failed).
            let o = w.run(&tf, &["show", "-json"]);
            let state: serde_json::Value = serde_json::from_slice(&o.stdout)
                .unwrap_or_else(|e| panic!("{version} {step}: show -json: {e}: {}", text(&o)));
            let id = state["values"]["root_module"]["resources"][0]["values"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{version} {step}: an id in the state: {state}"))
                .to_owned();
            let held_flows = flows_in_space(&emu);
            assert_eq!(
                held_flows.keys().collect::<Vec<_>>(),
                [&id],
                "{version} {step}: CAMS holds exactly the flow in the state"
            );
            let flow = &held_flows[&id];
            assert_eq!(
                (flow.status.as_str(), flow.content.as_deref()),
                ("DRAFT", None),
                "{version} {step}: {flow:?}"
            );
        }
    }
}

#[test]
fn validation_errors_and_warnings_name_their_json_pointer() {
    for (tf, version) in terraforms() {
        let w = workdir("{ not json");
        let o = w.run(&tf, &["validate", "-no-color"]);
        let out = text(&o);
        assert!(!o.status.success(), "{version}:\n{out}");
        assert!(
            out.contains("Invalid Flow JSON") && out.contains("line 1"),
            "{out}"
        );

        // A rule broken: a warning for a draft, an error for publishing.
        let mut broken = flow_json("x");
        broken["screens"][0]["success"] = serde_json::json!(true);
        write_flow(&w, &broken.to_string());
        let o = w.run(&tf, &["validate", "-no-color"]);
        let out = text(&o);
        assert!(o.status.success(), "{version}: a draft only warns:\n{out}");
        assert!(
            out.contains("Warning") && out.contains("/screens/0/success"),
            "{out}"
        );
        let o = w.run(
            &tf,
            &[
                "plan",
                "-no-color",
                "-input=false",
                "-var",
                "endpoint=http://127.0.0.1:1",
                "-var",
                "status=PUBLISHED",
            ],
        );
        let out = text(&o);
        assert!(!o.status.success(), "{version}:\n{out}");
        assert!(
            out.contains("Flow JSON Cannot Be Published") && out.contains("/screens/0/success"),
            "{out}"
        );
    }
}

#[test]
fn a_new_flow_not_visible_at_once_is_looked_for_again() {
    for (tf, version) in terraforms() {
        // Eventual consistency: right after CreateFlow, the next calls on
        // the new flow answer Flow.NotExists a few times.
        let emu = LocalEmulator::start(&[
            "--fault",
            "@UpdateFlowJSONAsset=unseen:1",
            "--fault",
            "@PublishFlow=unseen:2",
            "--fault",
            "@GetFlow=unseen:2",
        ]);
        let url = emu.url.as_str();
        let w = workdir(&flow_json("x").to_string());
        ok(
            &apply(&w, &tf, url, "PUBLISHED"),
            &format!("{version}: create"),
        );
        let id = output(&w, &tf, "id");
        // The refresh finds the young flow after looking again, instead of
        // dropping it from the state and planning to create it.
        let (code, out) = plan(&w, &tf, url, "PUBLISHED");
        assert_eq!(code, 0, "{version}:\n{out}");
        assert_eq!(status_in_cams(&emu, &id), "PUBLISHED");
    }
}

/// A flow whose space is set on the resource only (the provider has none),
/// and whose `status` is left out unless the variable sets it.
const RESOURCE_SPACE_TF: &str = r#"
terraform {
  required_providers {
    cams = { source = "local/cams" }
  }
}
variable "endpoint" { type = string }
variable "status" {
  type    = string
  default = null
}
provider "cams" {
  endpoint = var.endpoint
}
resource "cams_flow" "signup" {
  name          = "signup"
  categories    = ["SIGN_UP", "LEAD_GENERATION"]
  content       = file("${path.module}/flow.json")
  cust_space_id = "cams-e2e-space"
  status        = var.status
}
output "id" { value = cams_flow.signup.id }
"#;

/// `terraform ARGS -var endpoint=URL [-var status=STATUS]`, with the exit
/// code and the whole output.
fn run_with_status(
    w: &Workdir,
    tf: &Path,
    args: &[&str],
    url: &str,
    status: Option<&str>,
) -> (i32, String) {
    // The subcommand, the flags, then the rest (import's address and id
    // must come last).
    let (command, rest) = args.split_first().expect("a subcommand");
    let mut all: Vec<String> = vec![(*command).to_owned()];
    all.extend(["-no-color".into(), "-input=false".into()]);
    all.extend(["-var".into(), format!("endpoint={url}")]);
    if let Some(status) = status {
        all.extend(["-var".into(), format!("status={status}")]);
    }
    all.extend(rest.iter().map(|a| (*a).to_owned()));
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let o = w.run(tf, &all);
    (o.status.code().unwrap_or(-1), text(&o))
}

/// A published flow made outside Terraform, as a live flow customers use.
fn published_flow(url: &str, document: &str) -> String {
    let cams = client(url);
    let rt = runtime();
    let cancel = CancellationToken::new();
    let categories = vec!["LEAD_GENERATION".to_owned(), "SIGN_UP".to_owned()];
    let id = rt
        .block_on(cams.create_flow(
            &NewFlow {
                name: "signup",
                categories: &categories,
                cust_space_id: Some(SPACE),
                endpoint_uri: None,
            },
            &cancel,
        ))
        .unwrap()
        .flow_id;
    rt.block_on(cams.set_flow_json(&id, SPACE, document.as_bytes(), &cancel))
        .unwrap();
    rt.block_on(cams.publish_flow(&id, Some(SPACE), &cancel))
        .unwrap();
    id
}

fn calls(emu: &LocalEmulator, operation: &str) -> u64 {
    emu.stats()["requests_by_operation"][operation]
        .as_u64()
        .unwrap_or(0)
}

#[test]
fn an_imported_live_flow_is_adopted_never_replaced_unless_asked() {
    for (tf, version) in terraforms() {
        let emu = LocalEmulator::start(&[]);
        let url = emu.url.as_str();
        let id = published_flow(url, &flow_json("Live").to_string());
        let w = Workdir::new(RESOURCE_SPACE_TF, None).with_demo_keys();
        write_flow(&w, &flow_json("Live").to_string());

        // The documented plain form: the space cannot be read back.
        let (code, out) = run_with_status(&w, &tf, &["import", "cams_flow.signup", &id], url, None);
        assert_eq!(code, 0, "{version}: import:\n{out}");

        // Neither the space set on the resource nor the left-out status
        // replaces the live flow or fails: the space is adopted in place,
        // and the status is what CAMS has.
        let (code, out) = run_with_status(&w, &tf, &["plan", "-detailed-exitcode"], url, None);
        assert_ne!(code, 1, "{version}: plan after import:\n{out}");
        assert!(
            !out.contains("forces replacement") && !out.contains("must be replaced"),
            "{version}: plan after import must not replace:\n{out}"
        );
        let (code, out) = run_with_status(&w, &tf, &["apply", "-auto-approve"], url, None);
        assert_eq!(code, 0, "{version}: apply after import:\n{out}");
        assert_eq!(output(&w, &tf, "id"), id, "{version}: same flow");
        assert_eq!(status_in_cams(&emu, &id), "PUBLISHED");
        // Only the setup's calls: adopting calls nothing that changes CAMS.
        for (operation, by_setup) in [
            ("CreateFlow", 1),
            ("UpdateFlowJSONAsset", 1),
            ("ModifyFlow", 0),
            ("DeprecateFlow", 0),
        ] {
            assert_eq!(
                calls(&emu, operation),
                by_setup,
                "{version}: adopting calls no {operation}"
            );
        }
        let (code, out) = run_with_status(&w, &tf, &["plan", "-detailed-exitcode"], url, None);
        assert_eq!(code, 0, "{version}: plan after adoption:\n{out}");

        // Asking a published flow back to DRAFT: a planned replacement with
        // the warning, changing nothing at plan time.
        let (code, out) =
            run_with_status(&w, &tf, &["plan", "-detailed-exitcode"], url, Some("DRAFT"));
        assert_eq!(code, 2, "{version}: backward status:\n{out}");
        assert!(
            out.contains("must be replaced")
                && out.contains("forces replacement")
                && out.contains("Flow Will Be Replaced"),
            "{version}: backward status plans a replacement:\n{out}"
        );
        assert_eq!(status_in_cams(&emu, &id), "PUBLISHED");
        // `-replace` with the backward status works, as the advice says.
        let address = "-replace=cams_flow.signup";
        let (code, out) = run_with_status(
            &w,
            &tf,
            &["plan", "-detailed-exitcode", address],
            url,
            Some("DRAFT"),
        );
        assert_eq!(code, 2, "{version}: -replace:\n{out}");
        assert!(out.contains("will be replaced, as requested"), "{out}");

        // So does `taint`.
        let o = w.run(&tf, &["taint", "cams_flow.signup"]);
        assert!(o.status.success(), "{version}: taint:\n{}", text(&o));
        let (code, out) =
            run_with_status(&w, &tf, &["plan", "-detailed-exitcode"], url, Some("DRAFT"));
        assert_eq!(code, 2, "{version}: tainted:\n{out}");
        assert!(out.contains("tainted, so must be replaced"), "{out}");
        let o = w.run(&tf, &["untaint", "cams_flow.signup"]);
        assert!(o.status.success(), "{version}: untaint:\n{}", text(&o));
        assert_eq!(status_in_cams(&emu, &id), "PUBLISHED");

        // Applied: a new draft, the published one deprecated.
        let (code, out) = run_with_status(&w, &tf, &["apply", "-auto-approve"], url, Some("DRAFT"));
        assert_eq!(code, 0, "{version}: apply backward status:\n{out}");
        let new_id = output(&w, &tf, "id");
        assert_ne!(new_id, id, "{version}");
        assert_eq!(status_in_cams(&emu, &id), "DEPRECATED");
        assert_eq!(status_in_cams(&emu, &new_id), "DRAFT");
    }
}

#[test]
fn an_empty_endpoint_uri_is_kept_as_written() {
    // A variable's empty default: applied, published and planned again
    // without "inconsistent result", taint or change.
    let main_tf = MAIN_TF.replace(
        "  status     = var.status\n",
        "  status     = var.status\n  endpoint_uri = var.endpoint_uri\n",
    ) + "variable \"endpoint_uri\" {\n  type    = string\n  default = \"\"\n}\n";
    assert!(main_tf.contains("endpoint_uri = var.endpoint_uri"));
    for (tf, version) in terraforms() {
        let emu = LocalEmulator::start(&[]);
        let url = emu.url.as_str();
        let w = Workdir::new(&main_tf, None).with_demo_keys();
        write_flow(&w, &flow_json("x").to_string());
        for status in ["DRAFT", "PUBLISHED"] {
            ok(
                &apply(&w, &tf, url, status),
                &format!("{version}: {status}"),
            );
            let (code, out) = plan(&w, &tf, url, status);
            assert_eq!(code, 0, "{version}: {status} plans no change:\n{out}");
        }
        let id = output(&w, &tf, "id");
        assert_eq!(status_in_cams(&emu, &id), "PUBLISHED");
        assert_eq!(
            calls(&emu, "CreateFlow"),
            1,
            "{version}: one flow, never replaced"
        );
    }
}

#[test]
fn a_document_larger_than_the_provider_uploads_fails_at_plan() {
    let main_tf = MAIN_TF.replace(
        "  cust_space_id = \"cams-e2e-space\"\n}",
        "  cust_space_id = \"cams-e2e-space\"\n  max_content_bytes = 2000\n}",
    );
    assert!(main_tf.contains("max_content_bytes = 2000"));
    for (tf, version) in terraforms() {
        let emu = LocalEmulator::start(&[]);
        let url = emu.url.as_str();
        let w = Workdir::new(&main_tf, None).with_demo_keys();
        let document = flow_json("x").to_string() + &" ".repeat(2000);
        write_flow(&w, &document);
        // A draft too: the upload would fail whatever the status.
        let o = apply(&w, &tf, url, "DRAFT");
        let out = text(&o);
        assert!(!o.status.success(), "{version}:\n{out}");
        assert!(
            out.contains("Flow JSON Too Large") && out.contains("max_content_bytes = 2000"),
            "{version}:\n{out}"
        );
        assert_eq!(
            calls(&emu, "CreateFlow"),
            0,
            "{version}: failed before CreateFlow"
        );
    }
}

#[test]
fn every_problem_of_every_draft_is_shown() {
    // Two drafts with three problems each: Terraform's CLI folds warnings
    // sharing a summary, so each flow's problems must be in view. (A plan
    // validates twice, so each flow's one warning comes twice and the copy
    // is folded as "one more similar warning": that hides nothing.)
    let main_tf = MAIN_TF.to_owned()
        + r#"
resource "cams_flow" "survey" {
  name       = "survey"
  categories = ["SURVEY"]
  content    = file("${path.module}/flow.json")
}
"#;
    let mut broken = flow_json("x");
    broken["extra"] = serde_json::json!(1);
    broken["screens"][0]["success"] = serde_json::json!(true);
    broken["screens"][1]["success"] = serde_json::json!("yes");
    // What the document breaks, written out (not computed by the rules
    // engine under test): a property the top level does not allow, success
    // on a screen that is not terminal, and success that is not a boolean.
    let pointers = ["/extra", "/screens/0/success", "/screens/1/success"];
    let problems = [
        "\"extra\" is not a Flow JSON property",
        "\"success\" can be set only on a terminal screen.",
        "\"success\" must be a boolean, not a string.",
    ];
    for (tf, version) in terraforms() {
        let emu = LocalEmulator::start(&[]);
        let url = emu.url.as_str();
        let w = Workdir::new(&main_tf, None).with_demo_keys();
        write_flow(&w, &broken.to_string());
        let validated = w.run(&tf, &["validate", "-no-color"]);
        let (code, planned) = plan(&w, &tf, url, "DRAFT");
        assert_eq!(code, 2, "{version}:\n{planned}");
        for (what, out) in [("validate", text(&validated)), ("plan", planned)] {
            assert!(
                !out.contains("more similar warnings"),
                "{version} {what}:\n{out}"
            );
            for flow in ["signup", "survey"] {
                let summary = format!("Flow JSON of \"{flow}\" Has 3 Problems");
                assert!(
                    out.contains(&summary),
                    "{version} {what}: {summary}:\n{out}"
                );
            }
            // Terraform wraps long lines: compare with single spaces.
            let flat = out.split_whitespace().collect::<Vec<_>>().join(" ");
            for needle in pointers.iter().chain(&problems) {
                assert!(flat.contains(needle), "{version} {what}: {needle}:\n{out}");
            }
        }
    }
}
