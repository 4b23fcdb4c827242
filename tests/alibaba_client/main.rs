//! The CAMS client against small HTTP servers running inside the tests.
//! This file holds the fixtures and the `GetFlowJSONAssest`, pacing,
//! cancellation and download tests; [`flow_operations`] the other Flow
//! operations, [`templates`] the message template operations, [`upload`]
//! the Flow JSON upload to OSS.
//!
//! The servers are hand-rolled on tokio TCP so that tests see the exact
//! request line (to check the wire URL byte for byte) and can reset
//! connections or stream endless bodies. Every CAMS server checks the
//! request signature with `signature::verify`, rebuilding the parameters
//! from the received query, so signing is proven on the wire in every test.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cams_provider::alibaba::credentials::{
    Credentials, CredentialsError, CredentialsProvider, Secret, StaticCredentials,
};
use cams_provider::alibaba::{
    signature, ApiError, CamsClient, CamsError, ClientConfig, DownloadError, FetchError, GiveUp,
};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

mod contention;
mod flow_operations;
mod templates;
mod upload;

// ---------------------------------------------------------------------------
// A minimal HTTP/1.1 test server
// ---------------------------------------------------------------------------

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    /// The request target exactly as sent on the request line.
    target: String,
    /// Header names lowercased.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    at: Instant,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn raw_query(&self) -> &str {
        self.target.split_once('?').map(|(_, q)| q).unwrap_or("")
    }

    /// Query parameters, percent-decoded strictly (`+` is not a space).
    fn params(&self) -> Vec<(String, String)> {
        self.raw_query()
            .split('&')
            .filter(|kv| !kv.is_empty())
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (decode(k), decode(v))
            })
            .collect()
    }

    fn param(&self, name: &str) -> Option<String> {
        self.params()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// What the server does with a request.
enum Reply {
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Waits, then replies.
    After(Duration, Box<Reply>),
    /// Closes the connection with a TCP reset, answering nothing.
    Reset,
    /// 200 with a chunked body of up to `total` bytes, counting what it
    /// managed to send.
    Endless { total: u64, sent: Arc<AtomicU64> },
    /// 200 announcing `announced` bytes, then sending `body` one byte per
    /// `every`, then closing (a hostile or broken file host).
    Trickle {
        announced: u64,
        body: Vec<u8>,
        every: Duration,
    },
}

fn reply(status: u16, body: impl Into<Vec<u8>>) -> Reply {
    Reply::Full {
        status,
        headers: Vec::new(),
        body: body.into(),
    }
}

type Handler = Arc<dyn Fn(&Received, usize) -> Reply + Send + Sync>;

struct Server {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Received>>>,
}

impl Server {
    /// Starts a server on 127.0.0.1:0; `handler` gets each request and its
    /// 0-based index.
    async fn start(handler: impl Fn(&Received, usize) -> Reply + Send + Sync + 'static) -> Server {
        Self::start_on("127.0.0.1:0".parse().unwrap(), handler).await
    }

    /// Like [`Server::start`], on a given address.
    async fn start_on(
        addr: SocketAddr,
        handler: impl Fn(&Received, usize) -> Reply + Send + Sync + 'static,
    ) -> Server {
        let listener = TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let handler: Handler = Arc::new(handler);
        let accept_log = log.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (log, handler) = (accept_log.clone(), handler.clone());
                tokio::spawn(async move { serve(stream, log, handler).await });
            }
        });
        Server { addr, log }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn requests(&self) -> Vec<Received> {
        self.log.lock().unwrap().clone()
    }

    fn count(&self) -> usize {
        self.log.lock().unwrap().len()
    }
}

async fn serve(mut stream: TcpStream, log: Arc<Mutex<Vec<Received>>>, handler: Handler) {
    let Some(request) = read_request(&mut stream).await else {
        return;
    };
    let index = {
        let mut log = log.lock().unwrap();
        log.push(request.clone());
        log.len() - 1
    };
    let mut action = handler(&request, index);
    loop {
        match action {
            Reply::After(delay, next) => {
                tokio::time::sleep(delay).await;
                action = *next;
            }
            Reply::Reset => {
                let _ = stream.set_zero_linger();
                return;
            }
            Reply::Full {
                status,
                headers,
                body,
            } => {
                let mut head = format!(
                    "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n",
                    body.len()
                );
                for (name, value) in headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(&body).await;
                let _ = stream.shutdown().await;
                return;
            }
            Reply::Trickle {
                announced,
                body,
                every,
            } => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-length: {announced}\r\nconnection: close\r\n\r\n"
                );
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                for byte in body {
                    if stream.write_all(&[byte]).await.is_err() || stream.flush().await.is_err() {
                        return;
                    }
                    tokio::time::sleep(every).await;
                }
                let _ = stream.shutdown().await;
                return;
            }
            Reply::Endless { total, sent } => {
                let head =
                    "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n";
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b'x'; 16 * 1024];
                while sent.load(Ordering::SeqCst) < total {
                    let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
                    frame.extend_from_slice(&chunk);
                    frame.extend_from_slice(b"\r\n");
                    if stream.write_all(&frame).await.is_err() {
                        return;
                    }
                    sent.fetch_add(chunk.len() as u64, Ordering::SeqCst);
                }
                let _ = stream.write_all(b"0\r\n\r\n").await;
                return;
            }
        }
    }
}

async fn read_request(stream: &mut TcpStream) -> Option<Received> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    let head_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        let n = stream.read(&mut tmp).await.ok()?;
        if n == 0 || buf.len() > 64 * 1024 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
    };
    let at = Instant::now();
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut tmp).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&tmp[..n]);
    }
    Some(Received {
        method,
        target,
        headers,
        body,
        at,
    })
}

// ---------------------------------------------------------------------------
// A CAMS server: verifies signatures, then lets the test decide the answer
// ---------------------------------------------------------------------------

const SECRET: &str = "test/secret+=";

fn static_credentials(access_key_id: &str, token: Option<&str>) -> Arc<dyn CredentialsProvider> {
    Arc::new(StaticCredentials {
        credentials: Credentials {
            access_key_id: access_key_id.to_owned(),
            access_key_secret: Secret::new(SECRET),
            security_token: token.map(Secret::new),
        },
        source: "test".to_owned(),
    })
}

/// Why a request is not a well-formed, correctly signed GetFlowJSONAssest
/// call, or `None` when it is.
fn signature_problem(request: &Received) -> Option<String> {
    if request.method != "POST" {
        return Some(format!("method {}", request.method));
    }
    if !request.target.starts_with("/?") {
        return Some(format!("target {}", request.target));
    }
    if request.raw_query().contains('+') {
        return Some("a literal '+' in the query (not strict RFC 3986)".into());
    }
    let params = request.params();
    let received = request.param("Signature")?;
    let signed: Vec<(&str, &str)> = params
        .iter()
        .filter(|(k, _)| k != "Signature")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if !signature::verify("POST", signed, SECRET, &received) {
        return Some("signature does not verify".into());
    }
    None
}

/// Wraps a CAMS answer policy with signature verification: a request that
/// is not properly signed gets `SignatureDoesNotMatch`, which no test expects.
async fn cams_server(answer: impl Fn(&Received, usize) -> Reply + Send + Sync + 'static) -> Server {
    Server::start(move |request, index| match signature_problem(request) {
        Some(problem) => cams_error(
            400,
            "SignatureDoesNotMatch",
            &format!("test server: {problem}"),
        ),
        None => answer(request, index),
    })
    .await
}

/// A CAMS server whose first answer is `first()` and every later one a
/// success: the shape of every "this failure is retried" test.
async fn first_answer_then_ok(first: fn() -> Reply) -> Server {
    cams_server(move |_, index| {
        if index == 0 {
            first()
        } else {
            cams_ok(FILE_URL)
        }
    })
    .await
}

fn cams_ok(file_path: &str) -> Reply {
    let body = serde_json::json!({
        "RequestId": "REQ-OK",
        "Code": "OK",
        "Message": "None",
        "AccessDeniedDetail": "None",
        "Data": {"FlowId": "flow_1", "FilePath": file_path}
    });
    reply(200, body.to_string())
}

fn cams_error(status: u16, code: &str, message: &str) -> Reply {
    let body = serde_json::json!({
        "RequestId": format!("REQ-{code}"),
        "HostId": "cams.ap-southeast-1.aliyuncs.com",
        "Code": code,
        "Message": message,
        "Recommend": "https://api.aliyun.com/troubleshoot"
    });
    reply(status, body.to_string())
}

const FILE_URL: &str =
    "https://bucket.oss-ap-southeast-1.aliyuncs.com/flows/1.json?Expires=1&Signature=a%2Bb%3D";

/// A fast-retrying configuration pointing at `endpoint`.
fn config(endpoint: &str) -> ClientConfig {
    ClientConfig {
        endpoint: Some(endpoint.to_owned()),
        retry_initial_delay: Duration::from_millis(20),
        retry_max_delay: Duration::from_millis(200),
        // This test server checks the V1 query (Action, Signature, nonce);
        // V3 is proven against the emulator.
        signature_version: cams_provider::alibaba::rpc_query::SignatureVersion::V1,
        ..ClientConfig::default()
    }
}

fn client(config: ClientConfig, access_key_id: &str) -> CamsClient {
    CamsClient::new(config, static_credentials(access_key_id, None)).unwrap()
}

fn nonces(server: &Server) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|r| r.param("SignatureNonce").unwrap_or_default())
        .collect()
}

fn assert_all_distinct(values: &[String]) {
    let set: HashSet<&String> = values.iter().collect();
    assert_eq!(set.len(), values.len(), "{values:?}");
}

// ---------------------------------------------------------------------------
// GetFlowJSONAssest
// ---------------------------------------------------------------------------

#[tokio::test]
async fn a_call_is_signed_paced_and_shaped_as_specified() {
    let server = cams_server(|_, _| cams_ok(FILE_URL)).await;
    let client = client(config(&server.url()), "ak-shape");
    let asset = client
        .get_flow_json_asset(
            "flow 1*~+/=&%",
            Some("cams-abc123"),
            &CancellationToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(asset.file_path, FILE_URL);
    assert_eq!(asset.flow_id, "flow_1");
    assert_eq!(asset.request_id.as_deref(), Some("REQ-OK"));

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert!(r.body.is_empty());
    assert_eq!(r.header("accept"), Some("application/json"));
    assert_eq!(
        r.header("user-agent"),
        Some(concat!(
            "terraform-provider-cams/",
            env!("CARGO_PKG_VERSION")
        ))
    );
    for (name, value) in [
        ("Action", "GetFlowJSONAssest"),
        ("Version", "2020-06-06"),
        ("Format", "json"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
        ("AccessKeyId", "ak-shape"),
        ("FlowId", "flow 1*~+/=&%"),
        ("CustSpaceId", "cams-abc123"),
    ] {
        assert_eq!(r.param(name).as_deref(), Some(value), "{name}");
    }
    assert!(r.param("SecurityToken").is_none());
    let timestamp = r.param("Timestamp").unwrap();
    assert!(
        signature::parse_timestamp(&timestamp).is_some(),
        "{timestamp}"
    );
    assert_eq!(r.param("SignatureNonce").unwrap().len(), 32);
    // Strict RFC 3986 on the wire, exactly as in the canonical string.
    assert!(
        r.raw_query().contains("FlowId=flow%201%2A~%2B%2F%3D%26%25"),
        "{}",
        r.raw_query()
    );
}

#[tokio::test]
async fn a_security_token_is_sent_and_signed() {
    let server = cams_server(|_, _| cams_ok(FILE_URL)).await;
    let client = CamsClient::new(
        config(&server.url()),
        static_credentials("STS.ak-token", Some("CAIS+token/with=chars")),
    )
    .unwrap();
    client
        .get_flow_json_asset("f", None, &CancellationToken::new())
        .await
        .unwrap();
    let r = &server.requests()[0];
    assert_eq!(
        r.param("SecurityToken").as_deref(),
        Some("CAIS+token/with=chars")
    );
    assert!(r.param("CustSpaceId").is_none());
}

#[tokio::test]
async fn non_retryable_codes_fail_on_the_first_answer_with_code_message_request_id_and_hint() {
    let cases = [
        (400, "Product.Unsubscript", "not activated"),
        (400, "Ram.PermissionDeny", "cams:GetFlowJSONAssest"),
        (400, "Unknown.ResourceOwnerId", "CustSpaceId"),
        (
            404,
            "InvalidAccessKeyId.NotFound",
            "AccessKeyId does not exist",
        ),
        (400, "InvalidAccessKeyId.Inactive", "disabled"),
        (400, "InvalidTimeStamp.Expired", "clock"),
        (400, "IllegalTimestamp", "timestamp"),
        (403, "InvalidSecurityToken.Expired", "STS"),
        (403, "Forbidden.RAM", "not allowed"),
        (400, "MissingParameter", "the Message names which"),
        (400, "InvalidParameter", "the Message names which"),
        (400, "IncompleteSignature", "proxy"),
    ];
    for (status, code, hint_fragment) in cases {
        let server = cams_server(move |_, _| cams_error(status, code, "the server says no")).await;
        let client = client(config(&server.url()), "ak-fatal");
        let err = client
            .get_flow_json_asset("f", None, &CancellationToken::new())
            .await
            .unwrap_err();
        assert_eq!(server.count(), 1, "{code} must not be retried");
        assert_eq!(err.code(), Some(code));
        assert_eq!(err.attempts(), 1);
        let api = err.api_error().unwrap();
        assert_eq!(api.http_status(), status);
        assert_eq!(api.request_id(), Some(format!("REQ-{code}").as_str()));
        let text = err.to_string();
        assert!(!text.contains('\n'), "{text}");
        for needle in [
            code,
            "the server says no",
            &format!("REQ-{code}"),
            "hint:",
            hint_fragment,
            "1 attempt(s)",
            "not retryable",
        ] {
            assert!(
                text.contains(needle),
                "{code}: {needle:?} missing in {text}"
            );
        }
        assert!(!text.contains(SECRET));
        // The client says what happened; advice naming Terraform's or the
        // provider's settings is the provider's job.
        for word in [
            "flow_id",
            "cust_space_id",
            "rate_limit",
            "parallelism",
            "Terraform",
        ] {
            assert!(!text.contains(word), "{code}: {text}");
        }
    }
}

#[tokio::test]
async fn code_other_than_ok_on_http_200_is_an_error() {
    let server = cams_server(|_, _| cams_error(200, "Flow.NotExist", "no such flow")).await;
    let err = client(config(&server.url()), "ak-200")
        .get_flow_json_asset("f", None, &CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("Flow.NotExist"));
    assert_eq!(server.count(), 1);
    assert!(err.to_string().contains("HTTP 200"));
}

#[tokio::test]
async fn a_garbage_body_is_an_error_quoting_its_start() {
    let server = cams_server(|_, _| reply(200, format!("<html>{}</html>", "y".repeat(5000)))).await;
    let err = client(config(&server.url()), "ak-garbage")
        .get_flow_json_asset("f", None, &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(matches!(
        err.api_error(),
        Some(ApiError::MalformedBody {
            http_status: 200,
            ..
        })
    ));
    let text = err.to_string();
    assert!(
        text.contains("not JSON") && text.contains("<html>yyy"),
        "{text}"
    );
    assert!(
        text.len() < 600,
        "the quote must be bounded: {}",
        text.len()
    );
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn a_missing_file_path_is_an_error() {
    let server = cams_server(|_, _| {
        reply(
            200,
            r#"{"RequestId":"REQ-E","Code":"OK","Data":{"FlowId":"f"}}"#,
        )
    })
    .await;
    let err = client(config(&server.url()), "ak-nopath")
        .get_flow_json_asset("f", None, &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(matches!(
        err.api_error(),
        Some(ApiError::MissingFilePath { .. })
    ));
    assert!(err.to_string().contains("REQ-E"));
}

#[tokio::test]
async fn throttling_waits_as_long_as_x_acs_retry_after_says() {
    let server = cams_server(|_, index| {
        if index == 0 {
            Reply::Full {
                status: 400,
                headers: vec![("x-acs-retry-after".into(), "1200".into())],
                body: br#"{"Code":"Throttling.User","Message":"Request was denied due to user flow control.","RequestId":"R"}"#.to_vec(),
            }
        } else {
            cams_ok(FILE_URL)
        }
    })
    .await;
    client(config(&server.url()), "ak-retry-after")
        .get_flow_json_asset("f", None, &CancellationToken::new())
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let gap = requests[1].at - requests[0].at;
    // The backoff alone would be ~20-40 ms, and pacing admits a second call at
    // once (5 per window): only the server's retry-after explains the gap.
    assert!(gap >= Duration::from_millis(1100), "waited only {gap:?}");
    assert!(gap < Duration::from_secs(20), "waited {gap:?}");
}

#[tokio::test]
async fn throttling_and_server_errors_are_retried_with_fresh_nonces() {
    let server = cams_server(|_, index| match index {
        0 => cams_error(
            400,
            "System.LimitControl",
            "The system is under flow control.",
        ),
        1 => cams_error(503, "ServiceUnavailable", "busy"),
        2 => cams_error(500, "InternalError", "oops"),
        3 => reply(502, "<html>bad gateway</html>"),
        _ => cams_ok(FILE_URL),
    })
    .await;
    let asset = client(config(&server.url()), "ak-5xx")
        .get_flow_json_asset("f", None, &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(asset.file_path, FILE_URL);
    assert_eq!(server.count(), 5);
    assert_all_distinct(&nonces(&server));
}

#[tokio::test]
async fn http_429_is_retried() {
    let server = first_answer_then_ok(|| reply(429, "Too Many Requests")).await;
    client(config(&server.url()), "ak-429")
        .get_flow_json_asset("f", None, &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn a_connection_reset_is_retried() {
    let server = first_answer_then_ok(|| Reply::Reset).await;
    client(config(&server.url()), "ak-reset")
        .get_flow_json_asset("f", None, &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn a_read_timeout_is_retried() {
    let server =
        first_answer_then_ok(|| Reply::After(Duration::from_secs(5), Box::new(cams_ok(FILE_URL))))
            .await;
    let config = ClientConfig {
        read_timeout: Duration::from_millis(300),
        ..config(&server.url())
    };
    client(config, "ak-timeout")
        .get_flow_json_asset("f", None, &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn signature_nonce_used_is_retried_once_with_a_fresh_nonce() {
    let server = cams_server(|_, _| cams_error(400, "SignatureNonceUsed", "nonce used")).await;
    let err = client(config(&server.url()), "ak-nonce")
        .get_flow_json_asset("f", None, &CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(server.count(), 2);
    assert_eq!(err.attempts(), 2);
    assert_all_distinct(&nonces(&server));
}

#[tokio::test]
async fn attempts_are_bounded_and_the_error_says_how_many() {
    let server = cams_server(|_, _| cams_error(500, "InternalError", "down")).await;
    let config = ClientConfig {
        max_attempts: 3,
        ..config(&server.url())
    };
    let err = client(config, "ak-bounded")
        .get_flow_json_asset("f", None, &CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(server.count(), 3);
    assert!(matches!(
        err,
        CamsError::Api {
            attempts: 3,
            gave_up: GiveUp::AttemptLimit,
            ..
        }
    ));
    assert!(err.to_string().contains("after 3 attempt(s)"), "{err}");
}

#[tokio::test]
async fn the_throttling_time_budget_bounds_retries() {
    let server = cams_server(|_, _| Reply::Full {
        status: 400,
        headers: vec![("x-acs-retry-after".into(), "30000".into())],
        body: br#"{"Code":"Throttling","Message":"slow down","RequestId":"R"}"#.to_vec(),
    })
    .await;
    let config = ClientConfig {
        throttle_retry_budget: Duration::from_secs(2),
        ..config(&server.url())
    };
    let started = Instant::now();
    let err = client(config, "ak-budget")
        .get_flow_json_asset("f", None, &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(server.count(), 1);
    assert!(matches!(
        err,
        CamsError::Api {
            gave_up: GiveUp::ThrottleBudget(_),
            ..
        }
    ));
    assert!(
        err.to_string().contains("throttling these credentials"),
        "{err}"
    );
}

#[tokio::test]
async fn transport_errors_never_show_secrets_or_the_signed_query() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = listener.local_addr().unwrap();
    drop(listener);
    let config = ClientConfig {
        max_attempts: 2,
        ..config(&format!("http://{closed}"))
    };
    let client =
        CamsClient::new(config, static_credentials("ak-leak", Some("TOKEN-VALUE"))).unwrap();
    let err = client
        .get_flow_json_asset("f", None, &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, CamsError::Transport { attempts: 2, .. }),
        "{err:?}"
    );
    for text in [err.to_string(), format!("{err:?}")] {
        for secret in [
            SECRET,
            "TOKEN-VALUE",
            "Signature",
            "SignatureNonce",
            "ak-leak",
        ] {
            assert!(!text.contains(secret), "{secret:?} leaked: {text}");
        }
    }
}

/// A long STS security token, with the characters that percent-encoding
/// changes.
fn long_token() -> String {
    let mut token = String::from("CAIS");
    while token.len() < 600 {
        token.push_str("q+W/e=rTy0123456789");
    }
    token
}

#[tokio::test]
async fn a_message_quoting_the_string_to_sign_never_shows_the_security_token() {
    // As CAMS answers a wrong secret: the message quotes the server's string
    // to sign (the query encoded again, so the token is encoded twice), cut
    // short by the server.
    let server = Server::start(|request, index| {
        let canonical = request
            .raw_query()
            .split('&')
            .filter(|kv| !kv.starts_with("Signature="))
            .collect::<Vec<_>>()
            .join("&");
        let string_to_sign = format!("POST&%2F&{}", signature::percent_encode(&canonical));
        let cut = match index {
            0 => {
                let at = string_to_sign.find("SecurityToken%253D").unwrap();
                at + "SecurityToken%253D".len() + 84
            }
            _ => string_to_sign.len(),
        };
        cams_error(
            400,
            "SignatureDoesNotMatch",
            &format!(
                "Specified signature is not matched with our calculation. server string to sign is:{}",
                &string_to_sign[..cut]
            ),
        )
    })
    .await;
    let token = long_token();
    let client = CamsClient::new(
        config(&server.url()),
        static_credentials("ak-sts", Some(&token)),
    )
    .unwrap();
    for _ in 0..2 {
        let err = client
            .get_flow_json_asset("flow_1", None, &CancellationToken::new())
            .await
            .unwrap_err();
        let signature_sent = server
            .requests()
            .last()
            .unwrap()
            .param("Signature")
            .unwrap();
        let once = signature::percent_encode(&token);
        let twice = signature::percent_encode(&once);
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(text.contains("SignatureDoesNotMatch"), "{text}");
            assert!(text.contains("string to sign"), "{text}");
            for leaked in [&token[..16], &once[..16], &twice[..16], &signature_sent] {
                assert!(!text.contains(leaked), "{leaked:?} leaked: {text}");
            }
        }
    }
}

#[tokio::test]
async fn an_oss_error_quoting_the_presigned_signature_never_shows_it() {
    let server = Server::start(|_, _| {
        reply(
            403,
            "<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided: L/VE+MgGDx6oX7+PKNA/Rv2RVXw=</Message><RequestId>OSS-REQ-9</RequestId><SignatureProvided>L/VE+MgGDx6oX7+PKNA/Rv2RVXw=</SignatureProvided></Error>",
        )
    })
    .await;
    let err = download_client(1 << 20)
        .download(
            &format!("{}{OSS_PATH}", server.url()),
            &CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.oss_code(), Some("SignatureDoesNotMatch"));
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(text.contains("OSS-REQ-9"), "{text}");
        assert!(!text.contains("L/VE+MgGDx6oX7"), "{text}");
    }
}

#[tokio::test]
async fn an_impossible_content_length_is_an_error_not_an_abort() {
    // 500 GiB announced and allowed by the cap: allocating it up front
    // aborted the process ("memory allocation of 536870912000 bytes failed").
    let server = Server::start(|_, _| Reply::Trickle {
        announced: 500 << 30,
        body: b"{\"version\"".to_vec(),
        every: Duration::ZERO,
    })
    .await;
    let err = download_client(1 << 40)
        .download(
            &format!("{}/huge.json", server.url()),
            &CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, DownloadError::Transport { .. }), "{err:?}");
}

#[tokio::test]
async fn a_trickling_download_stops_at_the_overall_deadline() {
    // One byte every 100 ms never trips the 1 s read timeout; only the
    // overall deadline of the request ends it.
    let server = Server::start(|_, _| Reply::Trickle {
        announced: 1000,
        body: vec![b' '; 1000],
        every: Duration::from_millis(100),
    })
    .await;
    let config = ClientConfig {
        read_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_millis(1500),
        max_attempts: 3,
        ..config(&server.url())
    };
    let client = CamsClient::new(config, static_credentials("ak-slow", None)).unwrap();
    let started = Instant::now();
    let err = tokio::time::timeout(
        Duration::from_secs(20),
        client.download(
            &format!("{}/slow.json", server.url()),
            &CancellationToken::new(),
        ),
    )
    .await
    .expect("the download must end at its deadline")
    .unwrap_err();
    assert!(
        matches!(
            err,
            DownloadError::Transport {
                deadline: Some(d),
                attempts: 1,
                ..
            } if d == Duration::from_millis(1500)
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("overall deadline of 1.5 s"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_trickling_api_answer_stops_at_the_overall_deadline() {
    let server = cams_server(|_, _| Reply::Trickle {
        announced: 500,
        body: vec![b' '; 500],
        every: Duration::from_millis(100),
    })
    .await;
    let config = ClientConfig {
        read_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_millis(800),
        ..config(&server.url())
    };
    let err = tokio::time::timeout(
        Duration::from_secs(20),
        client(config, "ak-slow-api").get_flow_json_asset("f", None, &CancellationToken::new()),
    )
    .await
    .expect("the call must end at its deadline")
    .unwrap_err();
    assert!(
        matches!(
            err,
            CamsError::Transport {
                deadline: Some(_),
                attempts: 1,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_empty_flow_id_is_rejected_without_a_request() {
    let server = cams_server(|_, _| cams_ok(FILE_URL)).await;
    let err = client(config(&server.url()), "ak-empty")
        .get_flow_json_asset(" ", None, &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(matches!(err, CamsError::EmptyFlowId));
    assert_eq!(server.count(), 0);
}

// ---------------------------------------------------------------------------
// Pacing
// ---------------------------------------------------------------------------

/// Answers like CAMS at its limit: the sixth request arriving within any
/// sliding one-second window (counting every arrival) is refused.
fn sliding_window_limiter() -> impl Fn(&Received, usize) -> Reply + Send + Sync + 'static {
    let arrivals: Mutex<Vec<Instant>> = Mutex::new(Vec::new());
    move |request, _| {
        let mut arrivals = arrivals.lock().unwrap();
        let window_start = request.at - Duration::from_secs(1);
        let in_window = arrivals.iter().filter(|&&t| t > window_start).count();
        arrivals.push(request.at);
        if in_window >= 5 {
            cams_error(
                400,
                "System.LimitControl",
                "The system is under flow control.",
            )
        } else {
            cams_ok(FILE_URL)
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_concurrent_calls_from_two_clients_cause_at_most_two_drops() {
    let server = cams_server(sliding_window_limiter()).await;
    // Two clients with the same AccessKeyId share one process-wide limiter.
    let a = client(config(&server.url()), "ak-pacing");
    let b = client(config(&server.url()), "ak-pacing");
    let cancel = CancellationToken::new();
    let calls = (0..40).map(|i| {
        let client = if i % 2 == 0 { a.clone() } else { b.clone() };
        let cancel = cancel.clone();
        tokio::spawn(async move { client.get_flow_json_asset("f", None, &cancel).await })
    });
    let results = futures_util::future::join_all(calls).await;
    let failures: Vec<String> = results
        .into_iter()
        .filter_map(|r| r.unwrap().err().map(|e| e.to_string()))
        .collect();
    assert!(failures.is_empty(), "{failures:?}");
    let drops = server.count() - 40;
    eprintln!("pacing: {drops} drop(s) for 40 calls");
    assert!(
        drops <= 2,
        "{drops} requests were refused by the sliding window"
    );
}

#[tokio::test]
async fn retries_also_wait_for_a_permit() {
    let server = cams_server(|_, index| {
        if index < 2 {
            cams_error(503, "ServiceUnavailable", "busy")
        } else {
            cams_ok(FILE_URL)
        }
    })
    .await;
    let config = ClientConfig {
        rate_limit_per_second: NonZeroU32::new(2),
        retry_initial_delay: Duration::from_millis(1),
        retry_max_delay: Duration::from_millis(1),
        ..config(&server.url())
    };
    client(config, "ak-permits")
        .get_flow_json_asset("f", None, &CancellationToken::new())
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    // At 2/s the first call and its first retry fit in one window; the
    // second retry must wait for the window to pass (the backoff alone is
    // ~1 ms): no one-second window holds three calls.
    let span = requests[2].at - requests[0].at;
    assert!(
        span >= Duration::from_secs(1),
        "three calls within {span:?}"
    );
}

// ---------------------------------------------------------------------------
// Cancellation
// ---------------------------------------------------------------------------

async fn wait_for_requests(server: &Server, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.count() < n {
        assert!(
            Instant::now() < deadline,
            "the server never saw {n} request(s)"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn cancellation_interrupts_the_backoff_sleep() {
    let server = cams_server(|_, _| cams_error(503, "ServiceUnavailable", "busy")).await;
    let config = ClientConfig {
        retry_initial_delay: Duration::from_secs(30),
        retry_max_delay: Duration::from_secs(30),
        max_retry_duration: Duration::from_secs(300),
        ..config(&server.url())
    };
    let client = client(config, "ak-cancel-sleep");
    let cancel = CancellationToken::new();
    let call = {
        let (client, cancel) = (client.clone(), cancel.clone());
        tokio::spawn(async move { client.get_flow_json_asset("f", None, &cancel).await })
    };
    wait_for_requests(&server, 1).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let cancelled_at = Instant::now();
    cancel.cancel();
    let result = tokio::time::timeout(Duration::from_secs(5), call)
        .await
        .unwrap()
        .unwrap();
    assert!(cancelled_at.elapsed() < Duration::from_secs(2));
    assert!(
        matches!(result, Err(CamsError::Cancelled { attempts: 1, .. })),
        "{result:?}"
    );
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn cancellation_interrupts_a_slow_request_in_flight() {
    let server =
        cams_server(|_, _| Reply::After(Duration::from_secs(30), Box::new(cams_ok(FILE_URL))))
            .await;
    let client = client(config(&server.url()), "ak-cancel-flight");
    let cancel = CancellationToken::new();
    let call = {
        let (client, cancel) = (client.clone(), cancel.clone());
        tokio::spawn(async move { client.get_flow_json_asset("f", None, &cancel).await })
    };
    wait_for_requests(&server, 1).await;
    let cancelled_at = Instant::now();
    cancel.cancel();
    let result = tokio::time::timeout(Duration::from_secs(5), call)
        .await
        .unwrap()
        .unwrap();
    assert!(cancelled_at.elapsed() < Duration::from_secs(2));
    assert!(
        matches!(result, Err(CamsError::Cancelled { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn cancellation_interrupts_the_wait_for_a_permit() {
    let server = cams_server(|_, _| cams_ok(FILE_URL)).await;
    let config = ClientConfig {
        rate_limit_per_second: NonZeroU32::new(1),
        ..config(&server.url())
    };
    let client = client(config, "ak-cancel-permit");
    // The first call takes the only permit of the next second.
    client
        .get_flow_json_asset("f", None, &CancellationToken::new())
        .await
        .unwrap();
    let cancel = CancellationToken::new();
    let call = {
        let (client, cancel) = (client.clone(), cancel.clone());
        tokio::spawn(async move { client.get_flow_json_asset("f", None, &cancel).await })
    };
    tokio::time::sleep(Duration::from_millis(50)).await;
    cancel.cancel();
    let result = tokio::time::timeout(Duration::from_secs(5), call)
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(result, Err(CamsError::Cancelled { .. })),
        "{result:?}"
    );
    assert_eq!(
        server.count(),
        1,
        "the cancelled call must not reach the server"
    );
}

// ---------------------------------------------------------------------------
// Downloads
// ---------------------------------------------------------------------------

const FLOW_JSON: &[u8] = br#"{"version":"7.0","screens":[{"id":"A","terminal":true,"layout":{"type":"SingleColumnLayout","children":[]}}]}"#;

const OSS_PATH: &str = "/flows/a%2Bb.json?OSSAccessKeyId=id&Expires=1714551000&Signature=L%2FVE%2BMgGDx6oX7%2BPKNA%2FRv2RVXw%3D";

fn download_client(max_content_bytes: u64) -> CamsClient {
    let config = ClientConfig {
        max_content_bytes,
        retry_initial_delay: Duration::from_millis(20),
        retry_max_delay: Duration::from_millis(200),
        ..ClientConfig::default()
    };
    CamsClient::new(config, static_credentials("ak-download", Some("TOKEN-DL"))).unwrap()
}

#[tokio::test]
async fn downloads_send_the_url_byte_for_byte_without_credentials() {
    let server = Server::start(|_, _| reply(200, FLOW_JSON)).await;
    let url = format!("{}{OSS_PATH}", server.url());
    let file = download_client(1 << 20)
        .download(&url, &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(file.bytes, FLOW_JSON);
    assert_eq!(file.sha256_hex, hex::encode(Sha256::digest(FLOW_JSON)));

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.target, OSS_PATH, "the URL must reach the wire unchanged");
    for (name, value) in &r.headers {
        assert!(
            name != "authorization" && !name.starts_with("x-acs"),
            "{name}"
        );
        for secret in ["ak-download", SECRET, "TOKEN-DL"] {
            assert!(!value.contains(secret), "{name}: {value}");
        }
    }
}

#[tokio::test]
async fn a_missing_file_names_the_oss_code_and_is_not_retried() {
    let server = Server::start(|_, _| {
        reply(
            404,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><RequestId>OSS-REQ</RequestId></Error>",
        )
    })
    .await;
    let url = format!("{}{OSS_PATH}", server.url());
    let err = download_client(1 << 20)
        .download(&url, &CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(err.oss_code(), Some("NoSuchKey"));
    assert_eq!(server.count(), 1);
    let text = err.to_string();
    assert!(
        text.contains("NoSuchKey") && text.contains("OSS-REQ") && text.contains("hint:"),
        "{text}"
    );
    assert!(text.contains("/flows/a%2Bb.json"), "{text}");
    assert!(
        !text.contains("Signature") && !text.contains("Expires"),
        "{text}"
    );
    assert!(!format!("{err:?}").contains("Signature"));
}

#[tokio::test]
async fn an_expired_url_says_to_run_again() {
    let server = Server::start(|_, _| {
        reply(
            403,
            "<Error><Code>AccessDenied</Code><Message>Request has expired.</Message></Error>",
        )
    })
    .await;
    let err = download_client(1 << 20)
        .download(
            &format!("{}{OSS_PATH}", server.url()),
            &CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert!(err.is_expired_url());
    assert!(
        err.to_string()
            .contains("run again so that a fresh URL is fetched"),
        "{err}"
    );
}

#[tokio::test]
async fn downloads_retry_server_errors_and_resets() {
    let server = Server::start(|_, index| match index {
        0 => reply(503, "<Error><Code>ServiceUnavailable</Code></Error>"),
        1 => Reply::Reset,
        _ => reply(200, FLOW_JSON),
    })
    .await;
    let file = download_client(1 << 20)
        .download(
            &format!("{}{OSS_PATH}", server.url()),
            &CancellationToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(file.bytes, FLOW_JSON);
    assert_eq!(server.count(), 3);
}

#[tokio::test]
async fn a_streamed_body_over_the_cap_stops_the_download_early() {
    let sent = Arc::new(AtomicU64::new(0));
    let total = 50 * 1024 * 1024;
    let server_sent = sent.clone();
    let server = Server::start(move |_, _| Reply::Endless {
        total,
        sent: server_sent.clone(),
    })
    .await;
    let err = download_client(64 * 1024)
        .download(
            &format!("{}/big.json", server.url()),
            &CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            DownloadError::TooLarge {
                limit: 65536,
                announced: None,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(server.count(), 1, "an oversized file is not retried");
    // Give the server a moment to notice the closed connection.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent = sent.load(Ordering::SeqCst);
    assert!(
        sent < total / 2,
        "the client kept reading: {sent} bytes sent"
    );
}

#[tokio::test]
async fn a_content_length_over_the_cap_is_rejected_before_reading() {
    let server = Server::start(|_, _| reply(200, vec![b'z'; 200 * 1024])).await;
    let err = download_client(64 * 1024)
        .download(
            &format!("{}/big.json", server.url()),
            &CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            DownloadError::TooLarge {
                announced: Some(204800),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("Content-Length 204800"));
}

#[tokio::test]
async fn redirects_are_reported_not_followed() {
    let server = Server::start(|_, _| Reply::Full {
        status: 302,
        headers: vec![(
            "location".into(),
            "https://elsewhere.example.com/x.json?token=T".into(),
        )],
        body: Vec::new(),
    })
    .await;
    let err = download_client(1 << 20)
        .download(
            &format!("{}/f.json", server.url()),
            &CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(server.count(), 1);
    let DownloadError::Redirect {
        status, location, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*status, 302);
    assert_eq!(
        location.as_deref(),
        Some("https://elsewhere.example.com/x.json")
    );
    assert!(!err.to_string().contains("token=T"));
}

#[tokio::test]
async fn downloads_require_https_except_to_loopback() {
    let client = download_client(1 << 20);
    for url in [
        "http://bucket.example.com/f.json?Signature=S",
        "http://10.1.2.3/f.json",
        "ftp://127.0.0.1/f.json",
    ] {
        let err = client
            .download(url, &CancellationToken::new())
            .await
            .unwrap_err();
        assert!(
            matches!(err, DownloadError::InsecureUrl { .. }),
            "{url}: {err:?}"
        );
        assert!(!err.to_string().contains("Signature=S"));
    }
}

#[tokio::test]
async fn cancellation_interrupts_a_slow_download() {
    let server = Server::start(|_, _| {
        Reply::After(Duration::from_secs(30), Box::new(reply(200, FLOW_JSON)))
    })
    .await;
    let client = download_client(1 << 20);
    let cancel = CancellationToken::new();
    let url = format!("{}/f.json", server.url());
    let call = {
        let (client, cancel) = (client.clone(), cancel.clone());
        tokio::spawn(async move { client.download(&url, &cancel).await })
    };
    wait_for_requests(&server, 1).await;
    cancel.cancel();
    let result = tokio::time::timeout(Duration::from_secs(5), call)
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(result, Err(DownloadError::Cancelled { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn fetch_flow_json_asks_again_when_the_url_has_expired() {
    let files = Server::start(|_, index| {
        if index == 0 {
            reply(
                403,
                "<Error><Code>AccessDenied</Code><Message>Request has expired.</Message></Error>",
            )
        } else {
            reply(200, FLOW_JSON)
        }
    })
    .await;
    let file_url = format!("{}{OSS_PATH}", files.url());
    let cams = cams_server(move |_, _| cams_ok(&file_url)).await;
    let fetched = client(config(&cams.url()), "ak-fetch")
        .fetch_flow_json("flow_1", Some("cams-1"), &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(fetched.file.bytes, FLOW_JSON);
    assert_eq!(cams.count(), 2, "a fresh URL is asked for once");
    assert_eq!(files.count(), 2);
}

#[tokio::test]
async fn fetch_flow_json_reports_a_missing_file_without_asking_again() {
    let files = Server::start(|_, _| reply(404, "<Error><Code>NoSuchKey</Code></Error>")).await;
    let file_url = format!("{}/f.json", files.url());
    let cams = cams_server(move |_, _| cams_ok(&file_url)).await;
    let err = client(config(&cams.url()), "ak-fetch-404")
        .fetch_flow_json("flow_1", None, &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, FetchError::Download { error, .. } if error.oss_code() == Some("NoSuchKey")),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("GetFlowJSONAssest RequestId REQ-OK"),
        "the download error names the call that gave the URL: {err}"
    );
    assert_eq!(cams.count(), 1);
}

#[derive(Debug)]
struct BrokenCredentials;

#[async_trait::async_trait]
impl CredentialsProvider for BrokenCredentials {
    async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        Err(CredentialsError::Invalid("the profile is malformed".into()))
    }

    fn source(&self) -> String {
        "profile \"broken\"".into()
    }
}

#[tokio::test]
async fn a_credentials_failure_is_reported_without_a_request() {
    let server = cams_server(|_, _| cams_ok(FILE_URL)).await;
    let client = CamsClient::new(config(&server.url()), Arc::new(BrokenCredentials)).unwrap();
    let err = client
        .get_flow_json_asset("f", None, &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, CamsError::Credentials { attempts: 1, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("profile \"broken\"") && err.to_string().contains("malformed"),
        "{err}"
    );
    assert_eq!(server.count(), 0);
}
