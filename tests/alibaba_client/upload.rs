//! The Flow JSON upload: GetChatappUploadAuthorization, OSS PutObject and
//! the presigned GET URL handed to UpdateFlowJSONAsset, against one
//! in-test server that is CAMS (RPC-signed POSTs) and OSS (path style, as
//! on loopback) at once. The OSS side checks every signature by rebuilding
//! the string to sign from the request it received, as the OSS
//! documentation describes it, and only then stores or serves an object.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::*;
use cams_provider::alibaba::oss_signature;
use cams_provider::alibaba::upload::MAX_UPLOAD_BYTES;
use cams_provider::alibaba::{SetFlowJsonError, UploadError};
use serde_json::{json, Value};

const BUCKET: &str = "cams-flows";
const DOCUMENT: &[u8] = br#"{"version":"7.0","screens":[{"id":"ONE","terminal":true,"layout":{"type":"SingleColumnLayout","children":[]}}]}"#;

/// What the fake cloud does and what it saw.
#[derive(Default)]
struct Cloud {
    /// Credentials handed out, by AccessKeyId: (secret, token).
    issued: HashMap<String, (String, String)>,
    /// Tokens OSS refuses as expired.
    expired_tokens: HashSet<String>,
    /// Refuse every token as expired.
    all_tokens_expired: bool,
    /// `Expire` of the authorizations handed out.
    expire: Option<Value>,
    /// `EndPoint` handed out instead of this server's URL.
    endpoint_override: Option<String>,
    /// PUTs answered 503 before any is accepted.
    failing_puts: usize,
    /// An error code answering UpdateFlowJSONAsset.
    update_error: Option<String>,
    /// Every PUT is answered this late.
    put_delay: Option<Duration>,
    /// An answer to every PUT instead of checking it.
    put_answer: Option<(u16, String)>,
    objects: HashMap<String, Vec<u8>>,
    /// Problems found in requests (none expected).
    problems: Vec<String>,
    file_paths: Vec<String>,
}

struct CloudServer {
    server: Server,
    cloud: Arc<Mutex<Cloud>>,
}

impl CloudServer {
    async fn start(setup: impl FnOnce(&mut Cloud)) -> Self {
        let mut cloud = Cloud::default();
        setup(&mut cloud);
        let cloud = Arc::new(Mutex::new(cloud));
        let url = Arc::new(OnceLock::<String>::new());
        let (handler_cloud, handler_url) = (cloud.clone(), url.clone());
        let server = Server::start(move |request, _| {
            let mut cloud = handler_cloud.lock().unwrap();
            match request.method.as_str() {
                "POST" => cams(&mut cloud, request, handler_url.get().unwrap()),
                "PUT" => put_object(&mut cloud, request),
                "GET" => get_object(&mut cloud, request),
                other => reply(405, format!("test server: {other}")),
            }
        })
        .await;
        url.set(server.url()).unwrap();
        Self { server, cloud }
    }

    fn requests_of(&self, what: &str) -> Vec<Received> {
        self.server
            .requests()
            .into_iter()
            .filter(|r| r.method == what || r.param("Action").as_deref() == Some(what))
            .collect()
    }

    fn assert_no_problems(&self) {
        let problems = &self.cloud.lock().unwrap().problems;
        assert!(problems.is_empty(), "{problems:?}");
    }

    /// A client with an AccessKeyId of its own, so that tests running at
    /// the same time do not share (and wait for) each other's pacers.
    fn client(&self) -> CamsClient {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        client(config(&self.server.url()), &format!("ak-upload-{n}"))
    }
}

fn cams(cloud: &mut Cloud, request: &Received, own_url: &str) -> Reply {
    if let Some(problem) = signature_problem(request) {
        cloud.problems.push(problem.clone());
        return cams_error(400, "SignatureDoesNotMatch", &problem);
    }
    match request.param("Action").as_deref() {
        Some("GetChatappUploadAuthorization") => {
            let n = cloud.issued.len() + 1;
            let id = format!("STS.upload-{n}");
            let secret = format!("UPLOADSECRET-{n}-+/=abcdefghij");
            let token = format!("UPLOADTOKEN-{n}-+/=klmnopqrstuv");
            cloud
                .issued
                .insert(id.clone(), (secret.clone(), token.clone()));
            let data = json!({
                "AccessKeyId": id, "AccessKeySecret": secret, "SecurityToken": token,
                "BucketName": BUCKET, "Dir": format!("flows/{}", request.param("CustSpaceId").unwrap()),
                "EndPoint": cloud.endpoint_override.clone().unwrap_or_else(|| own_url.to_owned()),
                "Expire": cloud.expire.clone().unwrap_or(json!(3600)),
            });
            reply(
                200,
                json!({"RequestId": "REQ-AUTH", "Code": "OK", "Data": data}).to_string(),
            )
        }
        Some("UpdateFlowJSONAsset") if cloud.update_error.is_some() => {
            cloud
                .file_paths
                .push(request.param("FilePath").unwrap_or_default());
            let code = cloud.update_error.clone().unwrap_or_default();
            cams_error(
                400,
                &code,
                &format!(
                    "cannot fetch {}",
                    request.param("FilePath").unwrap_or_default()
                ),
            )
        }
        Some("UpdateFlowJSONAsset") => {
            cloud
                .file_paths
                .push(request.param("FilePath").unwrap_or_default());
            reply(200, json!({"RequestId": "REQ-UPD", "Code": "OK", "Data": {"FlowId": request.param("FlowId")}}).to_string())
        }
        other => cams_error(400, "InvalidAction.NotFound", &format!("{other:?}")),
    }
}

fn oss_error(status: u16, code: &str, message: &str) -> Reply {
    reply(
        status,
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>OSS-REQ-1</RequestId><HostId>{BUCKET}.oss</HostId></Error>"),
    )
}

/// The object key of a path-style target `/{bucket}/{key}[?query]`.
fn object_key(target: &str) -> Option<String> {
    let path = target.split('?').next()?;
    path.strip_prefix(&format!("/{BUCKET}/")).map(decode)
}

fn put_object(cloud: &mut Cloud, request: &Received) -> Reply {
    if let Some(delay) = cloud.put_delay {
        return Reply::After(delay, Box::new(reply(200, "")));
    }
    if let Some((status, body)) = &cloud.put_answer {
        return reply(*status, body.clone());
    }
    if cloud.failing_puts > 0 {
        cloud.failing_puts -= 1;
        return oss_error(503, "ServiceUnavailable", "try again");
    }
    let Some(key) = object_key(&request.target) else {
        cloud
            .problems
            .push(format!("PUT target {}", request.target));
        return oss_error(400, "InvalidURI", "bad target");
    };
    let authorization = request.header("authorization").unwrap_or_default();
    let Some((id, signature)) = authorization
        .strip_prefix("OSS ")
        .and_then(|a| a.split_once(':'))
    else {
        cloud
            .problems
            .push(format!("Authorization {authorization}"));
        return oss_error(403, "AccessDenied", "no V1 authorization");
    };
    let Some((secret, token)) = cloud.issued.get(id).cloned() else {
        return oss_error(
            403,
            "InvalidAccessKeyId",
            "The OSS Access Key Id you provided does not exist in our records.",
        );
    };
    if cloud.all_tokens_expired || cloud.expired_tokens.contains(&token) {
        return oss_error(
            403,
            "SecurityTokenExpired",
            "The security token you provided has expired.",
        );
    }
    let header = |name| request.header(name).unwrap_or_default().to_owned();
    let md5 = header("content-md5");
    let checks = [
        (
            header("x-oss-security-token") == token,
            "x-oss-security-token",
        ),
        (
            md5 == oss_signature::content_md5(&request.body),
            "Content-MD5",
        ),
        (header("content-type") == "application/json", "Content-Type"),
        (header("date").ends_with(" GMT"), "Date"),
    ];
    if let Some((_, what)) = checks.iter().find(|(ok, _)| !ok) {
        cloud.problems.push(format!("PUT {what}"));
        return oss_error(400, "InvalidArgument", what);
    }
    let string_to_sign = format!(
        "PUT\n{md5}\napplication/json\n{}\nx-oss-security-token:{token}\n/{BUCKET}/{key}",
        header("date")
    );
    if !oss_signature::verify(&secret, &string_to_sign, signature) {
        cloud.problems.push("PUT signature".into());
        return oss_error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match",
        );
    }
    cloud.objects.insert(key, request.body.clone());
    reply(200, "")
}

fn get_object(cloud: &mut Cloud, request: &Received) -> Reply {
    let Some(key) = object_key(&request.target) else {
        return oss_error(400, "InvalidURI", "bad target");
    };
    let (id, expires, signature, token) = (
        request.param("OSSAccessKeyId").unwrap_or_default(),
        request.param("Expires").unwrap_or_default(),
        request.param("Signature").unwrap_or_default(),
        request.param("security-token").unwrap_or_default(),
    );
    let Some((secret, issued_token)) = cloud.issued.get(&id).cloned() else {
        return oss_error(403, "InvalidAccessKeyId", "unknown key");
    };
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    if token != issued_token || expires.parse::<i64>().map_or(true, |e| e <= now) {
        cloud
            .problems
            .push(format!("GET token or Expires {expires}"));
        return oss_error(403, "AccessDenied", "Request has expired.");
    }
    let string_to_sign = format!("GET\n\n\n{expires}\n/{BUCKET}/{key}?security-token={token}");
    if !oss_signature::verify(&secret, &string_to_sign, &signature) {
        cloud.problems.push("GET signature".into());
        return oss_error(403, "SignatureDoesNotMatch", "presigned");
    }
    match cloud.objects.get(&key) {
        Some(body) => reply(200, body.clone()),
        None => oss_error(404, "NoSuchKey", "The specified key does not exist."),
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[tokio::test]
async fn set_flow_json_uploads_a_signed_private_object_and_hands_cams_a_presigned_url() {
    let cloud = CloudServer::start(|_| {}).await;
    let client = cloud.client();
    let cancel = CancellationToken::new();
    let before = time::OffsetDateTime::now_utc().unix_timestamp();
    let uploaded = client
        .set_flow_json("flow_1", "space-1", DOCUMENT, &cancel)
        .await
        .unwrap();
    cloud.assert_no_problems();

    let key = format!("flows/space-1/{}.json", sha256_hex(DOCUMENT));
    assert_eq!(uploaded.object_key, key);
    assert_eq!(uploaded.bucket, BUCKET);
    assert_eq!(uploaded.sha256_hex, sha256_hex(DOCUMENT));
    assert_eq!(uploaded.size, DOCUMENT.len() as u64);
    assert!(uploaded.expires_at > before && uploaded.expires_at <= before + 3601);
    assert_eq!(
        cloud
            .cloud
            .lock()
            .unwrap()
            .objects
            .get(&key)
            .map(Vec::as_slice),
        Some(DOCUMENT)
    );

    // Path style on loopback, no public-read ACL.
    let put = &cloud.requests_of("PUT")[0];
    assert_eq!(put.target, format!("/{BUCKET}/{key}"));
    assert!(put.headers.iter().all(|(n, _)| n != "x-oss-object-acl"));

    // CAMS was pointed at the presigned URL, which serves the document.
    let file_paths = cloud.cloud.lock().unwrap().file_paths.clone();
    assert_eq!(file_paths, vec![uploaded.file_path.clone()]);
    assert!(uploaded
        .file_path
        .starts_with(&format!("{}/{BUCKET}/{key}?", cloud.server.url())));
    let update = &cloud.requests_of("UpdateFlowJSONAsset")[0];
    assert_eq!(update.param("FlowId").as_deref(), Some("flow_1"));
    assert_eq!(update.param("CustSpaceId").as_deref(), Some("space-1"));
    let downloaded = client.download(&uploaded.file_path, &cancel).await.unwrap();
    assert_eq!(downloaded.bytes, DOCUMENT);
    cloud.assert_no_problems();

    let debug = format!("{uploaded:?}");
    assert!(
        !debug.contains("Signature") && !debug.contains("UPLOADTOKEN"),
        "{debug}"
    );
}

#[tokio::test]
async fn the_authorization_is_cached_per_cust_space_until_shortly_before_it_expires() {
    // A two-second authorization is used for one second (half its life).
    let cloud = CloudServer::start(|c| c.expire = Some(json!(2))).await;
    let client = cloud.client();
    let cancel = CancellationToken::new();
    client
        .upload_flow_json("space-1", b"{\"a\":1}", &cancel)
        .await
        .unwrap();
    client
        .upload_flow_json("space-1", b"{\"b\":2}", &cancel)
        .await
        .unwrap();
    assert_eq!(cloud.requests_of("GetChatappUploadAuthorization").len(), 1);
    client
        .upload_flow_json("space-2", b"{\"a\":1}", &cancel)
        .await
        .unwrap();
    assert_eq!(cloud.requests_of("GetChatappUploadAuthorization").len(), 2);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    client
        .upload_flow_json("space-1", b"{\"c\":3}", &cancel)
        .await
        .unwrap();
    assert_eq!(cloud.requests_of("GetChatappUploadAuthorization").len(), 3);
    assert_eq!(cloud.requests_of("PUT").len(), 4);
    cloud.assert_no_problems();
}

#[tokio::test]
async fn a_token_refused_as_expired_is_replaced_once() {
    let cloud = CloudServer::start(|c| {
        c.expired_tokens
            .insert("UPLOADTOKEN-1-+/=klmnopqrstuv".into());
    })
    .await;
    let client = cloud.client();
    let uploaded = client
        .upload_flow_json("space-1", DOCUMENT, &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(cloud.requests_of("GetChatappUploadAuthorization").len(), 2);
    let puts = cloud.requests_of("PUT");
    assert_eq!(puts.len(), 2);
    assert_eq!(puts[0].target, puts[1].target, "the same object both times");
    assert!(uploaded.file_path.contains("STS.upload-2"));
    cloud.assert_no_problems();
    // The new authorization is the cached one now.
    client
        .upload_flow_json("space-1", b"{}", &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(cloud.requests_of("GetChatappUploadAuthorization").len(), 2);
}

#[tokio::test]
async fn a_token_refused_again_is_an_error_naming_the_oss_code() {
    let cloud = CloudServer::start(|c| c.all_tokens_expired = true).await;
    let err = cloud
        .client()
        .upload_flow_json("space-1", DOCUMENT, &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(err.is_expired_token(), "{err}");
    assert_eq!(err.oss_code(), Some("SecurityTokenExpired"));
    assert_eq!(cloud.requests_of("GetChatappUploadAuthorization").len(), 2);
    assert_eq!(cloud.requests_of("PUT").len(), 2);
    let text = err.to_string();
    assert!(
        text.contains("HTTP 403") && text.contains("OSS-REQ-1") && text.contains("has expired"),
        "{text}"
    );
}

#[tokio::test]
async fn oss_errors_are_typed_and_never_show_the_upload_credentials() {
    // OSS quotes what it was given: the string to sign holds the token.
    let body = "<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message>\
        <RequestId>OSS-REQ-9</RequestId><SignatureProvided>SIGPROVIDED123456</SignatureProvided>\
        <StringToSign>PUT\n\napplication/json\nx-oss-security-token:UPLOADTOKEN-1-+/=klmnopqrstuv\n/b/k</StringToSign>\
        <OSSAccessKeyId>STS.upload-1</OSSAccessKeyId></Error>";
    let cloud = CloudServer::start(|c| c.put_answer = Some((403, body.into()))).await;
    let err = cloud
        .client()
        .upload_flow_json("space-1", DOCUMENT, &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            UploadError::Oss {
                status: 403,
                attempts: 1,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(err.oss_code(), Some("SignatureDoesNotMatch"));
    let text = format!("{err} {err:?}");
    assert!(
        text.contains("OSS-REQ-9") && text.contains("does not match"),
        "{text}"
    );
    for secret in ["UPLOADTOKEN", "UPLOADSECRET", "SIGPROVIDED"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    assert_eq!(cloud.requests_of("PUT").len(), 1, "a 403 is not retried");
}

#[tokio::test]
async fn server_errors_are_retried_on_the_same_object() {
    let cloud = CloudServer::start(|c| c.failing_puts = 2).await;
    cloud
        .client()
        .upload_flow_json("space-1", DOCUMENT, &CancellationToken::new())
        .await
        .unwrap();
    let targets: HashSet<String> = cloud
        .requests_of("PUT")
        .into_iter()
        .map(|r| r.target)
        .collect();
    assert_eq!(cloud.requests_of("PUT").len(), 3);
    assert_eq!(targets.len(), 1);
    cloud.assert_no_problems();
}

#[tokio::test]
async fn documents_over_the_cap_are_refused_before_any_request() {
    let cloud = CloudServer::start(|_| {}).await;
    let too_big = vec![b' '; MAX_UPLOAD_BYTES as usize + 1];
    let err = cloud
        .client()
        .upload_flow_json("space-1", &too_big, &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, UploadError::TooLarge { limit, .. } if limit == MAX_UPLOAD_BYTES),
        "{err}"
    );
    // A lower max_content_bytes lowers the cap.
    let mut cfg = config(&cloud.server.url());
    cfg.max_content_bytes = 100;
    let err = client(cfg, "ak-upload-small")
        .upload_flow_json("space-1", &[b' '; 101], &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            UploadError::TooLarge {
                size: 101,
                limit: 100
            }
        ),
        "{err}"
    );
    let err = cloud
        .client()
        .upload_flow_json(" ", DOCUMENT, &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(matches!(err, UploadError::EmptyCustSpaceId));
    let err = cloud
        .client()
        .set_flow_json("", "space-1", DOCUMENT, &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        SetFlowJsonError::Update(CamsError::EmptyFlowId)
    ));
    assert_eq!(cloud.server.count(), 0);
}

#[tokio::test]
async fn an_endpoint_that_is_not_https_is_refused_unless_loopback() {
    let cloud =
        CloudServer::start(|c| c.endpoint_override = Some("http://oss.example.com".into())).await;
    let err = cloud
        .client()
        .upload_flow_json("space-1", DOCUMENT, &CancellationToken::new())
        .await
        .unwrap_err();
    let UploadError::Authorization(inner) = &err else {
        panic!("{err}")
    };
    assert!(
        matches!(inner.api_error(), Some(ApiError::InvalidData { .. })),
        "{inner}"
    );
    let text = err.to_string();
    assert!(text.contains("EndPoint") && text.contains("http"), "{text}");
    assert!(
        !text.contains("UPLOADSECRET") && !text.contains("UPLOADTOKEN"),
        "{text}"
    );
    assert!(cloud.requests_of("PUT").is_empty());
}

#[tokio::test]
async fn the_authorization_itself_never_shows_its_secrets() {
    let cloud = CloudServer::start(|_| {}).await;
    let authorization = cloud
        .client()
        .get_upload_authorization("space-1", &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(authorization.dir, "flows/space-1/");
    assert!(authorization.endpoint.is_path_style());
    let debug = format!("{authorization:?}");
    assert!(
        !debug.contains("UPLOADSECRET") && !debug.contains("UPLOADTOKEN"),
        "{debug}"
    );
    assert!(debug.contains("STS.upload-1"));
}

#[tokio::test]
async fn a_denied_authorization_is_an_upload_error_naming_the_permission() {
    let server = cams_server(|_, _| cams_error(400, "Ram.PermissionDeny", "denied")).await;
    let err = client(config(&server.url()), "ak-upload-denied")
        .set_flow_json("flow_1", "space-1", DOCUMENT, &CancellationToken::new())
        .await
        .unwrap_err();
    let SetFlowJsonError::Upload(UploadError::Authorization(inner)) = &err else {
        panic!("{err}")
    };
    assert_eq!(inner.code(), Some("Ram.PermissionDeny"));
    assert!(
        err.to_string()
            .contains("cams:GetChatappUploadAuthorization"),
        "{err}"
    );
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn an_update_failure_after_the_upload_is_an_update_error_without_the_url_credentials() {
    let cloud =
        CloudServer::start(|c| c.update_error = Some("InvalidParameter.FileUrlError".into())).await;
    let err = cloud
        .client()
        .set_flow_json("flow_1", "space-1", DOCUMENT, &CancellationToken::new())
        .await
        .unwrap_err();
    let SetFlowJsonError::Update(inner) = &err else {
        panic!("{err}")
    };
    assert_eq!(inner.code(), Some("InvalidParameter.FileUrlError"));
    assert_eq!(
        cloud.requests_of("PUT").len(),
        1,
        "the upload itself worked"
    );
    let text = format!("{err} {err:?}");
    assert!(text.contains("cannot fetch"), "{text}");
    let file_path = cloud.cloud.lock().unwrap().file_paths[0].clone();
    let signature = url::Url::parse(&file_path)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "Signature")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    for secret in [
        "UPLOADTOKEN",
        "UPLOADSECRET",
        &signature,
        &signature::percent_encode(&signature),
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}

#[tokio::test]
async fn cancellation_interrupts_a_slow_upload() {
    let cloud = CloudServer::start(|c| c.put_delay = Some(Duration::from_secs(10))).await;
    let client = cloud.client();
    let cancel = CancellationToken::new();
    let canceller = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        canceller.cancel();
    });
    let started = Instant::now();
    let err = client
        .upload_flow_json("space-1", DOCUMENT, &cancel)
        .await
        .unwrap_err();
    assert!(
        matches!(err, UploadError::Cancelled { attempts: 1, .. }),
        "{err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_slow_upload_stops_at_the_overall_deadline() {
    let cloud = CloudServer::start(|c| c.put_delay = Some(Duration::from_secs(10))).await;
    let mut cfg = config(&cloud.server.url());
    cfg.request_timeout = Duration::from_millis(400);
    cfg.max_attempts = 1;
    let err = client(cfg, "ak-upload-deadline")
        .upload_flow_json("space-1", DOCUMENT, &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, UploadError::Transport { deadline: Some(d), .. } if d == Duration::from_millis(400)),
        "{err}"
    );
}
