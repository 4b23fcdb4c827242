//! End-to-end (issue 16, item 4): a `CreateFlow` that CAMS commits but
//! answers 8 s later, through the real Terraform CLI (1.0.3 and 1.8 or
//! later) against the emulator. Whether the answer is lost to
//! `request_timeout = 3` or awaited after Ctrl-C, the flow that was made
//! ends in the state (tainted), never only in CAMS; the next apply, against
//! a CAMS that answers at once, ends with exactly one flow of that name.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::local_emulator::{LocalEmulator, DEMO_KEY_ID, DEMO_SECRET};
use common::terraform::{terraforms, text, Workdir};

const SPACE: &str = "cams-e2e-space";
const NAME: &str = "lost-answer";
/// The emulator's late answer to CreateFlow (after it made the flow).
const LATE_CREATE: &str = "@CreateFlow=slow:8000";

const MAIN_TF: &str = r#"
terraform {
  required_providers {
    cams = { source = "local/cams" }
  }
}
variable "endpoint" { type = string }
variable "request_timeout" {
  type    = number
  default = 60
}
provider "cams" {
  endpoint        = var.endpoint
  cust_space_id   = "cams-e2e-space"
  request_timeout = var.request_timeout
  max_retries     = 1
}
resource "cams_flow" "lost" {
  name       = "lost-answer"
  categories = ["OTHER"]
  content    = jsonencode({ version = "7.0", screens = [{ id = "ONLY", terminal = true, layout = { type = "SingleColumnLayout", children = [{ type = "Footer", label = "Done", "on-click-action" = { name = "complete", payload = {} } }] } }] })
}
output "id" { value = cams_flow.lost.id }
"#;

/// The flows named [`NAME`] in the space, as the emulator holds them (read
/// from its own store, not through the provider's client).
fn flows_in_cams(emu: &LocalEmulator) -> Vec<String> {
    // In id order, as the store lists them.
    emu.flows()
        .into_values()
        .filter(|f| f.name == NAME && f.cust_space_id == SPACE)
        .map(|f| f.id)
        .collect()
}

/// The flow ids in the Terraform state.
fn ids_in_state(w: &Workdir, tf: &Path) -> Vec<String> {
    let o = w.run(tf, &["show", "-json"]);
    assert!(o.status.success(), "terraform show -json:\n{}", text(&o));
    let state: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let resources = state["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    resources
        .iter()
        .filter_map(|r| r["values"]["id"].as_str().map(str::to_owned))
        .collect()
}

fn apply_args<'a>(endpoint: &'a str, timeout: &'a str) -> Vec<&'a str> {
    vec![
        "apply",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-var",
        endpoint,
        "-var",
        timeout,
    ]
}

/// Ctrl-C to Terraform's process group one second after the emulator
/// received CreateFlow; returns Terraform's output once it exited.
fn interrupted_apply(w: &Workdir, tf: &Path, emu: &LocalEmulator, args: &[&str]) -> String {
    let mut child = w.spawn(tf, args);
    let deadline = Instant::now() + Duration::from_secs(60);
    while emu.stats()["requests_by_operation"]["CreateFlow"].as_u64() != Some(1) {
        assert!(Instant::now() < deadline, "CreateFlow was never sent");
        if let Some(status) = child.try_wait().unwrap() {
            let out = text(&child.wait_with_output().unwrap());
            panic!("terraform exited ({status}) before CreateFlow:\n{out}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_secs(1));
    let group = format!("-{}", child.id());
    let killed = std::process::Command::new("kill")
        .args(["-INT", "--", &group])
        .status()
        .unwrap();
    assert!(killed.success(), "kill -INT {group}");
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("terraform still running 90 s after Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    text(&child.wait_with_output().unwrap())
}

#[test]
fn a_create_whose_answer_is_late_leaves_no_flow_outside_the_state() {
    // (request_timeout, Ctrl-C one second in, what Terraform must show)
    let cases = [
        (3, false, "CreateFlow Answer Lost, Flow Kept"),
        (3, true, "CreateFlow Answer Lost, Flow Kept"),
        (60, true, "Flow Created, Then Interrupted"),
    ];
    for (tf, version) in terraforms() {
        for (timeout, ctrl_c, shown) in cases {
            let what = format!("{version}, request_timeout = {timeout}, Ctrl-C: {ctrl_c}");
            let w = Workdir::new(MAIN_TF, None)
                .env("ALIBABA_CLOUD_ACCESS_KEY_ID", DEMO_KEY_ID)
                .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", DEMO_SECRET);
            let state_file = w.path().join("emulator-state.json");
            let state_arg = state_file.display().to_string();
            let timeout_var = format!("request_timeout={timeout}");

            let late = LocalEmulator::start(&["--state", &state_arg, "--fault", LATE_CREATE]);
            let endpoint = format!("endpoint={}", late.url);
            let args = apply_args(&endpoint, &timeout_var);
            let out = if ctrl_c {
                interrupted_apply(&w, &tf, &late, &args)
            } else {
                let o = w.run(&tf, &args);
                assert!(
                    !o.status.success(),
                    "{what}: apply succeeded:\n{}",
                    text(&o)
                );
                text(&o)
            };
            assert!(out.contains(shown), "{what}:\n{out}");
            let in_cams = flows_in_cams(&late);
            assert_eq!(in_cams.len(), 1, "{what}: one CreateFlow, one flow");
            assert_eq!(
                ids_in_state(&w, &tf),
                in_cams,
                "{what}: the flow made is in the state"
            );
            assert!(out.contains(&in_cams[0]), "{what}: the id is named:\n{out}");
            let show = text(&w.run(&tf, &["show", "-no-color"]));
            assert!(show.contains("tainted"), "{what}:\n{show}");
            drop(late);

            // CAMS answers at once now: the tainted draft is replaced.
            let prompt = LocalEmulator::start(&["--state", &state_arg]);
            let endpoint = format!("endpoint={}", prompt.url);
            let o = w.run(&tf, &apply_args(&endpoint, &timeout_var));
            assert!(o.status.success(), "{what}: next apply:\n{}", text(&o));
            let in_cams = flows_in_cams(&prompt);
            assert_eq!(in_cams.len(), 1, "{what}: exactly one flow: {in_cams:?}");
            assert_eq!(ids_in_state(&w, &tf), in_cams, "{what}");
        }
    }
}
