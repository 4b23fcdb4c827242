//! The signed query string of an Alibaba Cloud RPC request: the common
//! parameters (`Action`, `Version`, `Format`, `Timestamp`, nonce, signature
//! method and version, `AccessKeyId`, `SecurityToken`) plus the business
//! parameters, signed with [`signature`] V1 and encoded strictly (RFC 3986,
//! `%20`, never `+`), with `Signature` last.
//!
//! The one place that builds such a query: CAMS calls (`POST`, `Format=json`
//! as the CAMS SDK sends it) and STS AssumeRole (`GET`, `Format=JSON` as the
//! credentials library sends it) both come here.

use super::credentials::Credentials;
use super::signature;

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
