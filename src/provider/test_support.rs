//! Values for the provider's unit tests, built the way Terraform sends them.

use crate::plugin::value::Value;
use crate::plugin::Config;

pub fn object(pairs: &[(&str, Value)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

pub fn text(s: &str) -> Value {
    Value::String(s.to_owned())
}

/// A provider block with every argument null except `set`, and an
/// `assume_role` block when `role` is given.
pub fn provider_block(set: &[(&str, Value)], role: Option<&[(&str, Value)]>) -> Config {
    let mut attrs: Vec<(&str, Value)> = [
        "access_key",
        "secret_key",
        "security_token",
        "region",
        "endpoint",
        "sts_endpoint",
        "profile",
        "shared_credentials_file",
        "cust_space_id",
        "max_retries",
        "rate_limit",
        "max_content_bytes",
        "request_timeout",
        "shared_rate_limit",
        "throttle_timeout",
        "signature_version",
    ]
    .iter()
    .map(|name| (*name, Value::Null))
    .collect();
    for (name, value) in set {
        match attrs.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value.clone(),
            None => attrs.push((name, value.clone())),
        }
    }
    let roles = match role {
        Some(role) => {
            let mut fields: Vec<(&str, Value)> = [
                "role_arn",
                "session_name",
                "session_expiration",
                "policy",
                "external_id",
            ]
            .iter()
            .map(|name| (*name, Value::Null))
            .collect();
            for (name, value) in role {
                if let Some(slot) = fields.iter_mut().find(|(n, _)| n == name) {
                    slot.1 = value.clone();
                }
            }
            vec![object(&fields)]
        }
        None => Vec::new(),
    };
    attrs.push(("assume_role", Value::List(roles)));
    if !attrs.iter().any(|(n, _)| *n == "assume_role_with_oidc") {
        attrs.push(("assume_role_with_oidc", Value::List(Vec::new())));
    }
    Config::new(object(&attrs))
}

/// An `assume_role_with_oidc` block value (a list of one object) with every
/// field null except `set`, to pass to [`provider_block`].
pub(crate) fn oidc_block(set: &[(&str, Value)]) -> Value {
    let fields: Vec<(&str, Value)> = [
        "oidc_provider_arn",
        "role_arn",
        "oidc_token_file",
        "oidc_token",
        "role_session_name",
        "policy",
        "session_expiration",
    ]
    .iter()
    .map(|name| {
        let value = set
            .iter()
            .find(|(n, _)| n == name)
            .map_or(Value::Null, |(_, v)| v.clone());
        (*name, value)
    })
    .collect();
    Value::List(vec![object(&fields)])
}

/// A provider block that sets every string argument, most of them wrongly,
/// so that validation and credential diagnostics take every branch that
/// points at an argument.
pub(crate) fn full_block() -> Config {
    provider_block(
        &[
            ("access_key", text("id")),
            ("region", text("AP SOUTH")),
            ("endpoint", text("http://example.com")),
            ("sts_endpoint", text("ftp://sts")),
            ("profile", text("p")),
            ("shared_credentials_file", text("/f")),
            ("signature_version", text("v2")),
            (
                "assume_role_with_oidc",
                oidc_block(&[
                    ("oidc_provider_arn", text("github")),
                    ("role_arn", text("ci")),
                    ("oidc_token", text("t")),
                    ("oidc_token_file", text("/t")),
                    ("role_session_name", text("a")),
                    ("policy", text("[")),
                ]),
            ),
        ],
        Some(&[
            ("role_arn", text("")),
            ("session_name", text("a")),
            ("policy", text("{not json")),
        ]),
    )
}
