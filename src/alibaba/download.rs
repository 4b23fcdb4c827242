//! Downloading the file behind `FilePath` (a presigned OSS URL, usually).
//!
//! Rules: a plain GET of the URL exactly as given (its query is signed, so it
//! is never decoded or re-encoded), with no Alibaba credentials or signing
//! headers; https only, except to loopback hosts; no redirects; a size cap
//! enforced while streaming; retries on 5xx and transport failures (OSS is
//! not CAMS, so these do not take CAMS rate-limiter permits). The URL's
//! query is a bearer credential until it expires, so logs and errors show
//! only `scheme://host/path`.

use std::fmt;
use std::time::Instant;

use sha2::{Digest, Sha256};
use tokio_util::sync::CancellationToken;
use url::Url;

use super::api_response::one_line;
use super::endpoint::{is_loopback, redact_url};
use super::http::{read_body_capped, within_deadline, Deadline, ReadFailure, TransportFailure};
use super::redact::Redactor;
use super::retry::{self, GiveUp, RetryFailure, RetryPolicy, Verdict};

/// How much of an OSS error body is read to find its error code.
const ERROR_BODY_LIMIT: u64 = 64 * 1024;

/// A downloaded file and its SHA-256.
#[derive(Clone, PartialEq, Eq)]
pub struct Downloaded {
    pub bytes: Vec<u8>,
    /// Lowercase hex SHA-256 of `bytes`.
    pub sha256_hex: String,
}

impl fmt::Debug for Downloaded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Downloaded")
            .field("len", &self.bytes.len())
            .field("sha256_hex", &self.sha256_hex)
            .finish()
    }
}

/// The error document OSS answers with (`<Error><Code>…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OssError {
    pub code: String,
    pub message: Option<String>,
    pub request_id: Option<String>,
}

impl OssError {
    /// The same error with its server-provided texts passed through
    /// `redactor`.
    pub(crate) fn redacted(self, redactor: &Redactor) -> Self {
        Self {
            code: redactor.scrub(&self.code),
            message: redactor.scrub_opt(self.message),
            request_id: redactor.scrub_opt(self.request_id),
        }
    }

    /// OSS answers an expired presigned URL with 403 `AccessDenied`,
    /// "Request has expired".
    pub fn is_expired_url(&self) -> bool {
        self.code == "AccessDenied"
            && self
                .message
                .as_deref()
                .is_some_and(|m| m.to_ascii_lowercase().contains("expired"))
    }
}

/// Why the Flow JSON file could not be downloaded. `url` fields never hold
/// the query string.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DownloadError {
    #[error("the Flow JSON location returned by CAMS is not a valid URL: {reason}")]
    InvalidUrl { reason: String },
    #[error("refusing to download the Flow JSON from {url}: the scheme {scheme:?} is not allowed, only https (http only for loopback hosts)")]
    InsecureUrl { url: String, scheme: String },
    #[error("downloading the Flow JSON from {url} failed after {attempts} attempt(s) ({gave_up}): HTTP {status}{}", http_failure_clause(.status, .oss))]
    Http {
        url: String,
        status: u16,
        oss: Option<OssError>,
        attempts: u32,
        gave_up: GiveUp,
    },
    #[error("downloading the Flow JSON from {url} was answered with a redirect (HTTP {status}{}), which is not followed", location_clause(.location))]
    Redirect {
        url: String,
        status: u16,
        /// The redirect target, without its query.
        location: Option<String>,
    },
    #[error("the Flow JSON at {url} is larger than the limit of {limit} bytes{}", announced_clause(.announced))]
    TooLarge {
        url: String,
        limit: u64,
        /// The `Content-Length`, when the server announced one.
        announced: Option<u64>,
    },
    #[error("the Flow JSON from {url} does not fit in memory: the buffer could not grow to {needed} bytes")]
    OutOfMemory { url: String, needed: u64 },
    #[error("downloading the Flow JSON from {url} failed after {attempts} attempt(s) ({gave_up}): {detail}")]
    Transport {
        url: String,
        detail: String,
        /// Set when the attempt was stopped by its overall deadline.
        deadline: Option<std::time::Duration>,
        attempts: u32,
        gave_up: GiveUp,
    },
    #[error("downloading the Flow JSON from {url} was cancelled")]
    Cancelled { url: String, attempts: u32 },
}

impl DownloadError {
    /// True when the presigned URL has expired: fetching a fresh one from
    /// CAMS and downloading again should work.
    pub fn is_expired_url(&self) -> bool {
        matches!(self, DownloadError::Http { oss: Some(oss), .. } if oss.is_expired_url())
    }

    /// The OSS error code, when the server sent one.
    pub fn oss_code(&self) -> Option<&str> {
        match self {
            DownloadError::Http { oss: Some(oss), .. } => Some(&oss.code),
            _ => None,
        }
    }
}

fn http_failure_clause(status: &u16, oss: &Option<OssError>) -> String {
    let (status, oss) = (*status, oss.as_ref());
    let mut out = String::new();
    if let Some(oss) = oss {
        out.push_str(&format!(", OSS Code {}", one_line(&oss.code)));
        if let Some(message) = &oss.message {
            out.push_str(&format!(", Message \"{}\"", one_line(message)));
        }
        if let Some(id) = &oss.request_id {
            out.push_str(&format!(", RequestId {}", one_line(id)));
        }
    }
    if let Some(hint) = download_hint(status, oss) {
        out.push_str("; hint: ");
        out.push_str(hint);
    }
    out
}

fn download_hint(status: u16, oss: Option<&OssError>) -> Option<&'static str> {
    const RERUN: &str = "the presigned download URL has expired; run again so that a fresh URL is fetched from CAMS";
    if oss.is_some_and(OssError::is_expired_url) {
        return Some(RERUN);
    }
    match (status, oss.map(|o| o.code.as_str())) {
        (_, Some("NoSuchKey")) | (404, None) => Some("the Flow JSON file does not exist at the returned location; check that the flow has a Flow JSON uploaded, then run again"),
        (_, Some("NoSuchBucket")) => Some("the storage bucket of the Flow JSON file does not exist; run again later, or contact Alibaba Cloud support if it persists"),
        (_, Some("SignatureDoesNotMatch")) => Some("the storage service rejected the presigned URL's signature, so the URL was probably altered on the way (e.g. by a proxy); run again to fetch a fresh URL"),
        (_, Some("AccessDenied")) | (403, None) => Some("the storage service refused the download; the presigned URL may be expired or invalid, run again so that a fresh URL is fetched from CAMS"),
        (500..=599, _) => Some("the storage service had a server problem; run again later"),
        _ => None,
    }
}

fn location_clause(location: &Option<String>) -> String {
    location
        .as_ref()
        .map(|l| format!(" to {l}"))
        .unwrap_or_default()
}

fn announced_clause(announced: &Option<u64>) -> String {
    announced
        .map(|n| format!(" (Content-Length {n})"))
        .unwrap_or_default()
}

/// Settings of a download, taken from the client configuration.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DownloadSettings {
    pub retry: RetryPolicy,
    pub max_bytes: u64,
    /// Overall deadline of one attempt.
    pub request_timeout: std::time::Duration,
}

/// Checks that `file_path` is a URL we may fetch, without changing it.
pub(crate) fn validate_download_url(file_path: &str) -> Result<Url, DownloadError> {
    // `Url::parse` keeps existing `%XX` escapes as they are; it only escapes
    // characters that cannot appear on the request line at all.
    let url = Url::parse(file_path.trim()).map_err(|e| DownloadError::InvalidUrl {
        reason: e.to_string(),
    })?;
    let allowed = match url.scheme() {
        "https" => url.host().is_some(),
        "http" => is_loopback(&url),
        _ => false,
    };
    if !allowed {
        return Err(DownloadError::InsecureUrl {
            url: redact_url(&url),
            scheme: url.scheme().to_owned(),
        });
    }
    Ok(url)
}

/// One failed attempt, before it is turned into a [`DownloadError`].
enum AttemptFailure {
    Status {
        status: u16,
        oss: Option<OssError>,
    },
    Redirect {
        status: u16,
        location: Option<String>,
    },
    TooLarge {
        announced: Option<u64>,
    },
    OutOfMemory {
        needed: u64,
    },
    Transport(TransportFailure),
}

pub(crate) async fn download(
    http: &reqwest::Client,
    settings: DownloadSettings,
    file_path: &str,
    cancel: &CancellationToken,
) -> Result<Downloaded, DownloadError> {
    let url = validate_download_url(file_path)?;
    let shown = redact_url(&url);
    let outcome = retry::run(
        &settings.retry,
        cancel,
        "download",
        |attempt| {
            let (url, shown) = (&url, &shown);
            async move {
                match within_deadline(
                    settings.request_timeout,
                    fetch_once(http, url, shown, settings.max_bytes, attempt),
                )
                .await
                {
                    Ok(bytes) => Ok(bytes),
                    Err(Deadline::Failed(failure)) => Err(failure),
                    Err(Deadline::Exceeded(failure)) => Err(AttemptFailure::Transport(failure)),
                }
            }
        },
        |failure| match failure {
            AttemptFailure::Status { status, .. } if *status >= 500 => {
                Verdict::Retry { server_delay: None }
            }
            AttemptFailure::Transport(t) if t.retryable => Verdict::Retry { server_delay: None },
            _ => Verdict::Stop,
        },
    )
    .await;
    let bytes = match outcome {
        Ok(bytes) => bytes,
        Err(RetryFailure::Cancelled { attempts }) => {
            return Err(DownloadError::Cancelled {
                url: shown,
                attempts,
            })
        }
        Err(RetryFailure::Failed {
            error,
            attempts,
            gave_up,
        }) => {
            return Err(into_download_error(
                error,
                shown,
                attempts,
                gave_up,
                settings.max_bytes,
            ))
        }
    };
    let sha256_hex = hex::encode(Sha256::digest(&bytes));
    Ok(Downloaded { bytes, sha256_hex })
}

fn into_download_error(
    failure: AttemptFailure,
    url: String,
    attempts: u32,
    gave_up: GiveUp,
    limit: u64,
) -> DownloadError {
    match failure {
        AttemptFailure::Status { status, oss } => DownloadError::Http {
            url,
            status,
            oss,
            attempts,
            gave_up,
        },
        AttemptFailure::Redirect { status, location } => DownloadError::Redirect {
            url,
            status,
            location,
        },
        AttemptFailure::TooLarge { announced } => DownloadError::TooLarge {
            url,
            limit,
            announced,
        },
        AttemptFailure::OutOfMemory { needed } => DownloadError::OutOfMemory { url, needed },
        AttemptFailure::Transport(t) => DownloadError::Transport {
            url,
            detail: t.detail,
            deadline: t.deadline,
            attempts,
            gave_up,
        },
    }
}

async fn fetch_once(
    http: &reqwest::Client,
    url: &Url,
    shown: &str,
    max_bytes: u64,
    attempt: u32,
) -> Result<Vec<u8>, AttemptFailure> {
    let started = Instant::now();
    let response = http
        .get(url.clone())
        .send()
        .await
        .map_err(|e| AttemptFailure::Transport(TransportFailure::from_reqwest(&e)))?;
    let status = response.status();
    tracing::debug!(
        url = shown,
        attempt,
        status = status.as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "Flow JSON download answered"
    );
    if status.is_redirection() {
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(|l| match url.join(l) {
                Ok(target) => redact_url(&target),
                Err(_) => "<unparseable location>".to_owned(),
            });
        return Err(AttemptFailure::Redirect {
            status: status.as_u16(),
            location,
        });
    }
    if !status.is_success() {
        // The error document is small; a failure to read it only loses detail.
        let oss = read_body_capped(response, ERROR_BODY_LIMIT)
            .await
            .ok()
            .and_then(|body| parse_oss_error(&body))
            // OSS quotes the signature it was given; the URL's query holds it.
            .map(|oss| oss.redacted(&Redactor::new().url_query(url)));
        return Err(AttemptFailure::Status {
            status: status.as_u16(),
            oss,
        });
    }
    read_body_capped(response, max_bytes)
        .await
        .map_err(|failure| match failure {
            ReadFailure::TooLarge { announced, .. } => AttemptFailure::TooLarge { announced },
            ReadFailure::OutOfMemory { needed } => AttemptFailure::OutOfMemory { needed },
            ReadFailure::Transport(t) => AttemptFailure::Transport(t),
        })
}

/// Extracts `Code`, `Message` and `RequestId` from an OSS XML error body.
/// A tolerant text scan rather than an XML parser: it never panics, and
/// returns `None` when there is no non-empty `<Code>`.
pub fn parse_oss_error(body: &[u8]) -> Option<OssError> {
    let limit = body.len().min(ERROR_BODY_LIMIT as usize);
    let text = String::from_utf8_lossy(&body[..limit]);
    // Look inside <Error> when there is one, so a stray <Code> elsewhere in
    // a larger document is not mistaken for the error code.
    let scope = match text.find("<Error>") {
        Some(start) => &text[start..],
        None => &text[..],
    };
    let code = element_text(scope, "Code").filter(|c| !c.is_empty())?;
    Some(OssError {
        code,
        message: element_text(scope, "Message").filter(|m| !m.is_empty()),
        request_id: element_text(scope, "RequestId").filter(|r| !r.is_empty()),
    })
}

/// The trimmed, unescaped text of the first `<name>…</name>` in `xml`.
fn element_text(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = xml.find(&open)? + open.len();
    let length = xml[start..].find(&close)?;
    let raw = xml[start..start + length].trim();
    let raw = raw
        .strip_prefix("<![CDATA[")
        .and_then(|r| r.strip_suffix("]]>"))
        .unwrap_or(raw);
    Some(unescape_xml(raw))
}

/// Replaces the five predefined XML entities and numeric character
/// references; anything else is kept as written.
fn unescape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after.find(';').filter(|&end| end <= 10).and_then(|end| {
            let entity = &after[..end];
            let ch = match entity {
                "lt" => Some('<'),
                "gt" => Some('>'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .map(|hex| u32::from_str_radix(hex, 16))
                    .or_else(|| entity.strip_prefix('#').map(str::parse::<u32>))
                    .and_then(Result::ok)
                    .and_then(char::from_u32),
            };
            ch.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPIRED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>AccessDenied</Code>
  <Message>Request has expired.</Message>
  <RequestId>5C3D9175B6FC201293AD****</RequestId>
  <HostId>bucket.oss-ap-southeast-1.aliyuncs.com</HostId>
  <Expires>2024-05-01T08:00:00.000Z</Expires>
</Error>"#;

    #[test]
    fn oss_error_documents_are_read() {
        let e = parse_oss_error(EXPIRED.as_bytes()).unwrap();
        assert_eq!(e.code, "AccessDenied");
        assert_eq!(e.message.as_deref(), Some("Request has expired."));
        assert_eq!(e.request_id.as_deref(), Some("5C3D9175B6FC201293AD****"));
        assert!(e.is_expired_url());
        let e = parse_oss_error(b"<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>").unwrap();
        assert_eq!(e.code, "NoSuchKey");
        assert!(!e.is_expired_url());
        assert_eq!(e.request_id, None);
    }

    #[test]
    fn entities_and_cdata_are_decoded() {
        let e = parse_oss_error(
            b"<Error><Code><![CDATA[X]]></Code><Message>a &lt;b&gt; &amp;lt; &#65;&#x42; &bogus; & end</Message></Error>",
        )
        .unwrap();
        assert_eq!(e.code, "X");
        assert_eq!(e.message.as_deref(), Some("a <b> &lt; AB &bogus; & end"));
    }

    #[test]
    fn non_error_bodies_give_none_and_never_panic() {
        for body in [
            &b""[..],
            b"not xml",
            b"<Error><Code></Code></Error>",
            b"<Error><Code>unterminated",
            b"<Code>",
            b"\xff\xfe<Error><Code>\xff</Code>",
            "<Error><Code>é&#xD800;&#99999999999;&".as_bytes(),
        ] {
            let _ = parse_oss_error(body);
        }
        assert_eq!(parse_oss_error(b"<Error><Code> </Code></Error>"), None);
        assert_eq!(parse_oss_error(b"{\"Code\":\"x\"}"), None);
    }

    #[test]
    fn expired_urls_get_the_rerun_hint() {
        let oss = parse_oss_error(EXPIRED.as_bytes());
        let err = DownloadError::Http {
            url: "https://b.example.com/f.json".into(),
            status: 403,
            oss,
            attempts: 1,
            gave_up: GiveUp::NotRetryable,
        };
        assert!(err.is_expired_url());
        let text = err.to_string();
        assert!(
            text.contains("AccessDenied") && text.contains("Request has expired."),
            "{text}"
        );
        assert!(
            text.contains("run again so that a fresh URL is fetched"),
            "{text}"
        );
    }

    #[test]
    fn only_https_or_loopback_http_urls_are_accepted_unchanged() {
        let raw = "https://b.oss-ap-southeast-1.aliyuncs.com/f/a%2Bb.json?OSSAccessKeyId=id&Expires=1&Signature=L%2FVE%2BMg%3D";
        assert_eq!(validate_download_url(raw).unwrap().as_str(), raw);
        assert!(validate_download_url("http://127.0.0.1:8080/f.json?x=%2B").is_ok());
        assert!(validate_download_url("http://localhost/f.json").is_ok());
        for bad in [
            "http://b.example.com/f.json?Signature=S",
            "ftp://127.0.0.1/f",
            "file:///etc/passwd",
        ] {
            let err = validate_download_url(bad).unwrap_err();
            assert!(matches!(err, DownloadError::InsecureUrl { .. }), "{bad}");
            assert!(!err.to_string().contains("Signature"));
        }
        assert!(matches!(
            validate_download_url("not a url"),
            Err(DownloadError::InvalidUrl { .. })
        ));
    }
}
