//! Settings of the CAMS client.

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use super::endpoint::DEFAULT_REGION;
use super::http::Timeouts;
pub(crate) use super::retry::DEFAULT_THROTTLE_BUDGET;
use super::rpc_query::SignatureVersion;

/// Everything [`CamsClient::new`](super::client::CamsClient::new) needs
/// besides credentials. `Default` gives the documented production values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// Region id; the endpoint is `https://cams.{region}.aliyuncs.com/`.
    pub region: String,
    /// Overrides the region endpoint: `host`, `host:port` (both https) or a
    /// URL (`https://host/`, or `http://` for loopback hosts); see
    /// [`parse_endpoint`](super::endpoint::parse_endpoint).
    pub endpoint: Option<String>,
    /// CAMS calls per second per AccessKeyId and operation, for the whole
    /// process. `None`: each operation's documented limit
    /// ([`Operation::documented_rate_per_second`](super::operations::Operation::documented_rate_per_second));
    /// `Some(n)`: every operation at `n` (a raised quota, or an emulator).
    pub rate_limit_per_second: Option<NonZeroU32>,
    /// Attempts per call that may fail for other reasons than throttling,
    /// the first one included (at least 1).
    pub max_attempts: u32,
    /// Retrying after a fault stops when the next backoff would end later
    /// than this after the first attempt that failed for a fault started.
    pub max_retry_duration: Duration,
    /// Throttling answers are retried (whatever `max_attempts` says) until
    /// the next wait would end later than this after the call started.
    pub throttle_retry_budget: Duration,
    /// Where the host-wide budget files are (see
    /// [`host_budget`](super::host_budget)): with `Some(dir)`, every
    /// process of this user passing the same directory shares each
    /// (AccessKeyId, operation) limit; with `None` (the default) the limits
    /// are kept in this process only. The provider passes
    /// [`default_dir`](super::host_budget::location::default_dir) unless
    /// configured otherwise.
    pub shared_budget_dir: Option<PathBuf>,
    /// The first backoff delay, before jitter (jitter adds up to 100%).
    pub retry_initial_delay: Duration,
    /// The longest backoff delay, before jitter.
    pub retry_max_delay: Duration,
    /// Largest Flow JSON file accepted, in bytes (downloads; uploads are
    /// also capped at [`MAX_UPLOAD_BYTES`](super::upload::MAX_UPLOAD_BYTES)).
    pub max_content_bytes: u64,
    /// TCP + TLS connection establishment timeout.
    pub connect_timeout: Duration,
    /// Longest wait for any single read from the server.
    pub read_timeout: Duration,
    /// Longest time one request may take in all, from sending it to the
    /// last byte of the answer (API calls, STS, downloads, uploads).
    pub request_timeout: Duration,
    /// How CAMS calls are signed (default V3, `ACS3-HMAC-SHA256`).
    pub signature_version: SignatureVersion,
}

/// The overall deadline of one request when none is configured.
pub(crate) const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// 64 MiB.
pub(crate) const DEFAULT_MAX_CONTENT_BYTES: u64 = 64 * 1024 * 1024;

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            region: DEFAULT_REGION.to_owned(),
            endpoint: None,
            rate_limit_per_second: None,
            max_attempts: 5,
            max_retry_duration: Duration::from_secs(60),
            throttle_retry_budget: DEFAULT_THROTTLE_BUDGET,
            shared_budget_dir: None,
            retry_initial_delay: Duration::from_millis(500),
            retry_max_delay: Duration::from_secs(20),
            max_content_bytes: DEFAULT_MAX_CONTENT_BYTES,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            signature_version: SignatureVersion::default(),
        }
    }
}

impl ClientConfig {
    /// The timeouts of the HTTP client.
    pub fn timeouts(&self) -> Timeouts {
        Timeouts {
            connect: self.connect_timeout,
            read: self.read_timeout,
            request: self.request_timeout,
        }
    }

    /// Rejects settings that cannot work; the endpoint is checked separately.
    pub fn validate(&self) -> Result<(), String> {
        if self.max_attempts == 0 {
            return Err("max_attempts must be at least 1".to_owned());
        }
        if self.max_content_bytes == 0 {
            return Err("max_content_bytes must be at least 1".to_owned());
        }
        if self.connect_timeout.is_zero()
            || self.read_timeout.is_zero()
            || self.request_timeout.is_zero()
        {
            return Err("connect, read and request timeouts must be longer than zero".to_owned());
        }
        if self.retry_initial_delay > self.retry_max_delay {
            return Err("retry_initial_delay must not exceed retry_max_delay".to_owned());
        }
        Ok(())
    }
}
