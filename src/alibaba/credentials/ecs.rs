//! Credentials of the RAM role attached to an ECS instance, from the
//! instance metadata service, token-protected ("IMDSv2"):
//!
//! 1. `PUT /latest/api/token` with `X-aliyun-ecs-metadata-token-ttl-seconds`
//!    gives a session token;
//! 2. if no role name is configured, `GET /latest/meta-data/ram/security-credentials/`
//!    lists the instance's role;
//! 3. `GET /latest/meta-data/ram/security-credentials/<role>` gives JSON
//!    credentials with `Code: "Success"` and an `Expiration`.
//!
//! Every request carries the token header. There is deliberately no fallback
//! to token-less (v1) requests. Each request has a 1 s timeout: the service
//! is link-local and answers in milliseconds, and a host that is not an ECS
//! instance should fail fast.

use std::fmt;
use std::time::Duration;

use serde_json::Value;
use url::Url;

use super::cache::{RefreshCache, TemporaryCredentials};
use super::http_body::{read_limited, transport_error};
use super::sts::{credentials_from_json, parse_expiration};
use super::{Credentials, CredentialsError, CredentialsProvider};
use crate::alibaba::signature::percent_encode;

const SERVICE: &str = "ECS instance metadata";
const TOKEN_PATH: &str = "/latest/api/token";
const CREDENTIALS_PATH: &str = "/latest/meta-data/ram/security-credentials/";
pub(crate) const TOKEN_TTL_HEADER: &str = "X-aliyun-ecs-metadata-token-ttl-seconds";
pub(crate) const TOKEN_HEADER: &str = "X-aliyun-ecs-metadata-token";
/// Lifetime requested for the metadata session token (the SDK's value).
const TOKEN_TTL_SECONDS: &str = "21600";
const REQUEST_TIMEOUT: Duration = Duration::from_secs(1);

/// Credentials of an ECS instance's RAM role, refreshed before expiry.
pub struct EcsRoleProvider {
    role_name: Option<String>,
    endpoint: Url,
    http: reqwest::Client,
    cache: RefreshCache,
}

impl EcsRoleProvider {
    /// `role_name: None` discovers the role from the metadata service.
    /// `endpoint` is the metadata base URL (see
    /// [`super::endpoint::ecs_metadata_endpoint`]). No request is made until
    /// [`CredentialsProvider::credentials`].
    pub fn new(role_name: Option<String>, endpoint: Url, http: reqwest::Client) -> Self {
        Self {
            role_name: role_name.filter(|r| !r.is_empty()),
            endpoint,
            http,
            cache: RefreshCache::new(),
        }
    }

    pub fn role_name(&self) -> Option<&str> {
        self.role_name.as_deref()
    }

    async fn fetch(&self) -> Result<TemporaryCredentials, CredentialsError> {
        let token = self.session_token().await?;
        let role = match &self.role_name {
            Some(role) => role.clone(),
            None => self.discover_role(&token).await?,
        };
        let body = self
            .get_text(
                &format!("{CREDENTIALS_PATH}{}", percent_encode(&role)),
                &token,
            )
            .await?;
        parse_role_credentials(&role, &body)
    }

    async fn session_token(&self) -> Result<String, CredentialsError> {
        let response = self
            .http
            .put(self.url(TOKEN_PATH))
            .header(TOKEN_TTL_HEADER, TOKEN_TTL_SECONDS)
            .timeout(REQUEST_TIMEOUT)
            .send()
            .await
            .map_err(|e| transport_error(SERVICE, e))?;
        let token = self.success_text(TOKEN_PATH, response).await?;
        let token = token.trim();
        if token.is_empty() {
            return Err(CredentialsError::InvalidResponse {
                service: SERVICE,
                message: "empty metadata token".into(),
            });
        }
        Ok(token.to_string())
    }

    async fn discover_role(&self, token: &str) -> Result<String, CredentialsError> {
        let listing = self.get_text(CREDENTIALS_PATH, token).await?;
        // The service lists one role per line; an instance has at most one.
        listing
            .lines()
            .map(str::trim)
            .find(|line| !line.is_empty())
            .map(str::to_string)
            .ok_or_else(|| CredentialsError::InvalidResponse {
                service: SERVICE,
                message: "no RAM role is attached to this instance".into(),
            })
    }

    async fn get_text(&self, path: &str, token: &str) -> Result<String, CredentialsError> {
        let response = self
            .http
            .get(self.url(path))
            .header(TOKEN_HEADER, token)
            .timeout(REQUEST_TIMEOUT)
            .send()
            .await
            .map_err(|e| transport_error(SERVICE, e))?;
        self.success_text(path, response).await
    }

    async fn success_text(
        &self,
        path: &str,
        response: reqwest::Response,
    ) -> Result<String, CredentialsError> {
        let status = response.status();
        if !status.is_success() {
            return Err(CredentialsError::Transport {
                service: SERVICE,
                message: format!("{path} returned HTTP {status}"),
            });
        }
        let body = read_limited(SERVICE, response).await?;
        String::from_utf8(body).map_err(|_| CredentialsError::InvalidResponse {
            service: SERVICE,
            message: format!("{path} returned a body that is not UTF-8"),
        })
    }

    fn url(&self, path: &str) -> Url {
        let mut url = self.endpoint.clone();
        url.set_path(path);
        url
    }
}

fn parse_role_credentials(
    role: &str,
    body: &str,
) -> Result<TemporaryCredentials, CredentialsError> {
    let invalid = |message: String| CredentialsError::InvalidResponse {
        service: SERVICE,
        message,
    };
    let document: Value = serde_json::from_str(body)
        .map_err(|_| invalid(format!("credentials of role {role:?} are not JSON")))?;
    let fields = document.as_object().ok_or_else(|| {
        invalid(format!(
            "credentials of role {role:?} are not a JSON object"
        ))
    })?;
    let code = fields.get("Code").and_then(Value::as_str).unwrap_or("");
    if code != "Success" {
        return Err(CredentialsError::EcsRole {
            role: role.to_string(),
            code: code.to_string(),
        });
    }
    let credentials = credentials_from_json(SERVICE, "", fields)?;
    let expiration = fields
        .get("Expiration")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("missing or non-string Expiration".into()))?;
    Ok(TemporaryCredentials {
        credentials,
        expiration: parse_expiration(SERVICE, expiration)?,
    })
}

#[async_trait::async_trait]
impl CredentialsProvider for EcsRoleProvider {
    async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        self.cache.get(|| self.fetch()).await
    }

    fn source(&self) -> String {
        match &self.role_name {
            Some(role) => format!(
                "ECS RAM role {role:?} (instance metadata {})",
                self.endpoint
            ),
            None => format!(
                "ECS RAM role (discovered, instance metadata {})",
                self.endpoint
            ),
        }
    }
}

impl fmt::Debug for EcsRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EcsRoleProvider")
            .field("role_name", &self.role_name)
            .field("endpoint", &self.endpoint.as_str())
            .field("cache", &self.cache)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_document_parses() {
        let body = r#"{"Code":"Success","AccessKeyId":"STS.ecs","AccessKeySecret":"s",
            "SecurityToken":"t","Expiration":"2030-01-01T00:00:00Z","LastUpdated":"2029-12-31T18:00:00Z"}"#;
        let parsed = parse_role_credentials("r", body).unwrap();
        assert_eq!(parsed.credentials.access_key_id, "STS.ecs");
        assert_eq!(
            parsed.expiration,
            time::macros::datetime!(2030-01-01 00:00:00 UTC)
        );
    }

    #[test]
    fn code_other_than_success_names_role_and_code() {
        let err = parse_role_credentials("my-role", r#"{"Code":"Failed"}"#).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("\"my-role\"") && text.contains("\"Failed\""),
            "{text}"
        );
        let err = parse_role_credentials("my-role", r#"{"AccessKeyId":"x"}"#).unwrap_err();
        assert!(matches!(err, CredentialsError::EcsRole { code, .. } if code.is_empty()));
    }

    #[test]
    fn garbage_is_an_invalid_response() {
        for body in ["", "not json", "[1]"] {
            assert!(matches!(
                parse_role_credentials("r", body),
                Err(CredentialsError::InvalidResponse { .. })
            ));
        }
    }
}
