//! Alibaba Cloud credentials: the types every request signer needs, and the
//! chain that finds them (explicit values, environment, CLI profile,
//! STS AssumeRole, ECS RAM role).

use std::fmt;

/// A secret string (AccessKeySecret, SecurityToken). Its `Debug` and
/// `Display` never show the value; call [`Secret::expose`] at the one place
/// that really needs it (signing).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The raw value. Only signing code should call this.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// One set of credentials used to sign a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub access_key_secret: Secret,
    /// Present for STS (temporary) credentials; sent as `SecurityToken`.
    pub security_token: Option<Secret>,
}

/// Something that yields credentials, possibly refreshing them (STS, ECS).
#[async_trait::async_trait]
pub trait CredentialsProvider: Send + Sync + fmt::Debug {
    /// Current credentials; implementations cache and refresh as needed.
    async fn credentials(&self) -> Result<Credentials, CredentialsError>;

    /// A short, secret-free description of where the credentials come from,
    /// e.g. "environment (ALIBABA_CLOUD_ACCESS_KEY_ID)" or "profile \"dev\"".
    fn source(&self) -> String;
}

/// Fixed credentials (explicit, environment, AK/StsToken profiles).
#[derive(Debug, Clone)]
pub struct StaticCredentials {
    pub credentials: Credentials,
    pub source: String,
}

#[async_trait::async_trait]
impl CredentialsProvider for StaticCredentials {
    async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        Ok(self.credentials.clone())
    }

    fn source(&self) -> String {
        self.source.clone()
    }
}

/// Why credentials could not be found or obtained.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    #[error("no Alibaba Cloud credentials found; looked in: {}", .looked_in.join("; "))]
    NotFound { looked_in: Vec<String> },
    #[error("{0}")]
    Invalid(String),
}
