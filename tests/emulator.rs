//! The CAMS emulator end to end: requests are signed by hand with the
//! crate's RPC signer and sent with reqwest to an in-process emulator.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use cams_emulator::{AccessKey, EmulatorConfig, FaultRule, RunningEmulator, Stats, StsKey};
use cams_provider::alibaba::signature;
use common::in_process_emulator::{http, start};
use common::local_emulator::flows_dir;
use serde_json::Value;
use time::OffsetDateTime;

fn config() -> EmulatorConfig {
    common::in_process_emulator::config(AK, SECRET)
}

const AK: &str = "test-ak";
const SECRET: &str = "test-secret/+=";
const SIGNUP_FLOW: &str = "9267533281264300";
const BOOKING_FLOW: &str = "1000000000000001";

async fn start_with_faults(faults: &[&str]) -> RunningEmulator {
    let faults = faults
        .iter()
        .map(|f| f.parse::<FaultRule>().expect("valid fault"))
        .collect();
    start(EmulatorConfig { faults, ..config() }).await
}

/// Builds a signed RPC request, with knobs to break each part of it.
#[derive(Clone)]
struct Call {
    method: &'static str,
    params: BTreeMap<String, String>,
    secret: String,
    /// Parameters sent in a form body instead of the query (still signed).
    body_params: Vec<String>,
    /// Replaces the computed signature.
    signature_override: Option<String>,
}

impl Call {
    fn new(action: &str, version: &str) -> Self {
        let mut params = BTreeMap::new();
        for (k, v) in [
            ("Action", action.to_string()),
            ("Version", version.to_string()),
            ("Format", "json".to_string()),
            ("AccessKeyId", AK.to_string()),
            ("SignatureMethod", "HMAC-SHA1".to_string()),
            ("SignatureVersion", "1.0".to_string()),
            ("SignatureNonce", signature::fresh_nonce()),
            (
                "Timestamp",
                signature::format_timestamp(OffsetDateTime::now_utc()),
            ),
        ] {
            params.insert(k.to_string(), v);
        }
        Call {
            method: "POST",
            params,
            secret: SECRET.to_string(),
            body_params: Vec::new(),
            signature_override: None,
        }
    }

    fn flow(flow_id: &str) -> Self {
        Call::new("GetFlowJSONAssest", "2020-06-06")
            .set("FlowId", flow_id)
            .set("CustSpaceId", "cams-test")
    }

    fn set(mut self, name: &str, value: &str) -> Self {
        self.params.insert(name.to_string(), value.to_string());
        self
    }

    fn without(mut self, name: &str) -> Self {
        self.params.remove(name);
        self
    }

    fn key(self, id: &str, secret: &str) -> Self {
        let mut call = self.set("AccessKeyId", id);
        call.secret = secret.to_string();
        call
    }

    fn at(self, time: OffsetDateTime) -> Self {
        self.set("Timestamp", &signature::format_timestamp(time))
    }

    async fn send(&self, emulator: &RunningEmulator) -> reqwest::Result<reqwest::Response> {
        self.send_with(&http(), emulator).await
    }

    async fn send_with(
        &self,
        client: &reqwest::Client,
        emulator: &RunningEmulator,
    ) -> reqwest::Result<reqwest::Response> {
        let signature = self.signature_override.clone().unwrap_or_else(|| {
            signature::signature(
                self.method,
                self.params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                &self.secret,
            )
        });
        let encode = |pairs: Vec<(&String, &String)>| {
            pairs
                .into_iter()
                .map(|(k, v)| {
                    format!(
                        "{}={}",
                        signature::percent_encode(k),
                        signature::percent_encode(v)
                    )
                })
                .collect::<Vec<_>>()
                .join("&")
        };
        let (body, query): (Vec<_>, Vec<_>) = self
            .params
            .iter()
            .partition(|(k, _)| self.body_params.contains(k));
        let signature_pair = ("Signature".to_string(), signature);
        let mut query = query;
        query.push((&signature_pair.0, &signature_pair.1));
        let url = format!("{}/?{}", emulator.url(), encode(query));
        let request = match self.method {
            "GET" => client.get(url),
            _ => client.post(url),
        };
        let request = if body.is_empty() {
            request
        } else {
            request
                .header("content-type", "application/x-www-form-urlencoded")
                .body(encode(body))
        };
        request.send().await
    }

    async fn json(&self, emulator: &RunningEmulator) -> (u16, Value) {
        let response = self.send(emulator).await.expect("response");
        let status = response.status().as_u16();
        let bytes = response.bytes().await.expect("body");
        (status, serde_json::from_slice(&bytes).expect("JSON body"))
    }
}

/// Asserts a POP error answer and returns its body.
async fn expect_error(call: &Call, emulator: &RunningEmulator, status: u16, code: &str) -> Value {
    let response = call.send(emulator).await.expect("response");
    assert_eq!(response.status().as_u16(), status, "status for {code}");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let body: Value =
        serde_json::from_slice(&response.bytes().await.expect("body")).expect("JSON error");
    assert_eq!(body["Code"], code, "{body}");
    for field in ["RequestId", "HostId", "Message", "Recommend"] {
        assert!(
            body[field].as_str().is_some_and(|s| !s.is_empty()),
            "{field} missing in {body}"
        );
    }
    body
}

fn file_path(body: &Value) -> String {
    body["Data"]["FilePath"]
        .as_str()
        .expect("FilePath")
        .to_string()
}

async fn download(url: &str) -> reqwest::Response {
    http().get(url).send().await.expect("download answer")
}

async fn stats_over_http(emulator: &RunningEmulator) -> Stats {
    let bytes = http()
        .get(format!("{}/_emulator/stats", emulator.url()))
        .send()
        .await
        .expect("stats")
        .bytes()
        .await
        .expect("stats body");
    serde_json::from_slice(&bytes).expect("stats JSON")
}

#[tokio::test]
async fn success_path_returns_the_file_byte_exact() {
    let emulator = start(config()).await;
    let (status, body) = Call::flow(SIGNUP_FLOW).json(&emulator).await;
    assert_eq!(status, 200);
    assert_eq!(body["Code"], "OK");
    assert_eq!(body["Message"], "OK");
    assert_eq!(body["AccessDeniedDetail"], "None");
    assert_eq!(body["Data"]["FlowId"], SIGNUP_FLOW);
    let request_id = body["RequestId"].as_str().expect("RequestId");
    assert_eq!(request_id, request_id.to_uppercase());
    assert_eq!(request_id.len(), 36);

    let url = file_path(&body);
    let prefix = format!("{}/oss/flows/{SIGNUP_FLOW}.json?Expires=", emulator.url());
    assert!(url.starts_with(&prefix), "{url}");
    assert!(url.contains("&OSSAccessKeyId=emulator&Signature="), "{url}");

    let response = download(&url).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let served = response.bytes().await.expect("file");
    let on_disk =
        std::fs::read(flows_dir().join(format!("{SIGNUP_FLOW}.json"))).expect("example flow");
    assert_eq!(served.as_ref(), on_disk.as_slice());

    let stats = emulator.stats();
    assert_eq!(
        (
            stats.api_requests,
            stats.accepted,
            stats.downloads,
            stats.downloads_ok
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(stats.requests_by_flow.get(SIGNUP_FLOW), Some(&1));
}

#[tokio::test]
async fn get_and_form_body_requests_are_verified_too() {
    let emulator = start(config()).await;
    let mut get = Call::flow(BOOKING_FLOW);
    get.method = "GET";
    assert_eq!(get.json(&emulator).await.1["Code"], "OK");

    let mut form = Call::flow(BOOKING_FLOW).set("FlowId", BOOKING_FLOW);
    form.body_params = vec!["FlowId".to_string(), "CustSpaceId".to_string()];
    let (status, body) = form.json(&emulator).await;
    assert_eq!(
        (status, body["Data"]["FlowId"].as_str()),
        (200, Some(BOOKING_FLOW))
    );

    // A body parameter changed after signing breaks the signature.
    let mut tampered = Call::flow(BOOKING_FLOW);
    tampered.body_params = vec!["FlowId".to_string()];
    tampered.signature_override = Some(signature::signature(
        "POST",
        tampered
            .params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
        SECRET,
    ));
    tampered.params.insert("FlowId".into(), SIGNUP_FLOW.into());
    expect_error(&tampered, &emulator, 400, "SignatureDoesNotMatch").await;
}

#[tokio::test]
async fn missing_common_parameters_are_rejected() {
    let emulator = start(config()).await;
    for name in [
        "Action",
        "Version",
        "AccessKeyId",
        "SignatureNonce",
        "Timestamp",
    ] {
        let body = expect_error(
            &Call::flow(SIGNUP_FLOW).without(name),
            &emulator,
            400,
            "MissingParameter",
        )
        .await;
        assert!(
            body["Message"].as_str().unwrap_or("").contains(name),
            "{body}"
        );
    }
    for name in ["SignatureMethod", "SignatureVersion"] {
        expect_error(
            &Call::flow(SIGNUP_FLOW).without(name),
            &emulator,
            400,
            "IncompleteSignature",
        )
        .await;
    }
    let mut unsigned = Call::flow(SIGNUP_FLOW);
    unsigned.signature_override = Some(String::new());
    expect_error(&unsigned, &emulator, 400, "IncompleteSignature").await;
    let sha256 = Call::flow(SIGNUP_FLOW).set("SignatureMethod", "HMAC-SHA256");
    expect_error(&sha256, &emulator, 400, "IncompleteSignature").await;
    assert_eq!(emulator.stats().accepted, 0);
}

#[tokio::test]
async fn unknown_access_key_is_not_found() {
    let emulator = start(config()).await;
    let call = Call::flow(SIGNUP_FLOW).key("nobody", "whatever");
    expect_error(&call, &emulator, 404, "InvalidAccessKeyId.NotFound").await;
}

#[tokio::test]
async fn timestamps_must_parse_and_be_within_fifteen_minutes() {
    let emulator = start(config()).await;
    let now = OffsetDateTime::now_utc();
    for bad in [
        "2024-05-01 08:00:00",
        "yesterday",
        "2024-05-01T08:00:00+08:00",
    ] {
        expect_error(
            &Call::flow(SIGNUP_FLOW).set("Timestamp", bad),
            &emulator,
            400,
            "IllegalTimestamp",
        )
        .await;
    }
    for skew in [-16, 16] {
        let call = Call::flow(SIGNUP_FLOW).at(now + time::Duration::minutes(skew));
        expect_error(&call, &emulator, 400, "InvalidTimeStamp.Expired").await;
    }
    for skew in [-14, 14] {
        let (status, _) = Call::flow(SIGNUP_FLOW)
            .at(now + time::Duration::minutes(skew))
            .json(&emulator)
            .await;
        assert_eq!(status, 200, "skew {skew} min");
    }
}

#[tokio::test]
async fn a_nonce_is_accepted_once() {
    let emulator = start(config()).await;
    let call = Call::flow(SIGNUP_FLOW);
    assert_eq!(call.json(&emulator).await.0, 200);
    expect_error(&call, &emulator, 400, "SignatureNonceUsed").await;
    // The same nonce with another AccessKeyId is a different request.
    let other = start(EmulatorConfig {
        access_keys: vec![
            AccessKey::new(AK, SECRET),
            AccessKey::new("second", "secret2"),
        ],
        ..config()
    })
    .await;
    let nonce = signature::fresh_nonce();
    assert_eq!(
        Call::flow(SIGNUP_FLOW)
            .set("SignatureNonce", &nonce)
            .json(&other)
            .await
            .0,
        200
    );
    let second = Call::flow(SIGNUP_FLOW)
        .set("SignatureNonce", &nonce)
        .key("second", "secret2");
    assert_eq!(second.json(&other).await.0, 200);
}

#[tokio::test]
async fn signature_mismatch_reports_the_server_string_to_sign() {
    let emulator = start(config()).await;
    let call = Call::flow(SIGNUP_FLOW).key(AK, "wrong-secret");
    let body = expect_error(&call, &emulator, 400, "SignatureDoesNotMatch").await;
    let message = body["Message"].as_str().unwrap_or_default();
    let expected_sts = signature::string_to_sign(
        "POST",
        call.params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    );
    assert_eq!(
        message,
        format!("Specified signature is not matched with our calculation. server string to sign is:{expected_sts}")
    );
    assert!(!message.contains(SECRET) && !message.contains("wrong-secret"));
    // Signing with GET but sending POST also mismatches.
    let mut wrong_method = Call::flow(SIGNUP_FLOW);
    wrong_method.signature_override = Some(signature::signature(
        "GET",
        wrong_method
            .params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
        SECRET,
    ));
    expect_error(&wrong_method, &emulator, 400, "SignatureDoesNotMatch").await;
    assert_eq!(emulator.stats().signature_failures, 2);
}

#[tokio::test]
async fn wrong_version_unknown_action_and_flow_checks() {
    let emulator = start(config()).await;
    expect_error(
        &Call::flow(SIGNUP_FLOW).set("Version", "2017-06-06"),
        &emulator,
        400,
        "InvalidVersion",
    )
    .await;
    let unknown = Call::new("GetFlowJSONAsset", "2020-06-06").set("FlowId", SIGNUP_FLOW);
    expect_error(&unknown, &emulator, 404, "InvalidAction.NotFound").await;
    let body = expect_error(
        &Call::flow(SIGNUP_FLOW).without("FlowId"),
        &emulator,
        400,
        "MissingParameter",
    )
    .await;
    assert!(body["Message"].as_str().unwrap_or("").contains("FlowId"));
    let body = expect_error(
        &Call::flow("4242424242424242"),
        &emulator,
        400,
        "Flow.NotExists",
    )
    .await;
    assert_eq!(body["Message"], "The specified flow does not exist.");
    // Ids that could escape the directory never exist.
    expect_error(&Call::flow("../Cargo"), &emulator, 400, "Flow.NotExists").await;
    let stats = emulator.stats();
    assert_eq!(stats.errors_by_code.get("Flow.NotExists"), Some(&2));
}

#[tokio::test]
async fn the_flows_directory_is_read_on_every_request() {
    let dir = tempfile::tempdir().expect("tempdir");
    let emulator = start(EmulatorConfig {
        flows_dir: dir.path().to_path_buf(),
        ..config()
    })
    .await;
    expect_error(&Call::flow("777"), &emulator, 400, "Flow.NotExists").await;
    let content = b"{\"version\":\"7.2\",\"screens\":[]}\n  ";
    std::fs::write(dir.path().join("777.json"), content).expect("write flow");
    let (_, body) = Call::flow("777").json(&emulator).await;
    let served = download(&file_path(&body))
        .await
        .bytes()
        .await
        .expect("file");
    assert_eq!(served.as_ref(), content);
}

#[tokio::test]
async fn sts_keys_need_their_token() {
    let emulator = start(EmulatorConfig {
        sts_keys: vec![StsKey::new("STS.static", "sts-secret", "CAIS-token+/=")],
        ..config()
    })
    .await;
    let sts = || Call::flow(SIGNUP_FLOW).key("STS.static", "sts-secret");
    expect_error(&sts(), &emulator, 400, "MissingSecurityToken").await;
    expect_error(
        &sts().set("SecurityToken", "CAIS-other"),
        &emulator,
        400,
        "InvalidSecurityToken.MismatchWithAccessKey",
    )
    .await;
    assert_eq!(
        sts()
            .set("SecurityToken", "CAIS-token+/=")
            .json(&emulator)
            .await
            .0,
        200
    );
    // A token with a long-term AccessKey is refused.
    let plain = Call::flow(SIGNUP_FLOW).set("SecurityToken", "CAIS-token+/=");
    expect_error(&plain, &emulator, 400, "InvalidSecurityToken.Malformed").await;
}

#[tokio::test]
async fn assume_role_issues_keys_that_work_with_their_token() {
    let emulator = start(EmulatorConfig {
        roles: vec!["acs:ram::123456789012:role/terraform".into()],
        ..config()
    })
    .await;
    let assume = |role: &str| {
        Call::new("AssumeRole", "2015-04-01")
            .set("Format", "JSON")
            .set("RoleArn", role)
            .set("RoleSessionName", "terraform")
            .set("DurationSeconds", "3600")
    };
    expect_error(
        &assume("acs:ram::123456789012:role/other"),
        &emulator,
        404,
        "EntityNotExist.Role",
    )
    .await;
    expect_error(
        &assume("acs:ram::123456789012:role/terraform").set("DurationSeconds", "600"),
        &emulator,
        400,
        "InvalidParameter.DurationSeconds",
    )
    .await;
    expect_error(
        &assume("").without("RoleArn"),
        &emulator,
        400,
        "MissingParameter",
    )
    .await;
    expect_error(
        &assume("acs:ram::123456789012:role/terraform").set("Version", "2020-06-06"),
        &emulator,
        400,
        "InvalidVersion",
    )
    .await;

    let (status, body) = assume("acs:ram::123456789012:role/terraform")
        .json(&emulator)
        .await;
    assert_eq!(status, 200, "{body}");
    let credentials = &body["Credentials"];
    let id = credentials["AccessKeyId"].as_str().expect("AccessKeyId");
    let secret = credentials["AccessKeySecret"]
        .as_str()
        .expect("AccessKeySecret");
    let token = credentials["SecurityToken"]
        .as_str()
        .expect("SecurityToken");
    assert!(id.starts_with("STS."));
    let expiration =
        signature::parse_timestamp(credentials["Expiration"].as_str().expect("Expiration"))
            .expect("format");
    let lifetime = (expiration - OffsetDateTime::now_utc()).whole_seconds();
    assert!((3590..=3600).contains(&lifetime), "{lifetime}");
    assert!(body["AssumedRoleUser"]["Arn"]
        .as_str()
        .is_some_and(|a| a.ends_with("role/terraform/terraform")));
    assert!(body["AssumedRoleUser"]["AssumedRoleId"]
        .as_str()
        .is_some_and(|a| a.ends_with(":terraform")));

    let with_sts = Call::flow(SIGNUP_FLOW)
        .key(id, secret)
        .set("SecurityToken", token);
    let (status, body) = with_sts.json(&emulator).await;
    assert_eq!((status, body["Code"].as_str()), (200, Some("OK")));
    expect_error(
        &Call::flow(SIGNUP_FLOW).key(id, secret),
        &emulator,
        400,
        "MissingSecurityToken",
    )
    .await;
    expect_error(
        &Call::flow(SIGNUP_FLOW)
            .key(id, "not-the-secret")
            .set("SecurityToken", token),
        &emulator,
        400,
        "SignatureDoesNotMatch",
    )
    .await;
}

#[tokio::test]
async fn assume_role_accepts_any_well_formed_role_by_default() {
    let emulator = start(config()).await;
    let assume = |role: &str| {
        Call::new("AssumeRole", "2015-04-01")
            .set("RoleArn", role)
            .set("RoleSessionName", "ci-run")
    };
    assert_eq!(
        assume("acs:ram::1:role/anything").json(&emulator).await.0,
        200
    );
    expect_error(
        &assume("arn:aws:iam::1:role/x"),
        &emulator,
        400,
        "InvalidParameter.RoleArn",
    )
    .await;
}

#[tokio::test]
async fn qps_limit_drops_the_excess_with_a_retry_hint() {
    let emulator = start(EmulatorConfig {
        qps: Some(5),
        ..config()
    })
    .await;
    let client = http();
    let calls: Vec<Call> = (0..10).map(|_| Call::flow(SIGNUP_FLOW)).collect();
    let responses =
        futures_util::future::join_all(calls.iter().map(|c| c.send_with(&client, &emulator))).await;
    let mut accepted = 0;
    let mut dropped = Vec::new();
    for response in responses {
        let response = response.expect("answer");
        let retry_after = response
            .headers()
            .get("x-acs-retry-after")
            .map(|v| v.to_str().unwrap_or("").to_string());
        let status = response.status().as_u16();
        let body: Value =
            serde_json::from_slice(&response.bytes().await.expect("body")).expect("JSON");
        match body["Code"].as_str() {
            Some("OK") => accepted += 1,
            Some("System.LimitControl") => {
                assert_eq!(status, 400);
                assert_eq!(body["Message"], "The system is under flow control.");
                let ms: u64 = retry_after
                    .expect("x-acs-retry-after")
                    .parse()
                    .expect("milliseconds");
                assert!((1..=1000).contains(&ms), "{ms}");
                dropped.push(ms);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((accepted, dropped.len()), (5, 5));
    let stats = emulator.stats();
    assert_eq!(
        (stats.accepted, stats.throttled, stats.rate_limited),
        (5, 5, 5)
    );
    assert_eq!(stats.requests_by_flow.get(SIGNUP_FLOW), Some(&10));

    // Waiting as long as the hint says frees a slot.
    let wait = dropped.iter().max().copied().unwrap_or(1000);
    tokio::time::sleep(Duration::from_millis(wait + 20)).await;
    assert_eq!(Call::flow(SIGNUP_FLOW).json(&emulator).await.0, 200);
}

#[tokio::test]
async fn error_faults_answer_pop_errors_with_usual_statuses() {
    let emulator = start_with_faults(&[
        "a=error:Product.Unsubscript",
        "b=error:Ram.PermissionDeny",
        "c=error:Forbidden.RAM",
        "d=error:InternalError",
        "e=error:Throttling.User:429",
        "f=error:Custom.Thing:418",
        "g=error:ServiceUnavailable",
        "h=error:Unknown.ResourceOwnerId",
    ])
    .await;
    expect_error(&Call::flow("a"), &emulator, 400, "Product.Unsubscript").await;
    let body = expect_error(&Call::flow("b"), &emulator, 400, "Ram.PermissionDeny").await;
    assert!(body["AccessDeniedDetail"].is_object());
    expect_error(&Call::flow("c"), &emulator, 403, "Forbidden.RAM").await;
    expect_error(&Call::flow("d"), &emulator, 500, "InternalError").await;
    expect_error(&Call::flow("e"), &emulator, 429, "Throttling.User").await;
    expect_error(&Call::flow("f"), &emulator, 418, "Custom.Thing").await;
    expect_error(&Call::flow("g"), &emulator, 503, "ServiceUnavailable").await;
    expect_error(&Call::flow("h"), &emulator, 400, "Unknown.ResourceOwnerId").await;
    // Other flows are unaffected.
    assert_eq!(Call::flow(SIGNUP_FLOW).json(&emulator).await.0, 200);
}

#[tokio::test]
async fn code200_fault_answers_ok_status_with_a_failure_code() {
    let emulator = start_with_faults(&[&format!("{SIGNUP_FLOW}=code200:Flow.Busy")]).await;
    let (status, body) = Call::flow(SIGNUP_FLOW).json(&emulator).await;
    assert_eq!(status, 200);
    assert_eq!(body["Code"], "Flow.Busy");
    assert!(body["Message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(body.get("Data").is_none());
}

#[tokio::test]
async fn counted_faults_fire_n_times_per_flow_then_pass() {
    let emulator = start_with_faults(&["*=http5xx:2", &format!("{SIGNUP_FLOW}=throttle:1")]).await;
    expect_error(
        &Call::flow(SIGNUP_FLOW),
        &emulator,
        503,
        "ServiceUnavailable",
    )
    .await;
    expect_error(
        &Call::flow(SIGNUP_FLOW),
        &emulator,
        503,
        "ServiceUnavailable",
    )
    .await;
    let response = Call::flow(SIGNUP_FLOW)
        .send(&emulator)
        .await
        .expect("answer");
    assert_eq!(response.headers()["x-acs-retry-after"], "200");
    let body: Value = serde_json::from_slice(&response.bytes().await.expect("body")).expect("JSON");
    assert_eq!(body["Code"], "System.LimitControl");
    assert_eq!(Call::flow(SIGNUP_FLOW).json(&emulator).await.0, 200);
    // `*` counts per flow id: another flow gets its own two 503s.
    expect_error(
        &Call::flow(BOOKING_FLOW),
        &emulator,
        503,
        "ServiceUnavailable",
    )
    .await;

    // Reset zeroes the fault counters.
    emulator.reset();
    expect_error(
        &Call::flow(SIGNUP_FLOW),
        &emulator,
        503,
        "ServiceUnavailable",
    )
    .await;
}

#[tokio::test]
async fn reset_fault_closes_the_connection_without_an_answer() {
    let emulator = start_with_faults(&[&format!("{SIGNUP_FLOW}=reset:1")]).await;
    let started = Instant::now();
    let error = Call::flow(SIGNUP_FLOW)
        .send(&emulator)
        .await
        .expect_err("connection error");
    assert!(!error.is_timeout(), "{error}");
    // A real reset (RST), not a clean close: the OS error is ECONNRESET.
    let mut source: Option<&dyn std::error::Error> = Some(&error);
    let mut reset = false;
    while let Some(cause) = source {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            reset |= io.kind() == std::io::ErrorKind::ConnectionReset;
        }
        source = cause.source();
    }
    assert!(reset, "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(Call::flow(SIGNUP_FLOW).json(&emulator).await.0, 200);
    assert_eq!(emulator.stats().resets, 1);
}

#[tokio::test]
async fn slow_fault_delays_the_answer() {
    let emulator = start_with_faults(&[&format!("{SIGNUP_FLOW}=slow:300")]).await;
    let started = Instant::now();
    assert_eq!(Call::flow(SIGNUP_FLOW).json(&emulator).await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    let started = Instant::now();
    assert_eq!(Call::flow(BOOKING_FLOW).json(&emulator).await.0, 200);
    assert!(started.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn garbage_and_no_filepath_faults() {
    let emulator = start_with_faults(&["g=garbage", &format!("{SIGNUP_FLOW}=no-filepath")]).await;
    let response = Call::flow("g").send(&emulator).await.expect("answer");
    assert_eq!(response.status().as_u16(), 200);
    let body = response.bytes().await.expect("body");
    assert!(serde_json::from_slice::<Value>(&body).is_err());
    assert!(String::from_utf8_lossy(&body).contains("<html>"));

    let (status, body) = Call::flow(SIGNUP_FLOW).json(&emulator).await;
    assert_eq!((status, body["Code"].as_str()), (200, Some("OK")));
    assert_eq!(body["Data"]["FilePath"], "");
}

/// Downloads the file of `flow_id` through a fresh FilePath.
async fn fetch_file(emulator: &RunningEmulator, flow_id: &str) -> (u16, String, Vec<u8>) {
    let (status, body) = Call::flow(flow_id).json(emulator).await;
    assert_eq!(status, 200, "{body}");
    let response = download(&file_path(&body)).await;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (
        status,
        content_type,
        response.bytes().await.expect("body").to_vec(),
    )
}

fn xml_code(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    text.split_once("<Code>")
        .and_then(|(_, rest)| rest.split_once("</Code>"))
        .map(|(code, _)| code.to_string())
        .unwrap_or_default()
}

#[tokio::test]
async fn download_faults() {
    let emulator = start_with_faults(&[
        &format!("{SIGNUP_FLOW}=file404"),
        &format!("{BOOKING_FLOW}=file403"),
        "1000000000000002=file5xx:1",
        "broken=invalid-json",
        "big=large:2000000",
    ])
    .await;
    let (status, content_type, body) = fetch_file(&emulator, SIGNUP_FLOW).await;
    assert_eq!((status, xml_code(&body).as_str()), (404, "NoSuchKey"));
    assert_eq!(content_type, "application/xml");

    let (status, _, body) = fetch_file(&emulator, BOOKING_FLOW).await;
    assert_eq!((status, xml_code(&body).as_str()), (403, "AccessDenied"));
    assert!(String::from_utf8_lossy(&body).contains("<Message>Request has expired.</Message>"));

    let (status, _, body) = fetch_file(&emulator, "1000000000000002").await;
    assert_eq!(
        (status, xml_code(&body).as_str()),
        (503, "ServiceUnavailable")
    );
    let (status, _, body) = fetch_file(&emulator, "1000000000000002").await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        std::fs::read(flows_dir().join("1000000000000002.json")).expect("file")
    );

    // Content faults make the flow exist without a file.
    let (status, _, body) = fetch_file(&emulator, "broken").await;
    assert_eq!(status, 200);
    assert!(!body.is_empty() && serde_json::from_slice::<Value>(&body).is_err());

    let (status, _, body) = fetch_file(&emulator, "big").await;
    assert_eq!(status, 200);
    assert!(body.len() >= 2_000_000);
    let flow: Value = serde_json::from_slice(&body).expect("large flow is valid JSON");
    assert!(flow["screens"].as_array().is_some_and(|s| s.len() > 10));
    assert_eq!(emulator.stats().errors_by_code.get("NoSuchKey"), Some(&1));
}

#[tokio::test]
async fn invalid_json_fault_truncates_an_existing_file() {
    let emulator = start_with_faults(&[&format!("{SIGNUP_FLOW}=invalid-json")]).await;
    let (status, _, body) = fetch_file(&emulator, SIGNUP_FLOW).await;
    let original = std::fs::read(flows_dir().join(format!("{SIGNUP_FLOW}.json"))).expect("file");
    assert_eq!(status, 200);
    assert!(original.starts_with(&body) && body.len() < original.len());
    assert!(serde_json::from_slice::<Value>(&body).is_err());
}

#[tokio::test]
async fn file_urls_expire_and_are_tamper_proof() {
    let emulator = start(EmulatorConfig {
        file_url_ttl: Duration::ZERO,
        ..config()
    })
    .await;
    let (_, body) = Call::flow(SIGNUP_FLOW).json(&emulator).await;
    let url = file_path(&body);
    // With a zero lifetime the URL expires when the clock reaches the next second.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let response = download(&url).await;
    assert_eq!(response.status().as_u16(), 403);
    let text = response.text().await.expect("XML");
    assert!(
        text.contains("<Code>AccessDenied</Code>")
            && text.contains("<Message>Request has expired.</Message>"),
        "{text}"
    );

    let emulator = start(config()).await;
    let (_, body) = Call::flow(SIGNUP_FLOW).json(&emulator).await;
    let url = file_path(&body);
    let other_flow = url.replace(SIGNUP_FLOW, BOOKING_FLOW);
    let response = download(&other_flow).await;
    assert_eq!(response.status().as_u16(), 403);
    assert!(response
        .text()
        .await
        .expect("XML")
        .contains("<Code>SignatureDoesNotMatch</Code>"));
    let unsigned = url
        .split_once('?')
        .map(|(base, _)| base.to_string())
        .unwrap_or_default();
    assert_eq!(download(&unsigned).await.status().as_u16(), 403);
    let missing = format!("{}/oss/flows/nope.json", emulator.url());
    assert_eq!(download(&missing).await.status().as_u16(), 403);
    let elsewhere = format!("{}/oss/other/{SIGNUP_FLOW}.json", emulator.url());
    assert_eq!(download(&elsewhere).await.status().as_u16(), 404);
}

#[tokio::test]
async fn file_request_headers_are_recorded() {
    let emulator = start(config()).await;
    let (_, body) = Call::flow(SIGNUP_FLOW).json(&emulator).await;
    let response = http()
        .get(file_path(&body))
        .header("x-test-marker", "hello")
        .send()
        .await
        .expect("download");
    assert_eq!(response.status().as_u16(), 200);
    let stats = stats_over_http(&emulator).await;
    assert_eq!(stats.file_request_headers.len(), 1);
    let headers = &stats.file_request_headers[0];
    assert!(
        headers.contains(&("x-test-marker".to_string(), "hello".to_string())),
        "{headers:?}"
    );
    assert!(headers.iter().any(|(name, _)| name == "host"));
    assert!(!headers
        .iter()
        .any(|(name, _)| name == "authorization" || name.starts_with("x-acs-")));
}

#[tokio::test]
async fn stats_and_reset_over_http() {
    let emulator = start_with_faults(&["x=error:InternalError"]).await;
    Call::flow(SIGNUP_FLOW).json(&emulator).await;
    Call::flow("x").json(&emulator).await;
    Call::flow(SIGNUP_FLOW).key(AK, "bad").json(&emulator).await;

    let raw: Value = serde_json::from_slice(
        &http()
            .get(format!("{}/_emulator/stats", emulator.url()))
            .send()
            .await
            .expect("stats")
            .bytes()
            .await
            .expect("body"),
    )
    .expect("JSON");
    for field in [
        "api_requests",
        "accepted",
        "throttled",
        "signature_failures",
        "errors_by_code",
        "downloads",
        "requests_by_flow",
        "file_request_headers",
    ] {
        assert!(raw.get(field).is_some(), "{field} missing from {raw}");
    }
    let stats = stats_over_http(&emulator).await;
    assert_eq!(stats, emulator.stats());
    assert_eq!(
        (stats.api_requests, stats.accepted, stats.signature_failures),
        (3, 1, 1)
    );
    assert_eq!(stats.errors_by_code.get("InternalError"), Some(&1));
    assert_eq!(stats.requests_by_flow.get("x"), Some(&1));

    let response = http()
        .post(format!("{}/_emulator/reset", emulator.url()))
        .send()
        .await
        .expect("reset");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(emulator.stats(), Stats::default());
}

#[tokio::test]
async fn shutdown_stops_listening() {
    let emulator = start(config()).await;
    let url = emulator.url();
    emulator.shutdown().await;
    assert!(http()
        .get(format!("{url}/_emulator/stats"))
        .send()
        .await
        .is_err());
}
