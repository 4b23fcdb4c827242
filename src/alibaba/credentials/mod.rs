//! Alibaba Cloud credentials: the types every request signer needs, and the
//! chain that finds them (explicit values, environment, CLI profile,
//! STS AssumeRole, ECS RAM role).
//!
//! Entry point: [`resolve`] turns a [`CredentialsConfig`] plus the process
//! environment into one [`CredentialsProvider`]. The chain, first match wins:
//!
//! 1. explicit configuration: `access_key` + `secret_key` (+ `security_token`),
//!    else an explicit `ecs_role_name`, else `assume_role_with_oidc`;
//! 2. environment: `ALIBABA_CLOUD_ACCESS_KEY_ID` / `_SECRET` / `_SECURITY_TOKEN`,
//!    then the deprecated `ALICLOUD_ACCESS_KEY` / `ALICLOUD_SECRET_KEY` /
//!    `ALICLOUD_SECURITY_TOKEN`, else an OIDC role from
//!    `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` + `ALIBABA_CLOUD_OIDC_TOKEN_FILE` +
//!    `ALIBABA_CLOUD_ROLE_ARN`, else an ECS role name from
//!    `ALIBABA_CLOUD_ECS_METADATA` / `ALICLOUD_ECS_ROLE_NAME`;
//! 3. a profile of the Alibaba Cloud CLI file `~/.aliyun/config.json`
//!    (modes `AK`, `StsToken`, `RamRoleArn`, `EcsRamRole`).
//!
//! Then, if a role ARN is configured (explicit `assume_role`, environment, or a
//! `RamRoleArn` profile), STS AssumeRole runs on top of those base
//! credentials. STS and ECS sources fetch lazily on the first
//! [`CredentialsProvider::credentials`] call and cache until shortly before
//! expiry, so [`resolve`] itself never touches the network.

use std::fmt;
use std::path::PathBuf;

mod cache;
mod chain;
pub mod cli_config;
mod config;
pub mod ecs;
pub mod endpoint;
mod env;
mod http_body;
pub mod oidc;
pub mod sts;

pub use chain::{conflicting_env_families, resolve, IgnoredSetting};
pub use cli_config::{parse_cli_config, CliConfig, CliConfigError, CliProfile, ProfileMode};
pub use config::{AssumeRoleConfig, AssumeRoleWithOidcConfig, CredentialsConfig};
pub use ecs::EcsRoleProvider;
pub use env::{Env, MapEnv, SystemEnv};
pub use sts::{AssumeRoleParams, AssumeRoleProvider};

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

/// The STS call that failed (one byte, so errors stay small).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StsAction {
    AssumeRole,
    AssumeRoleWithOidc,
}

impl StsAction {
    /// The API's action name.
    pub const fn name(self) -> &'static str {
        match self {
            StsAction::AssumeRole => "AssumeRole",
            StsAction::AssumeRoleWithOidc => "AssumeRoleWithOIDC",
        }
    }

    /// How errors name the service.
    pub const fn service(self) -> &'static str {
        match self {
            StsAction::AssumeRole => "STS AssumeRole",
            StsAction::AssumeRoleWithOidc => "STS AssumeRoleWithOIDC",
        }
    }
}

impl fmt::Display for StsAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why credentials could not be found or obtained. No variant ever carries a
/// secret value.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    #[error("no Alibaba Cloud credentials found; looked in: {}", .looked_in.join("; "))]
    NotFound { looked_in: Vec<String> },
    #[error("{0}")]
    Invalid(String),
    /// A setting has a value that cannot work. `setting` names it as the
    /// caller spelt it (`assume_role.session_name`, a profile field, an
    /// environment variable).
    #[error("{setting} {message}")]
    InvalidSetting { setting: String, message: String },
    /// Two settings that each choose the credentials are both set.
    #[error("{first} and {second} are both set, and each chooses the credentials; set only one")]
    Conflict { first: String, second: String },
    /// One half of a pair (access key id / secret) is set, the other is not.
    #[error("{present} is set but {missing} is not; set both or neither")]
    IncompletePair { present: String, missing: String },
    #[error("cannot read Alibaba Cloud CLI config file {}: {message}", .path.display())]
    ConfigFileUnreadable { path: PathBuf, message: String },
    #[error("Alibaba Cloud CLI config file {} is larger than {limit} bytes, which no CLI config file is; reading stopped there", .path.display())]
    ConfigFileTooLarge { path: PathBuf, limit: u64 },
    #[error("Alibaba Cloud CLI config file {}: {source}", .path.display())]
    ConfigFileInvalid {
        path: PathBuf,
        #[source]
        source: CliConfigError,
    },
    #[error(
        "profile {name:?} not found in {}; profiles in the file: {}",
        .path.display(),
        if .available.is_empty() { "none".to_string() } else { .available.join(", ") }
    )]
    ProfileNotFound {
        name: String,
        path: PathBuf,
        available: Vec<String>,
    },
    #[error(
        "profile {profile:?} uses mode {mode:?}, which is not supported; supported modes: {}",
        ProfileMode::SUPPORTED.join(", ")
    )]
    UnsupportedProfileMode { profile: String, mode: String },
    #[error("profile {profile:?} in {}: {message}", .path.display())]
    InvalidProfile {
        profile: String,
        path: PathBuf,
        message: String,
    },
    /// STS answered `action` (`AssumeRole`, `AssumeRoleWithOIDC`) with an
    /// error document.
    #[error("STS {action} failed (HTTP {status}): {code}: {message} (RequestId: {request_id})")]
    Sts {
        action: StsAction,
        status: u16,
        code: String,
        message: String,
        request_id: String,
    },
    /// The OIDC token file is missing, unreadable, empty or too large.
    #[error("cannot read the OIDC token file {}: {message}", .path.display())]
    OidcTokenFile { path: PathBuf, message: String },
    /// The ECS metadata service answered, but not with `Code: Success`.
    #[error(
        "ECS instance metadata returned Code {code:?} for RAM role {role:?} (expected \"Success\")"
    )]
    EcsRole { role: String, code: String },
    /// The request never got a usable HTTP answer (connect error, timeout,
    /// unexpected status without an error document).
    #[error("{service}: {message}")]
    Transport {
        service: &'static str,
        message: String,
    },
    /// The answer arrived but could not be understood.
    #[error("{service} returned an invalid response: {message}")]
    InvalidResponse {
        service: &'static str,
        message: String,
    },
}
