//! The CAMS client: one signed, paced, retried call for any Flow operation
//! ([`CamsClient::call`]) and the errors it reports. The typed operations
//! are in [`super::flow_api`], the upload side (`upload_flow_json`,
//! `set_flow_json`) in [`super::upload`].

use std::fmt;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::api_response::{parse_envelope, ApiError, Envelope, ServiceError};
use super::config::ClientConfig;
use super::credentials::{Credentials, CredentialsError, CredentialsProvider};
use super::endpoint::{parse_endpoint, redact_url, region_endpoint, EndpointError};
use super::error_codes::{is_flow_not_found, RetryClass};
use super::http::USER_AGENT;
use super::http::{
    build_client, read_body_capped, within_deadline, Deadline, ReadFailure, TransportFailure,
};
use super::limiters;
use super::operations::{Operation, CAMS_API_VERSION};
use super::redact::Redactor;
use super::retry::{self, GiveUp, InFlight, RetryFailure, RetryPolicy, Verdict};
use super::rpc_query::{self, Freshness, RpcAction, Sender, SignatureVersion, SignedRpc};
use super::signature;
use super::upload_authorization::AuthorizationCache;

/// The action name of `GetFlowJSONAssest`, misspelt as in the real API.
#[cfg(test)]
const GET_FLOW_JSON_ACTION: &str = "GetFlowJSONAssest";
/// Answers of the API are small JSON documents; anything bigger is refused.
const API_BODY_LIMIT: u64 = 1024 * 1024;
/// `x-acs-retry-after` values beyond this are treated as this (the time
/// budget then decides whether to wait at all).
const MAX_SERVER_DELAY: Duration = Duration::from_secs(600);
/// How long the answer of a request that must not be abandoned
/// (`CreateFlow`: only its answer names the flow it made) is still awaited
/// after a stop request (Ctrl-C), when its own deadline
/// (`request_timeout`) is later. Long enough for a slow answer, short
/// enough that an interrupted run still ends promptly.
pub const ANSWER_WAIT_AFTER_STOP: Duration = Duration::from_secs(30);
/// Why a client could not be created.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    #[error("invalid CAMS endpoint or region: {0}")]
    Endpoint(#[from] EndpointError),
    #[error("invalid CAMS client setting: {0}")]
    Config(String),
    #[error("could not create the HTTP client: {0}")]
    Http(String),
}

/// Why a CAMS operation failed. `action` is the API's action name.
#[derive(Debug, thiserror::Error)]
pub enum CamsError {
    #[error("a flow id must not be empty")]
    EmptyFlowId,
    #[error("{action} was not sent: {reason}")]
    InvalidArgument {
        action: &'static str,
        reason: String,
    },
    #[error("could not get Alibaba Cloud credentials from {source_name}: {error}")]
    Credentials {
        action: &'static str,
        source_name: String,
        #[source]
        error: CredentialsError,
        /// The attempt that needed the credentials.
        attempts: u32,
    },
    /// CAMS answered that the flow asked about does not exist (a code of
    /// the not-found family, see
    /// [`is_flow_not_found`](super::error_codes::is_flow_not_found)).
    #[error("{action}: CAMS has no flow {}: {error}", shown_flow_id(.flow_id))]
    NotFound {
        action: &'static str,
        flow_id: String,
        error: Box<ServiceError>,
        attempts: u32,
    },
    #[error("{action} failed after {attempts} attempt(s) ({gave_up}): {error}")]
    Api {
        action: &'static str,
        #[source]
        error: Box<ApiError>,
        attempts: u32,
        gave_up: GiveUp,
    },
    #[error("{action} could not get an answer from {endpoint} after {attempts} attempt(s) ({gave_up}): {detail}")]
    Transport {
        action: &'static str,
        endpoint: String,
        detail: String,
        /// Set when the last attempt was stopped by its overall deadline.
        deadline: Option<Duration>,
        attempts: u32,
        gave_up: GiveUp,
    },
    #[error("the {action} answer from {endpoint} is larger than {limit} bytes, which no genuine answer is")]
    ResponseTooLarge {
        action: &'static str,
        endpoint: String,
        limit: u64,
        attempts: u32,
    },
    #[error("ListFlow stopped: {detail}")]
    Paging { detail: String },
    /// CAMS answered that the template asked about does not exist (a code
    /// of the not-found family, see
    /// [`is_template_not_found`](super::error_codes::is_template_not_found)).
    /// `template` names it as asked: `name:language` or `code:language`.
    #[error("{action}: CAMS has no template {template}: {error}")]
    TemplateNotFound {
        action: &'static str,
        template: String,
        error: Box<ServiceError>,
        attempts: u32,
    },
    #[error("ListChatappTemplate stopped: {detail}")]
    TemplatePaging { detail: String },
    #[error("{action} was cancelled (attempts started: {attempts})")]
    Cancelled { action: &'static str, attempts: u32 },
}

impl CamsError {
    /// The Alibaba Cloud error `Code`, when the failure was an API answer.
    pub fn code(&self) -> Option<&str> {
        match self {
            CamsError::Api { error, .. } => error.code(),
            CamsError::NotFound { error, .. } => error.code.as_deref(),
            CamsError::TemplateNotFound { error, .. } => error.code.as_deref(),
            _ => None,
        }
    }

    /// The API answer behind the failure, if there was one (not-found
    /// answers included).
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            CamsError::Api { error, .. } => Some(error.as_ref()),
            _ => None,
        }
    }

    /// True when CAMS said the flow does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(self, CamsError::NotFound { .. })
    }

    /// True when CAMS said the template does not exist.
    pub fn is_template_not_found(&self) -> bool {
        matches!(self, CamsError::TemplateNotFound { .. })
    }

    /// Attempts made (for `Cancelled`: started) before the call ended; an
    /// attempt that failed to get credentials counts too.
    pub fn attempts(&self) -> u32 {
        match self {
            CamsError::Api { attempts, .. }
            | CamsError::NotFound { attempts, .. }
            | CamsError::TemplateNotFound { attempts, .. }
            | CamsError::Transport { attempts, .. }
            | CamsError::ResponseTooLarge { attempts, .. }
            | CamsError::Credentials { attempts, .. }
            | CamsError::Cancelled { attempts, .. } => *attempts,
            CamsError::EmptyFlowId
            | CamsError::InvalidArgument { .. }
            | CamsError::Paging { .. }
            | CamsError::TemplatePaging { .. } => 0,
        }
    }
}

/// A CAMS client. Cheap to clone; clones share the connection pool and
/// the upload authorization cache.
#[derive(Clone)]
pub struct CamsClient {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) http: reqwest::Client,
    endpoint: Url,
    credentials: Arc<dyn CredentialsProvider>,
    rate_override: Option<NonZeroU32>,
    shared_budget_dir: Option<PathBuf>,
    signature_version: SignatureVersion,
    pub(super) retry: RetryPolicy,
    pub(super) max_content_bytes: u64,
    pub(super) request_timeout: Duration,
    pub(super) upload_authorizations: AuthorizationCache,
}

impl fmt::Debug for CamsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CamsClient")
            .field("endpoint", &self.inner.endpoint.as_str())
            .field("credentials", &self.inner.credentials.source())
            .field("rate_override", &self.inner.rate_override)
            .field("shared_budget_dir", &self.inner.shared_budget_dir)
            .field("retry", &self.inner.retry)
            .field("max_content_bytes", &self.inner.max_content_bytes)
            .field("request_timeout", &self.inner.request_timeout)
            .field("upload_authorizations", &self.inner.upload_authorizations)
            .finish()
    }
}

/// One failed attempt of a call, before it becomes a [`CamsError`].
enum AttemptError {
    Api {
        error: ApiError,
        server_delay: Option<Duration>,
    },
    Transport(TransportFailure),
    TooLarge,
    Credentials(CredentialsError),
    /// Cancelled before the request was sent.
    Cancelled,
}

impl CamsClient {
    pub fn new(
        config: ClientConfig,
        credentials: Arc<dyn CredentialsProvider>,
    ) -> Result<Self, ClientError> {
        let http = build_client(config.timeouts())
            .map_err(|e| ClientError::Http(TransportFailure::from_reqwest(&e).detail))?;
        Self::with_http(config, credentials, http)
    }

    /// Like [`CamsClient::new`], on an existing connection pool (the one the
    /// credentials chain already uses for STS and ECS metadata).
    pub(crate) fn with_http(
        config: ClientConfig,
        credentials: Arc<dyn CredentialsProvider>,
        http: reqwest::Client,
    ) -> Result<Self, ClientError> {
        config.validate().map_err(ClientError::Config)?;
        let endpoint = match config.endpoint.as_deref() {
            Some(endpoint) => parse_endpoint(endpoint)?,
            None => region_endpoint(&config.region)?,
        };
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                endpoint,
                credentials,
                rate_override: config.rate_limit_per_second,
                shared_budget_dir: config.shared_budget_dir,
                signature_version: config.signature_version,
                retry: RetryPolicy {
                    max_attempts: config.max_attempts,
                    max_duration: config.max_retry_duration,
                    throttle_budget: config.throttle_retry_budget,
                    initial_delay: config.retry_initial_delay,
                    max_delay: config.retry_max_delay,
                },
                max_content_bytes: config.max_content_bytes,
                request_timeout: config.request_timeout,
                upload_authorizations: AuthorizationCache::default(),
            }),
        })
    }

    /// The shared HTTP client (connection pool), for other Alibaba Cloud
    /// calls such as the credentials chain's STS and ECS metadata requests.
    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// The CAMS endpoint requests go to.
    pub fn endpoint(&self) -> &Url {
        &self.inner.endpoint
    }

    /// The rate at which `operation` is paced, per AccessKeyId.
    pub fn rate_per_second(&self, operation: Operation) -> NonZeroU32 {
        self.inner
            .rate_override
            .unwrap_or_else(|| operation.documented_rate_per_second())
    }

    /// One CAMS operation: signed (afresh on every attempt), paced per
    /// AccessKeyId and operation, retried as the operation allows, within
    /// the overall deadline per attempt. Returns the successful envelope
    /// and the number of attempts it took. `flow_id` names the flow the
    /// call is about, so that a not-found answer becomes
    /// [`CamsError::NotFound`].
    pub(super) async fn call(
        &self,
        op: Operation,
        business: &[(&'static str, &str)],
        flow_id: Option<&str>,
        cancel: &CancellationToken,
    ) -> Result<(Envelope, u32), CamsError> {
        let mut nonce_retry_used = false;
        // A request that may change something only its answer names is
        // not abandoned on a stop request (see `answer_despite_stop`).
        let in_flight = if op.is_idempotent() {
            InFlight::Abandon
        } else {
            InFlight::Finish
        };
        let outcome = retry::run_with(
            &self.inner.retry,
            cancel,
            op.action(),
            in_flight,
            |attempt| async move {
                self.attempt(op, business, attempt, cancel)
                    .await
                    .map(|envelope| (envelope, attempt))
            },
            |error| classify(op, error, &mut nonce_retry_used),
        )
        .await;
        match outcome {
            Ok(answer) => Ok(answer),
            Err(RetryFailure::Cancelled { attempts }) => Err(CamsError::Cancelled {
                action: op.action(),
                attempts,
            }),
            Err(RetryFailure::Failed {
                error,
                attempts,
                gave_up,
            }) => Err(self.final_error(op, flow_id, error, attempts, gave_up)),
        }
    }

    /// One signed, paced request. Its answer is reported to the limiter:
    /// throttling slows this key's sends of `op` down, success lets them
    /// recover.
    async fn attempt(
        &self,
        op: Operation,
        business: &[(&'static str, &str)],
        attempt: u32,
        cancel: &CancellationToken,
    ) -> Result<Envelope, AttemptError> {
        let action = op.action();
        let credentials = tokio::select! {
            biased;
            () = cancel.cancelled() => return Err(AttemptError::Cancelled),
            got = self.inner.credentials.credentials() => got.map_err(AttemptError::Credentials)?,
        };
        let limiter = limiters::limiter_for(
            &credentials.access_key_id,
            op,
            self.rate_per_second(op),
            self.inner.shared_budget_dir.as_deref(),
        );
        let Some(sent_at) = limiter.until_ready(cancel).await else {
            return Err(AttemptError::Cancelled);
        };
        // Timestamp and nonce are taken after the wait, so they are fresh.
        let (url, signed) = signed_url(
            self.inner.signature_version,
            &self.inner.endpoint,
            action,
            business,
            &credentials,
            Freshness {
                timestamp: &signature::format_timestamp(time::OffsetDateTime::now_utc()),
                nonce: &signature::fresh_nonce(),
            },
        );
        let started = Instant::now();
        let exchange = async {
            let mut request = self.inner.http.post(url.clone());
            for (name, value) in &signed.headers {
                request = request.header(*name, value);
            }
            let response = request
                .body(Vec::new())
                .send()
                .await
                .map_err(|e| self.transport_failure(action, attempt, started, &e))?;
            let status = response.status().as_u16();
            let server_delay = retry_after(response.headers());
            let body = read_body_capped(response, API_BODY_LIMIT)
                .await
                .map_err(|failure| match failure {
                    ReadFailure::TooLarge { .. } | ReadFailure::OutOfMemory { .. } => {
                        AttemptError::TooLarge
                    }
                    ReadFailure::Transport(t) => AttemptError::Transport(t),
                })?;
            Ok((status, server_delay, body))
        };
        let answer = within_deadline(self.inner.request_timeout, exchange);
        let answered = if op.is_idempotent() {
            answer.await
        } else {
            answer_despite_stop(action, answer, cancel).await
        };
        let (status, server_delay, body) = match answered {
            Ok(answer) => answer,
            Err(Deadline::Failed(error)) => return Err(error),
            Err(Deadline::Exceeded(failure)) => return Err(AttemptError::Transport(failure)),
        };
        // Whatever the server quotes back (a string to sign holds the
        // security token; a message may quote a presigned FilePath) loses
        // the secrets this request carried.
        let redactor = request_redactor(&credentials, &signed.signature, business);
        let parsed = parse_envelope(status, &body)
            .map(|mut envelope| {
                envelope.request_id = redactor.scrub_opt(envelope.request_id);
                envelope
            })
            .map_err(|error| error.redacted(&redactor).for_action(action));
        let (code, request_id) = match &parsed {
            Ok(envelope) => (Some("OK"), envelope.request_id.as_deref()),
            Err(e) => (e.code(), e.request_id()),
        };
        tracing::debug!(
            action,
            attempt,
            status,
            code,
            request_id,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "CAMS answered"
        );
        match &parsed {
            Ok(_) => limiter.on_success(),
            Err(error) if is_throttling(error, server_delay) => limiter.on_throttled(sent_at),
            Err(_) => {}
        }
        parsed.map_err(|error| AttemptError::Api {
            error,
            server_delay,
        })
    }

    fn transport_failure(
        &self,
        action: &str,
        attempt: u32,
        started: Instant,
        error: &reqwest::Error,
    ) -> AttemptError {
        let failure = TransportFailure::from_reqwest(error);
        tracing::debug!(
            action,
            attempt,
            endpoint = %redact_url(&self.inner.endpoint),
            error = %failure.detail,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "CAMS request failed"
        );
        AttemptError::Transport(failure)
    }

    fn final_error(
        &self,
        op: Operation,
        flow_id: Option<&str>,
        error: AttemptError,
        attempts: u32,
        gave_up: GiveUp,
    ) -> CamsError {
        let endpoint = redact_url(&self.inner.endpoint);
        let action = op.action();
        match error {
            AttemptError::Api {
                error: ApiError::Service(service),
                ..
            } if flow_id.is_some() && service.code.as_deref().is_some_and(is_flow_not_found) => {
                CamsError::NotFound {
                    action,
                    flow_id: flow_id.unwrap_or_default().to_owned(),
                    error: Box::new(service),
                    attempts,
                }
            }
            AttemptError::Api { error, .. } => CamsError::Api {
                action,
                error: Box::new(error),
                attempts,
                gave_up,
            },
            AttemptError::Transport(t) => CamsError::Transport {
                action,
                endpoint,
                detail: t.detail,
                deadline: t.deadline,
                attempts,
                gave_up,
            },
            AttemptError::TooLarge => CamsError::ResponseTooLarge {
                action,
                endpoint,
                limit: API_BODY_LIMIT,
                attempts,
            },
            AttemptError::Credentials(error) => CamsError::Credentials {
                action,
                source_name: self.inner.credentials.source(),
                error,
                attempts,
            },
            AttemptError::Cancelled => CamsError::Cancelled { action, attempts },
        }
    }
}

pub(super) fn invalid(op: Operation, reason: &str) -> CamsError {
    CamsError::InvalidArgument {
        action: op.action(),
        reason: reason.to_owned(),
    }
}

/// A successful answer that lacks what the operation returns: not worth
/// asking again.
pub(super) fn answer_error(op: Operation, error: ApiError, attempts: u32) -> CamsError {
    CamsError::Api {
        action: op.action(),
        error: Box::new(error),
        attempts,
        gave_up: GiveUp::NotRetryable,
    }
}

/// Awaits the answer of a request that was sent and must not be abandoned,
/// also after a stop request: then for [`ANSWER_WAIT_AFTER_STOP`] more at
/// most (its own deadline still applies). Past that, the attempt fails as
/// a transport failure of a sent request, so the caller knows its outcome
/// is unknown.
async fn answer_despite_stop<T>(
    action: &str,
    answer: impl std::future::Future<Output = Result<T, Deadline<AttemptError>>>,
    cancel: &CancellationToken,
) -> Result<T, Deadline<AttemptError>> {
    tokio::pin!(answer);
    tokio::select! {
        biased;
        answered = &mut answer => return answered,
        () = cancel.cancelled() => {}
    }
    tracing::info!(
        action,
        wait_s = ANSWER_WAIT_AFTER_STOP.as_secs(),
        "stop requested while the request is in flight; awaiting its answer"
    );
    match tokio::time::timeout(ANSWER_WAIT_AFTER_STOP, answer).await {
        Ok(answered) => answered,
        Err(_) => Err(Deadline::Failed(AttemptError::Transport(
            TransportFailure {
                detail: format!(
                    "no answer within {} s of the stop request",
                    ANSWER_WAIT_AFTER_STOP.as_secs()
                ),
                retryable: false,
                deadline: None,
                not_sent: false,
            },
        ))),
    }
}

/// Throttling answers are retried within the throttling time budget;
/// transient answers within the attempt limit; a reused nonce once (the
/// next attempt has a fresh one); transport failures unless the request
/// could not even be built. An `x-acs-retry-after` header marks any answer
/// as throttling, as the official SDK treats it.
///
/// A non-idempotent operation (`CreateFlow`) is retried only on what
/// proves CAMS did not act: a throttling answer or a connection that was
/// never made. A 5xx, a reset or a timeout may come after CAMS created the
/// flow; so may `SignatureNonceUsed`, since every attempt has a fresh
/// nonce and a reused one means the request was delivered twice (e.g.
/// replayed by a proxy), the first delivery possibly creating the flow.
fn classify(op: Operation, error: &AttemptError, nonce_retry_used: &mut bool) -> Verdict {
    let idempotent = op.is_idempotent();
    match error {
        AttemptError::Api {
            error,
            server_delay,
        } => {
            let class = if is_throttling(error, *server_delay) {
                RetryClass::Throttled
            } else {
                error.retry_class()
            };
            match class {
                RetryClass::Throttled => Verdict::Throttled {
                    server_delay: *server_delay,
                },
                RetryClass::Transient if idempotent => Verdict::Retry { server_delay: None },
                RetryClass::NonceReused if idempotent && !*nonce_retry_used => {
                    *nonce_retry_used = true;
                    Verdict::Retry { server_delay: None }
                }
                RetryClass::Transient | RetryClass::NonceReused | RetryClass::Fatal => {
                    Verdict::Stop
                }
            }
        }
        AttemptError::Transport(t) if t.retryable && (idempotent || t.not_sent) => {
            Verdict::Retry { server_delay: None }
        }
        AttemptError::Transport(_)
        | AttemptError::TooLarge
        | AttemptError::Credentials(_)
        | AttemptError::Cancelled => Verdict::Stop,
    }
}

/// A throttling answer: a throttling code or HTTP 429, or any answer with
/// `x-acs-retry-after` (as the official SDK treats it).
fn is_throttling(error: &ApiError, server_delay: Option<Duration>) -> bool {
    server_delay.is_some() || error.retry_class() == RetryClass::Throttled
}

/// The secrets a signed request carries: the secret key, the security
/// token, the signature, and the query values of any URL sent as a
/// parameter (a presigned `FilePath`).
fn request_redactor(
    credentials: &Credentials,
    signature: &str,
    business: &[(&str, &str)],
) -> Redactor {
    let mut redactor = Redactor::new().secret(credentials.access_key_secret.expose());
    if let Some(token) = &credentials.security_token {
        redactor.add(token.expose());
    }
    if !signature.is_empty() {
        redactor.add(signature);
    }
    for (_, value) in business {
        if let Ok(sent) = Url::parse(value) {
            if sent.query().is_some() {
                redactor = redactor.url_query(&sent);
            }
        }
    }
    redactor
}

/// The `x-acs-retry-after` header: a positive number of milliseconds.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let millis: u64 = headers
        .get("x-acs-retry-after")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    (millis > 0).then(|| Duration::from_millis(millis).min(MAX_SERVER_DELAY))
}

/// The full request URL (the endpoint with the signed query, see
/// [`rpc_query::sign_rpc`]) and the signed request's headers.
fn signed_url(
    version: SignatureVersion,
    endpoint: &Url,
    action: &str,
    business: &[(&str, &str)],
    credentials: &Credentials,
    fresh: Freshness<'_>,
) -> (Url, SignedRpc) {
    let host = rpc_query::host_header(endpoint);
    let signed = rpc_query::sign_rpc(
        version,
        RpcAction {
            method: "POST",
            action,
            version: CAMS_API_VERSION,
            format: "json",
        },
        Sender {
            host: &host,
            user_agent: USER_AGENT,
        },
        business,
        credentials,
        fresh,
    );
    let mut url = endpoint.clone();
    // Only unreserved characters, `%XX`, `&` and `=` here: `set_query`
    // keeps them as they are.
    url.set_query(
        Some(&signed.query)
            .filter(|q| !q.is_empty())
            .map(|q| q.as_str()),
    );
    (url, signed)
}

#[cfg(test)]
mod tests {
    use super::super::api_response::parse_get_flow_json_response;
    use super::super::credentials::Secret;
    use super::*;

    fn creds(token: Option<&str>) -> Credentials {
        Credentials {
            access_key_id: "testid".into(),
            access_key_secret: Secret::new("testsecret"),
            security_token: token.map(Secret::new),
        }
    }

    #[test]
    fn signed_url_matches_the_official_vector() {
        // Vector V1-1 of the reference: same params, secret and signature.
        let endpoint = region_endpoint("ap-southeast-1").unwrap();
        let (url, _) = signed_url(
            SignatureVersion::V1,
            &endpoint,
            GET_FLOW_JSON_ACTION,
            &[("CustSpaceId", "cams-abc123"), ("FlowId", "flow_123")],
            &creds(None),
            Freshness {
                timestamp: "2024-05-01T08:00:00Z",
                nonce: "0123456789abcdef0123456789abcdef",
            },
        );
        assert_eq!(
            url.as_str(),
            "https://cams.ap-southeast-1.aliyuncs.com/?AccessKeyId=testid&Action=GetFlowJSONAssest&CustSpaceId=cams-abc123&FlowId=flow_123&Format=json&SignatureMethod=HMAC-SHA1&SignatureNonce=0123456789abcdef0123456789abcdef&SignatureVersion=1.0&Timestamp=2024-05-01T08%3A00%3A00Z&Version=2020-06-06&Signature=chH0JbE0qCyNaRBzAnuQEkru3yc%3D"
        );
    }

    #[test]
    fn signed_url_encodes_strictly_and_signs_the_security_token() {
        let endpoint = parse_endpoint("http://127.0.0.1:1").unwrap();
        let (url, _) = signed_url(
            SignatureVersion::V1,
            &endpoint,
            GET_FLOW_JSON_ACTION,
            &[("FlowId", "a b*c~d+e/f=g&h%i")],
            &creds(Some("CAIS+token/with=chars")),
            Freshness {
                timestamp: "2024-05-01T08:00:00Z",
                nonce: "n",
            },
        );
        let query = url.query().unwrap();
        assert!(
            query.contains("FlowId=a%20b%2Ac~d%2Be%2Ff%3Dg%26h%25i"),
            "{query}"
        );
        assert!(
            query.contains("SecurityToken=CAIS%2Btoken%2Fwith%3Dchars"),
            "{query}"
        );
        let (signed, sig) = query.rsplit_once("&Signature=").unwrap();
        let params: Vec<(String, String)> = signed
            .split('&')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                let decode = |s: &str| {
                    percent_encoding::percent_decode_str(s)
                        .decode_utf8()
                        .unwrap()
                        .into_owned()
                };
                (decode(k), decode(v))
            })
            .collect();
        let sig = percent_encoding::percent_decode_str(sig)
            .decode_utf8()
            .unwrap();
        assert!(signature::verify(
            "POST",
            params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            "testsecret",
            &sig
        ));
    }

    #[test]
    fn retry_after_is_positive_milliseconds() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert("x-acs-retry-after", "1500".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_millis(1500)));
        h.insert("x-acs-retry-after", "0".parse().unwrap());
        assert_eq!(retry_after(&h), None);
        h.insert("x-acs-retry-after", "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
        h.insert("x-acs-retry-after", "99999999999".parse().unwrap());
        assert_eq!(retry_after(&h), Some(MAX_SERVER_DELAY));
    }

    fn api(status: u16, code: &str) -> AttemptError {
        let body = format!(r#"{{"Code":"{code}","Message":"m","RequestId":"r"}}"#);
        AttemptError::Api {
            error: parse_get_flow_json_response(status, body.as_bytes()).unwrap_err(),
            server_delay: None,
        }
    }

    #[test]
    fn classification_follows_the_retry_table() {
        let mut used = false;
        assert_eq!(
            classify(
                Operation::GetFlow,
                &api(400, "System.LimitControl"),
                &mut used
            ),
            Verdict::Throttled { server_delay: None }
        );
        assert_eq!(
            classify(
                Operation::GetFlow,
                &api(503, "ServiceUnavailable"),
                &mut used
            ),
            Verdict::Retry { server_delay: None }
        );
        assert_eq!(
            classify(
                Operation::GetFlow,
                &api(400, "Product.Unsubscript"),
                &mut used
            ),
            Verdict::Stop
        );
        assert_eq!(
            classify(
                Operation::GetFlow,
                &api(400, "SignatureNonceUsed"),
                &mut used
            ),
            Verdict::Retry { server_delay: None }
        );
        assert_eq!(
            classify(
                Operation::GetFlow,
                &api(400, "SignatureNonceUsed"),
                &mut used
            ),
            Verdict::Stop,
            "only once"
        );
        let throttled = AttemptError::Api {
            error: parse_get_flow_json_response(400, br#"{"Code":"Odd"}"#).unwrap_err(),
            server_delay: Some(Duration::from_millis(7)),
        };
        assert_eq!(
            classify(Operation::GetFlow, &throttled, &mut used),
            Verdict::Throttled {
                server_delay: Some(Duration::from_millis(7))
            }
        );
        assert_eq!(
            classify(Operation::GetFlow, &AttemptError::TooLarge, &mut used),
            Verdict::Stop
        );
    }

    fn transport(not_sent: bool) -> AttemptError {
        AttemptError::Transport(TransportFailure {
            detail: "x".into(),
            retryable: true,
            deadline: None,
            not_sent,
        })
    }

    #[test]
    fn create_flow_is_retried_only_when_cams_cannot_have_acted() {
        let create = Operation::CreateFlow;
        let mut used = false;
        let retry = Verdict::Retry { server_delay: None };
        let throttled = Verdict::Throttled { server_delay: None };
        assert_eq!(
            classify(create, &api(400, "System.LimitControl"), &mut used),
            throttled
        );
        assert_eq!(
            classify(create, &api(429, "Throttling.User"), &mut used),
            throttled
        );
        assert_eq!(classify(create, &transport(true), &mut used), retry);
        assert_eq!(
            classify(create, &transport(false), &mut used),
            Verdict::Stop
        );
        assert_eq!(
            classify(create, &api(503, "ServiceUnavailable"), &mut used),
            Verdict::Stop
        );
        assert_eq!(
            classify(create, &api(500, "InternalError"), &mut used),
            Verdict::Stop
        );
        // Every other operation retries the same failures.
        for op in Operation::ALL.into_iter().filter(|o| o.is_idempotent()) {
            assert_eq!(classify(op, &transport(false), &mut used), retry, "{op}");
            assert_eq!(
                classify(op, &api(503, "ServiceUnavailable"), &mut used),
                retry,
                "{op}"
            );
        }
    }

    #[test]
    fn a_presigned_file_path_sent_as_a_parameter_is_redacted_from_answers() {
        let file_path = "https://b.example.com/k.json?OSSAccessKeyId=STS.id&Expires=1&Signature=SIGNATUREVALUE%2B123456&security-token=TOKENTOKENTOKENTOKEN";
        let redactor = request_redactor(
            &creds(None),
            "abc",
            &[("FilePath", file_path), ("FlowId", "f")],
        );
        let out =
            redactor.scrub("could not fetch SIGNATUREVALUE+123456 with TOKENTOKENTOKENTOKEN for f");
        assert!(
            !out.contains("SIGNATUREVALUE") && !out.contains("TOKENTOKEN"),
            "{out}"
        );
        assert!(out.ends_with("for f"), "{out}");
    }

    #[test]
    fn config_validation() {
        assert!(ClientConfig::default().validate().is_ok());
        let bad = ClientConfig {
            max_attempts: 0,
            ..ClientConfig::default()
        };
        let provider: Arc<dyn CredentialsProvider> =
            Arc::new(super::super::credentials::StaticCredentials {
                credentials: creds(None),
                source: "test".into(),
            });
        assert!(matches!(
            CamsClient::new(bad, provider.clone()),
            Err(ClientError::Config(_))
        ));
        let bad = ClientConfig {
            endpoint: Some("http://cams.example.com".into()),
            ..ClientConfig::default()
        };
        assert!(matches!(
            CamsClient::new(bad, provider.clone()),
            Err(ClientError::Endpoint(_))
        ));
        let client = CamsClient::new(ClientConfig::default(), provider).unwrap();
        assert_eq!(
            client.endpoint().as_str(),
            "https://cams.ap-southeast-1.aliyuncs.com/"
        );
        assert!(!format!("{client:?}").contains("testsecret"));
        assert_eq!(client.rate_per_second(Operation::GetFlow).get(), 5);
        let raised = ClientConfig {
            rate_limit_per_second: NonZeroU32::new(100),
            ..ClientConfig::default()
        };
        let provider: Arc<dyn CredentialsProvider> =
            Arc::new(super::super::credentials::StaticCredentials {
                credentials: creds(None),
                source: "test".into(),
            });
        let client = CamsClient::new(raised, provider).unwrap();
        assert_eq!(client.rate_per_second(Operation::DeleteFlow).get(), 100);
    }
}

/// How many characters of a flow id an error repeats: ids are about 16
/// digits, and a mistaken 10,000-character value is not worth printing.
const SHOWN_FLOW_ID_CHARS: usize = 64;

fn shown_flow_id(flow_id: &str) -> String {
    let count = flow_id.chars().count();
    if count <= SHOWN_FLOW_ID_CHARS {
        return format!("{flow_id:?}");
    }
    let head: String = flow_id.chars().take(SHOWN_FLOW_ID_CHARS).collect();
    format!("{head:?}… ({count} characters)")
}

#[cfg(test)]
mod shown_flow_id_tests {
    use super::*;

    #[test]
    fn long_flow_ids_are_cut() {
        assert_eq!(shown_flow_id("92675"), "\"92675\"");
        let long = "9".repeat(10_000);
        let shown = shown_flow_id(&long);
        assert!(
            shown.len() < 100 && shown.ends_with("(10000 characters)"),
            "{shown}"
        );
    }
}
