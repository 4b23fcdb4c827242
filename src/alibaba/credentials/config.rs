//! The user-facing credentials settings (what a Terraform provider block
//! maps onto). Every field is optional; an empty string counts as unset.

use std::path::PathBuf;

use super::Secret;
use crate::alibaba::rpc_query::SignatureVersion;

/// Credentials settings given explicitly by the caller (e.g. the Terraform
/// provider block). Environment variables and the CLI config file fill in
/// whatever is not set here; see [`super::resolve`].
#[derive(Debug, Clone, Default)]
pub struct CredentialsConfig {
    /// AccessKeyId.
    pub access_key: Option<String>,
    /// AccessKeySecret.
    pub secret_key: Option<Secret>,
    /// STS SecurityToken that goes with `access_key` / `secret_key`.
    pub security_token: Option<Secret>,
    /// Profile name in the CLI config file.
    pub profile: Option<String>,
    /// Path of the CLI config file (JSON, `~/.aliyun/config.json` format).
    /// A leading `~/` is expanded to the home directory.
    pub shared_credentials_file: Option<PathBuf>,
    /// STS AssumeRole on top of the base credentials.
    pub assume_role: Option<AssumeRoleConfig>,
    /// STS AssumeRoleWithOIDC as the base credentials.
    pub assume_role_with_oidc: Option<AssumeRoleWithOidcConfig>,
    /// How STS AssumeRole requests are signed (default V3).
    pub signature_version: SignatureVersion,
    /// STS endpoint: a host (`sts.example.com`, HTTPS) or a URL. Plain
    /// `http://` is accepted only for loopback hosts (tests, local proxies).
    /// Default `https://sts.<region>.aliyuncs.com` (`sts-vpc.` with
    /// `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED`), the region from
    /// `ALIBABA_CLOUD_STS_REGION`, else `region`.
    pub sts_endpoint: Option<String>,
    /// Region used to build the default STS endpoint. Default: the profile's
    /// `sts_region` / `region_id`, else `ap-southeast-1`.
    pub region: Option<String>,
    /// RAM role attached to the ECS instance. Setting this (or its
    /// environment variables, or an `EcsRamRole` profile) is the only way the
    /// instance metadata service is ever contacted.
    pub ecs_role_name: Option<String>,
    /// Instance metadata endpoint, default `http://100.100.100.200`.
    pub ecs_metadata_endpoint: Option<String>,
}

/// The `assume_role` settings. Unset fields fall back to the environment
/// (`ALIBABA_CLOUD_ROLE_ARN`, ...), then to defaults.
#[derive(Debug, Clone, Default)]
pub struct AssumeRoleConfig {
    /// `RoleArn`, e.g. `acs:ram::123456789012:role/terraform`. Empty means
    /// "take it from the environment".
    pub role_arn: String,
    /// `RoleSessionName`, default `terraform`.
    pub session_name: Option<String>,
    /// `DurationSeconds`, 900..=43200, default 3600.
    pub session_expiration: Option<u32>,
    /// `Policy`: a JSON policy further restricting the role.
    pub policy: Option<String>,
    /// `ExternalId`.
    pub external_id: Option<String>,
}

/// The `assume_role_with_oidc` settings. Unset fields fall back to the
/// environment (`ALIBABA_CLOUD_OIDC_PROVIDER_ARN`, `ALIBABA_CLOUD_ROLE_ARN`,
/// `ALIBABA_CLOUD_OIDC_TOKEN_FILE`, `ALIBABA_CLOUD_ROLE_SESSION_NAME`), as
/// in terraform-provider-alicloud, then to defaults.
#[derive(Debug, Clone, Default)]
pub struct AssumeRoleWithOidcConfig {
    /// `OIDCProviderArn`, e.g. `acs:ram::123456789012:oidc-provider/github`.
    pub oidc_provider_arn: Option<String>,
    /// `RoleArn` of the role that trusts the provider.
    pub role_arn: Option<String>,
    /// File holding the token, read again at each refresh.
    pub oidc_token_file: Option<PathBuf>,
    /// The token itself (cannot be rotated during a run).
    pub oidc_token: Option<Secret>,
    /// `RoleSessionName`, default `terraform`.
    pub role_session_name: Option<String>,
    /// `Policy`: a JSON policy further restricting the role.
    pub policy: Option<String>,
    /// `DurationSeconds`, 900..=43200, default 3600.
    pub session_expiration: Option<u32>,
}
