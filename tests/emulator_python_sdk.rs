//! Alibaba's official Python SDKs drive the emulator, proving it accepts
//! what the official clients send: the CAMS SDK (`alibabacloud-cams20200606`)
//! for CreateFlow, GetFlow and ListFlow, and for the message template
//! operations (tests/python/cams_sdk_templates.py), with its default V3
//! signature and its RPC (v2, HMAC-SHA1) signer; then the whole upload path with the CAMS
//! SDK and the OSS SDK (`oss2`, V1 and V4 signatures, headers and presigned
//! URLs). `make test` installs both into the test venv
//! (scripts/ensure-python-sdks.sh) and names its python in `CAMS_TEST_PYTHON`.

use std::path::PathBuf;
use std::process::{Command, Output};

use cams_emulator::{self as emulator, EmulatorConfig, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET};
use serde_json::{json, Value};

fn python() -> PathBuf {
    match std::env::var_os("CAMS_TEST_PYTHON") {
        Some(path) => PathBuf::from(path),
        None => panic!(
            "CAMS_TEST_PYTHON is not set: run the tests with `make test` (it installs the \
             official SDKs with scripts/ensure-python-sdks.sh), or set it to a python that \
             has alibabacloud-cams20200606 and oss2"
        ),
    }
}

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/python")
        .join(name)
}

async fn run_python(script_name: &str, args: Vec<String>) -> Output {
    let script = script(script_name);
    tokio::task::spawn_blocking(move || {
        Command::new(python())
            .arg(script)
            .args(args)
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .output()
            .expect("run python")
    })
    .await
    .expect("join")
}

async fn run_sdk(endpoint: &str, secret: &str, signature: &str) -> Output {
    let args = [endpoint, DEMO_ACCESS_KEY_ID, secret, signature];
    run_python(
        "cams_sdk_flows.py",
        args.iter().map(|a| a.to_string()).collect(),
    )
    .await
}

#[tokio::test]
async fn the_official_python_sdk_creates_gets_and_lists_flows() {
    let running = emulator::start(EmulatorConfig {
        flows_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/flows"),
        ..EmulatorConfig::default()
    })
    .await
    .expect("emulator");
    let endpoint = running.url().trim_start_matches("http://").to_string();
    for signature in ["v3", "v2"] {
        let output = run_sdk(&endpoint, DEMO_ACCESS_KEY_SECRET, signature).await;
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{signature}: {}\n{stdout}",
            String::from_utf8_lossy(&output.stderr)
        );
        let seen: Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
        let flow_id = seen["create"]["flow_id"].as_str().expect("FlowId");
        assert_eq!(seen["create"]["code"], "OK");
        assert_eq!(
            seen["create"]["categories"],
            serde_json::json!(["SIGN_UP", "OTHER"])
        );
        assert_eq!(seen["get"]["code"], "OK");
        assert_eq!(seen["get"]["flow_id"], flow_id);
        assert_eq!(seen["get"]["status"], "DRAFT");
        assert_eq!(seen["get"]["name"], format!("python-sdk-{signature}"));
        assert_eq!(
            seen["list"]["flow_ids"],
            serde_json::json!([flow_id]),
            "{signature}"
        );
    }
    let stats = running.stats();
    for operation in ["CreateFlow", "GetFlow", "ListFlow"] {
        assert_eq!(
            stats.requests_by_operation.get(operation),
            Some(&2),
            "{operation}"
        );
    }
    assert_eq!(stats.accepted, 6);

    // The same client with a wrong secret is refused, in both signature forms.
    for signature in ["v3", "v2"] {
        let output = run_sdk(&endpoint, "not-the-secret", signature).await;
        assert!(!output.status.success(), "{signature}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("SignatureDoesNotMatch"),
            "{signature}: {stderr}"
        );
    }
}

#[tokio::test]
async fn the_official_sdks_upload_a_flow_json_through_the_bucket() {
    let running = emulator::start(EmulatorConfig {
        flows_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/flows"),
        qps: Some(0),
        ..EmulatorConfig::default()
    })
    .await
    .expect("emulator");
    let endpoint = running.url().trim_start_matches("http://").to_string();
    let args = [
        endpoint.as_str(),
        DEMO_ACCESS_KEY_ID,
        DEMO_ACCESS_KEY_SECRET,
    ];
    let output = run_python(
        "oss_sdk_upload.py",
        args.iter().map(|a| a.to_string()).collect(),
    )
    .await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen: Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    let document = r#"{"version":"7.1","screens":[]}"#;
    // Accepted: V1 and V4 headers, V1 and V4 presigned URLs.
    assert_eq!(
        (&seen["put_v1"], &seen["put_v4"]),
        (&json!(200), &json!(200)),
        "{seen}"
    );
    for read in ["get_v1", "get_v4", "presigned_v1", "presigned_v4"] {
        assert_eq!(seen[read], document, "{read}: {seen}");
    }
    // Refused: another token, another secret, outside Dir, a changed URL.
    assert_eq!(seen["put_wrong_token"], "InvalidSecurityToken");
    assert_eq!(seen["put_wrong_secret"], "SignatureDoesNotMatch");
    assert_eq!(seen["put_outside_dir"], "AccessDenied");
    assert_eq!(seen["presigned_v4_tampered"], 403);
    // CAMS fetched the V4 presigned URL and stored the document.
    assert_eq!(seen["update"], "OK");
    assert_eq!(seen["json_version"], "7.1");
    let stats = running.stats();
    assert_eq!(
        stats.requests_by_operation.get("UpdateFlowJSONAsset"),
        Some(&1)
    );
    assert_eq!(
        stats
            .requests_by_operation
            .get("GetChatappUploadAuthorization"),
        Some(&1)
    );
}

#[tokio::test]
async fn the_official_python_sdk_drives_the_template_operations() {
    let running = emulator::start(EmulatorConfig {
        flows_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/flows"),
        template_review: "manual".parse().expect("review spec"),
        // The script (run twice, back to back) reads a template more often
        // than 5 times in a second; the per-operation limits have tests of
        // their own, and the SDK gives up on the first throttling answer.
        qps: Some(0),
        ..EmulatorConfig::default()
    })
    .await
    .expect("emulator");
    let endpoint = running.url().trim_start_matches("http://").to_string();
    // The FLOW button opens the example sign-up flow on its first screen.
    let (flow_id, screen) = ("9267533281264300", "CREATE_ACCOUNT");
    for signature in ["v3", "v2"] {
        let args = [
            endpoint.as_str(),
            DEMO_ACCESS_KEY_ID,
            DEMO_ACCESS_KEY_SECRET,
            signature,
            flow_id,
            screen,
        ];
        let output = run_python(
            "cams_sdk_templates.py",
            args.iter().map(|a| a.to_string()).collect(),
        )
        .await;
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{signature}: {}\n{stdout}",
            String::from_utf8_lossy(&output.stderr)
        );
        let seen: Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
        let name = format!("python_sdk_{signature}");
        assert_eq!(seen["create"]["code"], "OK", "{seen}");
        assert_eq!(seen["create"]["name"], name.as_str());
        assert_eq!(
            seen["get"],
            json!({"code": "OK", "name": name, "status": "auditing", "category": "MARKETING",
                "example": {"{{1}}": "Alice"}, "flow_id": flow_id, "navigate_screen": screen,
                "flow_action": "NAVIGATE"}),
            "{signature}"
        );
        assert_eq!(
            seen["list"],
            json!({"code": "OK", "total": 1, "names": [name], "statuses": ["auditing"]}),
            "{signature}"
        );
        assert_eq!(
            seen["rejected"],
            json!({"status": "fail", "reason": "INVALID_FORMAT"})
        );
        assert_eq!(seen["modify"]["code"], "OK");
        assert_eq!(
            seen["modify"]["template_code"],
            seen["create"]["template_code"]
        );
        assert_eq!(
            seen["after_modify"],
            json!({"status": "auditing", "body": "Hello {{1}}, join us.", "example": {"{{1}}": "Bob"}})
        );
        assert_eq!(seen["delete"], "OK");
        assert_eq!(seen["get_deleted"], "Template.NotExist");
        assert_eq!(seen["create_blocked"], "Template.NameBlocked");
    }
    let stats = running.stats();
    for (operation, count) in [
        ("CreateChatappTemplate", 4),
        ("GetChatappTemplateDetail", 8),
        ("ListChatappTemplate", 2),
        ("ModifyChatappTemplate", 2),
        ("DeleteChatappTemplate", 2),
    ] {
        assert_eq!(
            stats.requests_by_operation.get(operation),
            Some(&count),
            "{operation}"
        );
    }
}
