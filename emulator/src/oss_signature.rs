//! The server side of OSS request signatures, written from OSS's
//! documentation and checked against vectors produced by the official
//! Python SDK `oss2` (`tests/vectors/oss.json`):
//!
//! * V1 (HMAC-SHA1): `Authorization: OSS <id>:<base64 sig>` over
//!   `VERB\nContent-MD5\nContent-Type\nDate\n<x-oss-* headers><resource>`,
//!   or in a presigned URL (`OSSAccessKeyId`, `Expires`, `Signature`) where
//!   `Expires` takes the place of `Date`. `x-oss-date` replaces `Date` when
//!   present. Sub-resources such as `security-token` join the resource.
//! * V4 (`OSS4-HMAC-SHA256`): a canonical request (verb, URI-encoded
//!   `/bucket/key`, canonical query, signed headers, additional header names,
//!   payload hash), a scope `<yyyymmdd>/<region>/oss/aliyun_v4_request`, and
//!   a signing key derived from `"aliyun_v4" + secret` through the scope.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest as _, Sha256};

/// Query parameters OSS V1 treats as sub-resources (those an object
/// request can carry; the full list is longer and about bucket settings).
const V1_SUBRESOURCES: &[&str] = &[
    "acl",
    "response-cache-control",
    "response-content-disposition",
    "response-content-encoding",
    "response-content-language",
    "response-content-type",
    "response-expires",
    "security-token",
    "uploadId",
    "partNumber",
    "versionId",
    "x-oss-process",
];

/// Headers V4 always signs besides `x-oss-*`.
const V4_DEFAULT_SIGNED: &[&str] = &["content-type", "content-md5"];

/// The parts of a request a signature covers. Header names are lower case;
/// the key is decoded; query pairs are decoded and exclude the signature.
#[derive(Debug, Clone, Default)]
pub struct SignedParts<'a> {
    pub method: &'a str,
    pub bucket: &'a str,
    pub key: &'a str,
    pub headers: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
}

impl SignedParts<'_> {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// V1's string to sign; `date` is the `Date` header, or `Expires` for a
/// presigned URL.
pub fn v1_string_to_sign(parts: &SignedParts<'_>, date: &str) -> String {
    let date = match parts.header("x-oss-date") {
        "" => date,
        oss_date => oss_date,
    };
    let mut oss_headers: Vec<(&str, &str)> = parts
        .headers
        .iter()
        .filter(|(name, _)| name.starts_with("x-oss-"))
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    oss_headers.sort();
    let mut canonical_headers = String::new();
    for (name, value) in oss_headers {
        canonical_headers.push_str(&format!("{name}:{value}\n"));
    }
    let mut subresources: Vec<(&str, &str)> = parts
        .query
        .iter()
        .filter(|(name, _)| V1_SUBRESOURCES.contains(&name.as_str()))
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    subresources.sort();
    let mut resource = format!("/{}/{}", parts.bucket, parts.key);
    for (index, (name, value)) in subresources.iter().enumerate() {
        resource.push(if index == 0 { '?' } else { '&' });
        resource.push_str(name);
        if !value.is_empty() {
            resource.push('=');
            resource.push_str(value);
        }
    }
    format!(
        "{}\n{}\n{}\n{}\n{}{}",
        parts.method,
        parts.header("content-md5"),
        parts.header("content-type"),
        date,
        canonical_headers,
        resource
    )
}

/// `base64(HMAC-SHA1(secret, string_to_sign))` (the bare secret, no `&`).
pub fn v1_signature(secret: &str, string_to_sign: &str) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// V4's `<yyyymmdd>/<region>/oss/aliyun_v4_request`.
pub fn v4_scope(date: &str, region: &str) -> String {
    format!("{date}/{region}/oss/aliyun_v4_request")
}

/// V4's canonical request. `additional` are the extra signed header names
/// (lower case); the payload hash is `x-oss-content-sha256` or
/// `UNSIGNED-PAYLOAD`.
pub fn v4_canonical_request(parts: &SignedParts<'_>, additional: &[String]) -> String {
    let uri = uri_encode(&format!("/{}/{}", parts.bucket, parts.key), true);
    let mut query: Vec<(String, String)> = parts
        .query
        .iter()
        .map(|(n, v)| (uri_encode(n, false), uri_encode(v, false)))
        .collect();
    query.sort();
    let query: Vec<String> = query
        .into_iter()
        .map(|(n, v)| if v.is_empty() { n } else { format!("{n}={v}") })
        .collect();
    let mut headers: Vec<(&str, &str)> = parts
        .headers
        .iter()
        .filter(|(name, _)| {
            name.starts_with("x-oss-")
                || V4_DEFAULT_SIGNED.contains(&name.as_str())
                || additional.contains(name)
        })
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    headers.sort();
    let mut canonical_headers = String::new();
    for (name, value) in headers {
        canonical_headers.push_str(&format!("{name}:{}\n", value.trim()));
    }
    let mut additional: Vec<&str> = additional.iter().map(String::as_str).collect();
    additional.sort();
    let payload = match parts.header("x-oss-content-sha256") {
        "" => "UNSIGNED-PAYLOAD",
        hash => hash,
    };
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        parts.method,
        uri,
        query.join("&"),
        canonical_headers,
        additional.join(";"),
        payload
    )
}

/// V4's string to sign for a canonical request at `datetime`
/// (`yyyymmddThhmmssZ`) in `region`.
pub fn v4_string_to_sign(canonical_request: &str, datetime: &str, region: &str) -> String {
    let date = datetime.get(..8).unwrap_or(datetime);
    format!(
        "OSS4-HMAC-SHA256\n{datetime}\n{}\n{}",
        v4_scope(date, region),
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    )
}

/// Lower-case hex `HMAC-SHA256(signing key, string_to_sign)`.
pub fn v4_signature(secret: &str, date: &str, region: &str, string_to_sign: &str) -> String {
    let mut key = hmac_sha256(format!("aliyun_v4{secret}").as_bytes(), date.as_bytes());
    for part in [region, "oss", "aliyun_v4_request"] {
        key = hmac_sha256(&key, part.as_bytes());
    }
    hex::encode(hmac_sha256(&key, string_to_sign.as_bytes()))
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// Compares two signatures without leaking where they differ.
pub fn same_signature(expected: &str, received: &str) -> bool {
    let mut mac = Hmac::<Sha256>::new_from_slice(b"compare").expect("any key length");
    mac.update(expected.as_bytes());
    let expected = mac.finalize().into_bytes();
    let mut mac = Hmac::<Sha256>::new_from_slice(b"compare").expect("any key length");
    mac.update(received.as_bytes());
    mac.verify_slice(&expected).is_ok()
}

/// OSS V4's URI encoding: unreserved bytes literal, `/` literal in paths.
fn uri_encode(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'_' | b'.' | b'~')
            || (keep_slash && byte == b'/')
        {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The fields of a V4 `Authorization` header:
/// `OSS4-HMAC-SHA256 Credential=AK/scope, AdditionalHeaders=a;b, Signature=hex`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V4Authorization {
    pub access_key_id: String,
    pub date: String,
    pub region: String,
    pub additional: Vec<String>,
    pub signature: String,
}

/// Splits a V4 credential `AK/yyyymmdd/region/oss/aliyun_v4_request`.
pub fn parse_v4_credential(credential: &str) -> Option<(String, String, String)> {
    let mut parts = credential.rsplitn(5, '/');
    let terminator = parts.next()?;
    let product = parts.next()?;
    let region = parts.next()?;
    let date = parts.next()?;
    let access_key_id = parts.next()?;
    (terminator == "aliyun_v4_request" && product == "oss" && !access_key_id.is_empty()).then(
        || {
            (
                access_key_id.to_string(),
                date.to_string(),
                region.to_string(),
            )
        },
    )
}

pub fn parse_v4_authorization(header: &str) -> Option<V4Authorization> {
    let fields = header.strip_prefix("OSS4-HMAC-SHA256 ")?;
    let (mut credential, mut additional, mut signature) = (None, Vec::new(), None);
    for field in fields.split(',') {
        let (name, value) = field.trim().split_once('=')?;
        match name {
            "Credential" => credential = Some(value),
            "AdditionalHeaders" => {
                additional = value
                    .split(';')
                    .filter(|h| !h.is_empty())
                    .map(str::to_ascii_lowercase)
                    .collect()
            }
            "Signature" => signature = Some(value),
            _ => return None,
        }
    }
    let (access_key_id, date, region) = parse_v4_credential(credential?)?;
    Some(V4Authorization {
        access_key_id,
        date,
        region,
        additional,
        signature: signature?.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_v4_authorization_headers() {
        let parsed = parse_v4_authorization(
            "OSS4-HMAC-SHA256 Credential=STS.a/20240501/ap-southeast-1/oss/aliyun_v4_request, AdditionalHeaders=host, Signature=abc",
        )
        .unwrap();
        assert_eq!(parsed.access_key_id, "STS.a");
        assert_eq!(
            (parsed.date.as_str(), parsed.region.as_str()),
            ("20240501", "ap-southeast-1")
        );
        assert_eq!(parsed.additional, vec!["host"]);
        assert!(parse_v4_authorization("OSS4-HMAC-SHA256 Credential=x, Signature=y").is_none());
        assert!(parse_v4_authorization("OSS a:b").is_none());
    }

    #[test]
    fn signatures_compare_exactly() {
        assert!(same_signature("abc", "abc"));
        assert!(!same_signature("abc", "abd"));
        assert!(!same_signature("abc", ""));
    }
}
