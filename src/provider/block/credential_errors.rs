//! Credential failures as diagnostics: one summary per cause, the attribute
//! of the provider block that caused it (when the user set it there), and
//! advice for that cause naming the provider's own arguments and the
//! documented environment variables.

use super::model::{blocks, OidcModel, ProviderModel};
use super::schema::DEFAULT_REQUEST_TIMEOUT_SECONDS;
use crate::alibaba::credentials::{CredentialsError, StsAction};
use crate::plugin::{Attr, AttributePath, Diagnostic};
use crate::{attribute_name, attribute_path};

/// The diagnostic for a credentials failure. `block` is the provider block,
/// to point at the argument the user wrote; `None` where the failure shows
/// in a resource or data source (credentials are fetched lazily), whose
/// block has no such argument to point at.
pub fn diagnostic(e: &CredentialsError, block: Option<&ProviderModel>) -> Diagnostic {
    let set_in_block = |name: &str| {
        block
            .and_then(|block| block.credential_argument(name))
            .is_some_and(|v| matches!(v, Attr::Known(v) if !v.trim().is_empty()))
    };
    let path_if_set = |name: &str| set_in_block(name).then(|| AttributePath::of(name));
    let profile = attribute_name!(ProviderModel, profile);
    let file = attribute_name!(ProviderModel, shared_credentials_file);
    let profile_path = || path_if_set(profile).or_else(|| path_if_set(file));
    // The OIDC block's attribute, when the block is in the configuration.
    let oidc_path = |attribute: &str| {
        block
            .filter(|b| !blocks(&b.assume_role_with_oidc).is_empty())
            .map(|_| {
                attribute_path!(ProviderModel, assume_role_with_oidc)
                    .index(0)
                    .attribute(attribute)
            })
    };
    let file_path = || path_if_set(file).or_else(|| path_if_set(profile));

    let (summary, path, advice): (&str, Option<AttributePath>, String) = match e {
        CredentialsError::NotFound { .. } => (
            "Missing Alibaba Cloud Credentials",
            None,
            "Set `access_key` and `secret_key` in the provider block, or the environment variables `ALIBABA_CLOUD_ACCESS_KEY_ID` and `ALIBABA_CLOUD_ACCESS_KEY_SECRET`, or name a profile of the Alibaba Cloud CLI with `profile` (or `ALIBABA_CLOUD_PROFILE`).".into(),
        ),
        CredentialsError::IncompletePair { present, missing } => {
            let in_block = |name: &str| {
                [
                    attribute_name!(ProviderModel, access_key),
                    attribute_name!(ProviderModel, secret_key),
                    attribute_name!(ProviderModel, security_token),
                ]
                .contains(&name)
            };
            let advice = if in_block(present) {
                format!("The environment's access key pair is used only when the provider block sets neither `access_key` nor `secret_key`. Set {} in the provider block too (from a variable, not in plain text), or remove `{present}` from it.", backticked_list(missing))
            } else {
                format!("Set {} as well, or unset `{present}`.", backticked_list(missing))
            };
            (
                "Incomplete Access Key Pair",
                in_block(present).then(|| AttributePath::of(present.as_str())),
                advice,
            )
        }
        CredentialsError::ConfigFileUnreadable { .. } => (
            "Cannot Read the Credentials File",
            file_path(),
            "Point `shared_credentials_file` (or `ALIBABA_CLOUD_CREDENTIALS_FILE`) at an existing Alibaba Cloud CLI configuration file, or remove it to use `~/.aliyun/config.json`.".into(),
        ),
        CredentialsError::ConfigFileTooLarge { .. } => (
            "Credentials File Too Large",
            file_path(),
            "`shared_credentials_file` must name an Alibaba Cloud CLI configuration file (a small JSON file written by `aliyun configure`), not a device or a large file.".into(),
        ),
        CredentialsError::ConfigFileInvalid { .. } => (
            "Invalid Credentials File",
            file_path(),
            "The file must be JSON in the format `aliyun configure` writes (`{\"current\": ..., \"profiles\": [...]}`). Fix it, or point `shared_credentials_file` at the right file.".into(),
        ),
        CredentialsError::ProfileNotFound { .. } => (
            "Profile Not Found",
            profile_path(),
            "Set `profile` (or `ALIBABA_CLOUD_PROFILE`) to one of the profiles listed, or create the profile with `aliyun configure --profile NAME`.".into(),
        ),
        CredentialsError::UnsupportedProfileMode { .. } => (
            "Unsupported Profile Mode",
            profile_path(),
            "Choose a profile in mode AK, StsToken, RamRoleArn or EcsRamRole with `profile`, or set `access_key` and `secret_key`.".into(),
        ),
        CredentialsError::InvalidProfile { .. } => (
            "Invalid Profile",
            profile_path(),
            "Complete the profile with `aliyun configure --profile NAME`, or choose another one with `profile`.".into(),
        ),
        CredentialsError::InvalidSetting { setting, .. } => match setting.strip_prefix("assume_role.") {
            Some(field) => (
                "Invalid Provider Argument",
                Some(attribute_path!(ProviderModel, assume_role).index(0).attribute(field)),
                format!("Correct `{setting}` in the provider block."),
            ),
            None if setting.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') => (
                "Invalid Environment Variable",
                None,
                format!("Correct or unset the environment variable `{setting}`."),
            ),
            None => (
                "Invalid Credentials Setting",
                profile_path(),
                "Correct the setting in the Alibaba Cloud CLI profile named by `profile`.".into(),
            ),
        },
        CredentialsError::Conflict { second, .. } => (
            "Conflicting Credential Settings",
            path_if_set(second),
            "Keep only one way of choosing credentials in the provider block.".into(),
        ),
        CredentialsError::Invalid(_) => (
            "Invalid Credentials Configuration",
            None,
            "Correct the provider block or the environment as the message says.".into(),
        ),
        CredentialsError::OidcTokenFile { .. } => (
            "Cannot Read the OIDC Token File",
            oidc_path(attribute_name!(OidcModel, oidc_token_file)),
            "The token file is read at the first request and again at each refresh. Point `assume_role_with_oidc.oidc_token_file` (or `ALIBABA_CLOUD_OIDC_TOKEN_FILE`) at the file your CI job or Kubernetes writes the OIDC token to, and check that the job writes it before Terraform runs and may read it.".into(),
        ),
        CredentialsError::Sts {
            action: StsAction::AssumeRoleWithOidc,
            code,
            ..
        } => {
            let cause = oidc_cause(code);
            (cause.summary, oidc_path(cause.attribute), cause.advice.into())
        }
        CredentialsError::Sts { .. } => (
            "Cannot Assume the RAM Role",
            Some(attribute_path!(ProviderModel, assume_role)),
            "Check `assume_role.role_arn` and the role's trust policy, and that the base credentials may call sts:AssumeRole. `sts_endpoint` changes where STS is reached.".into(),
        ),
        CredentialsError::EcsRole { .. } => (
            "Cannot Get ECS RAM Role Credentials",
            None,
            "Check that the RAM role named by `ALIBABA_CLOUD_ECS_METADATA` (or the EcsRamRole profile) is attached to this ECS instance.".into(),
        ),
        CredentialsError::Transport { .. } | CredentialsError::InvalidResponse { .. } => (
            "Cannot Get Alibaba Cloud Credentials",
            None,
            format!("The credentials service could not be reached or answered unexpectedly; check the network and `sts_endpoint`, then run again. Each request may take `request_timeout` seconds in all (default {DEFAULT_REQUEST_TIMEOUT_SECONDS}); raise it if the service is known to be that slow."),
        ),
    };
    let d = Diagnostic::error(summary, format!("{e}\n\n{advice}"));
    match path.filter(|_| block.is_some()) {
        Some(path) => d.at(path),
        None => d,
    }
}

/// What an STS answer to AssumeRoleWithOIDC means for the user: the
/// summary, the attribute of `assume_role_with_oidc` to fix, the advice.
struct OidcCause {
    /// Codes it covers: an exact code, or a prefix ending in `.`.
    codes: &'static [&'static str],
    summary: &'static str,
    attribute: &'static str,
    advice: &'static str,
}

/// STS's documented AssumeRoleWithOIDC error codes
/// (https://www.alibabacloud.com/help/en/ram/developer-reference/api-sts-2015-04-01-errorcodes),
/// by cause; the first match wins, the last entry catches the rest.
const OIDC_CAUSES: &[OidcCause] = &[
    OidcCause {
        codes: &["AuthenticationFail.OIDCToken.Expired"],
        summary: "OIDC Token Expired",
        attribute: "oidc_token_file",
        advice: "The OIDC token has expired. CI tokens live minutes: have the job fetch a fresh token into the token file right before Terraform runs, and keep rewriting it during long runs (the provider reads the file again at every refresh). An `oidc_token` written in the configuration cannot be refreshed; prefer `oidc_token_file`.",
    },
    OidcCause {
        codes: &[
            "AuthenticationFail.OIDCToken.AudienceNotMatch",
            "AuthenticationFail.OIDCToken.IssuerNotMatch",
        ],
        summary: "OIDC Token Not Accepted for This Provider",
        attribute: "oidc_provider_arn",
        advice: "The token's audience (`aud`) must be one of the client IDs of the OIDC provider named by `oidc_provider_arn` in RAM, and its issuer (`iss`) the provider's issuer URL. Request the token with that audience (GitHub Actions: the `audience` of `core.getIDToken` or of `ACTIONS_ID_TOKEN_REQUEST_URL`), or add the audience to the provider's client IDs in RAM.",
    },
    OidcCause {
        codes: &[
            "AuthenticationFail.NoPermission",
            "EntityNotExist.Role",
            "NoPermission.",
        ],
        summary: "Role Does Not Trust the OIDC Provider",
        attribute: "role_arn",
        advice: "Check `role_arn` and `oidc_provider_arn`: the role must exist, the provider must be registered in RAM, and the role's trust policy must allow `sts:AssumeRole` for that OIDC provider (with conditions the token meets, such as its `sub`).",
    },
    OidcCause {
        codes: &["AuthenticationFail.OIDCToken."],
        summary: "Invalid OIDC Token",
        attribute: "oidc_token_file",
        advice: "STS could not verify the token (its format or signature). Make sure the token file holds the raw JWT the identity provider issued, as the CI job received it, and nothing else.",
    },
    OidcCause {
        codes: &[""],
        summary: "Cannot Assume the RAM Role with OIDC",
        attribute: "role_arn",
        advice: "Check `assume_role_with_oidc` (`role_arn`, `oidc_provider_arn`, `role_session_name`, `session_expiration`, `policy`) against the message above. `sts_endpoint` changes where STS is reached.",
    },
];

fn oidc_cause(code: &str) -> &'static OidcCause {
    let matches = |pattern: &str| {
        if pattern.is_empty() || pattern.ends_with('.') {
            code.starts_with(pattern)
        } else {
            code == pattern
        }
    };
    OIDC_CAUSES
        .iter()
        .find(|cause| cause.codes.iter().any(|p| matches(p)))
        .unwrap_or(&OIDC_CAUSES[OIDC_CAUSES.len() - 1])
}

/// `a`, or `a` and `b` for a list written "a and b".
fn backticked_list(names: &str) -> String {
    names
        .split(" and ")
        .map(|n| format!("`{}`", n.trim()))
        .collect::<Vec<_>>()
        .join(" and ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::model::Model;

    #[test]
    fn every_oidc_cause_points_at_an_argument_of_the_block() {
        for cause in OIDC_CAUSES {
            assert!(
                OidcModel::attribute_name(cause.attribute).is_some(),
                "{}",
                cause.attribute
            );
        }
    }
}
