//! End-to-end: the `cams_flow` and `cams_flows` data sources (every
//! Terraform under test) and the provider functions (Terraform 1.8 and
//! later), on the real CLI against the in-process emulator. One Terraform
//! run per version per scenario: each run's assertions are combined.

mod common;

use common::local_emulator::{flows_with_ids, LocalEmulator, SIGNUP_FLOW};
use common::terraform::{assert_ok, at_least, terraforms, text, Workdir};
use serde_json::{json, Value};

const REQUIRED_PROVIDERS: &str = r#"
terraform {
  required_providers {
    cams = { source = "local/cams" }
  }
}
"#;

/// Flows seeded in the emulator whose names (the emulator names a seeded
/// flow by its id) contain [`LISTED_PREFIX`]: one more than a `ListFlow`
/// page, so listing them takes two pages.
const LISTED: usize = 21;
const LISTED_PREFIX: &str = "70000000000000";

fn listed_ids() -> Vec<String> {
    (0..LISTED)
        .map(|i| format!("{LISTED_PREFIX}{i:02}"))
        .collect()
}

fn data_sources_config() -> String {
    format!(
        r#"{REQUIRED_PROVIDERS}
variable "endpoint" {{ type = string }}
provider "cams" {{ endpoint = var.endpoint }}

data "cams_flow" "signup" {{ flow_id = "{SIGNUP_FLOW}" }}
data "cams_flows" "listed" {{ name = "{LISTED_PREFIX}" }}
data "cams_flows" "with_status" {{
  name        = "{LISTED_PREFIX}"
  with_status = true
}}

output "flow" {{
  value = {{
    id               = data.cams_flow.signup.id
    name             = data.cams_flow.signup.name
    categories       = data.cams_flow.signup.categories
    status           = data.cams_flow.signup.status
    json_version     = data.cams_flow.signup.json_version
    data_api_version = data.cams_flow.signup.data_api_version
    endpoint_uri     = data.cams_flow.signup.endpoint_uri
    expires          = data.cams_flow.signup.preview_url_expires
  }}
}}
output "preview_url" {{
  value     = data.cams_flow.signup.preview_url
  sensitive = true
}}
output "flows" {{ value = data.cams_flows.listed.flows }}
output "flows_id" {{ value = data.cams_flows.listed.id }}
output "flows_with_status" {{ value = data.cams_flows.with_status.flows }}
"#
    )
}

fn missing_flow_config() -> String {
    format!(
        r#"{REQUIRED_PROVIDERS}
variable "endpoint" {{ type = string }}
provider "cams" {{ endpoint = var.endpoint }}

data "cams_flow" "missing" {{ flow_id = "7999999999999999" }}
"#
    )
}

fn operation_count(emu: &LocalEmulator, operation: &str) -> u64 {
    emu.stats()["requests_by_operation"][operation]
        .as_u64()
        .unwrap_or(0)
}

#[test]
fn flow_and_flows_data_sources_read_the_emulator() {
    let mut ids = listed_ids();
    ids.push(SIGNUP_FLOW.to_owned());
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let flows = flows_with_ids(&ids);
    for (tf, version) in terraforms() {
        let emu = LocalEmulator::start_with_flows(flows.path(), &[]);
        let w = Workdir::new(&data_sources_config(), None).with_demo_keys();
        let o = w.apply(&tf, &[("endpoint", &emu.url)]);
        assert_ok(&o, &format!("apply with {version}"));
        assert!(
            !text(&o).contains("token="),
            "the sensitive preview link is not shown ({version})"
        );

        // One paced call for the flow (its preview comes with GetFlow), one
        // per ListFlow page of each list, and with_status one GetFlow per
        // listed flow.
        assert_eq!(
            operation_count(&emu, "GetFlow"),
            1 + LISTED as u64,
            "{version}"
        );
        assert_eq!(operation_count(&emu, "GetFlowPreviewUrl"), 0, "{version}");
        assert_eq!(operation_count(&emu, "ListFlow"), 4, "{version}");

        let out = w.outputs(&tf);
        let flow = &out["flow"]["value"];
        let expires = flow["expires"].as_str().expect("an expiry").to_owned();
        let mut flow = flow.clone();
        flow["expires"] = Value::Null;
        assert_eq!(
            flow,
            json!({
                "id": SIGNUP_FLOW,
                "name": SIGNUP_FLOW,
                "categories": ["OTHER"],
                "status": "PUBLISHED",
                "json_version": "7.1",
                "data_api_version": null,
                "endpoint_uri": null,
                "expires": null,
            }),
            "{version}"
        );
        // The emulator's links last 30 days (sent in milliseconds).
        let expires =
            time::OffsetDateTime::parse(&expires, &time::format_description::well_known::Rfc3339)
                .unwrap_or_else(|e| panic!("{expires:?} is not RFC 3339: {e}"));
        let lifetime = expires - time::OffsetDateTime::now_utc();
        assert!(
            (time::Duration::days(29)..=time::Duration::days(31)).contains(&lifetime),
            "{expires} ({version})"
        );
        let preview = out["preview_url"]["value"].as_str().expect("preview URL");
        assert!(
            preview.starts_with(&format!(
                "{}/_emulator/preview/{SIGNUP_FLOW}?token=",
                emu.url
            )),
            "{preview}"
        );
        assert_eq!(out["preview_url"]["sensitive"], true);

        let listed = |status: Value| -> Value {
            listed_ids()
                .into_iter()
                .map(|id| json!({ "flow_id": id, "name": id, "categories": ["OTHER"], "status": status }))
                .collect()
        };
        assert_eq!(out["flows"]["value"], listed(Value::Null), "{version}");
        assert_eq!(
            out["flows_with_status"]["value"],
            listed(json!("PUBLISHED")),
            "{version}"
        );
        assert_eq!(out["flows_id"]["value"], format!(":{LISTED_PREFIX}"));

        // A flow CAMS does not know: an error naming flow_id, with advice.
        let emu = LocalEmulator::start_with_flows(flows.path(), &[]);
        let w = Workdir::new(&missing_flow_config(), None).with_demo_keys();
        let o = w.run(
            &tf,
            &[
                "plan",
                "-input=false",
                "-no-color",
                "-var",
                &format!("endpoint={}", emu.url),
            ],
        );
        let all = text(&o);
        assert!(!o.status.success(), "{all}");
        for needle in [
            "Flow Not Found",
            "flow_id \"7999999999999999\"",
            "Flow.NotExists",
            "Check flow_id",
        ] {
            assert!(all.contains(needle), "{needle:?} ({version}):\n{all}");
        }
        assert_eq!(operation_count(&emu, "GetFlow"), 1, "not retried");
    }
}

/// The document served for the signup flow, with the second screen's id
/// made a duplicate of the first's.
fn broken_signup() -> String {
    let mut doc: Value = serde_json::from_slice(
        &std::fs::read(common::local_emulator::flows_dir().join(format!("{SIGNUP_FLOW}.json")))
            .unwrap(),
    )
    .unwrap();
    let first = doc["screens"][0]["id"].clone();
    doc["screens"][1]["id"] = first;
    serde_json::to_string_pretty(&doc).unwrap()
}

/// What `flow_json_problem_details` must return for [`broken_signup`],
/// written out (not computed by the rules engine under test): the
/// duplicate id, and the navigate action whose target screen is gone. Line
/// and column are those of the pretty-printed document.
fn broken_signup_details() -> Value {
    json!([
        {
            "rule": "navigate_unknown_screen",
            "severity": "error",
            "pointer": "/screens/0/layout/children/5/on-click-action/next/name",
            "line": 42,
            "column": 25,
            "message": "This navigate action leads to \"PREFERENCES\", which is not a screen id.",
        },
        {
            "rule": "screen_id_duplicate",
            "severity": "error",
            "pointer": "/screens/1/id",
            "line": 73,
            "column": 13,
            "message": "Screen id \"CREATE_ACCOUNT\" is used by an earlier screen.",
        },
    ])
}

const FUNCTIONS_CONFIG: &str = r#"
output "signup_problems" { value = provider::cams::flow_json_problems(file("signup.json")) }
output "broken_problems" { value = provider::cams::flow_json_problems(file("broken.json")) }
output "not_json_problems" { value = provider::cams::flow_json_problems("{\"version\": ") }
output "broken_details" { value = provider::cams::flow_json_problem_details(file("broken.json")) }
output "signup_summary" { value = provider::cams::flow_json_summary(file("signup.json")) }
output "empty_summary" { value = provider::cams::flow_json_summary("{}") }
"#;

#[test]
fn functions_work_without_provider_configuration_on_terraform_1_8_and_later() {
    let signup = std::fs::read_to_string(
        common::local_emulator::flows_dir().join(format!("{SIGNUP_FLOW}.json")),
    )
    .unwrap();
    let broken = broken_signup();
    let mut ran = 0;
    for (tf, version) in terraforms() {
        if !at_least(&version, 1, 8) {
            continue;
        }
        ran += 1;
        // No provider block and no credentials anywhere (Workdir clears the
        // environment): functions need no configuration.
        let w = Workdir::new(&format!("{REQUIRED_PROVIDERS}{FUNCTIONS_CONFIG}"), None);
        std::fs::write(w.path().join("signup.json"), &signup).unwrap();
        std::fs::write(w.path().join("broken.json"), &broken).unwrap();
        assert_ok(&w.apply(&tf, &[]), &format!("apply with {version}"));
        let out = w.outputs(&tf);

        // The example flow breaks no rule.
        assert_eq!(out["signup_problems"]["value"], json!([]), "{version}");
        assert_eq!(
            out["broken_problems"]["value"],
            json!([
                "/screens/0/layout/children/5/on-click-action/next/name (line 42, column 25): This navigate action leads to \"PREFERENCES\", which is not a screen id. (rule navigate_unknown_screen)",
                "/screens/1/id (line 73, column 13): Screen id \"CREATE_ACCOUNT\" is used by an earlier screen. (rule screen_id_duplicate)",
            ]),
            "{version}"
        );
        // The same problems as objects, with their rule and position.
        assert_eq!(
            out["broken_details"]["value"],
            broken_signup_details(),
            "{version}"
        );
        let not_json = out["not_json_problems"]["value"]
            .as_array()
            .expect("a list");
        assert_eq!(not_json.len(), 1, "{not_json:?}");
        assert!(
            not_json[0]
                .as_str()
                .unwrap()
                .starts_with("(document): invalid JSON at line 1, column "),
            "{not_json:?}"
        );

        assert_eq!(
            out["signup_summary"]["value"],
            json!({
                "version": "7.1",
                "data_api_version": null,
                "screen_ids": ["CREATE_ACCOUNT", "PREFERENCES", "CONFIRM"],
                "terminal_screen_ids": ["CONFIRM"],
            }),
            "{version}"
        );
        assert_eq!(
            out["empty_summary"]["value"],
            json!({
                "version": null,
                "data_api_version": null,
                "screen_ids": [],
                "terminal_screen_ids": [],
            })
        );

        // What users and the docs generator see: a description everywhere.
        let o = w.run(&tf, &["providers", "schema", "-json"]);
        assert_ok(&o, "providers schema -json");
        let schema: Value = serde_json::from_slice(&o.stdout).expect("schema JSON");
        let p = &schema["provider_schemas"]["registry.terraform.io/local/cams"];
        for name in ["cams_flow", "cams_flows"] {
            let block = &p["data_source_schemas"][name]["block"];
            assert!(block["description"].as_str().is_some_and(|d| !d.is_empty()));
            let attributes = block["attributes"].as_object().expect("attributes");
            for (attr, body) in attributes {
                assert!(
                    body["description"].as_str().is_some_and(|d| !d.is_empty()),
                    "{name}.{attr} has no description"
                );
            }
        }
        assert_eq!(
            p["data_source_schemas"]["cams_flow"]["block"]["attributes"]["preview_url"]
                ["sensitive"],
            true
        );
        for name in [
            "flow_json_problems",
            "flow_json_problem_details",
            "flow_json_summary",
        ] {
            let f = &p["functions"][name];
            assert!(f["summary"].as_str().is_some_and(|d| !d.is_empty()), "{f}");
            assert!(
                f["description"].as_str().is_some_and(|d| !d.is_empty()),
                "{f}"
            );
            let parameter = &f["parameters"][0];
            assert_eq!(parameter["name"], "content");
            assert!(parameter["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty()));
        }

        // Text that is not JSON: flow_json_summary fails, naming its argument.
        // Over protocol 5 this time, so the functions are seen over both
        // protocols without more runs.
        let w = Workdir::new(
            &format!(
                "{REQUIRED_PROVIDERS}\noutput \"s\" {{ value = provider::cams::flow_json_summary(\"not json\") }}\n"
            ),
            Some(5),
        );
        let o = w.run(&tf, &["plan", "-input=false", "-no-color"]);
        // Terraform wraps long messages: compare with single spaces.
        let all = text(&o).split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(!o.status.success(), "{all}");
        for needle in [
            "Invalid value for \"content\" parameter",
            "content is not a Flow JSON document: invalid JSON at line 1, column 2",
        ] {
            assert!(all.contains(needle), "{needle:?} ({version}):\n{all}");
        }
    }
    assert!(
        ran > 0,
        "no Terraform 1.8 or later to test the functions with: put one on PATH (make test expects 1.11.4 there)"
    );
}
