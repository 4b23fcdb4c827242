//! STS `AssumeRoleWithOIDC` (version 2015-04-01): an OIDC token from the CI
//! runner or Kubernetes exchanged for a RAM role's temporary credentials,
//! with no AccessKey anywhere.
//!
//! The call is anonymous, as Alibaba's credentials libraries send it (the
//! API reference, <https://www.alibabacloud.com/help/en/ram/developer-reference/api-sts-2015-04-01-assumerolewithoidc>,
//! lists no authorization): no signature, no AccessKey. The token travels
//! in a form body rather than the URL, so that no proxy or server log that
//! records URLs ever sees it. The token file is read again at every refresh:
//! runners and the kubelet rewrite it before the old token expires.

use std::fmt;
use std::path::{Path, PathBuf};

use url::Url;

use super::cache::{RefreshCache, TemporaryCredentials};
use super::http_body::{read_limited, transport_error};
use super::sts::{parse_response, STS_API_VERSION};
use super::{Credentials, CredentialsError, CredentialsProvider, Secret, StsAction};
use crate::alibaba::redact::Redactor;
use crate::alibaba::signature::{self, percent_encode};

const ACTION: &str = StsAction::AssumeRoleWithOidc.name();
const SERVICE: &str = StsAction::AssumeRoleWithOidc.service();

/// STS accepts tokens of 4 to 20,000 characters (API reference above); a
/// token file is read up to this many bytes, so that a wrong path (a log,
/// a device) is refused instead of read into memory.
pub const MAX_TOKEN_BYTES: u64 = 64 * 1024;

/// Where the OIDC token comes from.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum OidcToken {
    /// A file, read at every refresh (`oidc_token_file`,
    /// `ALIBABA_CLOUD_OIDC_TOKEN_FILE`).
    File(PathBuf),
    /// The token itself (`oidc_token`); it cannot be rotated.
    Inline(Secret),
}

impl fmt::Debug for OidcToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OidcToken::File(path) => f.debug_tuple("File").field(path).finish(),
            OidcToken::Inline(_) => f.write_str("Inline(<redacted>)"),
        }
    }
}

/// What to ask STS for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OidcRoleParams {
    pub oidc_provider_arn: String,
    pub role_arn: String,
    pub token: OidcToken,
    pub session_name: String,
    pub duration_seconds: u32,
    pub policy: Option<String>,
}

/// Reads a token file: whole, trimmed (a file written with `echo` ends in a
/// newline), at most [`MAX_TOKEN_BYTES`], not empty. Errors name the file,
/// never its content.
pub(crate) fn read_token_file(path: &Path) -> Result<Secret, CredentialsError> {
    use std::io::Read as _;
    let unreadable = |message: String| CredentialsError::OidcTokenFile {
        path: path.to_path_buf(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| unreadable(e.to_string()))?;
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(unreadable("it is a directory, not a file".into()));
    }
    let mut bytes = Vec::new();
    file.take(MAX_TOKEN_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(e.to_string()))?;
    if bytes.len() as u64 > MAX_TOKEN_BYTES {
        return Err(unreadable(format!(
            "it is larger than {MAX_TOKEN_BYTES} bytes, which no OIDC token is"
        )));
    }
    let text = String::from_utf8(bytes).map_err(|_| unreadable("it is not text".into()))?;
    let token = text.trim();
    if token.is_empty() {
        return Err(unreadable("it is empty".into()));
    }
    Ok(Secret::new(token))
}

/// Temporary credentials from STS AssumeRoleWithOIDC, refreshed before they
/// expire with a token read afresh.
pub(crate) struct OidcRoleProvider {
    params: OidcRoleParams,
    endpoint: Url,
    http: reqwest::Client,
    cache: RefreshCache,
}

impl OidcRoleProvider {
    /// `endpoint` is the STS base URL. No request is made (and the token
    /// file is not read) until [`CredentialsProvider::credentials`].
    pub fn new(params: OidcRoleParams, endpoint: Url, http: reqwest::Client) -> Self {
        Self {
            params,
            endpoint,
            http,
            cache: RefreshCache::new(),
        }
    }

    fn token(&self) -> Result<Secret, CredentialsError> {
        match &self.params.token {
            OidcToken::File(path) => read_token_file(path),
            OidcToken::Inline(token) => Ok(token.clone()),
        }
    }

    async fn fetch(&self) -> Result<TemporaryCredentials, CredentialsError> {
        let token = self.token()?;
        let timestamp = signature::format_timestamp(time::OffsetDateTime::now_utc());
        let mut url = self.endpoint.clone();
        url.set_query(Some(&request_query(&timestamp)));
        tracing::debug!(
            endpoint = %self.endpoint,
            role_arn = %self.params.role_arn,
            oidc_provider_arn = %self.params.oidc_provider_arn,
            "calling STS AssumeRoleWithOIDC"
        );
        let response = self
            .http
            .post(url)
            .header("accept", "application/json")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(request_body(&self.params, &token))
            .send()
            .await
            .map_err(|e| transport_error(SERVICE, e))?;
        let status = response.status();
        let body = read_limited(SERVICE, response).await?;
        // STS may quote the token back in a message about it.
        let redactor = Redactor::new().secret(token.expose());
        parse_response(StsAction::AssumeRoleWithOidc, status, &body, &redactor)
    }
}

/// The query: what identifies the call (the credentials libraries' common
/// parameters of an anonymous call).
fn request_query(timestamp: &str) -> String {
    [
        ("Action", ACTION),
        ("Format", "JSON"),
        ("Version", STS_API_VERSION),
        ("Timestamp", timestamp),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}", percent_encode(v)))
    .collect::<Vec<_>>()
    .join("&")
}

/// The form body: the role, the provider, the token and the session.
fn request_body(params: &OidcRoleParams, token: &Secret) -> String {
    let duration = params.duration_seconds.to_string();
    let mut fields: Vec<(&str, &str)> = vec![
        ("RoleArn", &params.role_arn),
        ("OIDCProviderArn", &params.oidc_provider_arn),
        ("OIDCToken", token.expose()),
        ("RoleSessionName", &params.session_name),
        ("DurationSeconds", &duration),
    ];
    if let Some(policy) = &params.policy {
        fields.push(("Policy", policy));
    }
    fields
        .iter()
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[async_trait::async_trait]
impl CredentialsProvider for OidcRoleProvider {
    async fn credentials(&self) -> Result<Credentials, CredentialsError> {
        self.cache.get(|| self.fetch()).await
    }

    fn source(&self) -> String {
        let token = match &self.params.token {
            OidcToken::File(path) => format!("token file {}", path.display()),
            OidcToken::Inline(_) => "oidc_token".to_owned(),
        };
        format!(
            "STS AssumeRoleWithOIDC {} (session {}) with OIDC provider {} and {token}",
            self.params.role_arn, self.params.session_name, self.params.oidc_provider_arn
        )
    }
}

impl fmt::Debug for OidcRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcRoleProvider")
            .field("params", &self.params)
            .field("endpoint", &self.endpoint.as_str())
            .field("cache", &self.cache)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(token: OidcToken) -> OidcRoleParams {
        OidcRoleParams {
            oidc_provider_arn: "acs:ram::1:oidc-provider/gh".into(),
            role_arn: "acs:ram::1:role/ci".into(),
            token,
            session_name: "terraform".into(),
            duration_seconds: 900,
            policy: None,
        }
    }

    #[test]
    fn the_token_goes_in_the_body_never_in_the_query() {
        let token = Secret::new("eyJ.a+b/c=.sig");
        let body = request_body(&params(OidcToken::Inline(token.clone())), &token);
        assert!(
            body.contains("OIDCToken=eyJ.a%2Bb%2Fc%3D.sig"),
            "strict encoding: {body}"
        );
        assert!(body.contains("RoleArn=acs%3Aram%3A%3A1%3Arole%2Fci"));
        assert!(body.contains("DurationSeconds=900"));
        let query = request_query("2024-05-01T08:00:00Z");
        assert_eq!(
            query,
            "Action=AssumeRoleWithOIDC&Format=JSON&Version=2015-04-01&Timestamp=2024-05-01T08%3A00%3A00Z"
        );
    }

    #[test]
    fn token_files_are_trimmed_and_bad_ones_named_without_content() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "eyJhbGciOi.x.y\n").unwrap();
        assert_eq!(read_token_file(&path).unwrap().expose(), "eyJhbGciOi.x.y");

        std::fs::write(&path, " \n").unwrap();
        let err = read_token_file(&path).unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");

        let missing = dir.path().join("missing");
        let err = read_token_file(&missing).unwrap_err();
        assert!(
            matches!(&err, CredentialsError::OidcTokenFile { path, .. } if path == &missing),
            "{err:?}"
        );
        assert!(read_token_file(dir.path()).is_err());

        std::fs::write(&path, "x".repeat(MAX_TOKEN_BYTES as usize + 1)).unwrap();
        let err = read_token_file(&path).unwrap_err();
        assert!(err.to_string().contains("larger"), "{err}");
        assert!(!err.to_string().contains("xxxx"), "{err}");
    }

    #[test]
    fn debug_and_source_never_show_an_inline_token() {
        let provider = OidcRoleProvider::new(
            params(OidcToken::Inline(Secret::new("SECRET-TOKEN"))),
            Url::parse("https://sts.example.com").unwrap(),
            reqwest::Client::new(),
        );
        let shown = format!("{provider:?} {}", provider.source());
        assert!(!shown.contains("SECRET-TOKEN"), "{shown}");
        assert!(shown.contains("acs:ram::1:role/ci"), "{shown}");
    }
}
