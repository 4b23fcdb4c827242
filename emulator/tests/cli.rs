//! The `cams-emulator` binary: options, the announcement line, logging,
//! SIGTERM.

use std::path::PathBuf;
use std::time::Duration;

use cams_emulator::rpc_signature::{expected_signature, rfc3986_encode, string_to_sign};
use cams_emulator::timestamp::format_iso8601;
use time::OffsetDateTime;

const SIGNUP_FLOW: &str = "9267533281264300";

fn flows_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/flows")
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

fn fresh_nonce() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BINARY: &str = env!("CARGO_BIN_EXE_cams-emulator");

#[test]
fn a_missing_flows_directory_or_a_foreign_state_file_stops_the_start() {
    let output = Command::new(BINARY)
        .args(["--flows", "/nonexistent/cams-flows"])
        .stdout(Stdio::piped())
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "no listening line");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("/nonexistent/cams-flows") && stderr.contains("does not exist"),
        "{stderr}"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state.json");
    std::fs::write(&state, "[1, 2]").expect("write");
    let output = Command::new(BINARY)
        .args(["--flows", flows_dir().to_str().expect("utf-8")])
        .arg("--state")
        .arg(&state)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("state file"));
}

#[test]
fn bad_option_exits_with_2_and_help_describes_every_option() {
    let output = Command::new(BINARY).arg("--bogus").output().expect("run");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--bogus"));
    let output = Command::new(BINARY).arg("--help").output().expect("run");
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for option in [
        "--listen",
        "--flows",
        "--access-key",
        "--sts-key",
        "--qps",
        "--fault",
        "--file-url-ttl",
        "--role",
    ] {
        assert!(help.contains(option), "{option}");
    }
}

#[cfg(unix)]
#[tokio::test]
async fn announces_its_url_serves_and_stops_on_sigterm() {
    let mut child = Command::new(BINARY)
        .args([
            "--flows",
            flows_dir().to_str().expect("utf-8 path"),
            "--fault",
            "*=http5xx:1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .expect("join")
    .expect("line");
    let url = line
        .trim_end()
        .strip_prefix("cams-emulator listening on ")
        .expect("announcement")
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    // The default demo key is accepted; the first request hits the fault.
    let call = |nonce: String| {
        let mut params = vec![
            ("Action", "GetFlowJSONAssest".to_string()),
            ("Version", "2020-06-06".to_string()),
            ("AccessKeyId", cams_emulator::DEMO_ACCESS_KEY_ID.to_string()),
            ("SignatureMethod", "HMAC-SHA1".to_string()),
            ("SignatureVersion", "1.0".to_string()),
            ("SignatureNonce", nonce),
            ("Timestamp", format_iso8601(OffsetDateTime::now_utc())),
            ("FlowId", SIGNUP_FLOW.to_string()),
        ];
        let sig = expected_signature(
            cams_emulator::DEMO_ACCESS_KEY_SECRET,
            &string_to_sign("POST", params.iter().map(|(k, v)| (*k, v.as_str()))),
        );
        params.push(("Signature", sig));
        let query: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{k}={}", rfc3986_encode(v)))
            .collect();
        format!("{url}/?{}", query.join("&"))
    };
    let first = http()
        .post(call(fresh_nonce()))
        .send()
        .await
        .expect("answer");
    assert_eq!(first.status().as_u16(), 503);
    let second = http()
        .post(call(fresh_nonce()))
        .send()
        .await
        .expect("answer");
    assert_eq!(second.status().as_u16(), 200);

    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill")
        .success());
    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .expect("join")
        .expect("exit");
    assert!(output.status.success(), "{:?}", output.status);
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(
        log.contains("action=GetFlowJSONAssest") && log.contains("ServiceUnavailable 503"),
        "{log}"
    );
    assert!(log.contains("ak=demo-access-key-id"));
    assert!(
        !log.contains(cams_emulator::DEMO_ACCESS_KEY_SECRET) && !log.contains("Signature="),
        "{log}"
    );
}
