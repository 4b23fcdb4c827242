//! The gateway's side of Alibaba Cloud's V3 signature (`ACS3-HMAC-SHA256`,
//! header based), what the official SDKs send by default. Checked against
//! the vectors in `tests/vectors/acs3.json`.
//!
//! `CanonicalRequest = METHOD \n URI \n canonical query \n canonical headers
//! \n signed header names \n hex(sha256(body))`; the string to sign is
//! `ACS3-HMAC-SHA256 \n hex(sha256(CanonicalRequest))`; the signature is
//! `hex(HMAC-SHA256(secret, string to sign))`.

use hmac::{Hmac, Mac};
use sha2::{Digest as _, Sha256};

use super::rpc_signature::rfc3986_encode;

pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// The fields of `Authorization: ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acs3Authorization {
    pub access_key_id: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

pub fn parse_authorization(header: &str) -> Option<Acs3Authorization> {
    let fields = header.strip_prefix(ALGORITHM)?.trim_start();
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for field in fields.split(',') {
        let (name, value) = field.trim().split_once('=')?;
        match name {
            "Credential" => credential = Some(value.to_string()),
            "SignedHeaders" => {
                signed = Some(
                    value
                        .split(';')
                        .filter(|h| !h.is_empty())
                        .map(str::to_ascii_lowercase)
                        .collect(),
                )
            }
            "Signature" => signature = Some(value.to_string()),
            _ => return None,
        }
    }
    Some(Acs3Authorization {
        access_key_id: credential.filter(|c| !c.is_empty())?,
        signed_headers: signed?,
        signature: signature?,
    })
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The canonical request. `query` holds decoded pairs; `headers` lower-case
/// names; only `signed_headers` are used, in sorted order.
pub fn canonical_request(
    method: &str,
    path: &str,
    query: &[(String, String)],
    headers: &[(String, String)],
    signed_headers: &[String],
    payload_hash: &str,
) -> String {
    let mut pairs: Vec<(String, String)> = query
        .iter()
        .map(|(n, v)| (rfc3986_encode(n), rfc3986_encode(v)))
        .collect();
    pairs.sort();
    let canonical_query: Vec<String> = pairs.iter().map(|(n, v)| format!("{n}={v}")).collect();
    let mut names: Vec<&str> = signed_headers.iter().map(String::as_str).collect();
    names.sort_unstable();
    names.dedup();
    let mut canonical_headers = String::new();
    for name in &names {
        let value = headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
            .collect::<Vec<_>>()
            .join(",");
        canonical_headers.push_str(&format!("{name}:{value}\n"));
    }
    format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        method.to_ascii_uppercase(),
        if path.is_empty() { "/" } else { path },
        canonical_query.join("&"),
        canonical_headers,
        names.join(";"),
        payload_hash
    )
}

/// `ACS3-HMAC-SHA256\n<hex sha256 of the canonical request>`.
pub fn string_to_sign(canonical_request: &str) -> String {
    format!("{ALGORITHM}\n{}", sha256_hex(canonical_request.as_bytes()))
}

/// Lower-case hex `HMAC-SHA256(secret, string_to_sign)` (the bare secret).
pub fn signature(secret: &str, string_to_sign: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(string_to_sign.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_authorization_header() {
        let parsed = parse_authorization(
            "ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host;x-acs-date,Signature=abc",
        )
        .unwrap();
        assert_eq!(parsed.access_key_id, "ak");
        assert_eq!(parsed.signed_headers, vec!["host", "x-acs-date"]);
        assert!(
            parse_authorization("ACS3-HMAC-SHA256 Credential=,SignedHeaders=h,Signature=s")
                .is_none()
        );
        assert!(parse_authorization("OSS a:b").is_none());
    }
}
