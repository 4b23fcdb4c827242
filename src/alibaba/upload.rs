//! Uploading a Flow JSON document so that `UpdateFlowJSONAsset` can fetch
//! it: `GetChatappUploadAuthorization` (STS credentials for an OSS bucket,
//! cached per CustSpaceId), OSS `PutObject` signed with them, and a
//! presigned GET URL of the object, which becomes `FilePath`.
//!
//! * The object name is the content's SHA-256 under the returned `Dir`, so
//!   a retried or repeated upload writes the same object.
//! * The object stays private (no `x-oss-object-acl`); CAMS reads it through
//!   the presigned URL.
//! * https only, except to loopback hosts (the local emulator); a size cap.
//! * The authorization is fetched again when OSS refuses its token as
//!   expired, and the upload tried once more.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;
use url::{Host, Url};

use super::api_response::{one_line, text_field, ApiError, Envelope};
use super::client::{CamsClient, CamsError};
use super::credentials::Secret;
use super::download::{parse_oss_error, OssError};
use super::endpoint::{is_loopback, redact_url};
use super::http::{read_body_capped, within_deadline, Deadline, TransportFailure};
use super::operations::Operation;
use super::oss_signature::{self, SignedRequest};
use super::redact::Redactor;
use super::retry::{self, GiveUp, RetryFailure, Verdict};

/// The largest Flow JSON uploaded: Meta's limit for a Flow JSON document
/// (10 MB, as AWS End User Messaging documents it for the same feature).
pub const MAX_UPLOAD_BYTES: u64 = 10 * 1024 * 1024;
/// An authorization is used until this long before it expires (or half its
/// lifetime, when that is shorter).
pub const AUTHORIZATION_MARGIN: Duration = Duration::from_secs(300);
/// How long a presigned URL handed to CAMS stays valid (less when the
/// authorization expires sooner). CAMS fetches the file at once.
pub const PRESIGNED_URL_LIFETIME: Duration = Duration::from_secs(3600);
/// `Expire` values below this are a lifetime in seconds, not a date.
const EXPIRE_IS_A_DATE_FROM: i64 = 1_000_000_000;
/// `Expire` values from this on are a date in milliseconds.
const EXPIRE_IS_MILLIS_FROM: i64 = 1_000_000_000_000;
/// How much of an OSS error body is read.
const OSS_ERROR_BODY_LIMIT: u64 = 64 * 1024;
const CONTENT_TYPE: &str = "application/json";

/// Where OSS is: scheme, host and port, and whether buckets are addressed
/// by path (IP addresses and `localhost`) or by virtual host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OssEndpoint {
    scheme: String,
    /// As it appears in a URL (IPv6 in brackets).
    host: String,
    port: Option<u16>,
    path_style: bool,
}

impl OssEndpoint {
    /// Reads `EndPoint`: a host (`oss-ap-southeast-1.aliyuncs.com`, with an
    /// optional port) meaning https, or a URL. http only for loopback hosts.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("an empty EndPoint".to_owned());
        }
        let candidate = if text.contains("://") {
            text.to_owned()
        } else {
            format!("https://{text}/")
        };
        let url = Url::parse(&candidate)
            .map_err(|e| format!("an EndPoint that is not a host or URL ({e})"))?;
        let host = match url.host() {
            Some(Host::Domain("")) | None => return Err("an EndPoint without a host".to_owned()),
            Some(host) => host,
        };
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            other => {
                return Err(format!(
                    "an EndPoint with the scheme {other:?} (only https, or http to this machine)"
                ))
            }
        }
        if !url.username().is_empty()
            || url.password().is_some()
            || !matches!(url.path(), "" | "/")
            || url.query().is_some()
            || url.fragment().is_some()
        {
            return Err("an EndPoint with a path, query or user info".to_owned());
        }
        let path_style = match host {
            Host::Ipv4(_) | Host::Ipv6(_) => true,
            Host::Domain(d) => d.eq_ignore_ascii_case("localhost") || d.parse::<IpAddr>().is_ok(),
        };
        Ok(Self {
            scheme: url.scheme().to_owned(),
            host: url.host_str().unwrap_or_default().to_owned(),
            port: url.port(),
            path_style,
        })
    }

    pub fn is_path_style(&self) -> bool {
        self.path_style
    }

    /// The object's URL: `{scheme}://{bucket}.{host}/{key}`, or
    /// `{scheme}://{host}/{bucket}/{key}` in path style.
    pub fn object_url(&self, bucket: &str, key: &str) -> Result<Url, String> {
        let port = self.port.map(|p| format!(":{p}")).unwrap_or_default();
        let path = oss_signature::encode_key_path(key);
        let text = if self.path_style {
            format!("{}://{}{port}/{bucket}/{path}", self.scheme, self.host)
        } else {
            format!("{}://{bucket}.{}{port}/{path}", self.scheme, self.host)
        };
        Url::parse(&text).map_err(|e| format!("no valid object URL for the bucket ({e})"))
    }
}

/// What `GetChatappUploadAuthorization` hands out: temporary OSS
/// credentials for one directory of one bucket. `Debug` hides the secret
/// and the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadAuthorization {
    pub access_key_id: String,
    pub access_key_secret: Secret,
    pub security_token: Secret,
    pub bucket: String,
    /// `Dir`, without a leading `/` and with a trailing one (or empty).
    pub dir: String,
    pub endpoint: OssEndpoint,
    /// When the credentials expire, Unix seconds.
    pub expires_at: i64,
    pub request_id: Option<String>,
}

impl UploadAuthorization {
    /// The object key of a document with this SHA-256 (lowercase hex).
    pub fn object_key(&self, sha256_hex: &str) -> String {
        format!("{}{sha256_hex}.json", self.dir)
    }

    fn redactor(&self) -> Redactor {
        Redactor::new()
            .secret(self.access_key_secret.expose())
            .secret(self.security_token.expose())
    }
}

fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// When an authorization expires, from `Expire`: a lifetime in seconds
/// (the documentation's sample is 3600), or a Unix date in seconds or
/// milliseconds. A number or a string holding one.
pub fn expiry_from(expire: &Value, now: i64) -> Option<i64> {
    let n = match expire {
        Value::Number(n) => n.as_i64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    if n <= 0 {
        None
    } else if n < EXPIRE_IS_A_DATE_FROM {
        Some(now.saturating_add(n))
    } else if n < EXPIRE_IS_MILLIS_FROM {
        Some(n)
    } else {
        Some(n / 1000)
    }
}

/// Reads a successful `GetChatappUploadAuthorization` envelope.
pub fn upload_authorization(
    envelope: &Envelope,
    now: i64,
) -> Result<UploadAuthorization, ApiError> {
    let Some(data) = envelope.data.as_ref().and_then(Value::as_object) else {
        return Err(envelope.invalid("no Data object with the upload authorization"));
    };
    let required = |name: &'static str| -> Result<String, ApiError> {
        text_field(data, &[name]).ok_or_else(|| envelope.invalid(format!("no Data.{name}")))
    };
    let access_key_id = required("AccessKeyId")?;
    let access_key_secret = Secret::new(required("AccessKeySecret")?);
    let security_token = Secret::new(required("SecurityToken")?);
    // Server text quoted in an error goes through the same redaction as
    // any other (it could hold what it should not).
    let redactor = Redactor::new()
        .secret(access_key_secret.expose())
        .secret(security_token.expose());
    let quoted = |text: &str| redactor.scrub(&one_line(text));
    let bucket = required("BucketName")?;
    if bucket.len() > 63
        || !bucket
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(envelope.invalid(format!(
            "a Data.BucketName that is not a bucket name ({:?})",
            quoted(&bucket)
        )));
    }
    let endpoint_text = required("EndPoint")?;
    let endpoint = OssEndpoint::parse(&endpoint_text).map_err(|problem| {
        envelope.invalid(format!(
            "{problem} in Data.EndPoint ({:?})",
            quoted(&endpoint_text)
        ))
    })?;
    let expires_at = data
        .get("Expire")
        .and_then(|e| expiry_from(e, now))
        .ok_or_else(|| envelope.invalid("no usable Data.Expire"))?;
    Ok(UploadAuthorization {
        access_key_id,
        access_key_secret,
        security_token,
        bucket,
        dir: normalized_dir(data),
        endpoint,
        expires_at,
        request_id: envelope.request_id.clone(),
    })
}

fn normalized_dir(data: &Map<String, Value>) -> String {
    let dir = text_field(data, &["Dir"]).unwrap_or_default();
    let dir = dir.trim().trim_start_matches('/');
    if dir.is_empty() || dir.ends_with('/') {
        dir.to_owned()
    } else {
        format!("{dir}/")
    }
}

/// Upload authorizations per CustSpaceId, each kept until a margin before
/// it expires.
#[derive(Default)]
pub struct AuthorizationCache {
    entries: Mutex<HashMap<String, Cached>>,
}

struct Cached {
    authorization: Arc<UploadAuthorization>,
    /// Unix seconds after which it is fetched again.
    use_until: i64,
}

impl fmt::Debug for AuthorizationCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("AuthorizationCache")
            .field("cust_spaces", &entries.len())
            .finish()
    }
}

impl AuthorizationCache {
    fn get(&self, cust_space_id: &str, now: i64) -> Option<Arc<UploadAuthorization>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(cust_space_id)
            .filter(|c| now < c.use_until)
            .map(|c| c.authorization.clone())
    }

    fn put(&self, cust_space_id: &str, authorization: Arc<UploadAuthorization>, fetched_at: i64) {
        let lifetime = authorization.expires_at.saturating_sub(fetched_at).max(0);
        let margin = (AUTHORIZATION_MARGIN.as_secs() as i64).min(lifetime / 2);
        let use_until = authorization.expires_at.saturating_sub(margin);
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.insert(
            cust_space_id.to_owned(),
            Cached {
                authorization,
                use_until,
            },
        );
    }

    /// Drops the entry if it is still `stale` (another call may already
    /// have replaced it).
    fn forget(&self, cust_space_id: &str, stale: &Arc<UploadAuthorization>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries
            .get(cust_space_id)
            .is_some_and(|c| Arc::ptr_eq(&c.authorization, stale))
        {
            entries.remove(cust_space_id);
        }
    }
}

/// An uploaded Flow JSON document. `file_path` is a presigned URL (a
/// bearer credential until it expires): `Debug` shows it without its query.
#[derive(Clone, PartialEq, Eq)]
pub struct UploadedFlowJson {
    /// The presigned GET URL handed to `UpdateFlowJSONAsset` as `FilePath`.
    pub file_path: String,
    pub bucket: String,
    pub object_key: String,
    /// Lowercase hex SHA-256 of the document.
    pub sha256_hex: String,
    pub size: u64,
    /// When `file_path` stops working, Unix seconds.
    pub expires_at: i64,
}

impl fmt::Debug for UploadedFlowJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadedFlowJson")
            .field(
                "file_path",
                &super::api_response::redacted_file_path(&self.file_path),
            )
            .field("bucket", &self.bucket)
            .field("object_key", &self.object_key)
            .field("sha256_hex", &self.sha256_hex)
            .field("size", &self.size)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Why an upload failed. `object` is the object's URL without a query.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("the Flow JSON is {size} bytes, more than the {limit} bytes that can be uploaded")]
    TooLarge { size: u64, limit: u64 },
    #[error("uploading a Flow JSON needs a non-empty CustSpaceId (GetChatappUploadAuthorization requires one)")]
    EmptyCustSpaceId,
    #[error("could not get an upload authorization: {0}")]
    Authorization(#[source] CamsError),
    #[error("uploading the Flow JSON to {object} failed after {attempts} attempt(s) ({gave_up}): HTTP {status}{}", oss_clause(.oss))]
    Oss {
        object: String,
        status: u16,
        oss: Option<OssError>,
        attempts: u32,
        gave_up: GiveUp,
    },
    #[error("uploading the Flow JSON to {object} could not get an answer after {attempts} attempt(s) ({gave_up}): {detail}")]
    Transport {
        object: String,
        detail: String,
        /// Set when the last attempt was stopped by its overall deadline.
        deadline: Option<Duration>,
        attempts: u32,
        gave_up: GiveUp,
    },
    #[error("the upload authorization's bucket and key give no valid URL: {reason}")]
    InvalidObjectUrl { reason: String },
    #[error("uploading the Flow JSON to {object} was cancelled")]
    Cancelled { object: String, attempts: u32 },
}

impl UploadError {
    /// The OSS error code, when OSS sent one.
    pub fn oss_code(&self) -> Option<&str> {
        match self {
            UploadError::Oss { oss: Some(oss), .. } => Some(&oss.code),
            _ => None,
        }
    }

    /// OSS refused the STS token as expired: a fresh authorization helps.
    pub fn is_expired_token(&self) -> bool {
        matches!(self, UploadError::Oss { oss: Some(oss), .. } if token_expired(oss))
    }
}

/// The codes (and messages) with which OSS refuses an expired or unknown
/// STS token.
fn token_expired(oss: &OssError) -> bool {
    let says_expired = oss
        .message
        .as_deref()
        .is_some_and(|m| m.to_ascii_lowercase().contains("expired"));
    match oss.code.as_str() {
        "SecurityTokenExpired" | "InvalidSecurityToken" => true,
        "AccessDenied" | "InvalidAccessKeyId" => says_expired,
        _ => false,
    }
}

fn oss_clause(oss: &Option<OssError>) -> String {
    let Some(oss) = oss else {
        return String::new();
    };
    let mut out = format!(", OSS Code {}", one_line(&oss.code));
    if let Some(message) = &oss.message {
        out.push_str(&format!(", Message \"{}\"", one_line(message)));
    }
    if let Some(id) = &oss.request_id {
        out.push_str(&format!(", RequestId {}", one_line(id)));
    }
    out
}

/// Why [`CamsClient::set_flow_json`] failed.
#[derive(Debug, thiserror::Error)]
pub enum SetFlowJsonError {
    #[error(transparent)]
    Upload(#[from] UploadError),
    #[error(transparent)]
    Update(CamsError),
}

/// One failed `PutObject` attempt.
enum PutFailure {
    Status { status: u16, oss: Option<OssError> },
    Transport(TransportFailure),
}

impl CamsClient {
    /// `GetChatappUploadAuthorization` (never cached; see
    /// [`CamsClient::upload_flow_json`] for the cached use).
    pub async fn get_upload_authorization(
        &self,
        cust_space_id: &str,
        cancel: &CancellationToken,
    ) -> Result<UploadAuthorization, CamsError> {
        let op = Operation::GetUploadAuthorization;
        if cust_space_id.trim().is_empty() {
            return Err(CamsError::InvalidArgument {
                action: op.action(),
                reason: "the CustSpaceId is empty".to_owned(),
            });
        }
        let (envelope, attempts) = self
            .call(op, &[("CustSpaceId", cust_space_id)], None, cancel)
            .await?;
        upload_authorization(&envelope, unix_now()).map_err(|error| CamsError::Api {
            action: op.action(),
            error: Box::new(error),
            attempts,
            gave_up: GiveUp::NotRetryable,
        })
    }

    /// The cached authorization for `cust_space_id`, or a fresh one.
    async fn cached_authorization(
        &self,
        cust_space_id: &str,
        cancel: &CancellationToken,
    ) -> Result<Arc<UploadAuthorization>, UploadError> {
        let cache = &self.inner.upload_authorizations;
        if let Some(authorization) = cache.get(cust_space_id, unix_now()) {
            return Ok(authorization);
        }
        let fetched_at = unix_now();
        let authorization = Arc::new(
            self.get_upload_authorization(cust_space_id, cancel)
                .await
                .map_err(UploadError::Authorization)?,
        );
        cache.put(cust_space_id, authorization.clone(), fetched_at);
        Ok(authorization)
    }

    /// Uploads a Flow JSON document to the OSS directory CAMS hands out for
    /// `cust_space_id`, and returns a presigned GET URL of it: the
    /// `FilePath` for `UpdateFlowJSONAsset`.
    pub async fn upload_flow_json(
        &self,
        cust_space_id: &str,
        document: &[u8],
        cancel: &CancellationToken,
    ) -> Result<UploadedFlowJson, UploadError> {
        let limit = MAX_UPLOAD_BYTES.min(self.inner.max_content_bytes);
        let size = document.len() as u64;
        if size > limit {
            return Err(UploadError::TooLarge { size, limit });
        }
        if cust_space_id.trim().is_empty() {
            return Err(UploadError::EmptyCustSpaceId);
        }
        let sha256_hex = hex::encode(Sha256::digest(document));
        let mut authorization = self.cached_authorization(cust_space_id, cancel).await?;
        let mut refreshed = false;
        loop {
            match self
                .put_object(&authorization, &sha256_hex, document, cancel)
                .await
            {
                Ok(()) => break,
                Err(e) if e.is_expired_token() && !refreshed => {
                    tracing::debug!(
                        cust_space_id,
                        "OSS refused the upload token as expired; asking CAMS for a new one"
                    );
                    self.inner
                        .upload_authorizations
                        .forget(cust_space_id, &authorization);
                    authorization = self.cached_authorization(cust_space_id, cancel).await?;
                    refreshed = true;
                }
                Err(e) => return Err(e),
            }
        }
        let object_key = authorization.object_key(&sha256_hex);
        let expires_at = unix_now()
            .saturating_add(PRESIGNED_URL_LIFETIME.as_secs() as i64)
            .min(authorization.expires_at);
        let mut url = authorization
            .endpoint
            .object_url(&authorization.bucket, &object_key)
            .map_err(|reason| UploadError::InvalidObjectUrl { reason })?;
        url.set_query(Some(&oss_signature::presigned_get_query(
            &authorization.access_key_id,
            authorization.access_key_secret.expose(),
            Some(authorization.security_token.expose()),
            &authorization.bucket,
            &object_key,
            expires_at,
        )));
        Ok(UploadedFlowJson {
            file_path: url.into(),
            bucket: authorization.bucket.clone(),
            object_key,
            sha256_hex,
            size,
            expires_at,
        })
    }

    /// Uploads the document ([`CamsClient::upload_flow_json`]) and points
    /// the flow at it (`UpdateFlowJSONAsset`).
    pub async fn set_flow_json(
        &self,
        flow_id: &str,
        cust_space_id: &str,
        document: &[u8],
        cancel: &CancellationToken,
    ) -> Result<UploadedFlowJson, SetFlowJsonError> {
        if flow_id.trim().is_empty() {
            return Err(SetFlowJsonError::Update(CamsError::EmptyFlowId));
        }
        let uploaded = self
            .upload_flow_json(cust_space_id, document, cancel)
            .await?;
        self.update_flow_json_asset(flow_id, Some(cust_space_id), &uploaded.file_path, cancel)
            .await
            .map_err(SetFlowJsonError::Update)?;
        Ok(uploaded)
    }

    /// `PutObject`, signed with the authorization's STS credentials,
    /// retried on 5xx and transport failures (the key is the content's
    /// hash, so a repeat writes the same object).
    async fn put_object(
        &self,
        authorization: &UploadAuthorization,
        sha256_hex: &str,
        document: &[u8],
        cancel: &CancellationToken,
    ) -> Result<(), UploadError> {
        let key = authorization.object_key(sha256_hex);
        let url = authorization
            .endpoint
            .object_url(&authorization.bucket, &key)
            .map_err(|reason| UploadError::InvalidObjectUrl { reason })?;
        let object = redact_url(&url);
        let content_md5 = oss_signature::content_md5(document);
        let outcome = retry::run(
            &self.inner.retry,
            cancel,
            "PutObject",
            |attempt| {
                let (url, key, content_md5) = (&url, &key, &content_md5);
                async move {
                    let started = Instant::now();
                    let result = within_deadline(
                        self.inner.request_timeout,
                        self.put_once(authorization, url, key, content_md5, document),
                    )
                    .await;
                    tracing::debug!(
                        object = %redact_url(url),
                        attempt,
                        ok = result.is_ok(),
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "OSS PutObject answered"
                    );
                    match result {
                        Ok(()) => Ok(()),
                        Err(Deadline::Failed(failure)) => Err(failure),
                        Err(Deadline::Exceeded(failure)) => Err(PutFailure::Transport(failure)),
                    }
                }
            },
            |failure| match failure {
                PutFailure::Status { status, .. } if *status >= 500 => {
                    Verdict::Retry { server_delay: None }
                }
                PutFailure::Transport(t) if t.retryable => Verdict::Retry { server_delay: None },
                _ => Verdict::Stop,
            },
        )
        .await;
        match outcome {
            Ok(()) => Ok(()),
            Err(RetryFailure::Cancelled { attempts }) => {
                Err(UploadError::Cancelled { object, attempts })
            }
            Err(RetryFailure::Failed {
                error,
                attempts,
                gave_up,
            }) => Err(match error {
                PutFailure::Status { status, oss } => UploadError::Oss {
                    object,
                    status,
                    oss,
                    attempts,
                    gave_up,
                },
                PutFailure::Transport(t) => UploadError::Transport {
                    object,
                    detail: t.detail,
                    deadline: t.deadline,
                    attempts,
                    gave_up,
                },
            }),
        }
    }

    async fn put_once(
        &self,
        authorization: &UploadAuthorization,
        url: &Url,
        key: &str,
        content_md5: &str,
        document: &[u8],
    ) -> Result<(), PutFailure> {
        let date = oss_signature::http_date(time::OffsetDateTime::now_utc());
        let token = authorization.security_token.expose();
        let signed = SignedRequest {
            method: "PUT",
            content_md5,
            content_type: CONTENT_TYPE,
            date: &date,
            headers: &[("x-oss-security-token", token)],
            bucket: &authorization.bucket,
            key,
            subresources: &[],
        };
        let signature = oss_signature::sign(
            authorization.access_key_secret.expose(),
            &oss_signature::string_to_sign(&signed),
        );
        let response = self
            .inner
            .http
            .put(url.clone())
            .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
            .header("content-md5", content_md5)
            .header(reqwest::header::DATE, &date)
            .header("x-oss-security-token", token)
            .header(
                reqwest::header::AUTHORIZATION,
                format!("OSS {}:{signature}", authorization.access_key_id),
            )
            .body(document.to_vec())
            .send()
            .await
            .map_err(|e| PutFailure::Transport(TransportFailure::from_reqwest(&e)))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        // OSS quotes the signature, the string to sign (with the token) and
        // the key id it was given: all of it goes through redaction.
        let oss = read_body_capped(response, OSS_ERROR_BODY_LIMIT)
            .await
            .ok()
            .and_then(|body| parse_oss_error(&body))
            .map(|oss| oss.redacted(&authorization.redactor().secret(&signature)));
        Err(PutFailure::Status {
            status: status.as_u16(),
            oss,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::api_response::parse_envelope;
    use super::*;

    fn envelope(data: &str) -> Envelope {
        let body = format!(r#"{{"RequestId":"R","Code":"OK","Data":{data}}}"#);
        parse_envelope(200, body.as_bytes()).unwrap()
    }

    const GOOD: &str = r#"{"AccessKeyId":"STS.id","AccessKeySecret":"sts-secret-value","SecurityToken":"CAIS-token-value",
        "BucketName":"cams-bucket","Dir":"/flows/space","EndPoint":"oss-ap-southeast-1.aliyuncs.com","Expire":3600}"#;

    #[test]
    fn a_complete_authorization_is_read_with_its_secrets_hidden() {
        let a = upload_authorization(&envelope(GOOD), 1_000).unwrap();
        assert_eq!(a.access_key_id, "STS.id");
        assert_eq!(a.bucket, "cams-bucket");
        assert_eq!(a.dir, "flows/space/");
        assert_eq!(a.expires_at, 4_600);
        assert!(!a.endpoint.is_path_style());
        assert_eq!(a.object_key("ab"), "flows/space/ab.json");
        let debug = format!("{a:?}");
        assert!(
            !debug.contains("sts-secret-value") && !debug.contains("CAIS-token-value"),
            "{debug}"
        );
    }

    #[test]
    fn missing_or_unusable_fields_name_the_field() {
        for (field, data) in [
            (
                "AccessKeySecret",
                GOOD.replace(r#""AccessKeySecret":"sts-secret-value","#, ""),
            ),
            (
                "SecurityToken",
                GOOD.replace(r#""SecurityToken":"CAIS-token-value","#, ""),
            ),
            ("BucketName", GOOD.replace("cams-bucket", "evil.com/x")),
            (
                "BucketName",
                GOOD.replace("cams-bucket", "sts-secret-value/x"),
            ),
            (
                "EndPoint",
                GOOD.replace("oss-ap-southeast-1.aliyuncs.com", "http://oss.example.com"),
            ),
            ("Expire", GOOD.replace("3600", "\"soon\"")),
        ] {
            let err = upload_authorization(&envelope(&data), 0).unwrap_err();
            let text = err.to_string();
            assert!(text.contains(field), "{field}: {text}");
            assert!(
                !text.contains("sts-secret-value") && !text.contains("CAIS-token-value"),
                "{text}"
            );
        }
        assert!(upload_authorization(&envelope("null"), 0).is_err());
    }

    #[test]
    fn expire_is_a_lifetime_or_a_date_in_seconds_or_millis() {
        let now = 1_700_000_000;
        assert_eq!(expiry_from(&Value::from(3600), now), Some(now + 3600));
        assert_eq!(expiry_from(&Value::from("3600"), now), Some(now + 3600));
        assert_eq!(
            expiry_from(&Value::from(1_800_000_000i64), now),
            Some(1_800_000_000)
        );
        assert_eq!(
            expiry_from(&Value::from(1_800_000_000_000i64), now),
            Some(1_800_000_000)
        );
        assert_eq!(expiry_from(&Value::from(0), now), None);
        assert_eq!(expiry_from(&Value::from(-5), now), None);
        assert_eq!(expiry_from(&Value::Null, now), None);
    }

    #[test]
    fn endpoints_address_buckets_by_host_or_by_path() {
        let host = OssEndpoint::parse("oss-ap-southeast-1.aliyuncs.com").unwrap();
        assert_eq!(
            host.object_url("b", "d/k.json").unwrap().as_str(),
            "https://b.oss-ap-southeast-1.aliyuncs.com/d/k.json"
        );
        let url = OssEndpoint::parse("https://oss.example.com:8443/").unwrap();
        assert_eq!(
            url.object_url("b", "k").unwrap().as_str(),
            "https://b.oss.example.com:8443/k"
        );
        for (endpoint, expected) in [
            (
                "http://127.0.0.1:9000",
                "http://127.0.0.1:9000/b/d/a%20b.json",
            ),
            (
                "http://localhost:9000",
                "http://localhost:9000/b/d/a%20b.json",
            ),
            ("http://[::1]:9000", "http://[::1]:9000/b/d/a%20b.json"),
            ("10.0.0.1", "https://10.0.0.1/b/d/a%20b.json"),
        ] {
            let e = OssEndpoint::parse(endpoint).unwrap();
            assert!(e.is_path_style(), "{endpoint}");
            assert_eq!(e.object_url("b", "d/a b.json").unwrap().as_str(), expected);
        }
        for bad in [
            "",
            "http://oss.example.com",
            "ftp://127.0.0.1",
            "https://oss.example.com/path",
            "https://user@oss.example.com",
            "https://oss.example.com/?q=1",
        ] {
            assert!(OssEndpoint::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_cache_keeps_an_authorization_until_a_margin_before_expiry() {
        let cache = AuthorizationCache::default();
        let mut a = upload_authorization(&envelope(GOOD), 0).unwrap();
        a.expires_at = 3_600;
        let a = Arc::new(a);
        cache.put("space", a.clone(), 0);
        assert!(cache.get("space", 3_299).is_some());
        assert!(
            cache.get("space", 3_300).is_none(),
            "5 minutes before expiry"
        );
        assert!(cache.get("other", 0).is_none());
        // A short lifetime: half of it.
        let mut short = (*a).clone();
        short.expires_at = 100;
        cache.put("space", Arc::new(short), 0);
        assert!(cache.get("space", 49).is_some());
        assert!(cache.get("space", 50).is_none());
        // Forgetting only drops the entry that was refused.
        let current = cache.get("space", 0).unwrap();
        cache.forget("space", &a);
        assert!(cache.get("space", 0).is_some());
        cache.forget("space", &current);
        assert!(cache.get("space", 0).is_none());
    }

    #[test]
    fn expired_tokens_are_recognised_by_code_or_message() {
        let oss = |code: &str, message: &str| OssError {
            code: code.into(),
            message: Some(message.into()),
            request_id: None,
        };
        assert!(token_expired(&oss("SecurityTokenExpired", "x")));
        assert!(token_expired(&oss("InvalidSecurityToken", "x")));
        assert!(token_expired(&oss(
            "AccessDenied",
            "The security token you provided has expired."
        )));
        assert!(token_expired(&oss(
            "InvalidAccessKeyId",
            "the key has EXPIRED"
        )));
        assert!(!token_expired(&oss(
            "AccessDenied",
            "You have no right to access this object."
        )));
        assert!(!token_expired(&oss("SignatureDoesNotMatch", "expired")));
    }
}
