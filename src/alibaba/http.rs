//! The one HTTP client (connection pool) used for CAMS calls, file downloads
//! and the credentials chain, and helpers to read bodies within a size cap
//! and to describe transport errors without leaking URLs.

use std::error::Error as _;
use std::time::Duration;

/// `User-Agent` of every request.
pub const USER_AGENT: &str = concat!("terraform-provider-cams/", env!("CARGO_PKG_VERSION"));

/// Builds the shared client: rustls, HTTP/1.1, the given timeouts, no
/// redirects (a presigned URL must not be followed to another host, and the
/// CAMS API never redirects), proxies from the environment (reqwest's
/// default: `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`).
pub fn build_client(
    connect_timeout: Duration,
    read_timeout: Duration,
) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(connect_timeout)
        .read_timeout(read_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

/// A transport failure, described without the request URL (whose query may
/// hold a signature, a security token or a presigned credential).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportFailure {
    pub detail: String,
    /// Worth another attempt: timeouts, refused or reset connections, a
    /// connection closed mid-answer. Not: a request that could not be built.
    pub retryable: bool,
}

impl TransportFailure {
    pub fn from_reqwest(error: &reqwest::Error) -> Self {
        let kind = if error.is_timeout() {
            "timed out"
        } else if error.is_connect() {
            "could not connect"
        } else if error.is_body() || error.is_decode() {
            "failed while reading the answer"
        } else if error.is_request() {
            "failed while sending the request"
        } else if error.is_builder() {
            "could not build the request"
        } else {
            "failed"
        };
        // reqwest's own Display names the URL; its sources (hyper, io) do not.
        let mut detail = kind.to_owned();
        let mut source = error.source();
        while let Some(cause) = source {
            detail.push_str(": ");
            detail.push_str(&cause.to_string());
            source = cause.source();
        }
        Self {
            detail,
            retryable: !error.is_builder(),
        }
    }
}

/// Why reading a body stopped.
#[derive(Debug)]
pub enum ReadFailure {
    /// More than `limit` bytes arrived (or were announced).
    TooLarge {
        limit: u64,
        announced: Option<u64>,
    },
    Transport(TransportFailure),
}

/// Reads a whole body, refusing it as soon as it is announced (by
/// `Content-Length`) or seen to exceed `limit` bytes. Reading stops there:
/// the rest is never downloaded.
pub async fn read_body_capped(
    mut response: reqwest::Response,
    limit: u64,
) -> Result<Vec<u8>, ReadFailure> {
    let announced = response.content_length();
    if announced.is_some_and(|len| len > limit) {
        return Err(ReadFailure::TooLarge { limit, announced });
    }
    // An announced length was checked against the limit above: allocate it
    // once rather than doubling (and copying) a large file several times.
    let initial_capacity = announced.unwrap_or(0);
    let mut body = Vec::with_capacity(usize::try_from(initial_capacity).unwrap_or(0));
    loop {
        let chunk = response
            .chunk()
            .await
            .map_err(|e| ReadFailure::Transport(TransportFailure::from_reqwest(&e)))?;
        let Some(chunk) = chunk else { return Ok(body) };
        let total = body.len() as u64 + chunk.len() as u64;
        if total > limit {
            return Err(ReadFailure::TooLarge {
                limit,
                announced: None,
            });
        }
        body.extend_from_slice(&chunk);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_names_the_provider_and_version() {
        assert_eq!(
            USER_AGENT,
            format!("terraform-provider-cams/{}", env!("CARGO_PKG_VERSION"))
        );
    }

    #[tokio::test]
    async fn transport_failures_do_not_mention_the_url() {
        // A port that was just free: the connection is refused.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let client = build_client(Duration::from_secs(2), Duration::from_secs(2)).unwrap();
        let err = client
            .get(format!(
                "http://127.0.0.1:{port}/x?Signature=SECRETSIG&SecurityToken=TOKEN"
            ))
            .send()
            .await
            .unwrap_err();
        let failure = TransportFailure::from_reqwest(&err);
        assert!(failure.retryable);
        assert!(!failure.detail.contains("SECRETSIG"), "{}", failure.detail);
        assert!(!failure.detail.contains("TOKEN"), "{}", failure.detail);
        assert!(!failure.detail.contains("/x"), "{}", failure.detail);
    }
}
