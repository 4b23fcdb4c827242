//! STS `AssumeRole` (RPC style, version 2015-04-01) on top of base
//! credentials, with cached temporary credentials.
//!
//! Signed with V3 by default, as a `POST /?<params>` with the parameters in
//! the query and the signature in the headers, as the official STS SDK
//! sends it; with V1, a `GET /?<params>` with every parameter in the query,
//! as the official credentials library sends it. The server answers JSON.
//! The answer's parser is shared with `AssumeRoleWithOIDC` ([`super::oidc`]).

use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};
use url::Url;

use super::cache::{RefreshCache, TemporaryCredentials};
use super::http_body::{read_limited, transport_error};
use super::{Credentials, CredentialsError, CredentialsProvider, Secret, StsAction};
use crate::alibaba::http::USER_AGENT;
use crate::alibaba::redact::Redactor;
use crate::alibaba::rpc_query::{self, Freshness, RpcAction, Sender, SignatureVersion, SignedRpc};
use crate::alibaba::signature;

pub(crate) const STS_API_VERSION: &str = "2015-04-01";
pub(crate) const DEFAULT_SESSION_NAME: &str = "terraform";
pub(crate) const DEFAULT_DURATION_SECONDS: u32 = 3600;
pub(crate) const MIN_DURATION_SECONDS: u32 = 900;
pub(crate) const MAX_DURATION_SECONDS: u32 = 43200;

const SERVICE: &str = StsAction::AssumeRole.service();
const ACTION: &str = StsAction::AssumeRole.name();

/// What to ask STS for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeRoleParams {
    pub role_arn: String,
    pub session_name: String,
    pub duration_seconds: u32,
    pub policy: Option<String>,
    pub external_id: Option<String>,
}

impl AssumeRoleParams {
    /// Parameters with the defaults (`terraform`, 3600 s, no policy).
    pub fn new(role_arn: impl Into<String>) -> Self {
        Self {
            role_arn: role_arn.into(),
            session_name: DEFAULT_SESSION_NAME.to_string(),
            duration_seconds: DEFAULT_DURATION_SECONDS,
            policy: None,
            external_id: None,
        }
    }
}

/// Checks a `DurationSeconds` value; `setting` names where it came from.
pub(crate) fn validate_duration(seconds: u64, setting: &str) -> Result<u32, CredentialsError> {
    match u32::try_from(seconds) {
        Ok(s) if (MIN_DURATION_SECONDS..=MAX_DURATION_SECONDS).contains(&s) => Ok(s),
        _ => Err(CredentialsError::InvalidSetting {
            setting: setting.to_owned(),
            message: format!(
                "must be between {MIN_DURATION_SECONDS} and {MAX_DURATION_SECONDS} seconds, got {seconds}"
            ),
        }),
    }
}

/// Checks a `Policy`: STS wants a JSON policy document (an object).
pub(crate) fn validate_policy(policy: &str, setting: &str) -> Result<(), CredentialsError> {
    match serde_json::from_str::<Value>(policy) {
        Ok(Value::Object(_)) => Ok(()),
        Ok(_) => Err(CredentialsError::InvalidSetting {
            setting: setting.to_owned(),
            message: "is JSON but not a policy document (a JSON object with \"Version\" and \"Statement\")".to_owned(),
        }),
        Err(e) => Err(CredentialsError::InvalidSetting {
            setting: setting.to_owned(),
            message: format!(
                "is not valid JSON ({})",
                crate::json_position::describe(policy.as_bytes(), &e)
            ),
        }),
    }
}

/// Checks a `RoleSessionName`: 2 to 64 of `A-Z a-z 0-9 . @ _ -` (STS rule).
pub(crate) fn validate_session_name(name: &str, setting: &str) -> Result<(), CredentialsError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '@' | '_' | '-');
    if (2..=64).contains(&name.len()) && name.chars().all(allowed) {
        Ok(())
    } else {
        Err(CredentialsError::InvalidSetting {
            setting: setting.to_owned(),
            message: format!(
                "{name:?} is not a valid session name (2 to 64 characters from A-Z a-z 0-9 . @ _ -)"
            ),
        })
    }
}

/// Temporary credentials from STS AssumeRole, refreshed before they expire.
pub struct AssumeRoleProvider {
    base: Arc<dyn CredentialsProvider>,
    params: AssumeRoleParams,
    endpoint: Url,
    http: reqwest::Client,
    signature_version: SignatureVersion,
    cache: RefreshCache,
}

impl AssumeRoleProvider {
    /// `endpoint` is the STS base URL (see [`super::endpoint::sts_endpoint`]).
    /// No request is made until [`CredentialsProvider::credentials`].
    pub fn new(
        base: Arc<dyn CredentialsProvider>,
        params: AssumeRoleParams,
        endpoint: Url,
        http: reqwest::Client,
    ) -> Self {
        Self {
            base,
            params,
            endpoint,
            http,
            signature_version: SignatureVersion::default(),
            cache: RefreshCache::new(),
        }
    }

    /// Signs with `version` instead of the default V3.
    pub(crate) fn with_signature_version(mut self, version: SignatureVersion) -> Self {
        self.signature_version = version;
        self
    }

    pub fn params(&self) -> &AssumeRoleParams {
        &self.params
    }

    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    async fn fetch(&self) -> Result<TemporaryCredentials, CredentialsError> {
        let base = self.base.credentials().await?;
        let host = rpc_query::host_header(&self.endpoint);
        let signed = signed_request(
            self.signature_version,
            &base,
            &self.params,
            &host,
            Freshness {
                timestamp: &signature::format_timestamp(time::OffsetDateTime::now_utc()),
                nonce: &signature::fresh_nonce(),
            },
        );
        let mut url = self.endpoint.clone();
        url.set_query(Some(&signed.query));
        tracing::debug!(
            endpoint = %self.endpoint,
            role_arn = %self.params.role_arn,
            signature_version = self.signature_version.name(),
            "calling STS AssumeRole"
        );
        let mut request = match self.signature_version {
            SignatureVersion::V1 => self.http.get(url),
            SignatureVersion::V3 => self.http.post(url),
        };
        for (name, value) in &signed.headers {
            request = request.header(*name, value);
        }
        let response = request
            .send()
            .await
            .map_err(|e| transport_error(SERVICE, e))?;
        let status = response.status();
        let body = read_limited(SERVICE, response).await?;
        parse_response(
            StsAction::AssumeRole,
            status,
            &body,
            &request_redactor(&base, &signed.signature),
        )
    }
}

#[async_trait::async_trait]
impl CredentialsProvider for AssumeRoleProvider {
    async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        self.cache.get(|| self.fetch()).await
    }

    fn source(&self) -> String {
        format!(
            "STS AssumeRole {} (session {}) using {}",
            self.params.role_arn,
            self.params.session_name,
            self.base.source()
        )
    }
}

impl fmt::Debug for AssumeRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssumeRoleProvider")
            .field("role_arn", &self.params.role_arn)
            .field("session_name", &self.params.session_name)
            .field("duration_seconds", &self.params.duration_seconds)
            .field("policy_set", &self.params.policy.is_some())
            .field("external_id_set", &self.params.external_id.is_some())
            .field("endpoint", &self.endpoint.as_str())
            .field("base", &self.base)
            .field("cache", &self.cache)
            .finish()
    }
}

/// The signed AssumeRole request (`GET` with V1, `POST` with V3), its
/// query encoded with the same strict RFC 3986 encoding as the signature
/// (`%20`, never `+`).
pub(crate) fn signed_request(
    version: SignatureVersion,
    base: &Credentials,
    params: &AssumeRoleParams,
    host: &str,
    fresh: Freshness<'_>,
) -> SignedRpc {
    let duration = params.duration_seconds.to_string();
    let mut business: Vec<(&str, &str)> = vec![
        ("RoleArn", &params.role_arn),
        ("RoleSessionName", &params.session_name),
        ("DurationSeconds", &duration),
    ];
    if let Some(policy) = &params.policy {
        business.push(("Policy", policy));
    }
    if let Some(external_id) = &params.external_id {
        business.push(("ExternalId", external_id));
    }
    rpc_query::sign_rpc(
        version,
        RpcAction {
            method: match version {
                SignatureVersion::V1 => "GET",
                SignatureVersion::V3 => "POST",
            },
            action: ACTION,
            version: STS_API_VERSION,
            format: "JSON",
        },
        Sender {
            host,
            user_agent: USER_AGENT,
        },
        &business,
        base,
        fresh,
    )
}

/// Interprets STS's answer to `action`. `redactor` removes secrets from
/// server-provided text (a `SignatureDoesNotMatch` message quotes the
/// string to sign, which contains the caller's SecurityToken).
pub(crate) fn parse_response(
    action: StsAction,
    status: reqwest::StatusCode,
    body: &[u8],
    redactor: &Redactor,
) -> Result<TemporaryCredentials, CredentialsError> {
    let service = action.service();
    let document: Option<Map<String, Value>> =
        serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|v| match v {
                Value::Object(map) => Some(map),
                _ => None,
            });
    let Some(document) = document else {
        return Err(if status.is_success() {
            CredentialsError::InvalidResponse {
                service,
                message: format!("HTTP {status} with a body that is not a JSON object"),
            }
        } else {
            CredentialsError::Transport {
                service,
                message: format!("HTTP {status} without a JSON error document"),
            }
        });
    };
    let text = |field: &str| document.get(field).and_then(Value::as_str).unwrap_or("");
    let credentials = document.get("Credentials").and_then(Value::as_object);
    match credentials {
        Some(credentials) if status.is_success() => parse_credentials(service, credentials),
        _ => Err(CredentialsError::Sts {
            action,
            status: status.as_u16(),
            code: redactor.scrub(if text("Code").is_empty() {
                "(no Code)"
            } else {
                text("Code")
            }),
            message: redactor.scrub(text("Message")),
            request_id: redactor.scrub(text("RequestId")),
        }),
    }
}

fn parse_credentials(
    service: &'static str,
    fields: &Map<String, Value>,
) -> Result<TemporaryCredentials, CredentialsError> {
    let credentials = credentials_from_json(service, "Credentials.", fields)?;
    let expiration = required(service, "Credentials.", fields, "Expiration")?;
    Ok(TemporaryCredentials {
        credentials,
        expiration: parse_expiration(service, &expiration)?,
    })
}

/// Reads `AccessKeyId`, `AccessKeySecret`, `SecurityToken` (all required)
/// from a credentials JSON object (STS and ECS use the same names).
pub(crate) fn credentials_from_json(
    service: &'static str,
    prefix: &str,
    fields: &Map<String, Value>,
) -> Result<Credentials, CredentialsError> {
    Ok(Credentials {
        access_key_id: required(service, prefix, fields, "AccessKeyId")?,
        access_key_secret: Secret::new(required(service, prefix, fields, "AccessKeySecret")?),
        security_token: Some(Secret::new(required(
            service,
            prefix,
            fields,
            "SecurityToken",
        )?)),
    })
}

fn required(
    service: &'static str,
    prefix: &str,
    fields: &Map<String, Value>,
    name: &str,
) -> Result<String, CredentialsError> {
    match fields.get(name).and_then(Value::as_str) {
        Some(value) if !value.is_empty() => Ok(value.to_string()),
        // Never include the value: it may be a secret of the wrong type.
        _ => Err(CredentialsError::InvalidResponse {
            service,
            message: format!("missing or non-string {prefix}{name}"),
        }),
    }
}

/// Parses an `Expiration` (`2024-05-01T08:00:00Z`; any RFC 3339 accepted).
pub(crate) fn parse_expiration(
    service: &'static str,
    text: &str,
) -> Result<time::OffsetDateTime, CredentialsError> {
    signature::parse_timestamp(text)
        .or_else(|| {
            time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok()
        })
        .ok_or_else(|| CredentialsError::InvalidResponse {
            service,
            message: format!("Expiration {text:?} is not a UTC timestamp"),
        })
}

/// The secrets an AssumeRole request carries: the caller's secret key and
/// security token, and the signature.
fn request_redactor(base: &Credentials, signature: &str) -> Redactor {
    let mut redactor = Redactor::new().secret(base.access_key_secret.expose());
    if let Some(token) = &base.security_token {
        redactor.add(token.expose());
    }
    if !signature.is_empty() {
        redactor.add(signature);
    }
    redactor
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(token: Option<&str>) -> Credentials {
        Credentials {
            access_key_id: "testid".into(),
            access_key_secret: Secret::new("testsecret"),
            security_token: token.map(Secret::new),
        }
    }

    fn v1_query(
        base: &Credentials,
        params: &AssumeRoleParams,
        timestamp: &str,
        nonce: &str,
    ) -> String {
        signed_request(
            SignatureVersion::V1,
            base,
            params,
            "sts.example.com",
            Freshness { timestamp, nonce },
        )
        .query
    }

    #[test]
    fn v3_is_a_post_with_the_token_in_signed_headers() {
        let params = AssumeRoleParams::new("acs:ram::1:role/r");
        let signed = signed_request(
            SignatureVersion::V3,
            &base(Some("tok+en")),
            &params,
            "sts.example.com",
            Freshness {
                timestamp: "2024-05-01T08:00:00Z",
                nonce: "n",
            },
        );
        assert_eq!(
            signed.query,
            "DurationSeconds=3600&RoleArn=acs%3Aram%3A%3A1%3Arole%2Fr&RoleSessionName=terraform"
        );
        let header = |name: &str| {
            signed
                .headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(header("x-acs-action"), Some("AssumeRole"));
        assert_eq!(header("x-acs-version"), Some(STS_API_VERSION));
        assert_eq!(header("x-acs-security-token"), Some("tok+en"));
        assert!(header("authorization")
            .unwrap()
            .ends_with(&signed.signature));
    }

    fn query_pairs(query: &str) -> Vec<(String, String)> {
        url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect()
    }

    #[test]
    fn signed_query_matches_official_vector_v1_5() {
        let params = AssumeRoleParams::new("acs:ram::123456789012:role/terraform-role");
        let query = v1_query(
            &base(None),
            &params,
            "2024-05-01T08:00:00Z",
            "6a5d2c3e-0f1b-4c2d-9e8f-0123456789ab",
        );
        let pairs = query_pairs(&query);
        let signature = pairs.iter().find(|(k, _)| k == "Signature").unwrap();
        assert_eq!(signature.1, "2rSLS4vhatwNeI/FwJB+4Qbb3bE=");
        assert!(
            query.ends_with("&Signature=2rSLS4vhatwNeI%2FFwJB%2B4Qbb3bE%3D"),
            "{query}"
        );
        assert_eq!(pairs.len(), 12);
    }

    #[test]
    fn optional_params_and_token_are_sent_and_signed() {
        let mut params = AssumeRoleParams::new("acs:ram::1:role/r");
        params.policy = Some(r#"{"Version":"1","Statement":[]}"#.into());
        params.external_id = Some("ext id".into());
        let query = v1_query(&base(Some("tok+en")), &params, "2024-05-01T08:00:00Z", "n");
        assert!(
            query.contains("ExternalId=ext%20id"),
            "strict encoding: {query}"
        );
        let pairs = query_pairs(&query);
        let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("Policy"), params.policy.as_deref());
        assert_eq!(get("SecurityToken"), Some("tok+en"));
        let received = get("Signature").unwrap();
        let signed = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        assert!(signature::verify("GET", signed, "testsecret", received));
    }

    #[test]
    fn validations() {
        assert_eq!(validate_duration(900, "x").unwrap(), 900);
        assert_eq!(validate_duration(43200, "x").unwrap(), 43200);
        for bad in [0, 899, 43201, u64::MAX] {
            let err = validate_duration(bad, "assume_role.session_expiration").unwrap_err();
            assert!(
                err.to_string().contains("assume_role.session_expiration"),
                "{err}"
            );
        }
        assert!(validate_session_name("terraform", "x").is_ok());
        assert!(validate_session_name("a.b@c_d-e", "x").is_ok());
        for bad in ["a", "has space", "é-accent", &"x".repeat(65)] {
            assert!(validate_session_name(bad, "x").is_err(), "{bad}");
        }
    }

    #[test]
    fn error_document_becomes_sts_error_without_the_token() {
        let body = br#"{"RequestId":"REQ-1","Code":"SignatureDoesNotMatch",
            "Message":"server string to sign is:GET&%2F&SecurityToken%3Dtok%252Ben"}"#;
        let redactor = Redactor::new().secret("tok+en");
        let err = parse_response(
            StsAction::AssumeRole,
            reqwest::StatusCode::BAD_REQUEST,
            body,
            &redactor,
        )
        .unwrap_err();
        match &err {
            CredentialsError::Sts {
                status,
                code,
                request_id,
                message,
                ..
            } => {
                assert_eq!(*status, 400);
                assert_eq!(code, "SignatureDoesNotMatch");
                assert_eq!(request_id, "REQ-1");
                assert!(message.contains("<redacted>"), "{message}");
                assert!(!message.contains("tok%252Ben"), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn malformed_success_bodies_are_invalid_responses_naming_the_field() {
        let ok = reqwest::StatusCode::OK;
        let missing = br#"{"Credentials":{"AccessKeyId":"STS.x","AccessKeySecret":"s","Expiration":"2030-01-01T00:00:00Z"}}"#;
        let err =
            parse_response(StsAction::AssumeRole, ok, missing, &Redactor::default()).unwrap_err();
        assert!(
            err.to_string().contains("Credentials.SecurityToken"),
            "{err}"
        );

        let wrong_type = br#"{"Credentials":{"AccessKeyId":"STS.x","AccessKeySecret":["leak"],"SecurityToken":"t","Expiration":"2030-01-01T00:00:00Z"}}"#;
        let err = parse_response(StsAction::AssumeRole, ok, wrong_type, &Redactor::default())
            .unwrap_err();
        assert!(!err.to_string().contains("leak"), "{err}");

        let bad_time = br#"{"Credentials":{"AccessKeyId":"STS.x","AccessKeySecret":"s","SecurityToken":"t","Expiration":"tomorrow"}}"#;
        let err =
            parse_response(StsAction::AssumeRole, ok, bad_time, &Redactor::default()).unwrap_err();
        assert!(err.to_string().contains("Expiration"), "{err}");

        assert!(matches!(
            parse_response(StsAction::AssumeRole, ok, b"<xml/>", &Redactor::default()),
            Err(CredentialsError::InvalidResponse { .. })
        ));
        assert!(matches!(
            parse_response(
                StsAction::AssumeRole,
                reqwest::StatusCode::BAD_GATEWAY,
                b"oops",
                &Redactor::default()
            ),
            Err(CredentialsError::Transport { .. })
        ));
    }

    #[test]
    fn success_body_parses() {
        let body = br#"{"RequestId":"r","AssumedRoleUser":{"Arn":"a","AssumedRoleId":"i"},
            "Credentials":{"AccessKeyId":"STS.x","AccessKeySecret":"s","SecurityToken":"t","Expiration":"2030-01-01T00:00:00Z"}}"#;
        let parsed = parse_response(
            StsAction::AssumeRole,
            reqwest::StatusCode::OK,
            body,
            &Redactor::default(),
        )
        .unwrap();
        assert_eq!(parsed.credentials.access_key_id, "STS.x");
        assert_eq!(parsed.credentials.access_key_secret.expose(), "s");
        assert_eq!(
            parsed
                .credentials
                .security_token
                .as_ref()
                .map(Secret::expose),
            Some("t")
        );
        assert_eq!(
            parsed.expiration,
            time::macros::datetime!(2030-01-01 00:00:00 UTC)
        );
    }
}
