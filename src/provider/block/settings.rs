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
use crate::plugin::model::Model;
use crate::plugin::value::Number;
use crate::plugin::{Attr, AttributePath, Config, Diagnostic, Diagnostics};
use crate::{attribute_name, attribute_path};

use super::model::{blocks, AssumeRoleModel, OidcModel, ProviderModel};
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

/// A whole-number argument's range. Validation and the conversion into
/// settings read each argument through the same range, so the two cannot
/// disagree on a bound.
struct WholeNumber {
    min: u64,
    max: u64,
}

const RATE_LIMIT: WholeNumber = WholeNumber { min: 1, max: 1000 };
const MAX_RETRIES: WholeNumber = WholeNumber { min: 1, max: 20 };
const MAX_CONTENT_BYTES: WholeNumber = WholeNumber {
    min: 1,
    max: 1 << 40,
};
const REQUEST_TIMEOUT: WholeNumber = WholeNumber { min: 1, max: 3600 };
const THROTTLE_TIMEOUT: WholeNumber = WholeNumber { min: 1, max: 3600 };
/// STS allows sessions of 15 minutes to 12 hours.
const SESSION_EXPIRATION: WholeNumber = WholeNumber {
    min: 900,
    max: 43200,
};

impl WholeNumber {
    /// The argument `name` of the block at `block` (the provider block's
    /// root, or a nested block), when known and within range.
    fn read(
        &self,
        value: &Attr<Number>,
        block: &AttributePath,
        name: &str,
        diags: &mut Diagnostics,
    ) -> Option<u64> {
        let WholeNumber { min, max } = *self;
        let Attr::Known(n) = value else {
            return None;
        };
        match n.as_u64().filter(|v| (min..=max).contains(v)) {
            Some(v) => Some(v),
            None => {
                diags.push(
                    Diagnostic::error(
                        "Invalid Provider Argument",
                        format!("{name} must be a whole number from {min} to {max}; got {n}."),
                    )
                    .at(block.clone().attribute(name)),
                );
                None
            }
        }
    }
}

/// The whole-number arguments of the provider block, each when known and
/// within range.
struct WholeNumbers {
    rate_limit: Option<u64>,
    max_retries: Option<u64>,
    max_content_bytes: Option<u64>,
    request_timeout: Option<u64>,
    throttle_timeout: Option<u64>,
}

fn whole_numbers(config: &ProviderModel, diags: &mut Diagnostics) -> WholeNumbers {
    let root = AttributePath::root();
    WholeNumbers {
        rate_limit: RATE_LIMIT.read(
            &config.rate_limit,
            &root,
            attribute_name!(ProviderModel, rate_limit),
            diags,
        ),
        max_retries: MAX_RETRIES.read(
            &config.max_retries,
            &root,
            attribute_name!(ProviderModel, max_retries),
            diags,
        ),
        max_content_bytes: MAX_CONTENT_BYTES.read(
            &config.max_content_bytes,
            &root,
            attribute_name!(ProviderModel, max_content_bytes),
            diags,
        ),
        request_timeout: REQUEST_TIMEOUT.read(
            &config.request_timeout,
            &root,
            attribute_name!(ProviderModel, request_timeout),
            diags,
        ),
        throttle_timeout: THROTTLE_TIMEOUT.read(
            &config.throttle_timeout,
            &root,
            attribute_name!(ProviderModel, throttle_timeout),
            diags,
        ),
    }
}

/// A string argument; an empty or blank one counts as unset.
fn string(value: &Attr<String>) -> Attr<String> {
    match value {
        Attr::Known(s) if s.trim().is_empty() => Attr::Null,
        a => a.clone(),
    }
}

/// The path of nested block `name`'s `index`th block.
fn block_path(name: &str, index: usize) -> AttributePath {
    AttributePath::of(name).index(index)
}

/// Checks an endpoint argument, `name`. `example_host` is a real host of
/// that service, for the advice.
fn check_endpoint(value: &Attr<String>, name: &str, example_host: &str, diags: &mut Diagnostics) {
    if let Attr::Known(s) = string(value) {
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
                .at(AttributePath::of(name)),
            );
        }
    }
}

/// Settings that choose the credentials and cannot go together, and a key
/// pair half set in the block (the environment's pair is used only when the
/// block sets neither half, so the other half cannot come from there).
fn check_credential_choice(config: &ProviderModel, diags: &mut Diagnostics) {
    let id = (
        attribute_name!(ProviderModel, access_key),
        string(&config.access_key),
    );
    let secret = (
        attribute_name!(ProviderModel, secret_key),
        string(&config.secret_key),
    );
    let profile = (
        attribute_name!(ProviderModel, profile),
        string(&config.profile),
    );
    let file = (
        attribute_name!(ProviderModel, shared_credentials_file),
        string(&config.shared_credentials_file),
    );
    for ((present, p), (missing, m)) in [(&id, &secret), (&secret, &id)] {
        if matches!(p, Attr::Known(_)) && m.is_null() {
            diags.push(
                Diagnostic::error(
                    "Incomplete Access Key Pair",
                    format!("{present} is set in the provider block but {missing} is not. The environment's key pair is used only when the block sets neither, so set `{missing}` in the block too (from a variable), or remove `{present}`."),
                )
                .at(AttributePath::of(*present)),
            );
        }
    }
    let keys_set = !id.1.is_null() && !secret.1.is_null();
    if !blocks(&config.assume_role_with_oidc).is_empty() {
        for (other, value) in [&id, &profile, &file] {
            if !value.is_null() {
                diags.push(
                    Diagnostic::error(
                        "Conflicting Credential Settings",
                        format!("assume_role_with_oidc is set, and so is {other}; each chooses the credentials. Keep only one: remove `{other}` to use the OIDC role, or remove the assume_role_with_oidc block."),
                    )
                    .at(AttributePath::of(*other)),
                );
            }
        }
    }
    for (other, value) in [&profile, &file] {
        if keys_set && !value.is_null() {
            diags.push(
                Diagnostic::error(
                    "Conflicting Credential Settings",
                    format!("access_key and secret_key are set, and so is {other}; each chooses the credentials. Keep only one: remove `{other}` to use the keys, or remove the keys to use the CLI profile."),
                )
                .at(AttributePath::of(*other)),
            );
        }
    }
}

/// What STS would refuse, refused before any request: an empty role ARN
/// (e.g. from an empty variable, which would otherwise silently drop the
/// role), a session name STS does not accept, a policy that is not JSON.
/// `at` is the block's path.
fn check_assume_role(block: &AssumeRoleModel, at: &AttributePath, diags: &mut Diagnostics) {
    let path = |name: &str| at.clone().attribute(name);
    if let Attr::Known(arn) = &block.role_arn {
        if arn.trim().is_empty() {
            diags.push(
                Diagnostic::error(
                    "Empty Role ARN",
                    "assume_role.role_arn is empty (an empty variable?). Running with the base credentials instead of the role would quietly drop a least-privilege role, so this is refused. Set `role_arn` to the role's ARN, or remove the assume_role block.",
                )
                .at(path(attribute_name!(AssumeRoleModel, role_arn))),
            );
        }
    }
    if let Attr::Known(name) = string(&block.session_name) {
        if let Err(e) = validate_session_name(&name, "assume_role.session_name") {
            diags.push(
                Diagnostic::error("Invalid Role Session Name", e.to_string())
                    .at(path(attribute_name!(AssumeRoleModel, session_name))),
            );
        }
    }
    if let Attr::Known(policy) = string(&block.policy) {
        if let Err(e) = validate_policy(&policy, "assume_role.policy") {
            diags.push(
                Diagnostic::error(
                    "Invalid Role Policy",
                    format!("{e}. Write it with jsonencode({{...}}) or file(\"policy.json\")."),
                )
                .at(path(attribute_name!(AssumeRoleModel, policy))),
            );
        }
    }
}

/// What STS would refuse in `assume_role_with_oidc`, refused before any
/// request, and a token given twice. `at` is the block's path.
fn check_assume_role_with_oidc(block: &OidcModel, at: &AttributePath, diags: &mut Diagnostics) {
    let path = |name: &str| at.clone().attribute(name);
    for (name, value, expected) in [
        (
            attribute_name!(OidcModel, role_arn),
            &block.role_arn,
            "acs:ram::<account id>:role/<role name>",
        ),
        (
            attribute_name!(OidcModel, oidc_provider_arn),
            &block.oidc_provider_arn,
            "acs:ram::<account id>:oidc-provider/<provider name>",
        ),
    ] {
        if let Attr::Known(arn) = value {
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
                    .at(path(name)),
                );
            }
        }
    }
    if !string(&block.oidc_token).is_null() && !string(&block.oidc_token_file).is_null() {
        diags.push(
            Diagnostic::error(
                "Conflicting OIDC Token Settings",
                "assume_role_with_oidc sets both oidc_token and oidc_token_file. Keep oidc_token_file (it is read again at each refresh, so the token may rotate during a run), or keep oidc_token.",
            )
            .at(path(attribute_name!(OidcModel, oidc_token))),
        );
    }
    if let Attr::Known(name) = string(&block.role_session_name) {
        if let Err(e) = validate_session_name(&name, "assume_role_with_oidc.role_session_name") {
            diags.push(
                Diagnostic::error("Invalid Role Session Name", e.to_string())
                    .at(path(attribute_name!(OidcModel, role_session_name))),
            );
        }
    }
    if let Attr::Known(policy) = string(&block.policy) {
        if let Err(e) = validate_policy(&policy, "assume_role_with_oidc.policy") {
            diags.push(
                Diagnostic::error(
                    "Invalid Role Policy",
                    format!("{e}. Write it with jsonencode({{...}}) or file(\"policy.json\")."),
                )
                .at(path(attribute_name!(OidcModel, policy))),
            );
        }
    }
    SESSION_EXPIRATION.read(
        &block.session_expiration,
        at,
        attribute_name!(OidcModel, session_expiration),
        diags,
    );
}

/// `signature_version` in the block: `v1` or `v3`.
fn check_signature_version(config: &ProviderModel, diags: &mut Diagnostics) {
    if let Attr::Known(text) = string(&config.signature_version) {
        if SignatureVersion::parse(&text).is_none() {
            diags.push(
                Diagnostic::error(
                    "Invalid Signature Version",
                    format!("signature_version = {text:?} is not a signature version this provider speaks; use \"v3\" (ACS3-HMAC-SHA256, the default) or \"v1\" (HMAC-SHA1)."),
                )
                .at(attribute_path!(ProviderModel, signature_version)),
            );
        }
    }
}

/// ValidateProviderConfig: checks what can be checked without the
/// environment. Unknown values are accepted (they are known by configure).
pub fn validate(config: &Config) -> Diagnostics {
    match ProviderModel::from_config(config) {
        Ok(config) => check(&config),
        Err(d) => d.into(),
    }
}

fn check(config: &ProviderModel) -> Diagnostics {
    let mut diags = Diagnostics::new();
    whole_numbers(config, &mut diags);
    check_endpoint(
        &config.endpoint,
        attribute_name!(ProviderModel, endpoint),
        "cams.ap-southeast-1.aliyuncs.com",
        &mut diags,
    );
    check_endpoint(
        &config.sts_endpoint,
        attribute_name!(ProviderModel, sts_endpoint),
        "sts.ap-southeast-1.aliyuncs.com",
        &mut diags,
    );
    if let Attr::Known(region) = string(&config.region) {
        if !region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            diags.push(
                Diagnostic::error(
                    "Invalid Region",
                    format!("region = {region:?} is not an Alibaba Cloud region ID such as \"ap-southeast-1\"."),
                )
                .at(attribute_path!(ProviderModel, region)),
            );
        }
    }
    check_credential_choice(config, &mut diags);
    check_signature_version(config, &mut diags);
    let oidc = attribute_name!(ProviderModel, assume_role_with_oidc);
    for (i, block) in blocks(&config.assume_role_with_oidc).iter().enumerate() {
        check_assume_role_with_oidc(block, &block_path(oidc, i), &mut diags);
    }
    let role = attribute_name!(ProviderModel, assume_role);
    for (i, block) in blocks(&config.assume_role).iter().enumerate() {
        let at = block_path(role, i);
        check_assume_role(block, &at, &mut diags);
        if let Attr::Known(arn) = string(&block.role_arn) {
            if !arn.starts_with("acs:ram::") {
                diags.push(
                    Diagnostic::error(
                        "Invalid Role ARN",
                        format!("role_arn = {arn:?} is not a RAM role ARN; expected acs:ram::<account id>:role/<role name>."),
                    )
                    .at(at.clone().attribute(attribute_name!(AssumeRoleModel, role_arn))),
                );
            }
        }
        SESSION_EXPIRATION.read(
            &block.session_expiration,
            &at,
            attribute_name!(AssumeRoleModel, session_expiration),
            &mut diags,
        );
    }
    diags
}

/// Reads the (fully known) provider block into settings. Values not set in
/// configuration fall back to the environment where the provider documents
/// one (`env` returns a variable's value).
pub fn settings(
    config: &ProviderModel,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ProviderSettings, Diagnostics> {
    let reported = check(config);
    if reported.has_errors() {
        return Err(reported);
    }
    // Everything below was just validated; `diags` only collects what the
    // environment can still get wrong.
    let mut diags = Diagnostics::new();
    let known = |a: &Attr<String>| string(a).known();
    let access_key = known(&config.access_key);
    let secret_key = known(&config.secret_key).map(Secret::new);
    let security_token = known(&config.security_token).map(Secret::new);
    let region = known(&config.region)
        .or_else(|| region_from_env(env, &mut diags))
        .unwrap_or_else(|| DEFAULT_REGION.to_owned());
    let signature_version = signature_version(config, env, &mut diags);
    let endpoint = known(&config.endpoint)
        .or_else(|| env("ALIBABA_CLOUD_CAMS_ENDPOINT").filter(|s| !s.trim().is_empty()));
    if let Some(e) = &endpoint {
        if let Err(err) = parse_endpoint(e) {
            diags.push(Diagnostic::error(
                "Invalid Endpoint",
                format!("ALIBABA_CLOUD_CAMS_ENDPOINT (from the environment): {err}. Correct or unset it, or set `endpoint` in the provider block."),
            ));
        }
    }
    let role = attribute_name!(ProviderModel, assume_role);
    let assume_role = blocks(&config.assume_role)
        .first()
        .map(|b| AssumeRoleConfig {
            role_arn: known(&b.role_arn).unwrap_or_default(),
            session_name: known(&b.session_name),
            session_expiration: SESSION_EXPIRATION
                .read(
                    &b.session_expiration,
                    &block_path(role, 0),
                    attribute_name!(AssumeRoleModel, session_expiration),
                    &mut diags,
                )
                .map(|v| v as u32),
            policy: known(&b.policy),
            external_id: known(&b.external_id),
        });
    let oidc = attribute_name!(ProviderModel, assume_role_with_oidc);
    let assume_role_with_oidc =
        blocks(&config.assume_role_with_oidc)
            .first()
            .map(|b| AssumeRoleWithOidcConfig {
                oidc_provider_arn: known(&b.oidc_provider_arn),
                role_arn: known(&b.role_arn),
                oidc_token_file: known(&b.oidc_token_file).map(PathBuf::from),
                oidc_token: known(&b.oidc_token).map(Secret::new),
                role_session_name: known(&b.role_session_name),
                policy: known(&b.policy),
                session_expiration: SESSION_EXPIRATION
                    .read(
                        &b.session_expiration,
                        &block_path(oidc, 0),
                        attribute_name!(OidcModel, session_expiration),
                        &mut diags,
                    )
                    .map(|v| v as u32),
            });
    let credentials = CredentialsConfig {
        access_key,
        secret_key,
        security_token,
        profile: known(&config.profile),
        shared_credentials_file: known(&config.shared_credentials_file).map(PathBuf::from),
        assume_role,
        assume_role_with_oidc,
        signature_version,
        sts_endpoint: known(&config.sts_endpoint),
        region: Some(region.clone()),
        ..CredentialsConfig::default()
    };
    let numbers = whole_numbers(config, &mut diags);
    let settings = ProviderSettings {
        credentials,
        region,
        endpoint,
        cust_space_id: known(&config.cust_space_id),
        max_retries: numbers
            .max_retries
            .map_or(DEFAULT_MAX_RETRIES, |v| v as u32),
        rate_limit: numbers.rate_limit.map(|v| v as u32),
        max_content_bytes: numbers
            .max_content_bytes
            .unwrap_or(DEFAULT_MAX_CONTENT_BYTES),
        request_timeout_seconds: numbers
            .request_timeout
            .unwrap_or(DEFAULT_REQUEST_TIMEOUT_SECONDS),
        throttle_timeout_seconds: numbers
            .throttle_timeout
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
    config: &ProviderModel,
    env: &dyn Fn(&str) -> Option<String>,
    diags: &mut Diagnostics,
) -> SignatureVersion {
    if let Attr::Known(text) = string(&config.signature_version) {
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
    config: &ProviderModel,
    env: &dyn Fn(&str) -> Option<String>,
    diags: &mut Diagnostics,
) -> bool {
    if let Attr::Known(on) = config.shared_rate_limit {
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

    /// The provider block setting `set`, as the provider reads it.
    fn block(set: &[(&str, crate::plugin::value::Value)]) -> ProviderModel {
        ProviderModel::from_config(&provider_block(set, None)).unwrap()
    }

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
        settings(&block(set), &|name| {
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
        settings(&block(set), &|name| {
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
            settings(&ProviderModel::from_config(&set(30)).unwrap(), &|_| None)
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
