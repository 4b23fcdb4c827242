//! End-to-end: the real Terraform CLI (1.0.3 and 1.8 or later, both required)
//! runs the provider binary against the CAMS emulator (in-process).

mod common;

use std::time::{Duration, Instant};

use common::local_emulator::{
    flows_dir, flows_with_ids, LocalEmulator, DEMO_KEY_ID, DEMO_SECRET, SIGNUP_FLOW,
};
use common::terraform::{terraforms, text, Workdir};
use sha2::Digest as _;

const HEADER: &str = r#"
terraform {
  required_providers {
    cams = { source = "local/cams" }
  }
}
variable "endpoint" { type = string }
"#;

/// A config with the provider block (credentials from the environment
/// unless `provider_body` sets them) and `body`.
fn config(provider_body: &str, body: &str) -> String {
    format!(
        "{HEADER}\nprovider \"cams\" {{\n  endpoint = var.endpoint\n  {provider_body}\n}}\n{body}"
    )
}

fn one_flow(flow_id: &str) -> String {
    config(
        "",
        &format!(
            r#"
data "cams_flow_json" "f" {{ flow_id = "{flow_id}" }}
output "content" {{ value = data.cams_flow_json.f.content }}
output "sha" {{ value = data.cams_flow_json.f.content_sha256 }}
output "screens" {{ value = join(",", data.cams_flow_json.f.screen_ids) }}
output "version" {{ value = data.cams_flow_json.f.flow_json_version }}
output "id" {{ value = data.cams_flow_json.f.id }}
"#
        ),
    )
}

fn demo_env(w: Workdir) -> Workdir {
    w.env("ALIBABA_CLOUD_ACCESS_KEY_ID", DEMO_KEY_ID)
        .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", DEMO_SECRET)
}

fn assert_ok(o: &std::process::Output, what: &str) {
    assert!(o.status.success(), "{what} failed:\n{}", text(o));
}

#[test]
fn apply_outputs_are_byte_equal_to_the_served_file() {
    let served = std::fs::read(flows_dir().join(format!("{SIGNUP_FLOW}.json"))).unwrap();
    for protocol in [None, Some(5)] {
        for (tf, version) in terraforms() {
            let emu = LocalEmulator::start(&[]);
            let w = demo_env(Workdir::new(&one_flow(SIGNUP_FLOW), protocol));
            let o = w.apply(&tf, &[("endpoint", &emu.url)]);
            assert_ok(&o, &format!("apply with {version}, protocol {protocol:?}"));
            assert_eq!(
                w.output_raw(&tf, "content"),
                served,
                "{version} {protocol:?}"
            );
            assert_eq!(
                String::from_utf8(w.output_raw(&tf, "sha")).unwrap(),
                hex::encode(sha2::Sha256::digest(&served))
            );
            assert_eq!(w.output_raw(&tf, "id"), SIGNUP_FLOW.as_bytes());
            let doc: serde_json::Value = serde_json::from_slice(&served).unwrap();
            let want: Vec<&str> = doc["screens"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["id"].as_str().unwrap())
                .collect();
            assert_eq!(
                String::from_utf8(w.output_raw(&tf, "screens")).unwrap(),
                want.join(",")
            );
            assert_eq!(
                w.output_raw(&tf, "version"),
                doc["version"].as_str().unwrap().as_bytes()
            );
        }
    }
}

#[test]
fn providers_schema_json_describes_every_attribute_over_both_protocols() {
    for protocol in [None, Some(5)] {
        for (tf, version) in terraforms() {
            let w = Workdir::new(&one_flow(SIGNUP_FLOW), protocol);
            let o = w.run(&tf, &["providers", "schema", "-json"]);
            assert_ok(&o, &format!("schema with {version}"));
            let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("schema JSON");
            let p = &json["provider_schemas"]["registry.terraform.io/local/cams"];
            let mut blocks = vec![
                &p["provider"]["block"],
                &p["data_source_schemas"]["cams_flow_json"]["block"],
            ];
            let mut checked = 0;
            while let Some(block) = blocks.pop() {
                assert!(
                    block["description"].as_str().is_some_and(|d| !d.is_empty()),
                    "block description: {block}"
                );
                for (name, attr) in block["attributes"].as_object().expect("attributes") {
                    assert!(
                        attr["description"].as_str().is_some_and(|d| !d.is_empty()),
                        "{name} has no description ({version})"
                    );
                    checked += 1;
                }
                if let Some(nested) = block["block_types"].as_object() {
                    blocks.extend(nested.values().map(|b| &b["block"]));
                }
            }
            assert!(checked >= 25, "only {checked} attributes found");
            assert_eq!(
                p["data_source_schemas"]["cams_flow_json"]["block"]["attributes"]["secret_key"],
                serde_json::Value::Null
            );
            assert_eq!(
                p["provider"]["block"]["attributes"]["secret_key"]["sensitive"],
                true
            );
        }
    }
}

#[test]
fn credentials_from_each_environment_family_and_an_sts_token() {
    let sts = "STS.e2eid:sts-secret:sts-token-value";
    for (tf, version) in terraforms() {
        let emu = LocalEmulator::start(&["--sts-key", sts]);
        let families: [&[(&str, &str)]; 3] = [
            &[
                ("ALIBABA_CLOUD_ACCESS_KEY_ID", DEMO_KEY_ID),
                ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", DEMO_SECRET),
            ],
            &[
                ("ALICLOUD_ACCESS_KEY", DEMO_KEY_ID),
                ("ALICLOUD_SECRET_KEY", DEMO_SECRET),
            ],
            &[
                ("ALIBABA_CLOUD_ACCESS_KEY_ID", "STS.e2eid"),
                ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "sts-secret"),
                ("ALIBABA_CLOUD_SECURITY_TOKEN", "sts-token-value"),
            ],
        ];
        for env in families {
            let mut w = Workdir::new(&one_flow(SIGNUP_FLOW), None);
            for (k, v) in env {
                w = w.env(k, v);
            }
            assert_ok(
                &w.apply(&tf, &[("endpoint", &emu.url)]),
                &format!("{version} with {env:?}"),
            );
        }
        // Both families with different ids: the current one wins, with a
        // warning naming both variables (not their values).
        let w = demo_env(Workdir::new(&one_flow(SIGNUP_FLOW), None))
            .env("ALICLOUD_ACCESS_KEY", "OTHER-KEY-ID-e2e")
            .env("ALICLOUD_SECRET_KEY", "other-secret-e2e");
        let o = w.apply(&tf, &[("endpoint", &emu.url)]);
        assert_ok(&o, &format!("{version} with both families"));
        let out = text(&o);
        assert!(
            out.contains("Two Access Keys in the Environment")
                && out.contains("ALICLOUD_ACCESS_KEY")
                && !out.contains("OTHER-KEY-ID-e2e")
                && !out.contains("other-secret-e2e"),
            "{out}"
        );
        // The same STS key with a wrong token is refused by the emulator.
        let w = Workdir::new(&one_flow(SIGNUP_FLOW), None)
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "STS.e2eid")
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "sts-secret")
            .env("ALIBABA_CLOUD_SECURITY_TOKEN", "another-token");
        let o = w.apply(&tf, &[("endpoint", &emu.url)]);
        assert!(!o.status.success());
        assert!(text(&o).contains("InvalidSecurityToken"), "{}", text(&o));
    }
}

#[test]
fn api_errors_become_diagnostics_with_code_message_request_id_and_flow_id() {
    let cases = [
        (
            "3000000000000001",
            "error:Product.Unsubscript",
            "Product.Unsubscript",
        ),
        (
            "3000000000000002",
            "error:Ram.PermissionDeny",
            "Ram.PermissionDeny",
        ),
        (
            "3000000000000003",
            "error:Unknown.ResourceOwnerId",
            "Unknown.ResourceOwnerId",
        ),
        ("3000000000000004", "code200:Flow.Frozen", "Flow.Frozen"),
        ("3000000000000005", "garbage", "not JSON"),
        ("3000000000000006", "no-filepath", "FilePath"),
        ("3000000000000007", "file404", "NoSuchKey"),
        ("3000000000000008", "invalid-json", "not valid JSON"),
        ("3000000000000009", "file403", "AccessDenied"),
    ];
    let ids: Vec<&str> = cases.iter().map(|c| c.0).collect();
    let flows = flows_with_ids(&ids);
    let mut args = Vec::new();
    for (id, spec, _) in &cases {
        args.push("--fault".to_owned());
        args.push(format!("{id}={spec}"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    for (tf, version) in terraforms() {
        let emu = LocalEmulator::start_with_flows(flows.path(), &args);
        let mut body = String::new();
        for (id, _, _) in &cases {
            body.push_str(&format!(
                "data \"cams_flow_json\" \"f{id}\" {{ flow_id = \"{id}\" }}\n"
            ));
        }
        body.push_str("data \"cams_flow_json\" \"missing\" { flow_id = \"4040404040404040\" }\n");
        let w = demo_env(Workdir::new(&config("", &body), None));
        let o = w.apply(&tf, &[("endpoint", &emu.url)]);
        assert!(!o.status.success());
        let out = text(&o);
        for (id, _, code) in &cases {
            assert!(out.contains(code), "{version}: no {code} in:\n{out}");
            assert!(
                out.contains(id),
                "{version}: flow id {id} not named:\n{out}"
            );
        }
        assert!(
            out.contains("Flow.NotExists") && out.contains("4040404040404040"),
            "{out}"
        );
        assert!(out.contains("RequestId"), "{out}");
        assert!(!out.contains("panic"), "{out}");
    }
}

#[test]
fn a_wrong_secret_is_signature_does_not_match_and_is_not_retried() {
    for (tf, _) in terraforms() {
        let emu = LocalEmulator::start(&[]);
        let w = Workdir::new(&one_flow(SIGNUP_FLOW), None)
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", DEMO_KEY_ID)
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "not-the-secret");
        let o = w.apply(&tf, &[("endpoint", &emu.url)]);
        assert!(!o.status.success());
        assert!(text(&o).contains("SignatureDoesNotMatch"), "{}", text(&o));
        assert!(!text(&o).contains("not-the-secret"));
        assert_eq!(emu.stat("api_requests"), 1, "answered once, not retried");
    }
}

#[test]
fn no_credentials_is_a_clear_error_and_no_request_is_made() {
    for (tf, _) in terraforms() {
        let emu = LocalEmulator::start(&[]);
        let w = Workdir::new(&one_flow(SIGNUP_FLOW), None);
        let o = w.apply(&tf, &[("endpoint", &emu.url)]);
        assert!(!o.status.success());
        let out = text(&o);
        assert!(
            out.contains("ALIBABA_CLOUD_ACCESS_KEY_ID"),
            "lists where it looked:\n{out}"
        );
        assert_eq!(emu.stat("api_requests"), 0);
    }
}

#[test]
fn an_unreachable_endpoint_gives_up_within_a_bounded_time() {
    for (tf, _) in terraforms() {
        // Nothing listens on port 1; every attempt is refused at once.
        let w = demo_env(Workdir::new(&one_flow(SIGNUP_FLOW), None));
        let started = Instant::now();
        let o = w.apply(&tf, &[("endpoint", "http://127.0.0.1:1")]);
        assert!(!o.status.success());
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "gave up after {:?}",
            started.elapsed()
        );
        assert!(text(&o).contains("127.0.0.1:1"), "{}", text(&o));
    }
}

#[test]
fn forty_reads_are_paced_at_five_per_second_without_drops() {
    let body = r#"
data "cams_flow_json" "f" {
  count   = 40
  flow_id = "9267533281264300"
}
output "n" { value = length(data.cams_flow_json.f) }
"#;
    for (tf, version) in terraforms() {
        let emu = LocalEmulator::start(&["--qps", "5"]);
        let w = demo_env(Workdir::new(&config("", body), None));
        let started = Instant::now();
        let o = w.apply(&tf, &[("endpoint", &emu.url)]);
        let wall = started.elapsed();
        assert_ok(&o, "40 reads");
        assert_eq!(w.output_raw(&tf, "n"), b"40");
        let (accepted, dropped) = (emu.stat("accepted"), emu.stat("throttled"));
        eprintln!(
            "{version}: 40 reads in {wall:?} (floor 7 s), {accepted} accepted, {dropped} dropped"
        );
        assert!(dropped <= 2, "{dropped} calls dropped by the 5 QPS limit");
        assert!(accepted >= 40);
    }
}

#[test]
fn transient_faults_are_retried_to_success() {
    let cases = [
        ("5000000000000001", "http5xx:2"),
        ("5000000000000002", "reset:2"),
        ("5000000000000003", "throttle:2"),
        ("5000000000000004", "file5xx:2"),
    ];
    let ids: Vec<&str> = cases.iter().map(|c| c.0).collect();
    let flows = flows_with_ids(&ids);
    let mut body = String::new();
    for (id, _) in &cases {
        body.push_str(&format!(
            "data \"cams_flow_json\" \"f{id}\" {{ flow_id = \"{id}\" }}\n"
        ));
    }
    for (tf, version) in terraforms() {
        let mut args = vec!["--qps".to_owned(), "0".to_owned()];
        for (id, spec) in &cases {
            args.push("--fault".into());
            args.push(format!("{id}={spec}"));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let emu = LocalEmulator::start_with_flows(flows.path(), &args);
        let w = demo_env(Workdir::new(&config("", &body), None));
        assert_ok(
            &w.apply(&tf, &[("endpoint", &emu.url)]),
            &format!("retries with {version}"),
        );
    }
}

#[test]
fn twenty_megabytes_of_content() {
    let flows = flows_with_ids(&["6000000000000001"]);
    for (tf, _) in terraforms() {
        let emu = LocalEmulator::start_with_flows(
            flows.path(),
            &["--fault", "6000000000000001=large:20000000"],
        );
        let w = demo_env(Workdir::new(&one_flow("6000000000000001"), None));
        assert_ok(&w.apply(&tf, &[("endpoint", &emu.url)]), "20 MB");
        let content = w.output_raw(&tf, "content");
        assert!(content.len() >= 20_000_000, "{} bytes", content.len());
        assert_eq!(
            String::from_utf8(w.output_raw(&tf, "sha")).unwrap(),
            hex::encode(sha2::Sha256::digest(&content))
        );
    }
}

#[test]
fn a_flow_id_unknown_at_plan_is_read_at_apply() {
    assert!(
        std::env::var("CAMS_TEST_NULL_PROVIDER").is_ok(),
        "CAMS_TEST_NULL_PROVIDER must point at the null provider (make test sets it)"
    );
    let body = read_deferred_to_apply(SIGNUP_FLOW);
    for (tf, version) in terraforms() {
        let emu = LocalEmulator::start(&[]);
        let w = demo_env(Workdir::new(&body, None));
        let plan = w.run(
            &tf,
            &[
                "plan",
                "-input=false",
                "-no-color",
                "-var",
                &format!("endpoint={}", emu.url),
            ],
        );
        assert_ok(&plan, "plan");
        assert!(
            text(&plan).contains("known after apply")
                || text(&plan).contains("will be read during apply"),
            "{}",
            text(&plan)
        );
        assert_eq!(
            emu.stat("api_requests"),
            0,
            "nothing read at plan ({version})"
        );
        assert_ok(&w.apply(&tf, &[("endpoint", &emu.url)]), "apply");
        assert_eq!(w.output_raw(&tf, "id"), SIGNUP_FLOW.as_bytes());
        assert!(emu.stat("api_requests") >= 1);
    }
}

#[test]
fn trace_logs_and_state_never_contain_the_secret_or_the_token() {
    let secret = "sts-secret-must-not-leak";
    let token = "sts-token-must-not-leak";
    for (tf, _) in terraforms() {
        let emu = LocalEmulator::start(&["--sts-key", &format!("STS.leakcheck:{secret}:{token}")]);
        let w = Workdir::new(&one_flow(SIGNUP_FLOW), None)
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "STS.leakcheck")
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", secret)
            .env("ALIBABA_CLOUD_SECURITY_TOKEN", token)
            .env("TF_LOG", "trace");
        let log = w.path().join("trace.log");
        let w = w.env("TF_LOG_PATH", log.to_str().unwrap());
        let o = w.apply(&tf, &[("endpoint", &emu.url)]);
        assert_ok(&o, "apply with trace logging");
        let log = std::fs::read_to_string(&log).unwrap();
        assert!(
            log.contains("sdk.proto"),
            "the provider's own JSON logs reached Terraform's log"
        );
        assert!(log.contains("GetFlowJSONAssest"), "the API call is logged");
        let state = std::fs::read_to_string(w.path().join("terraform.tfstate")).unwrap();
        for (name, haystack) in [("log", &log), ("state", &state), ("output", &text(&o))] {
            assert!(!haystack.contains(secret), "secret in {name}");
            assert!(!haystack.contains(token), "token in {name}");
            // The signed API query (nonce, signature) is never recorded.
            assert!(
                !haystack.contains("SignatureNonce"),
                "signed request query in {name}"
            );
        }
        // The presigned file URL is a bearer credential: it may be kept in
        // state (file_path, marked sensitive) but never logged with its query.
        assert!(
            !log.contains("Signature="),
            "presigned URL query in the log"
        );
        assert!(
            !text(&o).contains("Signature="),
            "presigned URL query in the output"
        );
    }
}

/// The deferred-read config: `null_resource.r.id` is only known after
/// apply, so Terraform reads the data source during the apply walk.
fn read_deferred_to_apply(flow_id: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    cams = {{ source = "local/cams" }}
    null = {{ source = "hashicorp/null" }}
  }}
}}
variable "endpoint" {{ type = string }}
provider "cams" {{ endpoint = var.endpoint }}
resource "null_resource" "r" {{}}
data "cams_flow_json" "f" {{
  flow_id = null_resource.r.id == "" ? "none" : "{flow_id}"
}}
output "id" {{ value = data.cams_flow_json.f.id }}
"#
    )
}

/// Ctrl-C while the provider waits on a slow CAMS answer: Terraform calls
/// StopProvider, the read is cancelled, and Terraform exits within seconds
/// instead of waiting out the 60 s answer.
///
/// Two places where a read happens: `terraform plan`, and `terraform apply`
/// with the read deferred to the apply walk. (A read in the plan phase of
/// `terraform apply` is not covered: Terraform itself does not act on
/// Ctrl-C until that phase ends, whatever the provider does.)
#[test]
fn ctrl_c_during_a_slow_read_stops_terraform_within_seconds() {
    const FLOW: &str = "7000000000000001";
    let flows = flows_with_ids(&[FLOW]);
    for (tf, version) in terraforms() {
        for deferred in [false, true] {
            let emu = LocalEmulator::start_with_flows(
                flows.path(),
                &["--fault", &format!("{FLOW}=slow:60000")],
            );
            let endpoint = format!("endpoint={}", emu.url);
            let (main_tf, command) = if deferred {
                (
                    read_deferred_to_apply(FLOW),
                    &["apply", "-auto-approve"][..],
                )
            } else {
                (one_flow(FLOW), &["plan"][..])
            };
            let w = demo_env(Workdir::new(&main_tf, None));
            let mut args = command.to_vec();
            args.extend(["-input=false", "-no-color", "-var", &endpoint]);
            let what = format!("{version} terraform {}", args[0]);
            let mut child = w.spawn(&tf, &args);
            let deadline = Instant::now() + Duration::from_secs(60);
            while emu.stat("api_requests") == 0 {
                assert!(Instant::now() < deadline, "{what}: the read never started");
                std::thread::sleep(Duration::from_millis(50));
            }
            std::thread::sleep(Duration::from_millis(300));
            let interrupted = Instant::now();
            // Ctrl-C at a terminal signals the whole foreground process
            // group: Terraform 1.0's panicwrap parent ignores SIGINT and
            // relies on its child getting the group's signal, and the
            // provider gets it too (and must ignore it).
            let group = format!("-{}", child.id());
            let killed = std::process::Command::new("kill")
                .args(["-INT", "--", &group])
                .status()
                .unwrap();
            assert!(killed.success(), "kill -INT {group}");
            let mut exited = None;
            while interrupted.elapsed() < Duration::from_secs(20) {
                if let Some(status) = child.try_wait().unwrap() {
                    exited = Some(status);
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let Some(status) = exited else {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{what}: still running 20 s after Ctrl-C");
            };
            let output = child.wait_with_output().unwrap();
            let out = text(&output);
            eprintln!("{what}: exited {:?} after Ctrl-C", interrupted.elapsed());
            assert!(!status.success(), "{what}: exit 0 after Ctrl-C:\n{out}");
            assert!(
                out.contains("cancelled"),
                "{what}: no cancellation in:\n{out}"
            );
            assert!(
                out.contains(FLOW),
                "{what}: the flow id is not named:\n{out}"
            );
            assert!(!out.contains("panic"), "{what}:\n{out}");
        }
    }
}

/// Issue 12: `runs` Terraform runs on one account at once, each a `terraform
/// plan` of `reads` flows, against an emulator enforcing 5 requests per
/// second per AccessKeyId. With `shared`, the runs share one runtime
/// directory (one user on one machine) and so the host-wide budget;
/// without, the budget is turned off through the environment (as runs on
/// separate machines) and the runs rely on slowing down when throttled.
/// The runs alternate between the two Terraform versions (1.0.3 first), so
/// both are covered, sharing one budget, without more wall time.
/// Returns the wall time and the emulator's dropped requests.
fn concurrent_plans_on_one_account(runs: usize, reads: usize, shared: bool) -> (Duration, u64) {
    let terraforms = terraforms();
    let version = terraforms
        .iter()
        .map(|(_, v)| v.as_str())
        .collect::<Vec<_>>()
        .join(" and ");
    let emu = LocalEmulator::start(&["--qps", "5"]);
    let runtime = tempfile::tempdir().unwrap();
    let body = format!(
        r#"
data "cams_flow_json" "f" {{
  count   = {reads}
  flow_id = "{SIGNUP_FLOW}"
}}
"#
    );
    let workdirs: Vec<Workdir> = (0..runs)
        .map(|_| {
            demo_env(Workdir::new(&config("", &body), None))
                .env("XDG_RUNTIME_DIR", runtime.path().to_str().unwrap())
                .env(
                    "ALIBABA_CLOUD_CAMS_SHARED_RATE_LIMIT",
                    if shared { "true" } else { "false" },
                )
        })
        .collect();
    let endpoint = format!("endpoint={}", emu.url);
    let started = Instant::now();
    let children: Vec<_> = workdirs
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let (tf, version) = &terraforms[i % terraforms.len()];
            let child = w
                .command(tf, &["plan", "-no-color", "-lock=false", "-var", &endpoint])
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("start terraform plan");
            (child, version)
        })
        .collect();
    for (i, (child, version)) in children.into_iter().enumerate() {
        let o = child.wait_with_output().unwrap();
        assert_ok(&o, &format!("{version}: plan {} of {runs}", i + 1));
    }
    let wall = started.elapsed();
    let (accepted, dropped) = (emu.stat("accepted"), emu.stat("throttled"));
    let mode = if shared {
        "shared budget"
    } else {
        "budget off"
    };
    eprintln!(
        "{version}: {runs} plans × {reads} reads ({mode}) in {wall:?} (ideal {} s), {accepted} accepted, {dropped} dropped",
        runs * reads / 5
    );
    assert!(accepted >= (runs * reads) as u64);
    // The budget files: one per key, when shared; none otherwise. Never
    // the key or the secret, in a name or in the content.
    let budget_dir = runtime.path().join("terraform-provider-cams");
    let files: Vec<_> = std::fs::read_dir(&budget_dir)
        .map(|entries| entries.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    assert_eq!(files.len(), usize::from(shared), "{files:?}");
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let content = std::fs::read_to_string(file).unwrap();
        for secret in [DEMO_KEY_ID, DEMO_SECRET] {
            assert!(
                !name.contains(secret) && !content.contains(secret),
                "{name}: {content}"
            );
        }
        assert!(content.contains("GetFlowJSONAssest "), "{content}");
    }
    (wall, dropped)
}

#[test]
fn three_concurrent_plans_on_one_account_all_succeed() {
    let (_, dropped) = concurrent_plans_on_one_account(3, 10, true);
    // Sharing one budget, the runs together stay within the limit; the
    // margin covers a request delayed on its way to the emulator.
    assert!(dropped <= 3, "{dropped} requests dropped");
}

#[test]
fn six_concurrent_plans_on_one_account_all_succeed() {
    let (_, dropped) = concurrent_plans_on_one_account(6, 10, true);
    assert!(dropped <= 3, "{dropped} requests dropped");
}

#[test]
fn three_concurrent_plans_without_the_shared_budget_all_succeed() {
    // As on three machines: throttled, each run slows down and retries
    // within throttle_timeout instead of failing after max_retries.
    concurrent_plans_on_one_account(3, 10, false);
}

#[test]
fn throttling_beyond_throttle_timeout_names_the_argument() {
    for (tf, version) in terraforms() {
        let flows = flows_with_ids(&["7000000000000001"]);
        let emu = LocalEmulator::start_with_flows(
            flows.path(),
            &["--fault", "7000000000000001=throttle:1000"],
        );
        let body = r#"data "cams_flow_json" "f" { flow_id = "7000000000000001" }"#;
        let w = demo_env(Workdir::new(
            &config("throttle_timeout = 3\n  max_retries = 2", body),
            None,
        ));
        let started = Instant::now();
        let o = w.run(
            &tf,
            &[
                "plan",
                "-no-color",
                "-var",
                &format!("endpoint={}", emu.url),
            ],
        );
        assert!(!o.status.success(), "{version}");
        let out = text(&o);
        assert!(
            out.contains("CAMS Request Rate Exceeded"),
            "{version}: {out}"
        );
        assert!(
            out.contains("still throttled after 3 s"),
            "{version}: {out}"
        );
        assert!(out.contains("throttle_timeout"), "{version}: {out}");
        assert!(!out.contains("rate_limit_per_second"), "{version}: {out}");
        // More attempts than max_retries, all within the budget (fewer than
        // one per 200 ms x-acs-retry-after: the send rate drops as well).
        let attempts = emu.stat("throttled");
        assert!((3..15).contains(&attempts), "{version}: {attempts}");
        assert!(started.elapsed() < Duration::from_secs(30), "{version}");
    }
}

#[test]
fn an_unusable_budget_directory_falls_back_with_one_warning() {
    use std::os::unix::fs::PermissionsExt as _;
    for (tf, version) in terraforms() {
        let emu = LocalEmulator::start(&["--qps", "5"]);
        // A budget directory other users may write to is refused.
        let runtime = tempfile::tempdir().unwrap();
        let open_dir = runtime.path().join("terraform-provider-cams");
        std::fs::create_dir(&open_dir).unwrap();
        std::fs::set_permissions(&open_dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        let body = format!(
            "data \"cams_flow_json\" \"f\" {{\n  count   = 6\n  flow_id = \"{SIGNUP_FLOW}\"\n}}\n"
        );
        let w = demo_env(Workdir::new(&config("", &body), None))
            .env("XDG_RUNTIME_DIR", runtime.path().to_str().unwrap())
            .env("TF_LOG_PROVIDER", "WARN");
        let o = w.run(
            &tf,
            &[
                "plan",
                "-no-color",
                "-var",
                &format!("endpoint={}", emu.url),
            ],
        );
        assert_ok(
            &o,
            &format!("{version}: plan with an unusable budget directory"),
        );
        let out = text(&o);
        let warnings = out
            .matches("cannot share the request budget with other provider processes")
            .count();
        assert_eq!(warnings, 1, "{out}");
        assert!(out.contains("writable by other users"), "{out}");
        assert_eq!(std::fs::read_dir(&open_dir).unwrap().count(), 0);
        // Paced in-process instead: 6 reads at 5 per window, none dropped.
        assert_eq!(emu.stat("throttled"), 0);
    }
}
