//! What the emulator is told to do: listen address, flow directory,
//! accepted credentials, pacing, faults. The CLI fills the same struct.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use super::fault::FaultRule;
use super::oidc::OidcProvider;
use super::templates::Review;

/// The AccessKey pair accepted when none is configured.
pub const DEMO_ACCESS_KEY_ID: &str = "demo-access-key-id";
/// Secret of [`DEMO_ACCESS_KEY_ID`] (a public demo value, not a secret).
pub const DEMO_ACCESS_KEY_SECRET: &str = "demo-access-key-secret";

/// A malformed `ID:SECRET` or `ID:SECRET:TOKEN` option value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CredentialParseError {
    #[error("expected ID:SECRET (both non-empty)")]
    AccessKey,
    #[error("expected ID:SECRET:TOKEN (all non-empty)")]
    StsKey,
}

/// A long-term AccessKey pair the emulator accepts.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessKey {
    pub id: String,
    pub secret: String,
}

impl AccessKey {
    pub fn new(id: impl Into<String>, secret: impl Into<String>) -> Self {
        AccessKey {
            id: id.into(),
            secret: secret.into(),
        }
    }

    /// The demo pair `demo-access-key-id` / `demo-access-key-secret`.
    pub fn demo() -> Self {
        AccessKey::new(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET)
    }
}

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessKey")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// `ID:SECRET`; the secret may itself contain `:`.
impl FromStr for AccessKey {
    type Err = CredentialParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once(':') {
            Some((id, secret)) if !id.is_empty() && !secret.is_empty() => {
                Ok(AccessKey::new(id, secret))
            }
            _ => Err(CredentialParseError::AccessKey),
        }
    }
}

/// Static STS credentials: requests with this AccessKeyId must carry
/// `SecurityToken == token`.
#[derive(Clone, PartialEq, Eq)]
pub struct StsKey {
    pub id: String,
    pub secret: String,
    pub token: String,
}

impl StsKey {
    pub fn new(id: impl Into<String>, secret: impl Into<String>, token: impl Into<String>) -> Self {
        StsKey {
            id: id.into(),
            secret: secret.into(),
            token: token.into(),
        }
    }
}

impl fmt::Debug for StsKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StsKey")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .field("token", &"<redacted>")
            .finish()
    }
}

/// `ID:SECRET:TOKEN`; the token (last) may contain `:`.
impl FromStr for StsKey {
    type Err = CredentialParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.splitn(3, ':');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(id), Some(secret), Some(token))
                if !id.is_empty() && !secret.is_empty() && !token.is_empty() =>
            {
                Ok(StsKey::new(id, secret, token))
            }
            _ => Err(CredentialParseError::StsKey),
        }
    }
}

impl EmulatorConfig {
    /// The request limit of one operation per AccessKeyId and second.
    pub fn qps_for(&self, action: &str) -> u32 {
        self.qps_per_action
            .get(action)
            .copied()
            .or(self.qps)
            .unwrap_or_else(|| super::operations::default_qps(action))
    }
}

/// Everything the emulator can be told (the CLI sets the same fields).
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Where to listen (`--listen`, default `127.0.0.1:0`: any free port).
    pub listen: SocketAddr,
    /// Base URL put in `FilePath` (`--public-url`); default
    /// `http://<bound address>` with an unspecified IP replaced by 127.0.0.1.
    pub public_url: Option<String>,
    /// Directory of `<flow_id>.json` files (`--flows`), read on every
    /// request: each is a PUBLISHED flow. Must exist when the emulator starts.
    pub flows_dir: PathBuf,
    /// File that keeps the flows across restarts (`--state`); `None` keeps
    /// them in memory only.
    pub state_file: Option<PathBuf>,
    /// Accepted AccessKey pairs (`--access-key`). Default: the demo pair.
    pub access_keys: Vec<AccessKey>,
    /// Accepted static STS credentials (`--sts-key`).
    pub sts_keys: Vec<StsKey>,
    /// Role ARNs AssumeRole accepts (`--role`); empty = any `acs:ram::<digits>:role/<name>`.
    pub roles: Vec<String>,
    /// OIDC identity providers AssumeRoleWithOIDC trusts (`--oidc-provider`).
    pub oidc_providers: Vec<OidcProvider>,
    /// Lifetime of the STS credentials AssumeRole and AssumeRoleWithOIDC
    /// issue (`--sts-ttl`), shorter than STS's 900 s minimum so tests see
    /// refreshes; `None`: the requested `DurationSeconds`.
    pub sts_ttl: Option<Duration>,
    /// Per AccessKeyId and operation, at most this many requests in any
    /// sliding second for every operation (`--qps N`); `None` takes each
    /// operation's figure from the table in `operations`. 0 = unlimited.
    pub qps: Option<u32>,
    /// The limit of single operations (`--qps ACTION=N`), over `qps`.
    pub qps_per_action: BTreeMap<String, u32>,
    /// Injected faults (`--fault`), evaluated in order.
    pub faults: Vec<FaultRule>,
    /// Lifetime of the presigned file URLs (`--file-url-ttl`, default 300 s).
    pub file_url_ttl: Duration,
    /// Lifetime of the credentials GetChatappUploadAuthorization issues
    /// (`--upload-ttl`, default 3600 s, the documentation's sample `Expire`;
    /// at most [`MAX_UPLOAD_TTL`]).
    pub upload_ttl: Duration,
    /// One stderr line per request (the CLI turns this on; `--quiet` off).
    pub log_requests: bool,
    /// How templates are reviewed (`--template-review`, default: approved
    /// 5 seconds after submission).
    pub template_review: Review,
}

/// The longest `--upload-ttl`: a year, far beyond any credential's
/// lifetime, and far from the last date an expiry can be written in
/// (longer lifetimes overflowed the date arithmetic).
pub const MAX_UPLOAD_TTL: Duration = Duration::from_secs(365 * 24 * 3600);

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            public_url: None,
            flows_dir: PathBuf::from("examples/flows"),
            state_file: None,
            access_keys: vec![AccessKey::demo()],
            sts_keys: Vec::new(),
            roles: Vec::new(),
            oidc_providers: Vec::new(),
            sts_ttl: None,
            qps: None,
            qps_per_action: BTreeMap::new(),
            faults: Vec::new(),
            file_url_ttl: Duration::from_secs(300),
            upload_ttl: Duration::from_secs(3600),
            log_requests: false,
            template_review: Review::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_key_splits_at_the_first_colon() {
        let key: AccessKey = "id:se:cret".parse().unwrap();
        assert_eq!(key, AccessKey::new("id", "se:cret"));
        assert!("id:".parse::<AccessKey>().is_err());
        assert!(":secret".parse::<AccessKey>().is_err());
        assert!("nocolon".parse::<AccessKey>().is_err());
    }

    #[test]
    fn sts_key_needs_three_parts() {
        let key: StsKey = "STS.a:b:tok:en".parse().unwrap();
        assert_eq!(key, StsKey::new("STS.a", "b", "tok:en"));
        assert!("a:b".parse::<StsKey>().is_err());
        assert!("a::c".parse::<StsKey>().is_err());
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let text = format!(
            "{:?} {:?}",
            AccessKey::new("id", "hunter2"),
            StsKey::new("i", "hunter3", "tok4")
        );
        assert!(!text.contains("hunter2") && !text.contains("hunter3") && !text.contains("tok4"));
    }
}
