//! A signed Alibaba Cloud RPC request, in either signature version:
//!
//! * **V3** (`ACS3-HMAC-SHA256`, the default, what the official SDKs send):
//!   the business parameters alone in the query; action, version, time,
//!   nonce, body hash and security token in `x-acs-*` headers, signed with
//!   [`acs3_signature`] into the `Authorization` header. Every header sent
//!   is signed, as the SDK does.
//! * **V1** (`HMAC-SHA1`, `SignatureVersion=1.0`): the common parameters
//!   (`Action`, `Version`, `Format`, `Timestamp`, nonce, signature method
//!   and version, `AccessKeyId`, `SecurityToken`) plus the business
//!   parameters in the query, signed with [`signature`] and encoded strictly
//!   (RFC 3986, `%20`, never `+`), with `Signature` last.
//!
//! The one place that builds such requests: CAMS calls (`POST`,
//! `Format=json` as the CAMS SDK sends it) and STS AssumeRole (`Format=JSON`
//! as the credentials library sends it) both come here.

use url::Url;

use super::acs3_signature::{self, Acs3Request};
use super::credentials::Credentials;
use super::signature;

/// Which signature an RPC request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SignatureVersion {
    /// `HMAC-SHA1` over the query (`SignatureVersion=1.0`).
    V1,
    /// `ACS3-HMAC-SHA256` in the `Authorization` header.
    #[default]
    V3,
}

impl SignatureVersion {
    /// Every version with the name users write (`signature_version`,
    /// `ALIBABA_CLOUD_SIGNATURE_VERSION`).
    pub const ALL: [(&'static str, SignatureVersion); 2] =
        [("v1", SignatureVersion::V1), ("v3", SignatureVersion::V3)];

    /// `v1` or `v3`, in any case; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        Self::ALL
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(text))
            .map(|(_, version)| *version)
    }

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, version)| *version == self)
            .map_or("v3", |(name, _)| name)
    }
}

/// A request ready to send: the query string (without `?`), the headers
/// (the `Authorization` header among them for V3), and the signature, which
/// redaction removes from whatever the server quotes back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRpc {
    pub query: String,
    pub headers: Vec<(&'static str, String)>,
    pub signature: String,
}

/// Who sends the request and where: the `host` header (signed in V3) and
/// the `user-agent` (signed in V3 too, as the SDK does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sender<'a> {
    pub host: &'a str,
    pub user_agent: &'a str,
}

/// The `host` header for a request to `url`: the host, and the port when
/// it is not the scheme's default (what the HTTP client sends).
pub(crate) fn host_header(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// Signs one RPC request with `version`. The body is empty: every business
/// parameter goes in the query, as the official SDKs send CAMS and STS
/// calls.
pub fn sign_rpc(
    version: SignatureVersion,
    request: RpcAction<'_>,
    sender: Sender<'_>,
    business: &[(&str, &str)],
    credentials: &Credentials,
    fresh: Freshness<'_>,
) -> SignedRpc {
    match version {
        SignatureVersion::V1 => {
            let query = signed_query(request, business, credentials, fresh);
            let signature = signature_of(&query).unwrap_or_default();
            SignedRpc {
                query,
                headers: vec![("accept", "application/json".to_owned())],
                signature,
            }
        }
        SignatureVersion::V3 => sign_v3(request, sender, business, credentials, fresh),
    }
}

/// The V3 form: the header set of the SDK's `do_request` (host, version,
/// action, user agent, date, nonce, accept, body hash, and with a token
/// `x-acs-accesskey-id` and `x-acs-security-token`), all signed.
fn sign_v3(
    request: RpcAction<'_>,
    sender: Sender<'_>,
    business: &[(&str, &str)],
    credentials: &Credentials,
    fresh: Freshness<'_>,
) -> SignedRpc {
    let payload_hash = acs3_signature::hashed_payload(b"");
    let mut headers: Vec<(&'static str, String)> = vec![
        ("host", sender.host.to_owned()),
        ("x-acs-version", request.version.to_owned()),
        ("x-acs-action", request.action.to_owned()),
        ("user-agent", sender.user_agent.to_owned()),
        ("x-acs-date", fresh.timestamp.to_owned()),
        ("x-acs-signature-nonce", fresh.nonce.to_owned()),
        ("accept", "application/json".to_owned()),
        ("x-acs-content-sha256", payload_hash.clone()),
    ];
    if let Some(token) = &credentials.security_token {
        headers.push(("x-acs-accesskey-id", credentials.access_key_id.clone()));
        headers.push(("x-acs-security-token", token.expose().to_owned()));
    }
    let signed: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let (authorization, signature) = acs3_signature::authorization(
        &Acs3Request {
            method: request.method,
            path: "/",
            query: business,
            headers: &signed,
            payload_hash: &payload_hash,
        },
        &credentials.access_key_id,
        credentials.access_key_secret.expose(),
    );
    headers.push(("authorization", authorization));
    SignedRpc {
        query: acs3_signature::canonical_query(business.iter().copied()),
        headers,
        signature,
    }
}

/// What identifies one RPC request, besides its business parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RpcAction<'a> {
    /// `GET` or `POST`: part of the string to sign.
    pub method: &'a str,
    pub action: &'a str,
    pub version: &'a str,
    /// `json` for CAMS, `JSON` for STS (both accepted by the gateway).
    pub format: &'a str,
}

/// The moment and nonce of one attempt (fresh for every attempt).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Freshness<'a> {
    pub timestamp: &'a str,
    pub nonce: &'a str,
}

/// The full query string: every parameter, sorted and encoded as in the
/// canonical string, then `&Signature=…`.
pub fn signed_query(
    request: RpcAction<'_>,
    business: &[(&str, &str)],
    credentials: &Credentials,
    fresh: Freshness<'_>,
) -> String {
    let mut params: Vec<(&str, &str)> = vec![
        ("Action", request.action),
        ("Version", request.version),
        ("Format", request.format),
        ("Timestamp", fresh.timestamp),
        ("SignatureNonce", fresh.nonce),
        ("SignatureMethod", signature::SIGNATURE_METHOD),
        ("SignatureVersion", signature::SIGNATURE_VERSION),
        ("AccessKeyId", &credentials.access_key_id),
    ];
    if let Some(token) = &credentials.security_token {
        params.push(("SecurityToken", token.expose()));
    }
    params.extend_from_slice(business);
    let sig = signature::signature(
        request.method,
        params.iter().copied(),
        credentials.access_key_secret.expose(),
    );
    let mut query = signature::canonicalized_query(params.iter().copied());
    query.push_str("&Signature=");
    query.push_str(&signature::percent_encode(&sig));
    query
}

/// The `Signature` value of a query built by [`signed_query`], decoded.
pub fn signature_of(query: &str) -> Option<String> {
    let (_, encoded) = query.rsplit_once("&Signature=")?;
    percent_encoding::percent_decode_str(encoded)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

#[cfg(test)]
mod tests {
    use super::super::credentials::Secret;
    use super::*;

    fn creds(token: Option<&str>) -> Credentials {
        Credentials {
            access_key_id: "testid".into(),
            access_key_secret: Secret::new("testsecret"),
            security_token: token.map(Secret::new),
        }
    }

    const FRESH: Freshness<'static> = Freshness {
        timestamp: "2024-05-01T08:00:00Z",
        nonce: "0123456789abcdef0123456789abcdef",
    };

    #[test]
    fn cams_post_matches_vector_v1_1() {
        let query = signed_query(
            RpcAction {
                method: "POST",
                action: "GetFlowJSONAssest",
                version: "2020-06-06",
                format: "json",
            },
            &[("CustSpaceId", "cams-abc123"), ("FlowId", "flow_123")],
            &creds(None),
            FRESH,
        );
        assert_eq!(
            query,
            "AccessKeyId=testid&Action=GetFlowJSONAssest&CustSpaceId=cams-abc123&FlowId=flow_123&Format=json&SignatureMethod=HMAC-SHA1&SignatureNonce=0123456789abcdef0123456789abcdef&SignatureVersion=1.0&Timestamp=2024-05-01T08%3A00%3A00Z&Version=2020-06-06&Signature=chH0JbE0qCyNaRBzAnuQEkru3yc%3D"
        );
        assert_eq!(
            signature_of(&query).as_deref(),
            Some("chH0JbE0qCyNaRBzAnuQEkru3yc=")
        );
    }

    fn v3(method: &str, token: Option<&str>) -> SignedRpc {
        sign_rpc(
            SignatureVersion::V3,
            RpcAction {
                method,
                action: "GetFlowJSONAssest",
                version: "2020-06-06",
                format: "json",
            },
            Sender {
                host: "127.0.0.1:8080",
                user_agent: "ua",
            },
            &[("FlowId", "a b*c"), ("CustSpaceId", "cams-abc123")],
            &creds(token),
            FRESH,
        )
    }

    fn header<'a>(signed: &'a SignedRpc, name: &str) -> Option<&'a str> {
        signed
            .headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn v3_puts_only_business_parameters_in_the_query_and_signs_every_header() {
        let signed = v3("POST", None);
        assert_eq!(signed.query, "CustSpaceId=cams-abc123&FlowId=a%20b%2Ac");
        assert_eq!(header(&signed, "x-acs-action"), Some("GetFlowJSONAssest"));
        assert_eq!(header(&signed, "x-acs-date"), Some(FRESH.timestamp));
        assert_eq!(header(&signed, "x-acs-security-token"), None);
        let authorization = header(&signed, "authorization").unwrap();
        assert_eq!(
            authorization,
            format!("ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=accept;host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature={}", signed.signature)
        );
        assert_ne!(signed.signature, v3("GET", None).signature);
    }

    #[test]
    fn v3_sends_and_signs_the_security_token() {
        let signed = v3("POST", Some("CAIS+token"));
        assert_eq!(header(&signed, "x-acs-security-token"), Some("CAIS+token"));
        assert_eq!(header(&signed, "x-acs-accesskey-id"), Some("testid"));
        assert!(header(&signed, "authorization").unwrap().contains(
            "x-acs-accesskey-id;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-security-token;"
        ));
        assert_ne!(signed.signature, v3("POST", Some("other")).signature);
    }

    #[test]
    fn v1_keeps_everything_in_the_query() {
        let signed = sign_rpc(
            SignatureVersion::V1,
            RpcAction {
                method: "POST",
                action: "GetFlowJSONAssest",
                version: "2020-06-06",
                format: "json",
            },
            Sender {
                host: "h",
                user_agent: "ua",
            },
            &[("CustSpaceId", "cams-abc123"), ("FlowId", "flow_123")],
            &creds(None),
            FRESH,
        );
        assert_eq!(signed.signature, "chH0JbE0qCyNaRBzAnuQEkru3yc=");
        assert!(signed
            .query
            .ends_with("&Signature=chH0JbE0qCyNaRBzAnuQEkru3yc%3D"));
        assert_eq!(
            signed.headers,
            vec![("accept", "application/json".to_owned())]
        );
    }

    #[test]
    fn versions_parse_by_name_in_any_case() {
        assert_eq!(SignatureVersion::parse(" V1 "), Some(SignatureVersion::V1));
        assert_eq!(SignatureVersion::parse("v3"), Some(SignatureVersion::V3));
        assert_eq!(SignatureVersion::parse("v2"), None);
        assert_eq!(SignatureVersion::default().name(), "v3");
    }

    #[test]
    fn host_header_keeps_a_non_default_port_only() {
        let url = |s: &str| Url::parse(s).unwrap();
        assert_eq!(
            host_header(&url("http://127.0.0.1:8080/")),
            "127.0.0.1:8080"
        );
        assert_eq!(
            host_header(&url("https://cams.x.aliyuncs.com:443/")),
            "cams.x.aliyuncs.com"
        );
        assert_eq!(host_header(&url("http://[::1]:9/")), "[::1]:9");
    }

    #[test]
    fn the_method_is_signed_and_the_token_is_sent_and_signed() {
        let action = |method| RpcAction {
            method,
            action: "A",
            version: "v",
            format: "JSON",
        };
        let with_token = creds(Some("CAIS+token/with=chars"));
        let post = signed_query(action("POST"), &[], &with_token, FRESH);
        let get = signed_query(action("GET"), &[], &with_token, FRESH);
        assert_ne!(signature_of(&post), signature_of(&get));
        assert!(post.contains("SecurityToken=CAIS%2Btoken%2Fwith%3Dchars"));
        let (signed, _) = post.rsplit_once("&Signature=").unwrap();
        let params: Vec<(String, String)> = url::form_urlencoded::parse(signed.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        assert!(signature::verify(
            "POST",
            params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            "testsecret",
            &signature_of(&post).unwrap()
        ));
    }
}
