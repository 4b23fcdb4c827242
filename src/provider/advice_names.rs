//! A test that walks every hint and piece of advice the provider can write
//! and checks that each argument or environment variable it names exists:
//! in the schemas (provider block, data sources) or among the environment
//! variables the provider block's descriptions document. Advice that names
//! `rate_limit_per_second`, `ecs_role_name` or Terraform's `-parallelism`
//! sends users looking for something that is not there.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use crate::alibaba::credentials::{CliConfigError, CredentialsError, StsAction};
use crate::alibaba::error_codes::hint_for_code;
use crate::alibaba::{parse_get_flow_json_response, CamsError, DownloadError, FetchError, GiveUp};
use crate::plugin::model::Model;
use crate::plugin::{AttributePath, Block, Diagnostic};

use crate::plugin::value::Value;

use super::block::model::ProviderModel;
use super::block::{credential_errors, schema, settings as config};
use super::errors;
use super::flows::json_data_source;
use super::flows::resource::{validate as flow_validate, FlowModel};
use super::test_support::{full_block, object, provider_block, text};

/// Variables of the environment that are not ours but are fine to name.
const FOREIGN_VARIABLES: &[&str] = &[
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    // GitHub Actions' OIDC token endpoint, named by the OIDC advice.
    "ACTIONS_ID_TOKEN_REQUEST_URL",
];

/// Fields of an Alibaba Cloud CLI profile, which messages about a profile
/// name (they are the user's to fix in that file, not provider arguments).
const CLI_PROFILE_FIELDS: &[&str] = &[
    "access_key_id",
    "access_key_secret",
    "sts_token",
    "ram_role_arn",
    "ram_session_name",
    "expired_seconds",
    "ram_role_name",
    "region_id",
    "sts_region",
];

fn names_in(block: &Block, prefix: &str, out: &mut BTreeSet<String>) {
    for a in &block.attributes {
        out.insert(a.name.clone());
        out.insert(format!("{prefix}{}", a.name));
    }
    for b in &block.blocks {
        out.insert(b.type_name.clone());
        names_in(&b.block, &format!("{prefix}{}.", b.type_name), out);
    }
}

fn descriptions_in(block: &Block, out: &mut String) {
    out.push_str(&block.description);
    for a in &block.attributes {
        out.push(' ');
        out.push_str(&a.description);
    }
    for b in &block.blocks {
        descriptions_in(&b.block, out);
    }
}

/// Every name a user can set, and the text that documents the variables.
fn known() -> (BTreeSet<String>, String) {
    let mut names = BTreeSet::new();
    let mut documented = String::new();
    for s in [
        schema::provider_schema(),
        json_data_source::flow_json_schema(),
        super::flows::resource::flow_resource_schema(),
    ] {
        names_in(&s.block, "", &mut names);
        descriptions_in(&s.block, &mut documented);
    }
    // Flow JSON rule ids, which validation diagnostics name.
    names.extend(
        crate::provider::flows::rules::Rule::ALL
            .iter()
            .map(|r| r.id().to_owned()),
    );
    (names, documented)
}

fn credential_errors_of_every_kind() -> Vec<CredentialsError> {
    let path = PathBuf::from("/f");
    let service = "STS AssumeRole";
    vec![
        CredentialsError::NotFound {
            looked_in: vec!["x".into()],
        },
        CredentialsError::Invalid("x".into()),
        CredentialsError::InvalidSetting {
            setting: "assume_role.session_name".into(),
            message: "x".into(),
        },
        CredentialsError::InvalidSetting {
            setting: "ALICLOUD_ASSUME_ROLE_SESSION_EXPIRATION".into(),
            message: "x".into(),
        },
        CredentialsError::InvalidSetting {
            setting: "profile \"p\" ram_session_name".into(),
            message: "x".into(),
        },
        CredentialsError::Conflict {
            first: "access_key and secret_key".into(),
            second: "profile".into(),
        },
        CredentialsError::IncompletePair {
            present: "access_key".into(),
            missing: "secret_key".into(),
        },
        CredentialsError::IncompletePair {
            present: "ALIBABA_CLOUD_ACCESS_KEY_ID".into(),
            missing: "ALIBABA_CLOUD_ACCESS_KEY_SECRET".into(),
        },
        CredentialsError::ConfigFileUnreadable {
            path: path.clone(),
            message: "x".into(),
        },
        CredentialsError::ConfigFileTooLarge {
            path: path.clone(),
            limit: 1,
        },
        CredentialsError::ConfigFileInvalid {
            path: path.clone(),
            source: CliConfigError::NotAnObject,
        },
        CredentialsError::ProfileNotFound {
            name: "p".into(),
            path: path.clone(),
            available: vec![],
        },
        CredentialsError::UnsupportedProfileMode {
            profile: "p".into(),
            mode: "CloudSSO".into(),
        },
        CredentialsError::InvalidProfile {
            profile: "p".into(),
            path,
            message: "x".into(),
        },
        CredentialsError::Sts {
            action: StsAction::AssumeRole,
            status: 403,
            code: "NoPermission".into(),
            message: "x".into(),
            request_id: "r".into(),
        },
        CredentialsError::OidcTokenFile {
            path: PathBuf::from("/run/token"),
            message: "x".into(),
        },
        oidc_sts("AuthenticationFail.OIDCToken.Expired"),
        oidc_sts("AuthenticationFail.OIDCToken.AudienceNotMatch"),
        oidc_sts("AuthenticationFail.NoPermission"),
        oidc_sts("AuthenticationFail.OIDCToken.InvalidSignature"),
        oidc_sts("InvalidParameter.RoleSessionName"),
        CredentialsError::EcsRole {
            role: "r".into(),
            code: "Failed".into(),
        },
        CredentialsError::Transport {
            service,
            message: "x".into(),
        },
        CredentialsError::InvalidResponse {
            service,
            message: "x".into(),
        },
    ]
}

fn api_failure(code: &str) -> FetchError {
    let body = format!(r#"{{"Code":"{code}","Message":"m","RequestId":"r"}}"#);
    FetchError::Asset(CamsError::Api {
        action: "GetFlowJSONAssest",
        error: Box::new(parse_get_flow_json_response(400, body.as_bytes()).unwrap_err()),
        attempts: 1,
        gave_up: GiveUp::NotRetryable,
    })
}

/// The codes the client has hints for, and a few it has none for.
const CODES: &[&str] = &[
    "Product.Unsubscript",
    "Ram.PermissionDeny",
    "Forbidden.RAM",
    "NoPermission",
    "Unknown.ResourceOwnerId",
    "System.LimitControl",
    "Rejected.Throttling",
    "Throttling.User",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "InvalidAccessKeyId.NotFound",
    "SignatureNonceUsed",
    "ServiceUnavailable",
    "InternalError",
    "InvalidAction.NotFound",
    "InvalidSecurityToken.Expired",
    "MissingParameter.FlowId",
    "InvalidParameter.FlowId",
    "Forbidden.Something",
    "Flow.NotExists",
];

fn fetch_failures() -> Vec<FetchError> {
    let url = "https://b/f.json".to_owned();
    let mut out: Vec<FetchError> = CODES.iter().map(|c| api_failure(c)).collect();
    out.extend([
        FetchError::Asset(CamsError::Transport {
            action: "GetFlowJSONAssest",
            endpoint: "https://cams/".into(),
            detail: "could not connect".into(),
            deadline: None,
            attempts: 5,
            gave_up: GiveUp::AttemptLimit,
        }),
        FetchError::Asset(CamsError::Transport {
            action: "GetFlowJSONAssest",
            endpoint: "https://cams/".into(),
            detail: "deadline".into(),
            deadline: Some(Duration::from_secs(60)),
            attempts: 1,
            gave_up: GiveUp::NotRetryable,
        }),
        FetchError::Download {
            error: DownloadError::TooLarge {
                url: url.clone(),
                limit: 1,
                announced: Some(2),
            },
            request_id: Some("r".into()),
        },
        FetchError::Download {
            error: DownloadError::OutOfMemory {
                url: url.clone(),
                needed: 1,
            },
            request_id: Some("r".into()),
        },
        FetchError::Download {
            error: DownloadError::Transport {
                url,
                detail: "x".into(),
                deadline: Some(Duration::from_secs(60)),
                attempts: 1,
                gave_up: GiveUp::NotRetryable,
            },
            request_id: Some("r".into()),
        },
    ]);
    out
}

/// Every text a user can be shown as advice.
fn every_advice_text() -> Vec<String> {
    let block = full_block();
    let model = ProviderModel::from_config(&block).unwrap();
    let mut out: Vec<String> = Vec::new();
    let mut push = |d: &Diagnostic| out.push(format!("{}\n{}", d.summary, d.detail));
    for e in credential_errors_of_every_kind() {
        push(&credential_errors::diagnostic(&e, Some(&model)));
        push(&credential_errors::diagnostic(&e, None));
    }
    let flow_id_at = AttributePath::of("flow_id");
    for e in fetch_failures() {
        for d in errors::fetch_error("f", flow_id_at.clone(), &e) {
            push(&d);
        }
        // The same failures from the other CAMS calls (GetFlow, ListFlow).
        if let FetchError::Asset(a) = &e {
            for d in errors::cams_error("Reading flow_id \"f\"", Some(flow_id_at.clone()), a) {
                push(&d);
            }
        }
    }
    for d in config::validate(&block) {
        push(&d);
    }
    let settings_env = |name: &str| match name {
        "ALIBABA_CLOUD_CAMS_ENDPOINT" => Some("http://example.com".to_owned()),
        schema::SHARED_RATE_LIMIT_ENV => Some("maybe".to_owned()),
        _ => None,
    };
    let no_endpoint =
        ProviderModel::from_config(&provider_block(&[("region", text("ap-southeast-1"))], None))
            .unwrap();
    if let Err(diags) = config::settings(&no_endpoint, &settings_env) {
        for d in diags {
            push(&d);
        }
    }
    out.extend(
        CODES
            .iter()
            .filter_map(|c| hint_for_code(c))
            .map(str::to_owned),
    );
    let bad_flow = FlowModel::decode(&object(&[
        ("id", Value::Null),
        ("name", text(" ")),
        ("categories", Value::Set(vec![text("SHOPPING")])),
        ("content", text(r#"{"version":"1.0","screens":[]}"#)),
        ("endpoint_uri", text("http://x")),
        ("cust_space_id", text(" ")),
        ("status", text("PUBLISHED")),
        ("json_version", Value::Null),
        ("data_api_version", Value::Null),
        ("content_sha256", Value::Null),
        ("screen_ids", Value::Null),
    ]))
    .unwrap();
    out.extend(
        flow_validate::check(&bad_flow)
            .into_iter()
            .map(|d| format!("{}\n{}", d.summary, d.detail)),
    );
    out
}

/// Names in a text that look like an argument (`lower_snake`, possibly
/// dotted) or an environment variable (`UPPER_SNAKE`). Words without an
/// underscore are ordinary words.
fn named_things(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'))
        .map(|w| w.trim_matches(|c| c == '.' || c == '-'))
        .filter(|w| w.contains('_'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_argument_or_variable_named_in_advice_exists() {
    let (names, documented) = known();
    let texts = every_advice_text();
    assert!(
        texts.len() > 40,
        "the walk found too little: {}",
        texts.len()
    );
    let mut unknown = Vec::new();
    for text in &texts {
        if text.contains("parallelism") {
            unknown.push(("-parallelism".to_owned(), text.clone()));
        }
        for name in named_things(text) {
            let is_variable = name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            let ok = if is_variable {
                documented.contains(&name) || FOREIGN_VARIABLES.contains(&name.as_str())
            } else {
                names.contains(&name) || CLI_PROFILE_FIELDS.contains(&name.as_str())
            };
            if !ok {
                unknown.push((name, text.clone()));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "advice names things that do not exist:\n{}",
        unknown
            .iter()
            .map(|(n, t)| format!("  {n}  in: {t}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn the_check_catches_a_name_that_does_not_exist() {
    let (names, _) = known();
    let found = named_things("lower rate_limit_per_second or set ecs_role_name");
    assert_eq!(found, ["rate_limit_per_second", "ecs_role_name"]);
    assert!(found.iter().all(|n| !names.contains(n)));
    assert!(names.contains("assume_role.role_arn") && names.contains("request_timeout"));
}

#[test]
fn each_credentials_cause_has_its_own_summary_and_points_at_what_the_user_set() {
    let block = ProviderModel::from_config(&full_block()).unwrap();
    let diags: Vec<Diagnostic> = credential_errors_of_every_kind()
        .iter()
        .map(|e| credential_errors::diagnostic(e, Some(&block)))
        .collect();
    let summaries: BTreeSet<&str> = diags.iter().map(|d| d.summary.as_str()).collect();
    assert!(summaries.len() >= 14, "{summaries:?}");
    assert!(
        !summaries.contains("Missing Alibaba Cloud Credentials") || {
            diags
                .iter()
                .filter(|d| d.summary == "Missing Alibaba Cloud Credentials")
                .count()
                == 1
        }
    );
    let at = |summary: &str| {
        diags
            .iter()
            .find(|d| d.summary == summary)
            .and_then(|d| d.attribute.clone())
            .map(|p| p.to_string())
    };
    assert_eq!(at("Profile Not Found").as_deref(), Some("profile"));
    assert_eq!(
        at("Credentials File Too Large").as_deref(),
        Some("shared_credentials_file")
    );
    assert_eq!(
        at("Incomplete Access Key Pair").as_deref(),
        Some("access_key")
    );
    assert_eq!(
        at("Invalid Provider Argument").as_deref(),
        Some("assume_role[0].session_name")
    );
}

fn oidc_sts(code: &str) -> CredentialsError {
    CredentialsError::Sts {
        action: StsAction::AssumeRoleWithOidc,
        status: 401,
        code: code.into(),
        message: "x".into(),
        request_id: "r".into(),
    }
}
