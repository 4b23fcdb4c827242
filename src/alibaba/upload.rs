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

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;
use url::Url;

use super::api_response::one_line;
use super::client::{CamsClient, CamsError};
use super::download::{parse_oss_error, OssError};
use super::endpoint::redact_url;
use super::http::{read_body_capped, within_deadline, Deadline, TransportFailure};
use super::operations::Operation;
use super::oss_signature::{self, SignedRequest};
use super::retry::{self, GiveUp, RetryFailure, Verdict};
use super::upload_authorization::{unix_now, upload_authorization};
pub use super::upload_authorization::{AuthorizationCache, UploadAuthorization};

/// The largest Flow JSON uploaded: Meta's limit for a Flow JSON document
/// (10 MB, as AWS End User Messaging documents it for the same feature).
pub const MAX_UPLOAD_BYTES: u64 = 10 * 1024 * 1024;
/// How long a presigned URL handed to CAMS stays valid (less when the
/// authorization expires sooner). CAMS fetches the file at once.
pub(crate) const PRESIGNED_URL_LIFETIME: Duration = Duration::from_secs(3600);
/// How much of an OSS error body is read.
const OSS_ERROR_BODY_LIMIT: u64 = 64 * 1024;
const CONTENT_TYPE: &str = "application/json";

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
        let _turn = tokio::select! {
            turn = cache.fetch_turn() => turn,
            _ = cancel.cancelled() => return Err(UploadError::Authorization(CamsError::Cancelled {
                action: Operation::GetUploadAuthorization.action(),
                attempts: 0,
            })),
        };
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
        // The headers sent are the ones signed (one list, in the signer).
        let mut put = self.inner.http.put(url.clone());
        for (name, value) in
            oss_signature::request_headers(&authorization.access_key_id, &signature, &signed)
        {
            put = put.header(name, value);
        }
        let response = put
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
    use super::*;

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
