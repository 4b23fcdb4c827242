//! The emulator's Flow API end to end: every operation, the status rules,
//! error branches, per-operation limits, the state file, and the upload
//! bucket's signature checks. RPC requests are signed with the provider's
//! own signer and OSS requests with a V1 signer written here, so neither
//! side checks itself.

mod common;

use std::time::Duration;

use base64::Engine as _;
use cams_emulator::{self as emulator, EmulatorConfig, FaultRule, RunningEmulator};
use cams_provider::alibaba::signature;
use common::in_process_emulator::{http, start};
use common::local_emulator::flows_dir;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha1::Sha1;
use time::OffsetDateTime;

fn config() -> EmulatorConfig {
    common::in_process_emulator::config(AK, SECRET)
}

const AK: &str = "flows-ak";
const SECRET: &str = "flows-secret";
const SIGNUP_FLOW: &str = "9267533281264300";

/// An answer: HTTP status, JSON body, `x-acs-retry-after`.
struct Answer {
    status: u16,
    body: Value,
    retry_after: Option<String>,
}

impl Answer {
    fn code(&self) -> &str {
        self.body["Code"].as_str().unwrap_or("")
    }

    fn ok(self, what: &str) -> Value {
        assert_eq!(
            (self.status, self.code()),
            (200, "OK"),
            "{what}: {}",
            self.body
        );
        self.body["Data"].clone()
    }

    fn err(self, status: u16, code: &str, what: &str) -> Value {
        assert_eq!(
            (self.status, self.code()),
            (status, code),
            "{what}: {}",
            self.body
        );
        self.body
    }
}

/// One CAMS call, signed (RPC V1), parameters in the query as the client sends them.
async fn call(emulator: &RunningEmulator, action: &str, params: &[(&str, &str)]) -> Answer {
    let mut all: Vec<(String, String)> = vec![
        ("Action".into(), action.into()),
        ("Version".into(), "2020-06-06".into()),
        ("Format".into(), "json".into()),
        ("AccessKeyId".into(), AK.into()),
        ("SignatureMethod".into(), "HMAC-SHA1".into()),
        ("SignatureVersion".into(), "1.0".into()),
        ("SignatureNonce".into(), signature::fresh_nonce()),
        (
            "Timestamp".into(),
            signature::format_timestamp(OffsetDateTime::now_utc()),
        ),
    ];
    all.extend(params.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let sig = signature::signature(
        "POST",
        all.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SECRET,
    );
    all.push(("Signature".into(), sig));
    let query: Vec<String> = all
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                signature::percent_encode(k),
                signature::percent_encode(v)
            )
        })
        .collect();
    let response = http()
        .post(format!("{}/?{}", emulator.url(), query.join("&")))
        .send()
        .await
        .expect("answer");
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("x-acs-retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = serde_json::from_slice(&response.bytes().await.expect("body")).expect("JSON body");
    Answer {
        status,
        body,
        retry_after,
    }
}

async fn create(emulator: &RunningEmulator, name: &str) -> String {
    let data = call(
        emulator,
        "CreateFlow",
        &[
            ("FlowName", name),
            ("Categories", r#"["SIGN_UP","OTHER"]"#),
            ("CustSpaceId", "cams-test"),
        ],
    )
    .await
    .ok("CreateFlow");
    assert_eq!(data["FlowName"], name);
    assert_eq!(data["Categories"], json!(["SIGN_UP", "OTHER"]));
    let id = data["FlowId"].as_str().expect("FlowId").to_string();
    assert!(
        id.len() == 16 && id.bytes().all(|b| b.is_ascii_digit()),
        "{id}"
    );
    id
}

async fn get_flow(emulator: &RunningEmulator, id: &str) -> Value {
    call(emulator, "GetFlow", &[("FlowId", id)])
        .await
        .ok("GetFlow")
}

/// Upload credentials, as GetChatappUploadAuthorization hands them out.
struct Upload {
    id: String,
    secret: String,
    token: String,
    bucket: String,
    dir: String,
    endpoint: String,
    /// `Expire`: seconds the credentials are valid.
    expire: u64,
}

async fn authorization(emulator: &RunningEmulator) -> Upload {
    let data = call(
        emulator,
        "GetChatappUploadAuthorization",
        &[("CustSpaceId", "cams-test")],
    )
    .await
    .ok("GetChatappUploadAuthorization");
    let text = |name: &str| data[name].as_str().expect(name).to_string();
    Upload {
        id: text("AccessKeyId"),
        secret: text("AccessKeySecret"),
        token: text("SecurityToken"),
        bucket: text("BucketName"),
        dir: text("Dir"),
        endpoint: text("EndPoint"),
        expire: data["Expire"].as_u64().expect("Expire in seconds"),
    }
}

fn oss_v1(secret: &str, string_to_sign: &str) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn http_date(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    at.format(&format).unwrap()
}

/// PutObject, path style, OSS V1 header signature (secret and token as given).
async fn put_object(
    upload: &Upload,
    key: &str,
    body: &[u8],
    secret: &str,
    token: &str,
) -> (u16, String) {
    let date = http_date(OffsetDateTime::now_utc());
    let string_to_sign = format!(
        "PUT\n\napplication/json\n{date}\nx-oss-security-token:{token}\n/{}/{key}",
        upload.bucket
    );
    let response = http()
        .put(format!("{}/{}/{key}", upload.endpoint, upload.bucket))
        .header("content-type", "application/json")
        .header("date", date)
        .header("x-oss-security-token", token)
        .header(
            "authorization",
            format!("OSS {}:{}", upload.id, oss_v1(secret, &string_to_sign)),
        )
        .body(body.to_vec())
        .send()
        .await
        .expect("PutObject answer");
    (
        response.status().as_u16(),
        response.text().await.expect("body"),
    )
}

/// A V1 presigned GET URL of an object, with `security-token`.
fn presigned_get(upload: &Upload, key: &str, expires: i64) -> String {
    let string_to_sign = format!(
        "GET\n\n\n{expires}\n/{}/{key}?security-token={}",
        upload.bucket, upload.token
    );
    format!(
        "{}/{}/{key}?OSSAccessKeyId={}&Expires={expires}&Signature={}&security-token={}",
        upload.endpoint,
        upload.bucket,
        signature::percent_encode(&upload.id),
        signature::percent_encode(&oss_v1(&upload.secret, &string_to_sign)),
        signature::percent_encode(&upload.token),
    )
}

fn in_an_hour() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp() + 3600
}

const FLOW_JSON: &str = r#"{"version":"7.0","screens":[{"id":"DONE","terminal":true,"layout":{"type":"SingleColumnLayout","children":[{"type":"Footer","label":"OK","on-click-action":{"name":"complete","payload":{}}}]}}]}"#;

/// Uploads `body` and hands its presigned URL to UpdateFlowJSONAsset.
async fn set_json(emulator: &RunningEmulator, id: &str, body: &str) -> Answer {
    let upload = authorization(emulator).await;
    let key = format!("{}{id}.json", upload.dir);
    let (status, text) = put_object(
        &upload,
        &key,
        body.as_bytes(),
        &upload.secret,
        &upload.token,
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let file_path = presigned_get(&upload, &key, in_an_hour());
    call(
        emulator,
        "UpdateFlowJSONAsset",
        &[("FlowId", id), ("FilePath", &file_path)],
    )
    .await
}

fn xml_code(text: &str) -> &str {
    text.split("<Code>")
        .nth(1)
        .and_then(|rest| rest.split("</Code>").next())
        .unwrap_or("")
}

#[tokio::test]
async fn a_flow_goes_through_its_whole_lifecycle() {
    let emulator = start(config()).await;
    let id = create(&emulator, "sign-up").await;

    let flow = get_flow(&emulator, &id).await;
    assert_eq!(flow["Status"], "DRAFT");
    assert_eq!(flow["FlowName"], "sign-up");
    assert!(flow["JSONVersion"].is_null(), "{flow}");
    assert!(flow["PreviewUrl"].as_str().is_some_and(|u| u.contains(&id)));
    assert!(flow["PreviewUrlExpires"]
        .as_i64()
        .is_some_and(|ms| ms > 1_700_000_000_000));
    let asset = call(&emulator, "GetFlowJSONAssest", &[("FlowId", &id)])
        .await
        .ok("asset");
    assert_eq!(asset["FilePath"], "", "no JSON yet");
    call(&emulator, "PublishFlow", &[("FlowId", &id)])
        .await
        .err(400, "ERR-FB-001", "publish without JSON");

    let modified = call(
        &emulator,
        "ModifyFlow",
        &[
            ("FlowId", &id),
            ("FlowName", "sign-up v2"),
            ("Categories", r#"["SURVEY"]"#),
            ("EndpointUri", "https://example.com/flow"),
        ],
    )
    .await
    .ok("ModifyFlow");
    assert_eq!(modified["FlowName"], "sign-up v2");
    assert_eq!(modified["Categories"], json!(["SURVEY"]));
    assert_eq!(modified["EndpointUri"], "https://example.com/flow");

    set_json(&emulator, &id, FLOW_JSON)
        .await
        .ok("UpdateFlowJSONAsset");
    let flow = get_flow(&emulator, &id).await;
    assert_eq!(
        (flow["JSONVersion"].as_str(), flow["Status"].as_str()),
        (Some("7.0"), Some("DRAFT"))
    );
    let asset = call(&emulator, "GetFlowJSONAssest", &[("FlowId", &id)])
        .await
        .ok("asset");
    let served = http()
        .get(asset["FilePath"].as_str().expect("FilePath"))
        .send()
        .await
        .expect("download")
        .text()
        .await
        .expect("text");
    assert_eq!(served, FLOW_JSON, "the stored document, byte for byte");
    let preview = call(&emulator, "GetFlowPreviewUrl", &[("FlowId", &id)])
        .await
        .ok("preview");
    assert_eq!(preview["FlowId"], id.as_str());
    assert!(preview["PreviewUrl"]
        .as_str()
        .is_some_and(|u| !u.is_empty()));

    call(&emulator, "DeprecateFlow", &[("FlowId", &id)])
        .await
        .err(400, "ERR-FB-001", "deprecate a draft");
    call(&emulator, "PublishFlow", &[("FlowId", &id)])
        .await
        .ok("publish");
    assert_eq!(get_flow(&emulator, &id).await["Status"], "PUBLISHED");

    // A published flow changes no more and is not deleted.
    call(
        &emulator,
        "ModifyFlow",
        &[
            ("FlowId", &id),
            ("FlowName", "x"),
            ("Categories", r#"["OTHER"]"#),
        ],
    )
    .await
    .err(400, "ERR-FB-001", "modify a published flow");
    set_json(&emulator, &id, FLOW_JSON).await.err(
        400,
        "ERR-FB-001",
        "new JSON for a published flow",
    );
    call(&emulator, "DeleteFlow", &[("FlowId", &id)]).await.err(
        400,
        "ERR-FB-001",
        "delete a published flow",
    );
    call(&emulator, "PublishFlow", &[("FlowId", &id)])
        .await
        .err(400, "ERR-FB-001", "publish twice");

    call(&emulator, "DeprecateFlow", &[("FlowId", &id)])
        .await
        .ok("deprecate");
    assert_eq!(get_flow(&emulator, &id).await["Status"], "DEPRECATED");
    for action in ["PublishFlow", "DeprecateFlow", "DeleteFlow"] {
        call(&emulator, action, &[("FlowId", &id)])
            .await
            .err(400, "ERR-FB-001", action);
    }
    assert_eq!(get_flow(&emulator, &id).await["Status"], "DEPRECATED");

    let stats = emulator.stats();
    assert_eq!(stats.requests_by_operation.get("CreateFlow"), Some(&1));
    assert_eq!(stats.requests_by_operation.get("PublishFlow"), Some(&4));
    assert_eq!(stats.requests_by_operation.get("PutObject"), Some(&2));
    assert_eq!(
        stats.requests_by_operation.get("GetObject"),
        Some(&1),
        "fetched once by UpdateFlowJSONAsset"
    );
}

#[tokio::test]
async fn a_draft_is_deleted_and_then_not_found() {
    let emulator = start(config()).await;
    let id = create(&emulator, "temporary").await;
    call(&emulator, "DeleteFlow", &[("FlowId", &id)])
        .await
        .ok("delete");
    for action in [
        "GetFlow",
        "DeleteFlow",
        "PublishFlow",
        "DeprecateFlow",
        "GetFlowJSONAssest",
        "GetFlowPreviewUrl",
    ] {
        let body =
            call(&emulator, action, &[("FlowId", &id)])
                .await
                .err(400, "Flow.NotExists", action);
        assert!(body["RequestId"].as_str().is_some_and(|r| !r.is_empty()));
    }
    call(
        &emulator,
        "ModifyFlow",
        &[
            ("FlowId", &id),
            ("FlowName", "x"),
            ("Categories", r#"["OTHER"]"#),
        ],
    )
    .await
    .err(400, "Flow.NotExists", "ModifyFlow");
}

/// `GET /_emulator/flows`: the store as it is, for tests that check what
/// CAMS holds without the client under test.
async fn held_flows(emulator: &RunningEmulator) -> Vec<Value> {
    let answer = http()
        .get(format!("{}/_emulator/flows", emulator.url()))
        .send()
        .await
        .expect("GET /_emulator/flows");
    assert_eq!(answer.status(), 200);
    let body: Value = serde_json::from_slice(&answer.bytes().await.expect("body")).expect("JSON");
    body["flows"].as_array().expect("a flows array").clone()
}

#[tokio::test]
async fn the_admin_listing_shows_the_store() {
    use sha2::{Digest as _, Sha256};
    let emulator = start(config()).await;
    let id = create(&emulator, "listed").await;
    let flows = held_flows(&emulator).await;
    let new = flows
        .iter()
        .find(|f| f["id"] == id.as_str())
        .expect("listed");
    assert_eq!(
        new,
        &json!({
            "id": id,
            "name": "listed",
            "categories": ["SIGN_UP", "OTHER"],
            "status": "DRAFT",
            "cust_space_id": "cams-test",
            "endpoint_uri": "",
            "content": null,
            "content_sha256": null,
        })
    );
    // A seeded flow: its document byte-exact, and the hash of those bytes.
    let file = std::fs::read_to_string(flows_dir().join(format!("{SIGNUP_FLOW}.json"))).unwrap();
    let seeded = flows
        .iter()
        .find(|f| f["id"] == SIGNUP_FLOW)
        .expect("seeded flow listed");
    assert_eq!(seeded["status"], "PUBLISHED");
    assert_eq!(seeded["content"], file.as_str());
    assert_eq!(
        seeded["content_sha256"],
        hex::encode(Sha256::digest(file.as_bytes()))
    );
    // Ids in order, as ListFlow has them.
    let ids: Vec<&str> = flows.iter().map(|f| f["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted);
    // A deleted flow is gone from the listing.
    call(&emulator, "DeleteFlow", &[("FlowId", &id)])
        .await
        .ok("delete");
    assert!(held_flows(&emulator)
        .await
        .iter()
        .all(|f| f["id"] != id.as_str()));
}

#[tokio::test]
async fn bad_parameters_are_refused() {
    let emulator = start(config()).await;
    let create_with = |params: Vec<(&'static str, &'static str)>| {
        let emulator = &emulator;
        async move { call(emulator, "CreateFlow", &params).await }
    };
    create_with(vec![("Categories", r#"["OTHER"]"#)]).await.err(
        400,
        "MissingParameter",
        "no FlowName",
    );
    create_with(vec![("FlowName", "n")])
        .await
        .err(400, "MissingParameter", "no Categories");
    for categories in ["SIGN_UP", "[]", r#"["SHOPPING"]"#, r#"[1]"#] {
        let body = call(
            &emulator,
            "CreateFlow",
            &[("FlowName", "n"), ("Categories", categories)],
        )
        .await
        .err(400, "InvalidParameter", categories);
        assert!(body["Message"].as_str().unwrap().contains("Categories"));
    }
    for page in ["{", r#"{"Index":0,"Size":20}"#, r#"{"Index":1,"Size":101}"#] {
        call(&emulator, "ListFlow", &[("Page", page)])
            .await
            .err(400, "InvalidParameter", page);
    }
    for action in [
        "GetFlow",
        "PublishFlow",
        "UpdateFlowJSONAsset",
        "GetFlowJSONAssest",
    ] {
        call(&emulator, action, &[])
            .await
            .err(400, "MissingParameter", action);
    }
    call(&emulator, "GetChatappUploadAuthorization", &[])
        .await
        .err(400, "MissingParameter", "no CustSpaceId");
    call(&emulator, "GetFlowJSONAsset", &[]).await.err(
        404,
        "InvalidAction.NotFound",
        "misspelt action",
    );
}

#[tokio::test]
async fn list_pages_and_filters_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let emulator = start(EmulatorConfig {
        flows_dir: dir.path().to_path_buf(),
        ..config()
    })
    .await;
    let mut ids = Vec::new();
    for name in ["alpha signup", "beta booking", "gamma signup"] {
        ids.push(create(&emulator, name).await);
    }
    ids.sort();
    let list = |page: &'static str, name: &'static str| {
        let emulator = &emulator;
        async move {
            let mut params = vec![("Page", page)];
            if !name.is_empty() {
                params.push(("FlowName", name));
            }
            let data = call(emulator, "ListFlow", &params).await.ok("ListFlow");
            data.as_array()
                .expect("Data is a list")
                .iter()
                .map(|f| {
                    assert!(f["Categories"].is_array() && f["FlowName"].is_string());
                    assert!(f.get("Status").is_none(), "ListFlow has no status");
                    f["FlowId"].as_str().unwrap().to_string()
                })
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(list(r#"{"Index":1,"Size":2}"#, "").await, ids[..2]);
    assert_eq!(list(r#"{"Index":2,"Size":2}"#, "").await, ids[2..]);
    assert!(list(r#"{"Index":3,"Size":2}"#, "").await.is_empty());
    assert_eq!(list(r#"{"Index":1,"Size":20}"#, "signup").await.len(), 2);
    assert_eq!(list(r#"{"Index":1,"Size":20}"#, "booking").await.len(), 1);
}

#[tokio::test]
async fn seeded_flows_are_published_and_only_deprecated() {
    let emulator = start(config()).await;
    let flow = get_flow(&emulator, SIGNUP_FLOW).await;
    assert_eq!(flow["Status"], "PUBLISHED");
    assert!(flow["JSONVersion"].is_string(), "{flow}");
    let listed = call(
        &emulator,
        "ListFlow",
        &[("Page", r#"{"Index":1,"Size":100}"#)],
    )
    .await
    .ok("ListFlow");
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["FlowId"] == SIGNUP_FLOW));
    call(&emulator, "DeleteFlow", &[("FlowId", SIGNUP_FLOW)])
        .await
        .err(400, "ERR-FB-001", "delete a seeded flow");
    call(&emulator, "DeprecateFlow", &[("FlowId", SIGNUP_FLOW)])
        .await
        .ok("deprecate a seeded flow");
    assert_eq!(
        get_flow(&emulator, SIGNUP_FLOW).await["Status"],
        "DEPRECATED"
    );
    // Its document is still served.
    let asset = call(&emulator, "GetFlowJSONAssest", &[("FlowId", SIGNUP_FLOW)])
        .await
        .ok("asset");
    let served = http()
        .get(asset["FilePath"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let on_disk = std::fs::read(flows_dir().join(format!("{SIGNUP_FLOW}.json"))).unwrap();
    assert_eq!(served.as_ref(), on_disk.as_slice());
}

#[tokio::test]
async fn update_flow_json_asset_fetches_the_file_and_checks_it() {
    let emulator = start(config()).await;
    let id = create(&emulator, "upload").await;

    // Not JSON.
    set_json(&emulator, &id, "<html>not json</html>").await.err(
        400,
        "InvalidParameter.FileContentError",
        "HTML",
    );
    // Not a URL, nobody listening, an object that does not exist, an expired URL.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        format!("http://127.0.0.1:{port}/flow.json")
    };
    let upload = authorization(&emulator).await;
    assert_eq!(upload.expire, 3600, "the documentation's sample");
    let missing = presigned_get(
        &upload,
        &format!("{}nothing.json", upload.dir),
        in_an_hour(),
    );
    let key = format!("{}expired.json", upload.dir);
    put_object(
        &upload,
        &key,
        FLOW_JSON.as_bytes(),
        &upload.secret,
        &upload.token,
    )
    .await;
    let expired = presigned_get(
        &upload,
        &key,
        OffsetDateTime::now_utc().unix_timestamp() - 10,
    );
    for file_path in [
        "not a url",
        "ftp://127.0.0.1/x.json",
        &closed,
        &missing,
        &expired,
    ] {
        let body = call(
            &emulator,
            "UpdateFlowJSONAsset",
            &[("FlowId", &id), ("FilePath", file_path)],
        )
        .await
        .err(400, "InvalidParameter.FileUrlError", file_path);
        assert!(
            !body["Message"].as_str().unwrap().contains("Signature"),
            "the URL's credentials are not echoed"
        );
    }
    assert!(
        get_flow(&emulator, &id).await["JSONVersion"].is_null(),
        "nothing stored"
    );
    // A valid document after the failures.
    set_json(&emulator, &id, FLOW_JSON)
        .await
        .ok("UpdateFlowJSONAsset");
    assert_eq!(get_flow(&emulator, &id).await["JSONVersion"], "7.0");
}

#[tokio::test]
async fn the_bucket_checks_key_token_and_dir() {
    // Long enough for the 10 MB uploads of a debug build on a busy
    // machine; expiry has a test of its own.
    let emulator = start(EmulatorConfig {
        upload_ttl: Duration::from_secs(300),
        ..config()
    })
    .await;
    let upload = authorization(&emulator).await;
    assert_eq!(
        upload.endpoint,
        emulator.url(),
        "path style on the emulator's port"
    );
    assert!(upload.dir.ends_with('/'), "{}", upload.dir);
    let key = format!("{}doc.json", upload.dir);
    let body = FLOW_JSON.as_bytes();

    let (status, text) = put_object(&upload, &key, body, "wrong-secret", &upload.token).await;
    assert_eq!(
        (status, xml_code(&text)),
        (403, "SignatureDoesNotMatch"),
        "{text}"
    );
    let (status, text) = put_object(&upload, &key, body, &upload.secret, "CAISwrong").await;
    assert_eq!(
        (status, xml_code(&text)),
        (403, "InvalidSecurityToken"),
        "{text}"
    );
    let (status, text) = put_object(
        &upload,
        "elsewhere/doc.json",
        body,
        &upload.secret,
        &upload.token,
    )
    .await;
    assert_eq!((status, xml_code(&text)), (403, "AccessDenied"), "{text}");
    let unsigned = http()
        .put(format!("{}/{}/{key}", upload.endpoint, upload.bucket))
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status().as_u16(), 403);
    let other_bucket = http()
        .get(format!("{}/no-such-bucket/{key}", upload.endpoint))
        .send()
        .await
        .unwrap();
    assert_eq!(
        xml_code(&other_bucket.text().await.unwrap()),
        "NoSuchBucket"
    );

    let (status, text) = put_object(&upload, &key, body, &upload.secret, &upload.token).await;
    assert_eq!(status, 200, "{text}");
    let got = http()
        .get(presigned_get(&upload, &key, in_an_hour()))
        .send()
        .await
        .unwrap();
    assert_eq!(got.status().as_u16(), 200);
    assert_eq!(got.bytes().await.unwrap().as_ref(), body);

    // Objects up to Meta's 10 MB Flow JSON limit are accepted, not beyond.
    let big = vec![b' '; 10 * 1024 * 1024];
    let (status, text) = put_object(&upload, &key, &big, &upload.secret, &upload.token).await;
    assert_eq!(status, 200, "{text}");
    let (status, text) = put_object(
        &upload,
        &key,
        &[&big[..], b" "].concat(),
        &upload.secret,
        &upload.token,
    )
    .await;
    assert_eq!((status, xml_code(&text)), (400, "EntityTooLarge"), "{text}");
}

#[tokio::test]
async fn upload_credentials_expire_after_the_upload_ttl() {
    let emulator = start(EmulatorConfig {
        upload_ttl: Duration::from_secs(1),
        ..config()
    })
    .await;
    let upload = authorization(&emulator).await;
    let key = format!("{}doc.json", upload.dir);
    let body = FLOW_JSON.as_bytes();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, text) = put_object(&upload, &key, body, &upload.secret, &upload.token).await;
    assert_eq!(
        (status, xml_code(&text)),
        (403, "SecurityTokenExpired"),
        "{text}"
    );
    let got = http()
        .get(presigned_get(&upload, &key, in_an_hour()))
        .send()
        .await
        .unwrap();
    assert_eq!(xml_code(&got.text().await.unwrap()), "SecurityTokenExpired");
}

#[tokio::test]
async fn each_operation_has_its_own_limit() {
    let mut qps_per_action = std::collections::BTreeMap::new();
    qps_per_action.insert("CreateFlow".to_string(), 2);
    // `qps: None`: every other operation takes its figure from the table (5/s).
    let emulator = start(EmulatorConfig {
        qps: None,
        qps_per_action,
        ..config()
    })
    .await;
    let creates = futures_util::future::join_all((0..3).map(|i| {
        let emulator = &emulator;
        async move {
            call(
                emulator,
                "CreateFlow",
                &[
                    ("FlowName", &format!("f{i}")),
                    ("Categories", r#"["OTHER"]"#),
                ],
            )
            .await
        }
    }))
    .await;
    let throttled: Vec<&Answer> = creates
        .iter()
        .filter(|a| a.code() == "System.LimitControl")
        .collect();
    assert_eq!(throttled.len(), 1, "CreateFlow: 2 per second");
    assert_eq!(throttled[0].status, 400);
    assert!(throttled[0]
        .retry_after
        .as_deref()
        .and_then(|ms| ms.parse::<u64>().ok())
        .is_some_and(|ms| (1..=1000).contains(&ms)));
    // GetFlow has its own window, 5 per second.
    let gets = futures_util::future::join_all(
        (0..6).map(|_| call(&emulator, "GetFlow", &[("FlowId", SIGNUP_FLOW)])),
    )
    .await;
    let codes: Vec<&str> = gets.iter().map(Answer::code).collect();
    assert_eq!(codes.iter().filter(|c| **c == "OK").count(), 5, "{codes:?}");
    assert_eq!(
        codes
            .iter()
            .filter(|c| **c == "System.LimitControl")
            .count(),
        1
    );
}

#[tokio::test]
async fn faults_can_target_an_operation() {
    let emulator = start(EmulatorConfig {
        faults: vec![
            "@CreateFlow=http5xx:1".parse::<FaultRule>().unwrap(),
            "@ListFlow=error:Ram.PermissionDeny"
                .parse::<FaultRule>()
                .unwrap(),
        ],
        ..config()
    })
    .await;
    let params = [("FlowName", "f"), ("Categories", r#"["OTHER"]"#)];
    call(&emulator, "CreateFlow", &params)
        .await
        .err(503, "ServiceUnavailable", "first CreateFlow");
    call(&emulator, "CreateFlow", &params)
        .await
        .ok("second CreateFlow");
    call(&emulator, "ListFlow", &[])
        .await
        .err(400, "Ram.PermissionDeny", "ListFlow");
    get_flow(&emulator, SIGNUP_FLOW).await;
}

#[tokio::test]
async fn the_state_file_keeps_flows_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let with_state = || EmulatorConfig {
        state_file: Some(state.clone()),
        ..config()
    };
    let first = start(with_state()).await;
    let published = create(&first, "kept").await;
    set_json(&first, &published, FLOW_JSON).await.ok("upload");
    call(&first, "PublishFlow", &[("FlowId", &published)])
        .await
        .ok("publish");
    let deleted = create(&first, "gone").await;
    call(&first, "DeleteFlow", &[("FlowId", &deleted)])
        .await
        .ok("delete");
    first.shutdown().await;

    let second = start(with_state()).await;
    let flow = get_flow(&second, &published).await;
    assert_eq!(
        (
            flow["Status"].as_str(),
            flow["FlowName"].as_str(),
            flow["JSONVersion"].as_str()
        ),
        (Some("PUBLISHED"), Some("kept"), Some("7.0"))
    );
    call(&second, "GetFlow", &[("FlowId", &deleted)]).await.err(
        400,
        "Flow.NotExists",
        "deleted before the restart",
    );
    let asset = call(&second, "GetFlowJSONAssest", &[("FlowId", &published)])
        .await
        .ok("asset");
    let served = http()
        .get(asset["FilePath"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(served, FLOW_JSON);
    second.shutdown().await;

    std::fs::write(&state, "{ not a state").unwrap();
    let error = emulator::start(with_state()).await.expect_err("refused");
    assert!(error.to_string().contains("state file"), "{error}");
}

#[tokio::test]
async fn a_missing_flows_directory_is_an_error_at_start() {
    let error = emulator::start(EmulatorConfig {
        flows_dir: std::path::PathBuf::from("/nonexistent/flows"),
        ..config()
    })
    .await
    .expect_err("refused");
    assert!(error.to_string().contains("/nonexistent/flows"), "{error}");
}

#[tokio::test]
async fn stats_are_also_at_the_short_path() {
    let emulator = start(config()).await;
    create(&emulator, "counted").await;
    let text = http()
        .get(format!("{}/_stats", emulator.url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let stats: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(stats["requests_by_operation"]["CreateFlow"], 1);
}

/// Issue 16 item 15: one documented depth on both sides. A Flow JSON
/// nested `MAX_JSON_NESTING` (128) levels deep is stored, with its
/// version; one level more is refused, naming the depth (before: anything
/// past serde_json's 127 levels was "not valid JSON"). The provider checks
/// the same figure at plan.
#[tokio::test]
async fn flow_json_is_accepted_to_the_documented_depth_and_refused_past_it() {
    use cams_emulator::MAX_JSON_NESTING;
    let emulator = start(config()).await;
    let nested = |levels: usize| {
        format!(
            r#"{{"version":"7.0","screens":[],"deep":{}{}}}"#,
            "[".repeat(levels - 1),
            "]".repeat(levels - 1)
        )
    };
    let id = create(&emulator, "deep").await;
    set_json(&emulator, &id, &nested(MAX_JSON_NESTING))
        .await
        .ok("at the limit");
    let flow = get_flow(&emulator, &id).await;
    assert_eq!(flow["JSONVersion"].as_str(), Some("7.0"));
    let body = set_json(&emulator, &id, &nested(MAX_JSON_NESTING + 1))
        .await
        .err(
            400,
            "InvalidParameter.FileContentError",
            "one past the limit",
        );
    let message = body["Message"].as_str().unwrap_or_default();
    assert!(message.contains("128 levels"), "{message}");
}

/// Issue 16 item 15: an upload lifetime past the last writable date (as a
/// configuration built in code can hold; the command line refuses it)
/// used to panic every GetChatappUploadAuthorization.
#[tokio::test]
async fn an_enormous_upload_ttl_is_clamped_not_a_panic() {
    let emulator = start(EmulatorConfig {
        upload_ttl: Duration::from_secs(300_000_000_000),
        ..config()
    })
    .await;
    let upload = authorization(&emulator).await;
    assert_eq!(
        upload.expire,
        cams_emulator::MAX_UPLOAD_TTL.as_secs(),
        "the longest lifetime"
    );
}

/// Issue 16 item 15: `--state` in a directory that does not exist fails at
/// start, naming the directory (before: it started, then kept nothing).
#[tokio::test]
async fn a_state_file_in_a_missing_directory_fails_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("not-made");
    let started = emulator::start(EmulatorConfig {
        state_file: Some(missing.join("state.json")),
        ..config()
    })
    .await;
    let Err(error) = started else {
        panic!("started with a state file in a missing directory");
    };
    assert!(
        error.to_string().contains(&missing.display().to_string()),
        "{error}"
    );
}
