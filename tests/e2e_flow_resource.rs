//! End-to-end: the `cams_flow` resource through the real Terraform CLI
//! (1.0.3, and any newer one on PATH) against the in-process emulator:
//! the lifecycle, import, drift, validation, a backward status, and faults
//! during apply.

mod common;

use std::path::Path;
use std::sync::Arc;

use cams_provider::alibaba::credentials::{Credentials, Secret, StaticCredentials};
use cams_provider::alibaba::{CamsClient, ClientConfig, FlowStatus, NewFlow};
use common::local_emulator::{LocalEmulator, DEMO_KEY_ID, DEMO_SECRET};
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

fn status_in_cams(url: &str, id: &str) -> Option<FlowStatus> {
    runtime()
        .block_on(client(url).get_flow(id, Some(SPACE), &CancellationToken::new()))
        .unwrap()
        .status
}

fn stored_json(url: &str, id: &str) -> serde_json::Value {
    let file = runtime()
        .block_on(client(url).fetch_flow_json(id, Some(SPACE), &CancellationToken::new()))
        .unwrap();
    serde_json::from_slice(&file.file.bytes).unwrap()
}

fn output(w: &Workdir, tf: &Path, name: &str) -> String {
    String::from_utf8(w.output_raw(tf, name)).unwrap()
}

#[test]
fn a_flow_from_draft_to_published_to_replaced_to_deprecated() {
    for (tf, version) in terraforms() {
        let emu = LocalEmulator::start(&[]);
        let url = emu.url.as_str();
        let w = workdir(&flow_json("Your details").to_string());

        // Create a draft.
        ok(&apply(&w, &tf, url, "DRAFT"), &format!("{version}: create"));
        let id = output(&w, &tf, "id");
        assert_eq!(status_in_cams(url, &id), Some(FlowStatus::Draft));
        assert_eq!(output(&w, &tf, "screens"), "WELCOME,DETAILS");
        assert_eq!(stored_json(url, &id), flow_json("Your details"));

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
        assert_eq!(stored_json(url, &id), flow_json("About you"));

        // Publish.
        ok(
            &apply(&w, &tf, url, "PUBLISHED"),
            &format!("{version}: publish"),
        );
        assert_eq!(status_in_cams(url, &id), Some(FlowStatus::Published));
        let (code, out) = plan(&w, &tf, url, "PUBLISHED");
        assert_eq!(code, 0, "{version}: after publish:\n{out}");

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
        ok(
            &apply(&w, &tf, url, "PUBLISHED"),
            &format!("{version}: replace"),
        );
        let new_id = output(&w, &tf, "id");
        assert_ne!(new_id, id);
        assert_eq!(
            status_in_cams(url, &id),
            Some(FlowStatus::Deprecated),
            "old one retired"
        );
        assert_eq!(status_in_cams(url, &new_id), Some(FlowStatus::Published));

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
        assert_eq!(status_in_cams(url, &new_id), Some(FlowStatus::Deprecated));
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
        assert_eq!(status_in_cams(url, &id), Some(FlowStatus::Published));
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
        assert_eq!(status_in_cams(url, &id), Some(FlowStatus::Published));
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
        assert_eq!(status_in_cams(url, &id), Some(FlowStatus::Published));
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
        assert_eq!(status_in_cams(url, &id), Some(FlowStatus::Published));

        // Applied: a new draft, the published one deprecated.
        let (code, out) = run_with_status(&w, &tf, &["apply", "-auto-approve"], url, Some("DRAFT"));
        assert_eq!(code, 0, "{version}: apply backward status:\n{out}");
        let new_id = output(&w, &tf, "id");
        assert_ne!(new_id, id, "{version}");
        assert_eq!(status_in_cams(url, &id), Some(FlowStatus::Deprecated));
        assert_eq!(status_in_cams(url, &new_id), Some(FlowStatus::Draft));
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
        assert_eq!(status_in_cams(url, &id), Some(FlowStatus::Published));
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
    let problems = cams_provider::provider::flows::rules::check(&broken.to_string()).unwrap();
    assert!(problems.len() >= 3, "{problems:?}");
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
                let summary = format!("Flow JSON of \"{flow}\" Has {} Problems", problems.len());
                assert!(
                    out.contains(&summary),
                    "{version} {what}: {summary}:\n{out}"
                );
            }
            for problem in &problems {
                assert!(
                    out.contains(&problem.pointer),
                    "{version} {what}: {problem}:\n{out}"
                );
            }
        }
    }
}
