//! The provider block: validation (values may be unknown) and conversion
//! into the Alibaba client's settings (values known).

use std::path::PathBuf;

use crate::alibaba::credentials::sts::{validate_policy, validate_session_name};
use crate::alibaba::credentials::{
    AssumeRoleConfig, AssumeRoleWithOidcConfig, CredentialsConfig, Secret,
};
use crate::alibaba::endpoint::EndpointError;
use crate::alibaba::parse_endpoint;
use crate::alibaba::rpc_query::SignatureVersion;
use crate::plugin::{Attr, Config, Diagnostic, Diagnostics};

use super::schema::{
    DEFAULT_MAX_CONTENT_BYTES, DEFAULT_MAX_RETRIES, DEFAULT_REGION,
    DEFAULT_REQUEST_TIMEOUT_SECONDS, DEFAULT_THROTTLE_TIMEOUT_SECONDS, REGION_ENV,
    SHARED_RATE_LIMIT_ENV, SIGNATURE_VERSION_ENV,
};

/// Everything the provider block says, after defaults and environment.
#[derive(Debug, Clone)]
pub struct ProviderSettings {
    pub credentials: CredentialsConfig,
    pub region: String,
    pub endpoint: Option<String>,
    pub cust_space_id: Option<String>,
    pub max_retries: u32,
    /// `None`: each operation's documented limit.
    pub rate_limit: Option<u32>,
    pub max_content_bytes: u64,
    pub request_timeout_seconds: u64,
    pub throttle_timeout_seconds: u64,
    /// Whether the host-wide budget is on (`shared_rate_limit`).
    pub shared_rate_limit: bool,
}

/// A whole-number argument and the range it must be in. Validation and
/// the conversion into settings read it through the same description, so
/// the two cannot disagree on a bound.
struct WholeNumber {
    name: &'static str,
    min: u64,
    max: u64,
}

const RATE_LIMIT: WholeNumber = WholeNumber {
    name: "rate_limit",
    min: 1,
    max: 1000,
};
const MAX_RETRIES: WholeNumber = WholeNumber {
    name: "max_retries",
    min: 1,
    max: 20,
};
const MAX_CONTENT_BYTES: WholeNumber = WholeNumber {
    name: "max_content_bytes",
    min: 1,
    max: 1 << 40,
};
const REQUEST_TIMEOUT: WholeNumber = WholeNumber {
    name: "request_timeout",
    min: 1,
    max: 3600,
};
const THROTTLE_TIMEOUT: WholeNumber = WholeNumber {
    name: "throttle_timeout",
    min: 1,
    max: 3600,
};
/// STS allows sessions of 15 minutes to 12 hours.
const SESSION_EXPIRATION: WholeNumber = WholeNumber {
    name: "session_expiration",
    min: 900,
    max: 43200,
};

/// Reads a whole-number attribute within its range.
fn whole_number(config: &Config, arg: &WholeNumber, diags: &mut Diagnostics) -> Option<u64> {
    let WholeNumber { name, min, max } = *arg;
    let attr = match config.number(name) {
        Ok(a) => a,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let n = attr.known()?;
    match n.as_u64().filter(|v| (min..=max).contains(v)) {
        Some(v) => Some(v),
        None => {
            diags.push(
                Diagnostic::error(
                    "Invalid Provider Argument",
                    format!("{name} must be a whole number from {min} to {max}; got {n}."),
                )
                .at(config.path_of(name)),
            );
            None
        }
    }
}

fn string(config: &Config, name: &str, diags: &mut Diagnostics) -> Attr<String> {
    match config.string(name) {
        Ok(Attr::Known(s)) if s.trim().is_empty() => Attr::Null,
        Ok(a) => a,
        Err(d) => {
            diags.push(d);
            Attr::Null
        }
    }
}

/// Checks an endpoint argument. `example_host` is a real host of that
/// service, for the advice.
fn check_endpoint(config: &Config, name: &str, example_host: &str, diags: &mut Diagnostics) {
    if let Attr::Known(s) = string(config, name, diags) {
        if let Err(e) = parse_endpoint(&s) {
            let summary = match e {
                EndpointError::Scheme { .. } => "Insecure Endpoint",
                _ => "Invalid Endpoint",
            };
            diags.push(
                Diagnostic::error(
                    summary,
                    format!("{name}: {e}. Use a host such as \"{example_host}\" or a URL such as \"https://{example_host}\" (plain http only for loopback hosts such as 127.0.0.1)."),
                )
                .at(config.path_of(name)),
            );
        }
    }
}

/// Settings that choose the credentials and cannot go together, and a key
/// pair half set in the block (the environment's pair is used only when the
/// block sets neither half, so the other half cannot come from there).
fn check_credential_choice(config: &Config, diags: &mut Diagnostics) {
    let state = |name: &str| match config.string(name) {
        Ok(Attr::Known(s)) if s.trim().is_empty() => Attr::Null,
        Ok(a) => a,
        Err(_) => Attr::Null,
    };
    let (id, secret) = (state("access_key"), state("secret_key"));
    for (present, missing, p, m) in [
        ("access_key", "secret_key", &id, &secret),
        ("secret_key", "access_key", &secret, &id),
    ] {
        if matches!(p, Attr::Known(_)) && m.is_null() {
            diags.push(
                Diagnostic::error(
                    "Incomplete Access Key Pair",
                    format!("{present} is set in the provider block but {missing} is not. The environment's key pair is used only when the block sets neither, so set `{missing}` in the block too (from a variable), or remove `{present}`."),
                )
                .at(config.path_of(present)),
            );
        }
    }
    let keys_set = !id.is_null() && !secret.is_null();
    let oidc_set =
        matches!(config.blocks("assume_role_with_oidc"), Ok(Attr::Known(b)) if !b.is_empty());
    if oidc_set {
        for other in ["access_key", "profile", "shared_credentials_file"] {
            if !state(other).is_null() {
                diags.push(
                    Diagnostic::error(
                        "Conflicting Credential Settings",
                        format!("assume_role_with_oidc is set, and so is {other}; each chooses the credentials. Keep only one: remove `{other}` to use the OIDC role, or remove the assume_role_with_oidc block."),
                    )
                    .at(config.path_of(other)),
                );
            }
        }
    }
    for other in ["profile", "shared_credentials_file"] {
        if keys_set && !state(other).is_null() {
            diags.push(
                Diagnostic::error(
                    "Conflicting Credential Settings",
                    format!("access_key and secret_key are set, and so is {other}; each chooses the credentials. Keep only one: remove `{other}` to use the keys, or remove the keys to use the CLI profile."),
                )
                .at(config.path_of(other)),
            );
        }
    }
}

/// What STS would refuse, refused before any request: an empty role ARN
/// (e.g. from an empty variable, which would otherwise silently drop the
/// role), a session name STS does not accept, a policy that is not JSON.
fn check_assume_role(block: &Config, diags: &mut Diagnostics) {
    if let Ok(Attr::Known(arn)) = block.string("role_arn") {
        if arn.trim().is_empty() {
            diags.push(
                Diagnostic::error(
                    "Empty Role ARN",
                    "assume_role.role_arn is empty (an empty variable?). Running with the base credentials instead of the role would quietly drop a least-privilege role, so this is refused. Set `role_arn` to the role's ARN, or remove the assume_role block.",
                )
                .at(block.path_of("role_arn")),
            );
        }
    }
    let mut ignored = Diagnostics::new();
    if let Attr::Known(name) = string(block, "session_name", &mut ignored) {
        if let Err(e) = validate_session_name(&name, "assume_role.session_name") {
            diags.push(
                Diagnostic::error("Invalid Role Session Name", e.to_string())
                    .at(block.path_of("session_name")),
            );
        }
    }
    if let Attr::Known(policy) = string(block, "policy", &mut ignored) {
        if let Err(e) = validate_policy(&policy, "assume_role.policy") {
            diags.push(
                Diagnostic::error(
                    "Invalid Role Policy",
                    format!("{e}. Write it with jsonencode({{...}}) or file(\"policy.json\")."),
                )
                .at(block.path_of("policy")),
            );
        }
    }
}

/// What STS would refuse in `assume_role_with_oidc`, refused before any
/// request, and a token given twice.
fn check_assume_role_with_oidc(block: &Config, diags: &mut Diagnostics) {
    let mut ignored = Diagnostics::new();
    for (name, expected) in [
        ("role_arn", "acs:ram::<account id>:role/<role name>"),
        (
            "oidc_provider_arn",
            "acs:ram::<account id>:oidc-provider/<provider name>",
        ),
    ] {
        if let Ok(Attr::Known(arn)) = block.string(name) {
            let kind = expected.split(':').nth(4).unwrap_or_default();
            let kind = kind.split('/').next().unwrap_or_default();
            if !arn.starts_with("acs:ram::") || !arn.contains(&format!(":{kind}/")) {
                diags.push(
                    Diagnostic::error(
                        "Invalid ARN",
                        format!(
                            "assume_role_with_oidc.{name} = {arn:?} is not of the form {expected}."
                        ),
                    )
                    .at(block.path_of(name)),
                );
            }
        }
    }
    let token = string(block, "oidc_token", &mut ignored);
    let token_file = string(block, "oidc_token_file", &mut ignored);
    if !token.is_null() && !token_file.is_null() {
        diags.push(
            Diagnostic::error(
                "Conflicting OIDC Token Settings",
                "assume_role_with_oidc sets both oidc_token and oidc_token_file. Keep oidc_token_file (it is read again at each refresh, so the token may rotate during a run), or keep oidc_token.",
            )
            .at(block.path_of("oidc_token")),
        );
    }
    if let Attr::Known(name) = string(block, "role_session_name", &mut ignored) {
        if let Err(e) = validate_session_name(&name, "assume_role_with_oidc.role_session_name") {
            diags.push(
                Diagnostic::error("Invalid Role Session Name", e.to_string())
                    .at(block.path_of("role_session_name")),
            );
        }
    }
    if let Attr::Known(policy) = string(block, "policy", &mut ignored) {
        if let Err(e) = validate_policy(&policy, "assume_role_with_oidc.policy") {
            diags.push(
                Diagnostic::error(
                    "Invalid Role Policy",
                    format!("{e}. Write it with jsonencode({{...}}) or file(\"policy.json\")."),
                )
                .at(block.path_of("policy")),
            );
        }
    }
    whole_number(block, &SESSION_EXPIRATION, diags);
}

/// `signature_version` in the block: `v1` or `v3`.
fn check_signature_version(config: &Config, diags: &mut Diagnostics) {
    if let Attr::Known(text) = string(config, "signature_version", diags) {
        if SignatureVersion::parse(&text).is_none() {
            diags.push(
                Diagnostic::error(
                    "Invalid Signature Version",
                    format!("signature_version = {text:?} is not a signature version this provider speaks; use \"v3\" (ACS3-HMAC-SHA256, the default) or \"v1\" (HMAC-SHA1)."),
                )
                .at(config.path_of("signature_version")),
            );
        }
    }
}

/// ValidateProviderConfig: checks what can be checked without the
/// environment. Unknown values are accepted (they are known by configure).
pub fn validate(config: &Config) -> Diagnostics {
    let mut diags = Diagnostics::new();
    whole_number(config, &RATE_LIMIT, &mut diags);
    whole_number(config, &MAX_RETRIES, &mut diags);
    whole_number(config, &MAX_CONTENT_BYTES, &mut diags);
    whole_number(config, &REQUEST_TIMEOUT, &mut diags);
    whole_number(config, &THROTTLE_TIMEOUT, &mut diags);
    if let Err(d) = config.bool("shared_rate_limit") {
        diags.push(d);
    }
    check_endpoint(
        config,
        "endpoint",
        "cams.ap-southeast-1.aliyuncs.com",
        &mut diags,
    );
    check_endpoint(
        config,
        "sts_endpoint",
        "sts.ap-southeast-1.aliyuncs.com",
        &mut diags,
    );
    if let Attr::Known(region) = string(config, "region", &mut diags) {
        if !region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            diags.push(
                Diagnostic::error(
                    "Invalid Region",
                    format!("region = {region:?} is not an Alibaba Cloud region ID such as \"ap-southeast-1\"."),
                )
                .at(config.path_of("region")),
            );
        }
    }
    check_credential_choice(config, &mut diags);
    check_signature_version(config, &mut diags);
    match config.blocks("assume_role_with_oidc") {
        Ok(Attr::Known(blocks)) => {
            for block in &blocks {
                check_assume_role_with_oidc(block, &mut diags);
            }
        }
        Ok(_) => {}
        Err(d) => diags.push(d),
    }
    match config.blocks("assume_role") {
        Ok(Attr::Known(blocks)) => {
            for block in &blocks {
                check_assume_role(block, &mut diags);
                if let Attr::Known(arn) = string(block, "role_arn", &mut diags) {
                    if !arn.starts_with("acs:ram::") {
                        diags.push(
                            Diagnostic::error(
                                "Invalid Role ARN",
                                format!("role_arn = {arn:?} is not a RAM role ARN; expected acs:ram::<account id>:role/<role name>."),
                            )
                            .at(block.path_of("role_arn")),
                        );
                    }
                }
                whole_number(block, &SESSION_EXPIRATION, &mut diags);
            }
        }
        Ok(_) => {}
        Err(d) => diags.push(d),
    }
    diags
}

/// Reads the (fully known) provider block into settings. Values not set in
/// configuration fall back to the environment where the provider documents
/// one (`env` returns a variable's value).
pub fn settings(
    config: &Config,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ProviderSettings, Diagnostics> {
    let reported = validate(config);
    if reported.has_errors() {
        return Err(reported);
    }
    // Everything below was just validated; `diags` only collects what the
    // environment can still get wrong.
    let mut diags = Diagnostics::new();
    let known = |a: Attr<String>| a.known();
    let access_key = known(string(config, "access_key", &mut diags));
    let secret_key = known(string(config, "secret_key", &mut diags)).map(Secret::new);
    let security_token = known(string(config, "security_token", &mut diags)).map(Secret::new);
    let region = known(string(config, "region", &mut diags))
        .or_else(|| region_from_env(env, &mut diags))
        .unwrap_or_else(|| DEFAULT_REGION.to_owned());
    let signature_version = signature_version(config, env, &mut diags);
    let endpoint = known(string(config, "endpoint", &mut diags))
        .or_else(|| env("ALIBABA_CLOUD_CAMS_ENDPOINT").filter(|s| !s.trim().is_empty()));
    if let Some(e) = &endpoint {
        if let Err(err) = parse_endpoint(e) {
            diags.push(Diagnostic::error(
                "Invalid Endpoint",
                format!("ALIBABA_CLOUD_CAMS_ENDPOINT (from the environment): {err}. Correct or unset it, or set `endpoint` in the provider block."),
            ));
        }
    }
    let assume_role = match config.blocks("assume_role") {
        Ok(Attr::Known(blocks)) => blocks.first().map(|b| AssumeRoleConfig {
            role_arn: known(string(b, "role_arn", &mut diags)).unwrap_or_default(),
            session_name: known(string(b, "session_name", &mut diags)),
            session_expiration: whole_number(b, &SESSION_EXPIRATION, &mut diags).map(|v| v as u32),
            policy: known(string(b, "policy", &mut diags)),
            external_id: known(string(b, "external_id", &mut diags)),
        }),
        _ => None,
    };
    let assume_role_with_oidc = match config.blocks("assume_role_with_oidc") {
        Ok(Attr::Known(blocks)) => blocks.first().map(|b| AssumeRoleWithOidcConfig {
            oidc_provider_arn: known(string(b, "oidc_provider_arn", &mut diags)),
            role_arn: known(string(b, "role_arn", &mut diags)),
            oidc_token_file: known(string(b, "oidc_token_file", &mut diags)).map(PathBuf::from),
            oidc_token: known(string(b, "oidc_token", &mut diags)).map(Secret::new),
            role_session_name: known(string(b, "role_session_name", &mut diags)),
            policy: known(string(b, "policy", &mut diags)),
            session_expiration: whole_number(b, &SESSION_EXPIRATION, &mut diags).map(|v| v as u32),
        }),
        _ => None,
    };
    let credentials = CredentialsConfig {
        access_key,
        secret_key,
        security_token,
        profile: known(string(config, "profile", &mut diags)),
        shared_credentials_file: known(string(config, "shared_credentials_file", &mut diags))
            .map(PathBuf::from),
        assume_role,
        assume_role_with_oidc,
        signature_version,
        sts_endpoint: known(string(config, "sts_endpoint", &mut diags)),
        region: Some(region.clone()),
        ..CredentialsConfig::default()
    };
    let settings = ProviderSettings {
        credentials,
        region,
        endpoint,
        cust_space_id: known(string(config, "cust_space_id", &mut diags)),
        max_retries: whole_number(config, &MAX_RETRIES, &mut diags)
            .map_or(DEFAULT_MAX_RETRIES, |v| v as u32),
        rate_limit: whole_number(config, &RATE_LIMIT, &mut diags).map(|v| v as u32),
        max_content_bytes: whole_number(config, &MAX_CONTENT_BYTES, &mut diags)
            .unwrap_or(DEFAULT_MAX_CONTENT_BYTES),
        request_timeout_seconds: whole_number(config, &REQUEST_TIMEOUT, &mut diags)
            .unwrap_or(DEFAULT_REQUEST_TIMEOUT_SECONDS),
        throttle_timeout_seconds: whole_number(config, &THROTTLE_TIMEOUT, &mut diags)
            .unwrap_or(DEFAULT_THROTTLE_TIMEOUT_SECONDS),
        shared_rate_limit: shared_rate_limit(config, env, &mut diags),
    };
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(settings)
    }
}

/// `region` from `ALIBABA_CLOUD_REGION`, else `ALICLOUD_REGION` (as the
/// alicloud provider and Alibaba's SDKs read them); a value that is no
/// region ID is an error naming the variable.
fn region_from_env(
    env: &dyn Fn(&str) -> Option<String>,
    diags: &mut Diagnostics,
) -> Option<String> {
    let (name, value) = REGION_ENV.iter().find_map(|name| {
        env(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .map(|v| (*name, v))
    })?;
    if !value
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        diags.push(Diagnostic::error(
            "Invalid Environment Variable",
            format!("{name} (from the environment) is {value:?}, not an Alibaba Cloud region ID such as \"ap-southeast-1\"; correct or unset it, or set `region` in the provider block."),
        ));
        return None;
    }
    Some(value)
}

/// `signature_version` from the block, else from the environment, else V3.
fn signature_version(
    config: &Config,
    env: &dyn Fn(&str) -> Option<String>,
    diags: &mut Diagnostics,
) -> SignatureVersion {
    if let Attr::Known(text) = string(config, "signature_version", diags) {
        return SignatureVersion::parse(&text).unwrap_or_default();
    }
    let Some(value) = env(SIGNATURE_VERSION_ENV).filter(|v| !v.trim().is_empty()) else {
        return SignatureVersion::default();
    };
    SignatureVersion::parse(&value).unwrap_or_else(|| {
        diags.push(Diagnostic::error(
            "Invalid Environment Variable",
            format!("{SIGNATURE_VERSION_ENV} (from the environment) is {value:?}; use v3 or v1, unset it, or set `signature_version` in the provider block."),
        ));
        SignatureVersion::default()
    })
}

/// `shared_rate_limit` from the block, else from the environment, else on.
fn shared_rate_limit(
    config: &Config,
    env: &dyn Fn(&str) -> Option<String>,
    diags: &mut Diagnostics,
) -> bool {
    if let Ok(Attr::Known(on)) = config.bool("shared_rate_limit") {
        return on;
    }
    let Some(value) = env(SHARED_RATE_LIMIT_ENV).filter(|v| !v.trim().is_empty()) else {
        return true;
    };
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => true,
        "false" | "0" => false,
        _ => {
            diags.push(Diagnostic::error(
                "Invalid Environment Variable",
                format!("{SHARED_RATE_LIMIT_ENV} (from the environment) is {value:?}; use true or false (or 1 or 0), unset it, or set `shared_rate_limit` in the provider block."),
            ));
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::AttributePath;
    use crate::provider::test_support::{provider_block, text};

    fn errors_at(config: &Config) -> Vec<(String, Option<AttributePath>)> {
        validate(config)
            .into_iter()
            .filter(|d| d.is_error())
            .map(|d| (d.summary, d.attribute))
            .collect()
    }

    fn role_path(field: &str) -> Option<AttributePath> {
        Some(AttributePath::of("assume_role").index(0).attribute(field))
    }

    #[test]
    fn an_empty_role_arn_is_refused_at_its_path() {
        let config = provider_block(&[], Some(&[("role_arn", text(""))]));
        assert_eq!(
            errors_at(&config),
            [("Empty Role ARN".to_owned(), role_path("role_arn"))]
        );
    }

    #[test]
    fn session_name_and_policy_are_checked_at_validate() {
        let config = provider_block(
            &[],
            Some(&[
                ("role_arn", text("acs:ram::1:role/r")),
                ("session_name", text("a")),
                ("policy", text("{not json")),
            ]),
        );
        assert_eq!(
            errors_at(&config),
            [
                (
                    "Invalid Role Session Name".to_owned(),
                    role_path("session_name")
                ),
                ("Invalid Role Policy".to_owned(), role_path("policy")),
            ]
        );
        let good = provider_block(
            &[],
            Some(&[
                ("role_arn", text("acs:ram::1:role/r")),
                ("session_name", text("ci.run@1")),
                ("policy", text(r#"{"Version":"1","Statement":[]}"#)),
            ]),
        );
        assert!(errors_at(&good).is_empty());
    }

    #[test]
    fn half_a_key_pair_in_the_block_and_keys_with_a_profile_are_refused() {
        let half = provider_block(&[("access_key", text("id"))], None);
        assert_eq!(
            errors_at(&half),
            [(
                "Incomplete Access Key Pair".to_owned(),
                Some(AttributePath::of("access_key"))
            )]
        );
        let both = provider_block(
            &[
                ("access_key", text("id")),
                ("secret_key", text("s")),
                ("profile", text("p")),
            ],
            None,
        );
        assert_eq!(
            errors_at(&both),
            [(
                "Conflicting Credential Settings".to_owned(),
                Some(AttributePath::of("profile"))
            )]
        );
    }

    #[test]
    fn plain_http_to_a_remote_host_is_called_insecure_and_each_endpoint_has_its_own_example() {
        let config = provider_block(
            &[
                ("endpoint", text("http://example.com")),
                ("sts_endpoint", text("http://example.com")),
            ],
            None,
        );
        let diags: Vec<Diagnostic> = validate(&config).into_iter().collect();
        assert_eq!(diags.len(), 2);
        assert!(diags.iter().all(|d| d.summary == "Insecure Endpoint"));
        assert!(
            diags[0].detail.contains("cams.ap-southeast-1"),
            "{}",
            diags[0].detail
        );
        assert!(
            diags[1].detail.contains("sts.ap-southeast-1"),
            "{}",
            diags[1].detail
        );
    }
    fn settings_in(
        set: &[(&str, crate::plugin::value::Value)],
        vars: &[(&str, &str)],
    ) -> Result<ProviderSettings, Diagnostics> {
        settings(&provider_block(set, None), &|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn region_comes_from_the_block_then_alibaba_cloud_region_then_alicloud_region() {
        let region = |set: &[(&str, crate::plugin::value::Value)], vars: &[(&str, &str)]| {
            settings_in(set, vars).unwrap().region
        };
        assert_eq!(region(&[], &[]), DEFAULT_REGION);
        assert_eq!(
            region(&[], &[("ALICLOUD_REGION", "cn-beijing")]),
            "cn-beijing"
        );
        assert_eq!(
            region(
                &[],
                &[
                    ("ALIBABA_CLOUD_REGION", "cn-hangzhou"),
                    ("ALICLOUD_REGION", "cn-beijing")
                ]
            ),
            "cn-hangzhou"
        );
        assert_eq!(
            region(
                &[("region", text("eu-central-1"))],
                &[("ALIBABA_CLOUD_REGION", "cn-hangzhou")]
            ),
            "eu-central-1"
        );
        let err = settings_in(&[], &[("ALIBABA_CLOUD_REGION", "Frankfurt")]).unwrap_err();
        assert!(
            format!("{err:?}").contains("ALIBABA_CLOUD_REGION"),
            "{err:?}"
        );
    }

    #[test]
    fn signature_version_is_v3_unless_the_block_or_the_environment_says_v1() {
        let version = |set: &[(&str, crate::plugin::value::Value)], vars: &[(&str, &str)]| {
            settings_in(set, vars)
                .unwrap()
                .credentials
                .signature_version
        };
        assert_eq!(version(&[], &[]), SignatureVersion::V3);
        assert_eq!(
            version(&[], &[(SIGNATURE_VERSION_ENV, "v1")]),
            SignatureVersion::V1
        );
        assert_eq!(
            version(
                &[("signature_version", text("v3"))],
                &[(SIGNATURE_VERSION_ENV, "v1")]
            ),
            SignatureVersion::V3
        );
        let errors = errors_at(&provider_block(&[("signature_version", text("v2"))], None));
        assert!(
            errors.iter().any(|(m, p)| m == "Invalid Signature Version"
                && *p == Some(AttributePath::of("signature_version"))),
            "{errors:?}"
        );
        let err = settings_in(&[], &[(SIGNATURE_VERSION_ENV, "hmac")]).unwrap_err();
        assert!(
            format!("{err:?}").contains(SIGNATURE_VERSION_ENV),
            "{err:?}"
        );
    }

    #[test]
    fn the_oidc_block_is_read_and_checked_at_its_paths() {
        use crate::provider::test_support::oidc_block;
        let good = oidc_block(&[
            ("oidc_provider_arn", text("acs:ram::1:oidc-provider/gh")),
            ("role_arn", text("acs:ram::1:role/ci")),
            ("oidc_token_file", text("/run/token")),
        ]);
        let settings = settings_in(&[("assume_role_with_oidc", good)], &[]).unwrap();
        let oidc = settings.credentials.assume_role_with_oidc.unwrap();
        assert_eq!(oidc.role_arn.as_deref(), Some("acs:ram::1:role/ci"));
        assert_eq!(oidc.oidc_token_file, Some(PathBuf::from("/run/token")));

        let bad = oidc_block(&[
            ("oidc_provider_arn", text("acs:ram::1:role/not-a-provider")),
            ("oidc_token", text("t")),
            ("oidc_token_file", text("/run/token")),
            ("role_session_name", text("x")),
        ]);
        let errors = errors_at(&provider_block(
            &[("assume_role_with_oidc", bad), ("access_key", text("id"))],
            None,
        ));
        let at = |field: &str| {
            Some(
                AttributePath::of("assume_role_with_oidc")
                    .index(0)
                    .attribute(field),
            )
        };
        for path in [
            at("oidc_provider_arn"),
            at("oidc_token"),
            at("role_session_name"),
        ] {
            assert!(
                errors.iter().any(|(_, p)| *p == path),
                "{path:?} in {errors:?}"
            );
        }
        assert!(
            errors
                .iter()
                .any(|(m, p)| m == "Conflicting Credential Settings"
                    && *p == Some(AttributePath::of("access_key"))),
            "{errors:?}"
        );
    }

    fn settings_with(
        set: &[(&str, crate::plugin::value::Value)],
        env: Option<&str>,
    ) -> Result<ProviderSettings, Diagnostics> {
        let env_value = env.map(str::to_owned);
        settings(&provider_block(set, None), &|name| {
            (name == SHARED_RATE_LIMIT_ENV)
                .then(|| env_value.clone())
                .flatten()
        })
    }

    /// Unset, `rate_limit` overrides nothing, so template create and
    /// modify keep their 50 per second; set, it applies to every operation.
    #[test]
    fn rate_limit_overrides_the_documented_limits_only_when_set() {
        use crate::plugin::value::{Number, Value};
        assert_eq!(settings_with(&[], None).unwrap().rate_limit, None);
        let set = [("rate_limit", Value::Number(Number::from(7i64)))];
        assert_eq!(settings_with(&set, None).unwrap().rate_limit, Some(7));
    }

    #[test]
    fn shared_rate_limit_comes_from_the_block_then_the_environment_then_is_on() {
        use crate::plugin::value::Value;
        let shared = |set: &[(&str, Value)], env: Option<&str>| {
            settings_with(set, env).unwrap().shared_rate_limit
        };
        assert!(shared(&[], None));
        assert!(!shared(&[], Some("false")));
        assert!(!shared(&[], Some(" 0 ")));
        assert!(shared(&[], Some("TRUE")));
        assert!(shared(&[], Some("")));
        assert!(shared(
            &[("shared_rate_limit", Value::Bool(true))],
            Some("false")
        ));
        assert!(!shared(&[("shared_rate_limit", Value::Bool(false))], None));
    }

    #[test]
    fn an_unreadable_shared_rate_limit_variable_is_an_error_naming_it() {
        let diags = settings_with(&[], Some("maybe")).unwrap_err();
        let d = diags.into_iter().next().unwrap();
        assert_eq!(d.summary, "Invalid Environment Variable");
        assert!(d.detail.contains(SHARED_RATE_LIMIT_ENV), "{}", d.detail);
        assert!(d.detail.contains("shared_rate_limit"), "{}", d.detail);
    }

    #[test]
    fn throttle_timeout_defaults_to_five_minutes_and_is_range_checked() {
        use crate::plugin::value::Value;
        assert_eq!(
            settings_with(&[], None).unwrap().throttle_timeout_seconds,
            300
        );
        let set = |n: u64| provider_block(&[("throttle_timeout", Value::number(n))], None);
        assert_eq!(
            settings(&set(30), &|_| None)
                .unwrap()
                .throttle_timeout_seconds,
            30
        );
        for bad in [0, 3601] {
            assert_eq!(
                errors_at(&set(bad)),
                [(
                    "Invalid Provider Argument".to_owned(),
                    Some(AttributePath::of("throttle_timeout"))
                )]
            );
        }
    }
}
