//! End-to-end: `cams_chatapp_template` through the real Terraform CLI
//! (1.0.3 and 1.8 or later) against the in-process emulator,
//! whose Meta review only the admin call decides (`--template-review
//! manual`): create, review fail then modify, review pass, a change refused
//! on an approved template, replacement under a new name, import, drift of
//! the review (no diff) and of the content (a diff), delete; the approval
//! that waits for Meta's verdict, and the data sources.

mod common;

use std::path::Path;
use std::sync::Arc;

use cams_provider::alibaba::credentials::{Credentials, Secret, StaticCredentials};
use cams_provider::alibaba::templates::Component;
use cams_provider::alibaba::{CamsClient, ClientConfig, TemplateChanges, TemplateKey, TemplateRef};
use common::local_emulator::{LocalEmulator, DEMO_KEY_ID, DEMO_SECRET, SIGNUP_FLOW};
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
variable "flow_id" { type = string }
variable "name" { type = string }
variable "body" { type = string }
provider "cams" {
  endpoint      = var.endpoint
  cust_space_id = "cams-e2e-space"
}
resource "cams_chatapp_template" "signup" {
  name     = var.name
  language = "en_US"
  category = "MARKETING"
  header {
    format = "TEXT"
    text   = "Join us"
  }
  body {
    text     = var.body
    examples = ["Alice"]
  }
  footer = "Reply STOP to opt out"
  button {
    type            = "FLOW"
    text            = "Sign up"
    flow_id         = var.flow_id
    flow_action     = "NAVIGATE"
    navigate_screen = "CREATE_ACCOUNT"
  }
}
output "id" { value = cams_chatapp_template.signup.id }
output "status" { value = cams_chatapp_template.signup.audit_status }
output "reason" { value = coalesce(cams_chatapp_template.signup.reason, "-") }
output "quality" { value = cams_chatapp_template.signup.quality_score }
"#;

const BODY: &str = "Hi {{1}}, sign up in two minutes.";

struct Run<'a> {
    w: Workdir,
    tf: &'a Path,
    version: &'a str,
    url: &'a str,
}

impl Run<'_> {
    fn vars(&self, name: &str, body: &str) -> Vec<String> {
        vec![
            format!("endpoint={}", self.url),
            format!("flow_id={SIGNUP_FLOW}"),
            format!("name={name}"),
            format!("body={body}"),
        ]
    }

    /// `command` with the options and variables, then `positional`.
    fn with_vars_then(
        &self,
        command: &[&str],
        positional: &[&str],
        name: &str,
        body: &str,
    ) -> std::process::Output {
        let mut args: Vec<String> = command.iter().map(|s| s.to_string()).collect();
        args.extend(["-input=false".into(), "-no-color".into()]);
        for v in self.vars(name, body) {
            args.push("-var".into());
            args.push(v);
        }
        args.extend(positional.iter().map(|s| s.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.w.run(self.tf, &args)
    }

    fn with_vars(&self, command: &[&str], name: &str, body: &str) -> std::process::Output {
        self.with_vars_then(command, &[], name, body)
    }

    fn apply(&self, name: &str, body: &str, what: &str) -> String {
        let o = self.with_vars(&["apply", "-auto-approve"], name, body);
        let out = text(&o);
        assert!(
            o.status.success(),
            "{}: {what} failed:\n{out}",
            self.version
        );
        out
    }

    /// `plan -detailed-exitcode`: 0 no changes, 1 error, 2 changes.
    fn plan(&self, name: &str, body: &str) -> (i32, String) {
        let o = self.with_vars(&["plan", "-detailed-exitcode"], name, body);
        (o.status.code().unwrap_or(-1), text(&o))
    }

    fn output(&self, name: &str) -> String {
        String::from_utf8(self.w.output_raw(self.tf, name)).unwrap()
    }
}

/// The emulator's admin call: Meta's verdict on a template, at once.
fn review(emu: &LocalEmulator, name: &str, status: &str, reason: Option<&str>) {
    let (code, answer) = emu.review_template(&serde_json::json!({
        "name": name, "language": "en_US", "cust_space_id": SPACE,
        "status": status, "reason": reason,
    }));
    assert_eq!(code, 200, "{answer}");
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

fn reference(name: &str) -> TemplateRef<'_> {
    TemplateRef {
        key: TemplateKey::Name(name),
        language: "en_US",
        cust_space_id: Some(SPACE),
    }
}

/// Changes the body text behind Terraform's back.
fn change_body_in_cams(url: &str, name: &str, text: &str) {
    let rt = runtime();
    let c = client(url);
    let cancel = CancellationToken::new();
    let t = rt
        .block_on(c.get_template(&reference(name), &cancel))
        .unwrap();
    let components: Vec<Component> = t
        .components
        .into_iter()
        .map(|mut c| {
            if c.kind == "BODY" {
                c.text = Some(text.to_owned());
            }
            c
        })
        .collect();
    let changes = TemplateChanges {
        template: reference(name),
        components: &components,
        example: &t.example,
        message_send_ttl_seconds: None,
        category_change_paused: None,
    };
    rt.block_on(c.modify_template(&changes, &cancel)).unwrap();
}

fn exists_in_cams(url: &str, name: &str) -> bool {
    match runtime().block_on(client(url).get_template(&reference(name), &CancellationToken::new()))
    {
        Ok(t) => t.audit_status.is_some(),
        Err(e) if e.is_template_not_found() => false,
        Err(e) => panic!("{e}"),
    }
}

/// Whether a plan's text proposes no action on the template.
fn resource_unchanged(plan: &str) -> bool {
    [
        "will be updated",
        "must be replaced",
        "will be created",
        "will be destroyed",
    ]
    .iter()
    .all(|action| !plan.contains(action))
}

#[test]
fn a_template_through_review_change_replacement_import_drift_and_delete() {
    for (tf, version) in terraforms() {
        let emu = LocalEmulator::start(&["--template-review", "manual"]);
        let w = Workdir::new(MAIN_TF, None)
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", DEMO_KEY_ID)
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", DEMO_SECRET);
        let r = Run {
            w,
            tf: &tf,
            version: &version,
            url: &emu.url,
        };
        let name = "signup_invite";

        // Create: under review, and a second plan has nothing to do.
        r.apply(name, BODY, "create");
        assert_eq!(r.output("id"), format!("{SPACE}:{name}:en_US"));
        assert_eq!(r.output("status"), "auditing");
        let (code, out) = r.plan(name, BODY);
        assert_eq!(code, 0, "{version}: plan after create:\n{out}");

        // Meta rejects it: the refresh shows the verdict without a diff.
        review(&emu, name, "fail", Some("INVALID_FORMAT"));
        // (The outputs follow the verdict; the resource itself has no change.)
        let (code, out) = r.plan(name, BODY);
        assert!(
            code != 1 && resource_unchanged(&out),
            "{version}: a review verdict is no change:\n{out}"
        );
        r.apply(name, BODY, "refresh");
        assert_eq!(
            (r.output("status"), r.output("reason")),
            ("fail".into(), "INVALID_FORMAT".into())
        );

        // Fix it in place: back to review.
        let fixed = "Hi {{1}}, join us in two minutes.";
        let out = r.apply(name, fixed, "modify after fail");
        assert!(out.contains("1 changed"), "{version}: in place:\n{out}");
        assert_eq!(r.output("status"), "auditing");

        // Approved: a change is refused at plan (at `body`: see
        // tests/protocol_templates.rs), and nothing is touched.
        review(&emu, name, "pass", None);
        let (code, out) = r.plan(name, "Hi {{1}}, something else.");
        assert_eq!(code, 1, "{version}:\n{out}");
        assert!(out.contains("Template Cannot Be Changed In Place"), "{out}");
        assert!(out.contains("Meta approved it"), "{out}");
        assert!(exists_in_cams(&emu.url, name), "nothing was touched");

        // Drift of the content behind Terraform shows as a diff (the
        // emulator lets a rejected template change).
        review(&emu, name, "fail", Some("INVALID_FORMAT"));
        change_body_in_cams(&emu.url, name, "Hi {{1}}, changed elsewhere.");
        // The change sent it back to review, where it cannot change.
        let (code, out) = r.plan(name, fixed);
        assert_eq!(code, 1, "{version}: under review:\n{out}");
        assert!(out.contains("Meta is reviewing it"), "{out}");
        review(&emu, name, "fail", Some("INVALID_FORMAT"));
        let (code, out) = r.plan(name, fixed);
        assert_eq!(code, 2, "{version}: content drift:\n{out}");
        assert!(out.contains("changed elsewhere"), "{out}");
        r.apply(name, fixed, "undo the drift");
        let (code, out) = r.plan(name, fixed);
        assert_eq!(code, 0, "{version}:\n{out}");

        // Import: forget it, import it back, and nothing is planned.
        let o =
            r.w.run(r.tf, &["state", "rm", "cams_chatapp_template.signup"]);
        assert!(o.status.success(), "{}", text(&o));
        let import_id = format!("{SPACE}:{name}:en_US");
        let o = r.with_vars_then(
            &["import"],
            &["cams_chatapp_template.signup", &import_id],
            name,
            fixed,
        );
        assert!(o.status.success(), "{version}: import:\n{}", text(&o));
        let (code, out) = r.plan(name, fixed);
        assert!(
            code != 1 && resource_unchanged(&out),
            "{version}: plan after import:\n{out}"
        );

        // Replacement under a new name, with the warning; the old name is
        // gone from CAMS.
        let renamed = "signup_invite_v2";
        let (code, out) = r.plan(renamed, fixed);
        assert_eq!(code, 2, "{version}:\n{out}");
        assert!(out.contains("must be replaced"), "{out}");
        assert!(out.contains("Template Will Be Replaced"), "{out}");
        r.apply(renamed, fixed, "replace");
        assert!(!exists_in_cams(&emu.url, name));
        assert!(exists_in_cams(&emu.url, renamed));

        // Destroy deletes it.
        let o = r.with_vars(&["destroy", "-auto-approve"], renamed, fixed);
        assert!(o.status.success(), "{version}: destroy:\n{}", text(&o));
        assert!(!exists_in_cams(&emu.url, renamed));
    }
}

const APPROVAL_TF: &str = r#"
resource "cams_chatapp_template_approval" "signup" {
  template_id = cams_chatapp_template.signup.id
  timeouts {
    create = "5m"
  }
}
data "cams_chatapp_template" "signup" {
  name       = cams_chatapp_template.signup.name
  language   = "en_US"
  depends_on = [cams_chatapp_template_approval.signup]
}
data "cams_chatapp_templates" "approved" {
  name         = "signup"
  audit_status = "pass"
  depends_on   = [cams_chatapp_template_approval.signup]
}
output "looked_up" {
  value = "${data.cams_chatapp_template.signup.audit_status}:${data.cams_chatapp_template.signup.buttons[0].flow_id}"
}
output "approved" {
  value = join(",", data.cams_chatapp_templates.approved.templates[*].id)
}
"#;

/// Waits (bounded) until CAMS shows the template with `status`.
fn wait_for_status(url: &str, name: &str, status: &str) {
    for _ in 0..600 {
        let found = runtime()
            .block_on(client(url).get_template(&reference(name), &CancellationToken::new()));
        if let Ok(t) = found {
            if t.audit_status.as_ref().map(|s| s.as_str()) == Some(status) {
                return;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("template {name} never reached {status}");
}

#[test]
fn an_approval_waits_for_the_verdict_and_follows_the_template() {
    for (tf, version) in terraforms() {
        let emu = LocalEmulator::start(&["--template-review", "manual"]);
        let w = Workdir::new(&format!("{MAIN_TF}{APPROVAL_TF}"), None)
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", DEMO_KEY_ID)
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", DEMO_SECRET);
        let r = Run {
            w,
            tf: &tf,
            version: &version,
            url: &emu.url,
        };
        let name = "signup_invite";
        let apply_args = |body: &str| {
            let mut args = vec![
                "apply".to_owned(),
                "-auto-approve".into(),
                "-input=false".into(),
                "-no-color".into(),
            ];
            for v in r.vars(name, body) {
                args.push("-var".into());
                args.push(v);
            }
            args
        };

        // The apply creates the template and waits; Meta approves it.
        let args = apply_args(BODY);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let waiting = r.w.spawn(r.tf, &args);
        wait_for_status(&emu.url, name, "auditing");
        review(&emu, name, "pass", None);
        let o = waiting.wait_with_output().unwrap();
        assert!(o.status.success(), "{version}: approval:\n{}", text(&o));
        assert_eq!(r.output("looked_up"), format!("pass:{SIGNUP_FLOW}"));
        assert_eq!(r.output("approved"), format!("{SPACE}:{name}:en_US"));
        let (code, out) = r.plan(name, BODY);
        assert!(
            code != 1 && resource_unchanged(&out),
            "{version}: approved, nothing to do:\n{out}"
        );

        // Rejected after all: the fix goes in place, the approval is
        // replaced and reports Meta's reason when the new review fails.
        review(&emu, name, "fail", Some("INVALID_FORMAT"));
        let fixed = "Hi {{1}}, join us in two minutes.";
        let (code, out) = r.plan(name, fixed);
        assert_eq!(code, 2, "{version}:\n{out}");
        assert!(
            out.contains("cams_chatapp_template.signup will be updated in-place"),
            "{out}"
        );
        assert!(
            out.contains("cams_chatapp_template_approval.signup will be created"),
            "{out}"
        );
        let args = apply_args(fixed);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let waiting = r.w.spawn(r.tf, &args);
        wait_for_status(&emu.url, name, "auditing");
        review(&emu, name, "fail", Some("TAG_CONTENT_MISMATCH"));
        let o = waiting.wait_with_output().unwrap();
        let out = text(&o);
        assert!(
            !o.status.success(),
            "{version}: a rejection fails the apply:\n{out}"
        );
        assert!(out.contains("Template Rejected by Meta"), "{out}");
        assert!(out.contains("TAG_CONTENT_MISMATCH"), "{out}");
    }
}

/// `make demo`'s configuration (examples/quickstart): the template's FLOW
/// button opens the new flow's first screen, and a second plan has nothing
/// to do, also once Meta (the emulator, after its default delay) decided.
#[test]
fn the_quickstart_creates_a_template_opening_its_flow() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let main_tf = std::fs::read_to_string(root.join("examples/quickstart/main.tf"))
        .unwrap()
        .replace(
            "${path.module}/../flows/",
            &format!("{}/", root.join("examples/flows").display()),
        );
    for (tf, version) in terraforms() {
        let emu = LocalEmulator::start(&["--template-review", "pass:0"]);
        let w = Workdir::new(&main_tf, None)
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", DEMO_KEY_ID)
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", DEMO_SECRET);
        let o = w.apply(&tf, &[("endpoint", &emu.url)]);
        assert!(o.status.success(), "{version}: quickstart:\n{}", text(&o));
        let flow_id = String::from_utf8(w.output_raw(&tf, "flow_id")).unwrap();
        let t = runtime()
            .block_on(client(&emu.url).get_template(
                &TemplateRef {
                    key: TemplateKey::Name("signup_invite"),
                    language: "en_US",
                    cust_space_id: Some("cams-demo-space"),
                },
                &CancellationToken::new(),
            ))
            .unwrap();
        let button = &t
            .components
            .iter()
            .find(|c| c.kind == "BUTTONS")
            .unwrap()
            .buttons[0];
        assert_eq!(button.flow_id.as_deref(), Some(flow_id.as_str()));
        assert_eq!(button.navigate_screen.as_deref(), Some("CREATE_ACCOUNT"));
        let o = w.run(
            &tf,
            &[
                "plan",
                "-detailed-exitcode",
                "-input=false",
                "-no-color",
                "-var",
                &format!("endpoint={}", emu.url),
            ],
        );
        assert_eq!(
            o.status.code(),
            Some(0),
            "{version}: plan again:\n{}",
            text(&o)
        );
    }
}

const FLOW_TF: &str = r#"
terraform {
  required_providers {
    cams = { source = "local/cams" }
  }
}
variable "endpoint" { type = string }
provider "cams" {
  endpoint      = var.endpoint
  cust_space_id = "cams-e2e-space"
}
resource "cams_flow" "signup" {
  name       = "signup"
  categories = ["SIGN_UP"]
  content    = file("${path.module}/flow.json")
  status     = "PUBLISHED"
}
resource "cams_chatapp_template" "signup" {
  name     = "signup_invite"
  language = "en_US"
  category = "MARKETING"
  body {
    text     = "Hi {{1}}, sign up in two minutes."
    examples = ["Alice"]
  }
  button {
    type            = "FLOW"
    text            = "Sign up"
    flow_id         = cams_flow.signup.id
    flow_action     = "NAVIGATE"
    navigate_screen = cams_flow.signup.screen_ids[0]
  }
}
output "flow_id" { value = cams_flow.signup.id }
"#;

/// The quick-start flow with its first screen titled `title`.
fn flow_titled(title: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text =
        std::fs::read_to_string(root.join(format!("examples/flows/{SIGNUP_FLOW}.json"))).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    doc["screens"][0]["title"] = serde_json::Value::from(title);
    doc.to_string()
}

/// A published flow changes: CAMS cannot change it, so Terraform replaces
/// it, and the template's FLOW button follows the new flow in place
/// (the template was rejected, so CAMS lets it change).
#[test]
fn a_flow_button_follows_a_replaced_flow() {
    for (tf, version) in terraforms() {
        let emu = LocalEmulator::start(&["--template-review", "manual"]);
        let w = Workdir::new(FLOW_TF, None)
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", DEMO_KEY_ID)
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", DEMO_SECRET);
        std::fs::write(w.path().join("flow.json"), flow_titled("Join us")).unwrap();
        let o = w.apply(&tf, &[("endpoint", &emu.url)]);
        assert!(o.status.success(), "{version}: create:\n{}", text(&o));
        let first_flow = String::from_utf8(w.output_raw(&tf, "flow_id")).unwrap();
        review(&emu, "signup_invite", "fail", Some("INVALID_FORMAT"));

        std::fs::write(w.path().join("flow.json"), flow_titled("Join us today")).unwrap();
        let o = w.apply(&tf, &[("endpoint", &emu.url)]);
        let out = text(&o);
        assert!(o.status.success(), "{version}: replace the flow:\n{out}");
        assert!(
            out.contains("1 added, 1 changed, 1 destroyed"),
            "{version}:\n{out}"
        );
        let new_flow = String::from_utf8(w.output_raw(&tf, "flow_id")).unwrap();
        assert_ne!(new_flow, first_flow);
        let t = runtime()
            .block_on(
                client(&emu.url)
                    .get_template(&reference("signup_invite"), &CancellationToken::new()),
            )
            .unwrap();
        let button = &t
            .components
            .iter()
            .find(|c| c.kind == "BUTTONS")
            .unwrap()
            .buttons[0];
        assert_eq!(
            button.flow_id.as_deref(),
            Some(new_flow.as_str()),
            "{version}"
        );
    }
}
