//! The CAMS client: `GetFlowJSONAssest` (signed, paced, retried) and the
//! download of the file it points to.

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, ACCEPT};
use tokio_util::sync::CancellationToken;
use url::Url;

use super::api_response::{parse_get_flow_json_response, ApiError, FlowJsonAsset};
use super::config::ClientConfig;
use super::credentials::{Credentials, CredentialsError, CredentialsProvider};
use super::download::{self, DownloadError, DownloadSettings, Downloaded};
use super::endpoint::{parse_endpoint, redact_url, region_endpoint, EndpointError};
use super::error_codes::RetryClass;
use super::http::{
    build_client, read_body_capped, within_deadline, Deadline, ReadFailure, TransportFailure,
};
use super::pacing;
use super::redact::Redactor;
use super::retry::{self, GiveUp, RetryFailure, RetryPolicy, Verdict};
use super::signature;

/// The API version of CAMS.
pub const CAMS_API_VERSION: &str = "2020-06-06";
/// The action name, misspelt as in the real API.
pub const GET_FLOW_JSON_ACTION: &str = "GetFlowJSONAssest";
/// Answers of the API are small JSON documents; anything bigger is refused.
const API_BODY_LIMIT: u64 = 1024 * 1024;
/// `x-acs-retry-after` values beyond this are treated as this (the time
/// budget then decides whether to wait at all).
const MAX_SERVER_DELAY: Duration = Duration::from_secs(600);

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

/// Why `GetFlowJSONAssest` failed.
#[derive(Debug, thiserror::Error)]
pub enum CamsError {
    #[error("GetFlowJSONAssest needs a non-empty flow id")]
    EmptyFlowId,
    #[error("could not get Alibaba Cloud credentials from {source_name}: {error}")]
    Credentials {
        source_name: String,
        #[source]
        error: CredentialsError,
        /// The attempt that needed the credentials.
        attempts: u32,
    },
    #[error("GetFlowJSONAssest failed after {attempts} attempt(s) ({gave_up}): {error}")]
    Api {
        #[source]
        error: ApiError,
        attempts: u32,
        gave_up: GiveUp,
    },
    #[error("GetFlowJSONAssest could not get an answer from {endpoint} after {attempts} attempt(s) ({gave_up}): {detail}")]
    Transport {
        endpoint: String,
        detail: String,
        /// Set when the last attempt was stopped by its overall deadline.
        deadline: Option<Duration>,
        attempts: u32,
        gave_up: GiveUp,
    },
    #[error("the GetFlowJSONAssest answer from {endpoint} is larger than {limit} bytes, which no genuine answer is")]
    ResponseTooLarge {
        endpoint: String,
        limit: u64,
        attempts: u32,
    },
    #[error("GetFlowJSONAssest was cancelled (attempts started: {attempts})")]
    Cancelled { attempts: u32 },
}

impl CamsError {
    /// The Alibaba Cloud error `Code`, when the failure was an API answer.
    pub fn code(&self) -> Option<&str> {
        match self {
            CamsError::Api { error, .. } => error.code(),
            _ => None,
        }
    }

    /// The API answer behind the failure, if there was one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            CamsError::Api { error, .. } => Some(error),
            _ => None,
        }
    }

    /// Attempts made (for `Cancelled`: started) before the call ended; an
    /// attempt that failed to get credentials counts too.
    pub fn attempts(&self) -> u32 {
        match self {
            CamsError::Api { attempts, .. }
            | CamsError::Transport { attempts, .. }
            | CamsError::ResponseTooLarge { attempts, .. }
            | CamsError::Credentials { attempts, .. }
            | CamsError::Cancelled { attempts } => *attempts,
            CamsError::EmptyFlowId => 0,
        }
    }
}

/// The Flow JSON asset and the downloaded file, from
/// [`CamsClient::fetch_flow_json`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowJsonFile {
    pub asset: FlowJsonAsset,
    pub file: Downloaded,
}

/// Why [`CamsClient::fetch_flow_json`] failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error(transparent)]
    Asset(#[from] CamsError),
    #[error(transparent)]
    Download(#[from] DownloadError),
}

/// A CAMS client. Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct CamsClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    endpoint: Url,
    credentials: Arc<dyn CredentialsProvider>,
    rate: NonZeroU32,
    retry: RetryPolicy,
    max_content_bytes: u64,
    request_timeout: Duration,
}

impl fmt::Debug for CamsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CamsClient")
            .field("endpoint", &self.inner.endpoint.as_str())
            .field("credentials", &self.inner.credentials.source())
            .field("rate_limit_per_second", &self.inner.rate)
            .field("retry", &self.inner.retry)
            .field("max_content_bytes", &self.inner.max_content_bytes)
            .field("request_timeout", &self.inner.request_timeout)
            .finish()
    }
}

/// One failed attempt of `GetFlowJSONAssest`, before it becomes a [`CamsError`].
enum AttemptError {
    Api {
        error: ApiError,
        server_delay: Option<Duration>,
    },
    Transport(TransportFailure),
    TooLarge,
    Credentials(CredentialsError),
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
    pub fn with_http(
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
                rate: config.rate_limit_per_second,
                retry: RetryPolicy {
                    max_attempts: config.max_attempts,
                    max_duration: config.max_retry_duration,
                    throttle_budget: retry::DEFAULT_THROTTLE_BUDGET,
                    initial_delay: config.retry_initial_delay,
                    max_delay: config.retry_max_delay,
                },
                max_content_bytes: config.max_content_bytes,
                request_timeout: config.request_timeout,
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

    /// Calls `GetFlowJSONAssest` for `flow_id` (and `cust_space_id`, when
    /// given and non-empty): paced per AccessKeyId, re-signed on every
    /// attempt, retried on throttling and transient failures.
    pub async fn get_flow_json_asset(
        &self,
        flow_id: &str,
        cust_space_id: Option<&str>,
        cancel: &CancellationToken,
    ) -> Result<FlowJsonAsset, CamsError> {
        if flow_id.trim().is_empty() {
            return Err(CamsError::EmptyFlowId);
        }
        let cust_space_id = cust_space_id.filter(|c| !c.is_empty());
        let mut business = vec![("FlowId", flow_id)];
        if let Some(cust_space_id) = cust_space_id {
            business.push(("CustSpaceId", cust_space_id));
        }
        let mut nonce_retry_used = false;
        let outcome = retry::run(
            &self.inner.retry,
            cancel,
            GET_FLOW_JSON_ACTION,
            |attempt| self.attempt(GET_FLOW_JSON_ACTION, &business, attempt),
            |error| classify(error, &mut nonce_retry_used),
        )
        .await;
        match outcome {
            Ok(mut asset) => {
                if asset.flow_id.is_empty() {
                    asset.flow_id = flow_id.to_owned();
                }
                Ok(asset)
            }
            Err(RetryFailure::Cancelled { attempts }) => Err(CamsError::Cancelled { attempts }),
            Err(RetryFailure::Failed {
                error,
                attempts,
                gave_up,
            }) => Err(self.final_error(error, attempts, gave_up)),
        }
    }

    /// Downloads `file_path` (the `FilePath` of an asset) as it is, with its
    /// SHA-256. Not paced: the file host is not CAMS.
    pub async fn download(
        &self,
        file_path: &str,
        cancel: &CancellationToken,
    ) -> Result<Downloaded, DownloadError> {
        let settings = DownloadSettings {
            retry: self.inner.retry,
            max_bytes: self.inner.max_content_bytes,
            request_timeout: self.inner.request_timeout,
        };
        download::download(&self.inner.http, settings, file_path, cancel).await
    }

    /// `GetFlowJSONAssest` then the download. If the presigned URL turns out
    /// to have expired (OSS 403 "Request has expired"), asks CAMS once more
    /// for a fresh URL and downloads again.
    pub async fn fetch_flow_json(
        &self,
        flow_id: &str,
        cust_space_id: Option<&str>,
        cancel: &CancellationToken,
    ) -> Result<FlowJsonFile, FetchError> {
        let asset = self
            .get_flow_json_asset(flow_id, cust_space_id, cancel)
            .await?;
        match self.download(&asset.file_path, cancel).await {
            Ok(file) => Ok(FlowJsonFile { asset, file }),
            Err(e) if e.is_expired_url() => {
                tracing::debug!(
                    flow_id,
                    "presigned URL expired; asking CAMS for a fresh one"
                );
                let asset = self
                    .get_flow_json_asset(flow_id, cust_space_id, cancel)
                    .await?;
                let file = self.download(&asset.file_path, cancel).await?;
                Ok(FlowJsonFile { asset, file })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// One signed, paced request.
    async fn attempt(
        &self,
        action: &'static str,
        business: &[(&str, &str)],
        attempt: u32,
    ) -> Result<FlowJsonAsset, AttemptError> {
        let credentials = self
            .inner
            .credentials
            .credentials()
            .await
            .map_err(AttemptError::Credentials)?;
        pacing::pacer_for(&credentials.access_key_id, self.inner.rate)
            .until_ready()
            .await;
        // Timestamp and nonce are taken after the wait, so they are fresh.
        let url = signed_url(
            &self.inner.endpoint,
            action,
            business,
            &credentials,
            &signature::format_timestamp(time::OffsetDateTime::now_utc()),
            &signature::fresh_nonce(),
        );
        let started = Instant::now();
        let exchange = async {
            let response = self
                .inner
                .http
                .post(url.clone())
                .header(ACCEPT, "application/json")
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
        let (status, server_delay, body) =
            match within_deadline(self.inner.request_timeout, exchange).await {
                Ok(answer) => answer,
                Err(Deadline::Failed(error)) => return Err(error),
                Err(Deadline::Exceeded(failure)) => return Err(AttemptError::Transport(failure)),
            };
        // Whatever the server quotes back (a string to sign holds the
        // security token) loses the secrets this request carried.
        let redactor = request_redactor(&credentials, &url);
        let parsed =
            parse_get_flow_json_response(status, &body).map_err(|error| error.redacted(&redactor));
        let (code, request_id) = match &parsed {
            Ok(asset) => (Some("OK"), asset.request_id.as_deref()),
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

    fn final_error(&self, error: AttemptError, attempts: u32, gave_up: GiveUp) -> CamsError {
        let endpoint = redact_url(&self.inner.endpoint);
        match error {
            AttemptError::Api { error, .. } => CamsError::Api {
                error,
                attempts,
                gave_up,
            },
            AttemptError::Transport(t) => CamsError::Transport {
                endpoint,
                detail: t.detail,
                deadline: t.deadline,
                attempts,
                gave_up,
            },
            AttemptError::TooLarge => CamsError::ResponseTooLarge {
                endpoint,
                limit: API_BODY_LIMIT,
                attempts,
            },
            AttemptError::Credentials(error) => CamsError::Credentials {
                source_name: self.inner.credentials.source(),
                error,
                attempts,
            },
        }
    }
}

/// Throttling and transient answers are retried; a reused nonce once (the
/// next attempt has a fresh one); transport failures unless the request
/// could not even be built. An `x-acs-retry-after` header marks any answer
/// as throttling, as the official SDK treats it.
fn classify(error: &AttemptError, nonce_retry_used: &mut bool) -> Verdict {
    match error {
        AttemptError::Api {
            error,
            server_delay,
        } => {
            let class = if server_delay.is_some() {
                RetryClass::Throttled
            } else {
                error.retry_class()
            };
            match class {
                RetryClass::Throttled | RetryClass::Transient => Verdict::Retry {
                    server_delay: *server_delay,
                },
                RetryClass::NonceReused if !*nonce_retry_used => {
                    *nonce_retry_used = true;
                    Verdict::Retry { server_delay: None }
                }
                RetryClass::NonceReused | RetryClass::Fatal => Verdict::Stop,
            }
        }
        AttemptError::Transport(t) if t.retryable => Verdict::Retry { server_delay: None },
        AttemptError::Transport(_) | AttemptError::TooLarge | AttemptError::Credentials(_) => {
            Verdict::Stop
        }
    }
}

/// The secrets a signed request carries: the secret key, the security
/// token and the signature.
fn request_redactor(credentials: &Credentials, url: &Url) -> Redactor {
    let mut redactor = Redactor::new().secret(credentials.access_key_secret.expose());
    if let Some(token) = &credentials.security_token {
        redactor.add(token.expose());
    }
    for (name, value) in url.query_pairs() {
        if name == "Signature" {
            redactor.add(&value);
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

/// The full request URL: the endpoint with every parameter, common and
/// business, in the query, strictly percent-encoded (RFC 3986, as in the
/// canonical string), and the `Signature` last.
fn signed_url(
    endpoint: &Url,
    action: &str,
    business: &[(&str, &str)],
    credentials: &Credentials,
    timestamp: &str,
    nonce: &str,
) -> Url {
    let mut params: Vec<(&str, &str)> = vec![
        ("Action", action),
        ("Version", CAMS_API_VERSION),
        ("Format", "json"),
        ("Timestamp", timestamp),
        ("SignatureNonce", nonce),
        ("SignatureMethod", signature::SIGNATURE_METHOD),
        ("SignatureVersion", signature::SIGNATURE_VERSION),
        ("AccessKeyId", &credentials.access_key_id),
    ];
    if let Some(token) = &credentials.security_token {
        params.push(("SecurityToken", token.expose()));
    }
    params.extend_from_slice(business);
    let signature = signature::signature(
        "POST",
        params.iter().copied(),
        credentials.access_key_secret.expose(),
    );
    let query = format!(
        "{}&Signature={}",
        signature::canonicalized_query(params.iter().copied()),
        signature::percent_encode(&signature)
    );
    let mut url = endpoint.clone();
    // Only unreserved characters, `%XX`, `&` and `=` here: `set_query`
    // keeps them as they are.
    url.set_query(Some(&query));
    url
}

#[cfg(test)]
mod tests {
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
        let url = signed_url(
            &endpoint,
            GET_FLOW_JSON_ACTION,
            &[("CustSpaceId", "cams-abc123"), ("FlowId", "flow_123")],
            &creds(None),
            "2024-05-01T08:00:00Z",
            "0123456789abcdef0123456789abcdef",
        );
        assert_eq!(
            url.as_str(),
            "https://cams.ap-southeast-1.aliyuncs.com/?AccessKeyId=testid&Action=GetFlowJSONAssest&CustSpaceId=cams-abc123&FlowId=flow_123&Format=json&SignatureMethod=HMAC-SHA1&SignatureNonce=0123456789abcdef0123456789abcdef&SignatureVersion=1.0&Timestamp=2024-05-01T08%3A00%3A00Z&Version=2020-06-06&Signature=chH0JbE0qCyNaRBzAnuQEkru3yc%3D"
        );
    }

    #[test]
    fn signed_url_encodes_strictly_and_signs_the_security_token() {
        let endpoint = parse_endpoint("http://127.0.0.1:1").unwrap();
        let url = signed_url(
            &endpoint,
            GET_FLOW_JSON_ACTION,
            &[("FlowId", "a b*c~d+e/f=g&h%i")],
            &creds(Some("CAIS+token/with=chars")),
            "2024-05-01T08:00:00Z",
            "n",
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
            classify(&api(400, "System.LimitControl"), &mut used),
            Verdict::Retry { server_delay: None }
        );
        assert_eq!(
            classify(&api(503, "ServiceUnavailable"), &mut used),
            Verdict::Retry { server_delay: None }
        );
        assert_eq!(
            classify(&api(400, "Product.Unsubscript"), &mut used),
            Verdict::Stop
        );
        assert_eq!(
            classify(&api(400, "SignatureNonceUsed"), &mut used),
            Verdict::Retry { server_delay: None }
        );
        assert_eq!(
            classify(&api(400, "SignatureNonceUsed"), &mut used),
            Verdict::Stop,
            "only once"
        );
        let throttled = AttemptError::Api {
            error: parse_get_flow_json_response(400, br#"{"Code":"Odd"}"#).unwrap_err(),
            server_delay: Some(Duration::from_millis(7)),
        };
        assert_eq!(
            classify(&throttled, &mut used),
            Verdict::Retry {
                server_delay: Some(Duration::from_millis(7))
            }
        );
        assert_eq!(classify(&AttemptError::TooLarge, &mut used), Verdict::Stop);
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
    }
}
