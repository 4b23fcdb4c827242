//! The official CAMS Python SDK (`alibabacloud-cams20200606`) drives the
//! emulator: CreateFlow, GetFlow and ListFlow, with the SDK's default V3
//! signature and with its RPC (v2, HMAC-SHA1) signer. Proves the emulator
//! accepts what the official client sends. The SDK is installed into the
//! test venv by `make test` (scripts/ensure-cams-sdk.sh), which names its
//! python in `CAMS_TEST_PYTHON`.

use std::path::PathBuf;
use std::process::{Command, Output};

use cams_emulator::{self as emulator, EmulatorConfig, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET};
use serde_json::Value;

fn python() -> PathBuf {
    match std::env::var_os("CAMS_TEST_PYTHON") {
        Some(path) => PathBuf::from(path),
        None => panic!(
            "CAMS_TEST_PYTHON is not set: run the tests with `make test` (it installs the \
             official CAMS SDK with scripts/ensure-cams-sdk.sh), or set it to a python that \
             has alibabacloud-cams20200606"
        ),
    }
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/python/cams_sdk_flows.py")
}

async fn run_sdk(endpoint: &str, secret: &str, signature: &str) -> Output {
    let (endpoint, secret, signature) = (
        endpoint.to_string(),
        secret.to_string(),
        signature.to_string(),
    );
    tokio::task::spawn_blocking(move || {
        Command::new(python())
            .arg(script())
            .args([&endpoint, DEMO_ACCESS_KEY_ID, &secret, &signature])
            .env_remove("HTTP_PROXY")
            .env_remove("http_proxy")
            .output()
            .expect("run python")
    })
    .await
    .expect("join")
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
