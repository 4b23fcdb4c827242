//! The one HTTP client (connection pool) used for CAMS calls, file downloads
//! and the credentials chain, and helpers to read bodies within a size cap
//! and to describe transport errors without leaking URLs.

use std::error::Error as _;
use std::time::Duration;

/// `User-Agent` of every request.
pub(crate) const USER_AGENT: &str = concat!("terraform-provider-cams/", env!("CARGO_PKG_VERSION"));

/// The timeouts of every request the client makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP + TLS connection establishment.
    pub connect: Duration,
    /// Longest wait for any single read; it starts again with every byte.
    pub read: Duration,
    /// The whole request, from sending it to the last byte of the answer:
    /// what stops a server that trickles one byte at a time.
    pub request: Duration,
}

/// How much later than a request's overall deadline the HTTP client's own
/// timeout fires (for requests that enforce no deadline of their own, such
/// as STS and ECS metadata, it is the deadline).
const BACKSTOP_MARGIN: Duration = Duration::from_millis(500);

/// Builds the shared client: rustls, HTTP/1.1, the given timeouts (the
/// overall one is the default of every request, STS and ECS metadata
/// included), no redirects (a presigned URL must not be followed to another
/// host, and the CAMS API never redirects), proxies from the environment
/// (reqwest's default: `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`).
pub(crate) fn build_client(timeouts: Timeouts) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(timeouts.connect)
        .read_timeout(timeouts.read)
        // A backstop a little later than the deadline the callers enforce
        // themselves, so that theirs fires first and names itself.
        .timeout(timeouts.request + BACKSTOP_MARGIN)
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

/// Runs one request (sending it and reading its answer) within `deadline`.
/// The client's own overall timeout is the backstop; this one names the
/// deadline in the error.
pub async fn within_deadline<T, E>(
    deadline: Duration,
    request: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, Deadline<E>> {
    match tokio::time::timeout(deadline, request).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(Deadline::Failed(error)),
        Err(_) => Err(Deadline::Exceeded(TransportFailure::deadline_exceeded(
            deadline,
        ))),
    }
}

/// The outcome of [`within_deadline`] when it is not a success.
#[derive(Debug)]
pub enum Deadline<E> {
    Failed(E),
    Exceeded(TransportFailure),
}

/// A transport failure, described without the request URL (whose query may
/// hold a signature, a security token or a presigned credential).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportFailure {
    pub detail: String,
    /// Worth another attempt: timeouts, refused or reset connections, a
    /// connection closed mid-answer. Not: a request that could not be built,
    /// nor one that used up its overall deadline (another attempt would
    /// only wait as long again).
    pub retryable: bool,
    /// Set when the request was stopped by its overall deadline, to this
    /// deadline.
    pub deadline: Option<Duration>,
    /// The connection could not be established, so the request cannot have
    /// reached the server: even a non-idempotent call may be sent again.
    pub not_sent: bool,
}

impl TransportFailure {
    /// A request stopped because it took longer than `deadline` in all.
    pub(crate) fn deadline_exceeded(deadline: Duration) -> Self {
        Self {
            detail: format!(
                "did not complete within the overall deadline of {} s per request",
                deadline.as_secs_f64()
            ),
            retryable: false,
            deadline: Some(deadline),
            not_sent: false,
        }
    }

    pub(crate) fn from_reqwest(error: &reqwest::Error) -> Self {
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
            deadline: None,
            not_sent: error.is_connect() || error.is_builder(),
        }
    }
}

/// Why reading a body stopped.
#[derive(Debug)]
pub(crate) enum ReadFailure {
    /// More bytes than the caller's limit arrived (or were announced).
    TooLarge {
        announced: Option<u64>,
    },
    /// The buffer could not grow to `needed` bytes.
    OutOfMemory {
        needed: u64,
    },
    Transport(TransportFailure),
}

/// The most a body buffer reserves before bytes arrive. Above the largest
/// Flow JSON Meta accepts (10 MB); bigger files grow the buffer as they come.
pub(crate) const PREALLOCATE_MAX: u64 = 32 * 1024 * 1024;

/// Reads a whole body, refusing it as soon as it is announced (by
/// `Content-Length`) or seen to exceed `limit` bytes. Reading stops there:
/// the rest is never downloaded.
pub(crate) async fn read_body_capped(
    mut response: reqwest::Response,
    limit: u64,
) -> Result<Vec<u8>, ReadFailure> {
    let announced = response.content_length();
    if announced.is_some_and(|len| len > limit) {
        return Err(ReadFailure::TooLarge { announced });
    }
    // An announced length was checked against the limit above: allocate it
    // once rather than doubling (and copying) a large file several times,
    // but never more than PREALLOCATE_MAX up front: the announcement is only
    // a claim (500 GiB announced must not abort the process), and beyond
    // that the buffer grows with what really arrives.
    let initial_capacity = announced.unwrap_or(0).min(PREALLOCATE_MAX);
    let mut body = Vec::new();
    body.try_reserve_exact(usize::try_from(initial_capacity).unwrap_or(0))
        .map_err(|_| ReadFailure::OutOfMemory {
            needed: initial_capacity,
        })?;
    loop {
        let chunk = response
            .chunk()
            .await
            .map_err(|e| ReadFailure::Transport(TransportFailure::from_reqwest(&e)))?;
        let Some(chunk) = chunk else { return Ok(body) };
        let total = body.len() as u64 + chunk.len() as u64;
        if total > limit {
            return Err(ReadFailure::TooLarge { announced: None });
        }
        // Growth that the machine cannot hold is an error, not an abort.
        body.try_reserve(chunk.len())
            .map_err(|_| ReadFailure::OutOfMemory { needed: total })?;
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
        let client = build_client(Timeouts {
            connect: Duration::from_secs(2),
            read: Duration::from_secs(2),
            request: Duration::from_secs(4),
        })
        .unwrap();
        let err = client
            .get(format!(
                "http://127.0.0.1:{port}/x?Signature=SECRETSIG&SecurityToken=TOKEN"
            ))
            .send()
            .await
            .unwrap_err();
        let failure = TransportFailure::from_reqwest(&err);
        assert!(failure.retryable);
        assert!(failure.not_sent, "a refused connection sent nothing");
        assert!(!failure.detail.contains("SECRETSIG"), "{}", failure.detail);
        assert!(!failure.detail.contains("TOKEN"), "{}", failure.detail);
        assert!(!failure.detail.contains("/x"), "{}", failure.detail);
    }
}
