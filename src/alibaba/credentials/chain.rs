//! The credentials chain: which source wins, and the provider it becomes.
//!
//! Order (first match wins, each tier checked completely before the next):
//!
//! 1. explicit configuration: `access_key` + `secret_key` (+ `security_token`),
//!    else `ecs_role_name`, else an explicitly named `profile` or
//!    `shared_credentials_file` (which then must exist: an explicit setting is
//!    never skipped in favour of the environment). Two of these at once are a
//!    conflict, reported as such;
//! 2. environment: `ALIBABA_CLOUD_ACCESS_KEY_ID` + `ALIBABA_CLOUD_ACCESS_KEY_SECRET`
//!    (+ `ALIBABA_CLOUD_SECURITY_TOKEN`), then the deprecated
//!    `ALICLOUD_ACCESS_KEY` + `ALICLOUD_SECRET_KEY` (+ `ALICLOUD_SECURITY_TOKEN`),
//!    else an ECS role from `ALIBABA_CLOUD_ECS_METADATA` / `ALICLOUD_ECS_ROLE_NAME`;
//! 3. a profile of the CLI config file.
//!
//! The more explicit a setting, the higher it ranks, whatever its kind: an
//! `ecs_role_name` in the configuration beats access keys in the environment.
//! Within one tier, access keys beat an ECS role.
//!
//! Precedence between the two environment families: the `ALIBABA_CLOUD_*`
//! names are the documented ones, shared with every Alibaba SDK and the CLI;
//! `ALICLOUD_*` are deprecated by terraform-provider-alicloud (which still
//! reads them first). We read `ALIBABA_CLOUD_*` first so the current names
//! win, and never mix families: an id from one family with a secret from the
//! other is a configuration error, reported as such.
//!
//! An OIDC role (`assume_role_with_oidc`, or the three variables
//! `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`, `ALIBABA_CLOUD_OIDC_TOKEN_FILE`,
//! `ALIBABA_CLOUD_ROLE_ARN`) is base credentials of its own: explicit in
//! tier 1 (it conflicts with keys, an ECS role or a profile there), and in
//! the environment after the key pairs and before the ECS role, the order
//! of Alibaba's credentials libraries (credentials-python
//! `provider/default.py`, credentials-go `providers/default.go`).
//!
//! Finally, if a role ARN is configured, STS AssumeRole wraps the base
//! provider. The role settings come as one unit, either from the explicit
//! `assume_role` block plus its environment fallbacks, or else from a
//! `RamRoleArn` profile. On top of an OIDC role only an `assume_role`
//! block with its own `role_arn` chains: `ALIBABA_CLOUD_ROLE_ARN` already
//! named the OIDC role, and assuming it a second time is never meant.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::cli_config::{parse_cli_config, CliProfile, ProfileMode};
use super::config::CredentialsConfig;
use super::ecs::EcsRoleProvider;
use super::endpoint::{ecs_metadata_endpoint, sts_endpoint, DEFAULT_STS_REGION};
use super::env::Env;
use super::oidc::{OidcRoleParams, OidcRoleProvider, OidcToken};
use super::sts::{
    validate_duration, validate_policy, validate_session_name, AssumeRoleParams,
    AssumeRoleProvider, DEFAULT_DURATION_SECONDS, DEFAULT_SESSION_NAME,
};
use super::{Credentials, CredentialsError, CredentialsProvider, Secret, StaticCredentials};

/// Environment variables of one access-key family.
struct EnvKeyFamily {
    id: &'static str,
    secret: &'static str,
    token: &'static str,
}

const ENV_KEY_FAMILIES: [EnvKeyFamily; 2] = [
    EnvKeyFamily {
        id: "ALIBABA_CLOUD_ACCESS_KEY_ID",
        secret: "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
        token: "ALIBABA_CLOUD_SECURITY_TOKEN",
    },
    EnvKeyFamily {
        id: "ALICLOUD_ACCESS_KEY",
        secret: "ALICLOUD_SECRET_KEY",
        token: "ALICLOUD_SECURITY_TOKEN",
    },
];

const ENV_ECS_ROLE: [&str; 2] = ["ALIBABA_CLOUD_ECS_METADATA", "ALICLOUD_ECS_ROLE_NAME"];
const ENV_PROFILE: [&str; 2] = ["ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE"];
const ENV_CREDENTIALS_FILE: [&str; 2] = [
    "ALIBABA_CLOUD_CREDENTIALS_FILE",
    "ALICLOUD_SHARED_CREDENTIALS_FILE",
];
const ENV_ROLE_ARN: [&str; 2] = ["ALIBABA_CLOUD_ROLE_ARN", "ALICLOUD_ASSUME_ROLE_ARN"];
const ENV_ROLE_SESSION_NAME: [&str; 2] = [
    "ALIBABA_CLOUD_ROLE_SESSION_NAME",
    "ALICLOUD_ASSUME_ROLE_SESSION_NAME",
];
const ENV_ROLE_SESSION_EXPIRATION: [&str; 1] = ["ALICLOUD_ASSUME_ROLE_SESSION_EXPIRATION"];
/// The OIDC role's variables, as Alibaba's credentials libraries name them.
const ENV_OIDC_PROVIDER_ARN: &str = "ALIBABA_CLOUD_OIDC_PROVIDER_ARN";
const ENV_OIDC_TOKEN_FILE: &str = "ALIBABA_CLOUD_OIDC_TOKEN_FILE";
const ENV_OIDC_ROLE_ARN: &str = "ALIBABA_CLOUD_ROLE_ARN";
/// STS endpoint selection, as in Alibaba's credentials libraries:
/// `sts.<ALIBABA_CLOUD_STS_REGION>.aliyuncs.com`, `sts-vpc.` when
/// `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED` is true.
const ENV_STS_REGION: &str = "ALIBABA_CLOUD_STS_REGION";
const ENV_VPC_ENDPOINT_ENABLED: &str = "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED";

/// Path of the CLI config file under the home directory.
const DEFAULT_CLI_CONFIG: &str = ".aliyun/config.json";

/// Builds the credentials provider for `config`, filling gaps from `env`.
///
/// Reads the CLI config file if the chain gets that far, but never touches
/// the network: STS and ECS providers fetch on their first
/// [`CredentialsProvider::credentials`] call. Empty strings count as unset.
pub fn resolve(
    config: &CredentialsConfig,
    env: &dyn Env,
    http: reqwest::Client,
) -> Result<Arc<dyn CredentialsProvider>, CredentialsError> {
    let resolver = Resolver { config, env, http };
    let (configured_role, role_from_block) = resolver.configured_role()?;
    let mut looked_in = Vec::new();

    let base = match resolver.explicit_base(&mut looked_in)? {
        Some(base) => base,
        None => match resolver.env_base(&mut looked_in)? {
            Some(base) => base,
            None => match resolver.profile_base(&mut looked_in)? {
                Some(base) => base,
                None => {
                    looked_in.push(
                        "ECS RAM role (not configured: neither ALIBABA_CLOUD_ECS_METADATA nor \
                         ALICLOUD_ECS_ROLE_NAME is set, and no EcsRamRole profile is used)"
                            .to_string(),
                    );
                    if configured_role.is_some() {
                        looked_in.push(
                            "(assume_role is configured but needs base credentials from one of these)"
                                .to_string(),
                        );
                    }
                    return Err(CredentialsError::NotFound { looked_in });
                }
            },
        },
    };

    // An explicitly configured role replaces a RamRoleArn profile's role.
    // On an OIDC role, a role ARN from the environment named the OIDC role.
    let configured_role = configured_role.filter(|_| role_from_block || !base.oidc);
    let role = configured_role.or(base.profile_role);
    let provider = match role {
        None => base.provider,
        Some(params) => {
            let endpoint = resolver.sts_endpoint(base.profile_sts_region)?;
            Arc::new(
                AssumeRoleProvider::new(base.provider, params, endpoint, resolver.http.clone())
                    .with_signature_version(config.signature_version),
            )
        }
    };
    tracing::debug!(source = %provider.source(), "resolved Alibaba Cloud credentials");
    Ok(provider)
}

/// Base credentials and what a profile contributes beyond them.
struct Base {
    provider: Arc<dyn CredentialsProvider>,
    /// Role to assume, from a `RamRoleArn` profile.
    profile_role: Option<AssumeRoleParams>,
    /// The profile's `sts_region` / `region_id`.
    profile_sts_region: Option<String>,
    /// The credentials are an OIDC role's.
    oidc: bool,
}

impl Base {
    fn plain(provider: Arc<dyn CredentialsProvider>) -> Self {
        Self {
            provider,
            profile_role: None,
            profile_sts_region: None,
            oidc: false,
        }
    }
}

struct Resolver<'a> {
    config: &'a CredentialsConfig,
    env: &'a dyn Env,
    http: reqwest::Client,
}

impl Resolver<'_> {
    /// The first non-empty variable among `names`, with the name that had it.
    fn first_var(&self, names: &[&'static str]) -> Option<(&'static str, String)> {
        names
            .iter()
            .find_map(|name| non_empty(self.env.var(name).as_deref()).map(|value| (*name, value)))
    }

    fn static_provider(credentials: Credentials, source: String) -> Arc<dyn CredentialsProvider> {
        Arc::new(StaticCredentials {
            credentials,
            source,
        })
    }

    fn ecs_provider(
        &self,
        role_name: Option<String>,
    ) -> Result<Arc<dyn CredentialsProvider>, CredentialsError> {
        let endpoint = ecs_metadata_endpoint(self.config.ecs_metadata_endpoint.as_deref())?;
        Ok(Arc::new(EcsRoleProvider::new(
            role_name,
            endpoint,
            self.http.clone(),
        )))
    }

    /// Tier 1: the configuration itself.
    fn explicit_base(&self, looked_in: &mut Vec<String>) -> Result<Option<Base>, CredentialsError> {
        let config = self.config;
        let id = non_empty(config.access_key.as_deref());
        let secret = non_empty_secret(config.secret_key.as_ref());
        let token = non_empty_secret(config.security_token.as_ref());
        match (id, secret) {
            (Some(_), Some(_)) if config.assume_role_with_oidc.is_some() => {
                return Err(CredentialsError::Conflict {
                    first: "access_key and secret_key".into(),
                    second: "assume_role_with_oidc".into(),
                })
            }
            (Some(_), Some(_)) if self.explicit_profile_setting().is_some() => {
                return Err(CredentialsError::Conflict {
                    first: "access_key and secret_key".into(),
                    second: self.explicit_profile_setting().unwrap_or("profile").into(),
                })
            }
            (Some(id), Some(secret)) => {
                let source = if token.is_some() {
                    "provider configuration (access_key, secret_key, security_token)"
                } else {
                    "provider configuration (access_key, secret_key)"
                };
                let credentials = Credentials {
                    access_key_id: id,
                    access_key_secret: secret,
                    security_token: token,
                };
                return Ok(Some(Base::plain(Self::static_provider(
                    credentials,
                    source.into(),
                ))));
            }
            (Some(_), None) => return Err(incomplete("access_key", "secret_key")),
            (None, Some(_)) => return Err(incomplete("secret_key", "access_key")),
            (None, None) if token.is_some() => {
                return Err(incomplete("security_token", "access_key and secret_key"))
            }
            (None, None) => {
                looked_in.push("provider configuration access_key/secret_key (not set)".into())
            }
        }
        let ecs_role = non_empty(config.ecs_role_name.as_deref());
        if let (Some(_), Some(profile_setting)) = (&ecs_role, self.explicit_profile_setting()) {
            return Err(CredentialsError::Conflict {
                first: "ecs_role_name".into(),
                second: profile_setting.into(),
            });
        }
        if config.assume_role_with_oidc.is_some() {
            let other = if ecs_role.is_some() {
                Some("ecs_role_name")
            } else {
                self.explicit_profile_setting()
            };
            if let Some(other) = other {
                return Err(CredentialsError::Conflict {
                    first: "assume_role_with_oidc".into(),
                    second: other.into(),
                });
            }
            return self.oidc_base(true).map(Some);
        }
        if let Some(role) = ecs_role {
            return Ok(Some(Base::plain(self.ecs_provider(Some(role))?)));
        }
        if self.explicit_profile_setting().is_some() {
            // Named explicitly, so it is required: profile_base errors
            // rather than returning None.
            return self.profile_base(looked_in);
        }
        Ok(None)
    }

    /// The profile setting given explicitly (not from the environment), if
    /// any: `profile` first, then `shared_credentials_file`.
    fn explicit_profile_setting(&self) -> Option<&'static str> {
        if non_empty(self.config.profile.as_deref()).is_some() {
            Some("profile")
        } else if self
            .config
            .shared_credentials_file
            .as_ref()
            .is_some_and(|p| !p.as_os_str().is_empty())
        {
            Some("shared_credentials_file")
        } else {
            None
        }
    }

    /// Tier 2: environment variables.
    fn env_base(&self, looked_in: &mut Vec<String>) -> Result<Option<Base>, CredentialsError> {
        for family in &ENV_KEY_FAMILIES {
            let id = self.first_var(&[family.id]).map(|(_, v)| v);
            let secret = self.first_var(&[family.secret]).map(|(_, v)| v);
            let token = self.first_var(&[family.token]).map(|(_, v)| v);
            match (id, secret) {
                (Some(id), Some(secret)) => {
                    self.warn_if_other_family_differs(family, &id);
                    let credentials = Credentials {
                        access_key_id: id,
                        access_key_secret: Secret::new(secret),
                        security_token: token.map(Secret::new),
                    };
                    let source = format!("environment ({})", family.id);
                    return Ok(Some(Base::plain(Self::static_provider(
                        credentials,
                        source,
                    ))));
                }
                (Some(_), None) => return Err(incomplete(family.id, family.secret)),
                (None, Some(_)) => return Err(incomplete(family.secret, family.id)),
                (None, None) if token.is_some() => {
                    return Err(incomplete(
                        family.token,
                        &format!("{} and {}", family.id, family.secret),
                    ))
                }
                (None, None) => looked_in.push(format!(
                    "environment {}/{} (not set)",
                    family.id, family.secret
                )),
            }
        }
        if self
            .first_var(&[ENV_OIDC_PROVIDER_ARN, ENV_OIDC_TOKEN_FILE])
            .is_some()
        {
            return self.oidc_base(false).map(Some);
        }
        looked_in.push(format!(
            "environment {ENV_OIDC_PROVIDER_ARN}/{ENV_OIDC_TOKEN_FILE}/{ENV_OIDC_ROLE_ARN} (not set)"
        ));
        if let Some((_, role)) = self.first_var(&ENV_ECS_ROLE) {
            return Ok(Some(Base::plain(self.ecs_provider(Some(role))?)));
        }
        Ok(None)
    }

    /// An OIDC role: from the `assume_role_with_oidc` block (`explicit`),
    /// each unset field from its variable, or from the variables alone.
    fn oidc_base(&self, explicit: bool) -> Result<Base, CredentialsError> {
        let block = self
            .config
            .assume_role_with_oidc
            .clone()
            .unwrap_or_default();
        let prefix = if explicit {
            "assume_role_with_oidc."
        } else {
            ""
        };
        let mut missing = Vec::new();
        let mut field = |value: Option<&str>, name: &'static str, var: &'static str| {
            let found = non_empty(value).or_else(|| self.first_var(&[var]).map(|(_, v)| v));
            if found.is_none() {
                missing.push(if explicit {
                    format!("{prefix}{name} (or {var})")
                } else {
                    var.to_owned()
                });
            }
            found
        };
        let provider_arn = field(
            block.oidc_provider_arn.as_deref(),
            "oidc_provider_arn",
            ENV_OIDC_PROVIDER_ARN,
        );
        let role_arn = field(block.role_arn.as_deref(), "role_arn", ENV_OIDC_ROLE_ARN);
        let inline = non_empty_secret(block.oidc_token.as_ref());
        let token_file = block
            .oidc_token_file
            .filter(|p| !p.as_os_str().is_empty())
            .map(|p| self.expand_home(&p))
            .transpose()?;
        if inline.is_some() && token_file.is_some() {
            return Err(CredentialsError::Conflict {
                first: "assume_role_with_oidc.oidc_token".into(),
                second: "assume_role_with_oidc.oidc_token_file".into(),
            });
        }
        let token = match (inline, token_file) {
            (Some(token), _) => Some(OidcToken::Inline(token)),
            (None, Some(path)) => Some(OidcToken::File(path)),
            (None, None) => self
                .first_var(&[ENV_OIDC_TOKEN_FILE])
                .map(|(_, path)| self.expand_home(Path::new(&path)))
                .transpose()?
                .map(OidcToken::File),
        };
        if token.is_none() {
            missing.push(if explicit {
                format!("{prefix}oidc_token_file or {prefix}oidc_token (or {ENV_OIDC_TOKEN_FILE})")
            } else {
                ENV_OIDC_TOKEN_FILE.to_owned()
            });
        }
        let (Some(oidc_provider_arn), Some(role_arn), Some(token)) =
            (provider_arn, role_arn, token)
        else {
            return Err(CredentialsError::Invalid(format!(
                "an OIDC role needs its provider ARN, role ARN and token; missing: {}",
                missing.join(", ")
            )));
        };
        let session_name = match non_empty(block.role_session_name.as_deref()) {
            Some(name) => {
                validate_session_name(&name, "assume_role_with_oidc.role_session_name")?;
                name
            }
            None => match self.first_var(&ENV_ROLE_SESSION_NAME) {
                Some((var, name)) => {
                    validate_session_name(&name, var)?;
                    name
                }
                None => DEFAULT_SESSION_NAME.to_string(),
            },
        };
        let duration_seconds = match block.session_expiration.filter(|s| *s != 0) {
            Some(seconds) => {
                validate_duration(seconds.into(), "assume_role_with_oidc.session_expiration")?
            }
            None => DEFAULT_DURATION_SECONDS,
        };
        let policy = non_empty(block.policy.as_deref());
        if let Some(policy) = &policy {
            validate_policy(policy, "assume_role_with_oidc.policy")?;
        }
        let params = OidcRoleParams {
            oidc_provider_arn,
            role_arn,
            token,
            session_name,
            duration_seconds,
            policy,
        };
        let endpoint = self.sts_endpoint(None)?;
        Ok(Base {
            provider: Arc::new(OidcRoleProvider::new(params, endpoint, self.http.clone())),
            profile_role: None,
            profile_sts_region: None,
            oidc: true,
        })
    }

    /// The STS endpoint: `sts_endpoint` if set, else the regional endpoint
    /// (`sts-vpc.` with `ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED`) of
    /// `ALIBABA_CLOUD_STS_REGION`, else of `region`, else of the profile's
    /// STS region, else of the default region.
    fn sts_endpoint(&self, profile_region: Option<String>) -> Result<url::Url, CredentialsError> {
        let region = self
            .first_var(&[ENV_STS_REGION])
            .map(|(_, v)| v)
            .or_else(|| non_empty(self.config.region.as_deref()))
            .or(profile_region)
            .unwrap_or_else(|| DEFAULT_STS_REGION.to_string());
        let vpc = match self.first_var(&[ENV_VPC_ENDPOINT_ENABLED]) {
            None => false,
            Some((var, value)) => match value.trim().to_ascii_lowercase().as_str() {
                "true" | "1" => true,
                "false" | "0" => false,
                _ => {
                    return Err(CredentialsError::InvalidSetting {
                        setting: var.to_owned(),
                        message: format!("is {value:?}; use true or false"),
                    })
                }
            },
        };
        sts_endpoint(self.config.sts_endpoint.as_deref(), &region, vpc)
    }

    fn warn_if_other_family_differs(&self, used: &EnvKeyFamily, id: &str) {
        for other in ENV_KEY_FAMILIES.iter().filter(|f| f.id != used.id) {
            if let Some((_, other_id)) = self.first_var(&[other.id]) {
                if other_id != id {
                    tracing::warn!(
                        used = used.id,
                        ignored = other.id,
                        "both environment variables are set with different values; using the first"
                    );
                }
            }
        }
    }
}

/// A setting that is present but ignored, which the caller should show the
/// user (a Terraform warning). It names variables, never their values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredSetting {
    pub used: &'static str,
    pub ignored: &'static str,
}

/// Both environment families set with different AccessKey IDs: the first
/// family wins (see the module docs), the other is ignored. `None` when
/// that does not apply.
pub fn conflicting_env_families(env: &dyn Env) -> Option<IgnoredSetting> {
    let value = |name: &str| non_empty(env.var(name).as_deref());
    let [current, older] = &ENV_KEY_FAMILIES;
    let current_id = value(current.id)?;
    value(current.secret)?;
    let older_id = value(older.id)?;
    (current_id != older_id).then_some(IgnoredSetting {
        used: current.id,
        ignored: older.id,
    })
}

impl Resolver<'_> {
    /// Tier 3: a profile of the CLI config file.
    fn profile_base(&self, looked_in: &mut Vec<String>) -> Result<Option<Base>, CredentialsError> {
        let name_setting = match non_empty(self.config.profile.as_deref()) {
            Some(name) => Some(name),
            None => self.first_var(&ENV_PROFILE).map(|(_, v)| v),
        };
        let path_setting = match self.config.shared_credentials_file.as_ref() {
            Some(path) if !path.as_os_str().is_empty() => Some(path.clone()),
            _ => self
                .first_var(&ENV_CREDENTIALS_FILE)
                .map(|(_, v)| PathBuf::from(v)),
        };
        let path = match path_setting.as_ref() {
            Some(path) => self.expand_home(path)?,
            None => match self.env.home_dir() {
                Some(home) => home.join(DEFAULT_CLI_CONFIG),
                None if name_setting.is_some() => {
                    return Err(CredentialsError::Invalid(
                        "a profile is selected but the home directory is unknown; \
                         set shared_credentials_file to the CLI config file"
                            .into(),
                    ))
                }
                None => {
                    looked_in.push(format!(
                        "CLI config file ~/{DEFAULT_CLI_CONFIG} (no home directory; profile not set)"
                    ));
                    return Ok(None);
                }
            },
        };

        // A file the user pointed at (or a profile they named) must exist;
        // the default file is simply skipped when absent.
        let required = name_setting.is_some() || path_setting.is_some();
        let bytes = match read_capped(&path, MAX_CLI_CONFIG_BYTES) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                looked_in.push(format!(
                    "CLI config file {} (not found; profile not set)",
                    path.display()
                ));
                return Ok(None);
            }
            Err(e) if e.kind() == std::io::ErrorKind::FileTooLarge => {
                return Err(CredentialsError::ConfigFileTooLarge {
                    path,
                    limit: MAX_CLI_CONFIG_BYTES,
                })
            }
            Err(e) => {
                return Err(CredentialsError::ConfigFileUnreadable {
                    path,
                    message: e.to_string(),
                })
            }
        };
        let cli =
            parse_cli_config(&bytes).map_err(|source| CredentialsError::ConfigFileInvalid {
                path: path.clone(),
                source,
            })?;

        // Selection: explicit name, else environment, else `current`; with
        // none of these the CLI's own default name is tried.
        let (name, fallback) = match name_setting.or_else(|| cli.current.clone()) {
            Some(name) => (name, false),
            None => ("default".to_string(), true),
        };
        let Some(profile) = cli.profile(&name) else {
            if fallback {
                looked_in.push(format!(
                    "CLI config file {} (profile not set, no \"current\" and no profile named \"default\")",
                    path.display()
                ));
                return Ok(None);
            }
            return Err(CredentialsError::ProfileNotFound {
                name,
                path,
                available: cli.profile_names(),
            });
        };
        self.profile_provider(profile, &path).map(Some)
    }

    fn profile_provider(
        &self,
        profile: &CliProfile,
        path: &Path,
    ) -> Result<Base, CredentialsError> {
        let invalid = |message: String| CredentialsError::InvalidProfile {
            profile: profile.name.clone(),
            path: path.to_path_buf(),
            message,
        };
        let mode = profile.mode.as_str();
        let require = |value: Option<&String>, field: &str| {
            value
                .cloned()
                .ok_or_else(|| invalid(format!("mode {mode} requires {field}")))
        };
        let require_secret = |value: Option<&Secret>, field: &str| {
            value
                .cloned()
                .ok_or_else(|| invalid(format!("mode {mode} requires {field}")))
        };
        let source = format!(
            "profile {:?} (mode {mode}) in {}",
            profile.name,
            path.display()
        );
        let access_key = || -> Result<Credentials, CredentialsError> {
            Ok(Credentials {
                access_key_id: require(profile.access_key_id.as_ref(), "access_key_id")?,
                access_key_secret: require_secret(
                    profile.access_key_secret.as_ref(),
                    "access_key_secret",
                )?,
                security_token: None,
            })
        };
        let sts_region = profile
            .sts_region
            .clone()
            .or_else(|| profile.region_id.clone());

        match &profile.mode {
            ProfileMode::Ak => Ok(Base::plain(Self::static_provider(access_key()?, source))),
            ProfileMode::StsToken => {
                let mut credentials = access_key()?;
                credentials.security_token =
                    Some(require_secret(profile.sts_token.as_ref(), "sts_token")?);
                Ok(Base::plain(Self::static_provider(credentials, source)))
            }
            ProfileMode::RamRoleArn => {
                let credentials = access_key()?;
                let role_arn = require(profile.ram_role_arn.as_ref(), "ram_role_arn")?;
                let setting = |field: &str| format!("profile {:?} {field}", profile.name);
                let session_name = profile
                    .ram_session_name
                    .clone()
                    .unwrap_or_else(|| DEFAULT_SESSION_NAME.to_string());
                validate_session_name(&session_name, &setting("ram_session_name"))?;
                let duration_seconds = match profile.expired_seconds {
                    Some(seconds) => validate_duration(seconds, &setting("expired_seconds"))?,
                    None => DEFAULT_DURATION_SECONDS,
                };
                Ok(Base {
                    provider: Self::static_provider(credentials, source),
                    profile_role: Some(AssumeRoleParams {
                        role_arn,
                        session_name,
                        duration_seconds,
                        policy: profile.policy.clone(),
                        external_id: profile.external_id.clone(),
                    }),
                    profile_sts_region: sts_region,
                    oidc: false,
                })
            }
            ProfileMode::EcsRamRole => Ok(Base {
                provider: self.ecs_provider(profile.ram_role_name.clone())?,
                profile_role: None,
                profile_sts_region: sts_region,
                oidc: false,
            }),
            ProfileMode::Other(mode) => Err(CredentialsError::UnsupportedProfileMode {
                profile: profile.name.clone(),
                mode: mode.clone(),
            }),
        }
    }

    /// The role from the `assume_role` block and its environment fallbacks,
    /// and whether its ARN came from the block itself.
    fn configured_role(&self) -> Result<(Option<AssumeRoleParams>, bool), CredentialsError> {
        let block = self.config.assume_role.clone().unwrap_or_default();
        let block_role = non_empty(Some(&block.role_arn));
        let from_block = block_role.is_some();
        let Some(role_arn) = block_role.or_else(|| self.first_var(&ENV_ROLE_ARN).map(|(_, v)| v))
        else {
            let block_has_settings = non_empty(block.session_name.as_deref()).is_some()
                || block.session_expiration.is_some_and(|s| s != 0)
                || non_empty(block.policy.as_deref()).is_some()
                || non_empty(block.external_id.as_deref()).is_some();
            if block_has_settings {
                return Err(CredentialsError::Invalid(format!(
                    "assume_role is set but has no role_arn, and neither {} is set",
                    ENV_ROLE_ARN.join(" nor ")
                )));
            }
            return Ok((None, false));
        };

        let session_name = match non_empty(block.session_name.as_deref()) {
            Some(name) => {
                validate_session_name(&name, "assume_role.session_name")?;
                name
            }
            None => match self.first_var(&ENV_ROLE_SESSION_NAME) {
                Some((var, name)) => {
                    validate_session_name(&name, var)?;
                    name
                }
                None => DEFAULT_SESSION_NAME.to_string(),
            },
        };
        let duration_seconds = match block.session_expiration.filter(|s| *s != 0) {
            Some(seconds) => validate_duration(seconds.into(), "assume_role.session_expiration")?,
            None => match self.first_var(&ENV_ROLE_SESSION_EXPIRATION) {
                Some((var, text)) => {
                    let seconds = text.trim().parse::<u64>().map_err(|_| {
                        CredentialsError::Invalid(format!(
                            "{var} must be a whole number of seconds, got {text:?}"
                        ))
                    })?;
                    validate_duration(seconds, var)?
                }
                None => DEFAULT_DURATION_SECONDS,
            },
        };
        let policy = non_empty(block.policy.as_deref());
        if let Some(policy) = &policy {
            // Refused here, before any request: STS would only say
            // "InvalidParameter.PolicyGrammar" after a round trip.
            validate_policy(policy, "assume_role.policy")?;
        }
        Ok((
            Some(AssumeRoleParams {
                role_arn,
                session_name,
                duration_seconds,
                policy,
                external_id: non_empty(block.external_id.as_deref()),
            }),
            from_block,
        ))
    }

    /// Expands a leading `~/` (Terraform users write paths that way).
    fn expand_home(&self, path: &Path) -> Result<PathBuf, CredentialsError> {
        match path.strip_prefix("~") {
            Ok(rest) => match self.env.home_dir() {
                Some(home) => Ok(home.join(rest)),
                None => Err(CredentialsError::Invalid(format!(
                    "cannot expand ~ in {}: the home directory is unknown",
                    path.display()
                ))),
            },
            Err(_) => Ok(path.to_path_buf()),
        }
    }
}

fn incomplete(present: &str, missing: &str) -> CredentialsError {
    CredentialsError::IncompletePair {
        present: present.to_string(),
        missing: missing.to_string(),
    }
}

fn non_empty(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.is_empty()).map(str::to_string)
}

fn non_empty_secret(value: Option<&Secret>) -> Option<Secret> {
    value.filter(|v| !v.is_empty()).cloned()
}

/// The largest CLI config file read. A real one with dozens of profiles is a
/// few KiB; the cap stops `/dev/zero` or a log file named by mistake from
/// being read until memory runs out.
pub(crate) const MAX_CLI_CONFIG_BYTES: u64 = 1024 * 1024;

/// Reads a whole file of at most `limit` bytes. A larger file (or an endless
/// one, such as a device) is `ErrorKind::FileTooLarge`, found after reading
/// `limit + 1` bytes at most.
fn read_capped(path: &std::path::Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let file = std::fs::File::open(path)?;
    if file.metadata()?.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "it is a directory, not a file",
        ));
    }
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::ErrorKind::FileTooLarge.into());
    }
    Ok(bytes)
}
