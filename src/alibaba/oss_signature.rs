//! OSS request signatures, version 1 (HMAC-SHA1): the `Authorization`
//! header of a request and the query of a presigned URL. Pure functions.
//!
//! ```text
//! StringToSign = VERB "\n" Content-MD5 "\n" Content-Type "\n" Date "\n"
//!                CanonicalizedOSSHeaders CanonicalizedResource
//! Signature    = base64(HMAC-SHA1(AccessKeySecret, StringToSign))
//! Authorization: OSS <AccessKeyId>:<Signature>
//! ```
//!
//! * `CanonicalizedOSSHeaders`: every `x-oss-*` header, name lowercased,
//!   sorted by name, each as `name:value\n`.
//! * `CanonicalizedResource`: `/<bucket>/<key>` with the key as it is (not
//!   percent-encoded), then the signed sub-resources sorted by name
//!   (`?security-token=…`), whatever the addressing style of the URL.
//! * In a presigned URL, `Date` is the `Expires` time (Unix seconds), and an
//!   STS token is a sub-resource (`security-token`), so it is signed.
//! * The HMAC key is the bare secret (the RPC signature appends `&`, OSS
//!   does not).
//!
//! Checked against signatures of the official Python SDK `oss2` 2.19.1
//! (`tests/vectors/oss/`, made by `scripts/oss_vectors.py`).

use base64::Engine as _;
use hmac::{Hmac, Mac};
use md5::{Digest as _, Md5};
use sha1::Sha1;

use super::signature::percent_encode;

/// What a V1 header signature covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedRequest<'a> {
    pub method: &'a str,
    /// The `Content-MD5` header, empty when not sent.
    pub content_md5: &'a str,
    /// The `Content-Type` header, empty when not sent.
    pub content_type: &'a str,
    /// The `Date` header (RFC 1123), or `Expires` for a presigned URL.
    pub date: &'a str,
    /// Every header sent; only `x-oss-*` ones are signed.
    pub headers: &'a [(&'a str, &'a str)],
    pub bucket: &'a str,
    /// The object key, not percent-encoded.
    pub key: &'a str,
    /// Signed sub-resources (query parameters such as `security-token`).
    pub subresources: &'a [(&'a str, &'a str)],
}

/// `base64(MD5(body))`, the `Content-MD5` header.
pub fn content_md5(body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Md5::digest(body))
}

/// An RFC 1123 date in GMT, as the `Date` header wants it:
/// `Wed, 01 May 2024 08:00:00 GMT`.
pub fn http_date(t: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    t.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

/// `name:value\n` for every `x-oss-*` header, names lowercased and sorted.
pub(crate) fn canonicalized_oss_headers(headers: &[(&str, &str)]) -> String {
    let mut oss: Vec<(String, &str)> = headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim()))
        .filter(|(name, _)| name.starts_with("x-oss-"))
        .collect();
    oss.sort();
    oss.iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect()
}

/// `/bucket/key`, then `?name=value&…` for the sub-resources, sorted.
pub(crate) fn canonicalized_resource(
    bucket: &str,
    key: &str,
    subresources: &[(&str, &str)],
) -> String {
    let mut resource = format!("/{bucket}/{key}");
    let mut sub: Vec<&(&str, &str)> = subresources.iter().collect();
    sub.sort();
    for (i, (name, value)) in sub.iter().enumerate() {
        resource.push(if i == 0 { '?' } else { '&' });
        resource.push_str(name);
        if !value.is_empty() {
            resource.push('=');
            resource.push_str(value);
        }
    }
    resource
}

pub fn string_to_sign(request: &SignedRequest<'_>) -> String {
    format!(
        "{}\n{}\n{}\n{}\n{}{}",
        request.method.to_ascii_uppercase(),
        request.content_md5,
        request.content_type,
        request.date,
        canonicalized_oss_headers(request.headers),
        canonicalized_resource(request.bucket, request.key, request.subresources)
    )
}

/// `base64(HMAC-SHA1(secret, string_to_sign))`.
pub fn sign(secret: &str, string_to_sign: &str) -> String {
    let mut mac =
        Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
    mac.update(string_to_sign.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The `Authorization` header value: `OSS <AccessKeyId>:<signature>`.
pub fn authorization(access_key_id: &str, secret: &str, request: &SignedRequest<'_>) -> String {
    format!(
        "OSS {access_key_id}:{}",
        sign(secret, &string_to_sign(request))
    )
}

/// Every header a signed request sends, derived from what was signed, so
/// the request cannot carry a header the signature does not cover (or miss
/// one it does): `Content-MD5` and `Content-Type` when set, `Date`, the
/// request's own headers, then `Authorization` with `signature` (made by
/// [`sign`] over [`string_to_sign`] of the same request).
pub(crate) fn request_headers(
    access_key_id: &str,
    signature: &str,
    request: &SignedRequest<'_>,
) -> Vec<(String, String)> {
    let mut headers = Vec::with_capacity(request.headers.len() + 4);
    if !request.content_md5.is_empty() {
        headers.push(("content-md5".to_owned(), request.content_md5.to_owned()));
    }
    if !request.content_type.is_empty() {
        headers.push(("content-type".to_owned(), request.content_type.to_owned()));
    }
    headers.push(("date".to_owned(), request.date.to_owned()));
    headers.extend(
        request
            .headers
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned())),
    );
    headers.push((
        "authorization".to_owned(),
        format!("OSS {access_key_id}:{signature}"),
    ));
    headers
}

/// The query of a presigned `GET` URL for `bucket/key`, valid until
/// `expires` (Unix seconds): `OSSAccessKeyId`, `Expires`, `Signature` and,
/// with STS credentials, `security-token`; values percent-encoded.
pub fn presigned_get_query(
    access_key_id: &str,
    secret: &str,
    security_token: Option<&str>,
    bucket: &str,
    key: &str,
    expires: i64,
) -> String {
    let expires = expires.to_string();
    let subresources: Vec<(&str, &str)> = security_token
        .map(|token| vec![("security-token", token)])
        .unwrap_or_default();
    let signature = sign(
        secret,
        &string_to_sign(&SignedRequest {
            method: "GET",
            content_md5: "",
            content_type: "",
            date: &expires,
            headers: &[],
            bucket,
            key,
            subresources: &subresources,
        }),
    );
    let mut query = format!(
        "OSSAccessKeyId={}&Expires={expires}&Signature={}",
        percent_encode(access_key_id),
        percent_encode(&signature)
    );
    if let Some(token) = security_token {
        query.push_str("&security-token=");
        query.push_str(&percent_encode(token));
    }
    query
}

/// The object key as a URL path: every byte percent-encoded except the
/// unreserved characters and `/`.
pub(crate) fn encode_key_path(key: &str) -> String {
    key.split('/')
        .map(percent_encode)
        .collect::<Vec<_>>()
        .join("/")
}

/// Checks a received signature in constant time against the expected one.
pub fn verify(secret: &str, string_to_sign: &str, received: &str) -> bool {
    let expected = sign(secret, string_to_sign);
    // Compare through a MAC so the comparison time does not leak a prefix.
    let digest = |text: &str| {
        let mut mac = Hmac::<Sha1>::new_from_slice(b"compare").expect("any key");
        mac.update(text.as_bytes());
        mac
    };
    digest(&expected)
        .verify(&digest(received).finalize().into_bytes())
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_md5_of_nothing_and_of_text() {
        assert_eq!(content_md5(b""), "1B2M2Y8AsgTpgAmY7PhCfg==");
        // RFC 1321 test suite: MD5("abc") = 900150983cd24fb0d6963f7d28e17f72.
        assert_eq!(content_md5(b"abc"), "kAFQmDzST7DWlj99KOF/cg==");
    }

    #[test]
    fn http_dates_are_rfc_1123_in_gmt() {
        let t = time::macros::datetime!(2024-05-01 10:00:00 +02:00);
        assert_eq!(http_date(t), "Wed, 01 May 2024 08:00:00 GMT");
        let t = time::macros::datetime!(2026-11-06 23:05:09 UTC);
        assert_eq!(http_date(t), "Fri, 06 Nov 2026 23:05:09 GMT");
    }

    #[test]
    fn request_headers_are_the_signed_ones_and_the_authorization() {
        let request = SignedRequest {
            method: "PUT",
            content_md5: "kAFQmDzST7DWlj99KOF/cg==",
            content_type: "application/json",
            date: "Wed, 01 May 2024 08:00:00 GMT",
            headers: &[("x-oss-security-token", "tok")],
            bucket: "b",
            key: "k",
            subresources: &[],
        };
        let signature = sign("secret", &string_to_sign(&request));
        let headers = request_headers("id", &signature, &request);
        let names: Vec<&str> = headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "content-md5",
                "content-type",
                "date",
                "x-oss-security-token",
                "authorization"
            ]
        );
        assert_eq!(headers[4].1, authorization("id", "secret", &request));
        let bare = SignedRequest {
            content_md5: "",
            content_type: "",
            headers: &[],
            ..request
        };
        let names: Vec<String> = request_headers("id", &signature, &bare)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        assert_eq!(names, ["date", "authorization"]);
    }

    #[test]
    fn oss_headers_are_lowercased_sorted_and_others_ignored() {
        let headers = [
            ("X-OSS-Security-Token", "tok"),
            ("Content-Type", "application/json"),
            ("x-oss-meta-a", " v "),
        ];
        assert_eq!(
            canonicalized_oss_headers(&headers),
            "x-oss-meta-a:v\nx-oss-security-token:tok\n"
        );
        assert_eq!(canonicalized_oss_headers(&[]), "");
    }

    #[test]
    fn the_resource_names_bucket_raw_key_and_sorted_subresources() {
        assert_eq!(
            canonicalized_resource("b", "dir/a b+é.json", &[]),
            "/b/dir/a b+é.json"
        );
        assert_eq!(
            canonicalized_resource("b", "k", &[("security-token", "t/+="), ("acl", "")]),
            "/b/k?acl&security-token=t/+="
        );
    }

    #[test]
    fn authorization_is_verified_by_the_same_rules_only() {
        let request = SignedRequest {
            method: "put",
            content_md5: "md5",
            content_type: "application/json",
            date: "Wed, 01 May 2024 08:00:00 GMT",
            headers: &[("x-oss-security-token", "tok")],
            bucket: "b",
            key: "k.json",
            subresources: &[],
        };
        let sts = string_to_sign(&request);
        assert_eq!(
            sts,
            "PUT\nmd5\napplication/json\nWed, 01 May 2024 08:00:00 GMT\nx-oss-security-token:tok\n/b/k.json"
        );
        let header = authorization("id", "secret", &request);
        let sig = header.strip_prefix("OSS id:").unwrap();
        assert!(verify("secret", &sts, sig));
        assert!(!verify("other", &sts, sig));
        assert!(!verify("secret", &sts.replace("k.json", "x.json"), sig));
    }

    #[test]
    fn presigned_queries_sign_the_token_as_a_subresource() {
        let q = presigned_get_query(
            "STS.id",
            "secret",
            Some("to+k/en="),
            "b",
            "d/k.json",
            1714551000,
        );
        assert!(
            q.starts_with("OSSAccessKeyId=STS.id&Expires=1714551000&Signature="),
            "{q}"
        );
        assert!(q.ends_with("&security-token=to%2Bk%2Fen%3D"), "{q}");
        let sig = q
            .split('&')
            .find_map(|kv| kv.strip_prefix("Signature="))
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8()
                    .unwrap()
                    .into_owned()
            })
            .unwrap();
        assert!(verify(
            "secret",
            "GET\n\n\n1714551000\n/b/d/k.json?security-token=to+k/en=",
            &sig
        ));
        let without = presigned_get_query("id", "secret", None, "b", "k", 1);
        assert!(!without.contains("security-token"));
    }

    #[test]
    fn key_paths_keep_slashes_and_encode_the_rest() {
        assert_eq!(
            encode_key_path("dir/sub/a b+é~.json"),
            "dir/sub/a%20b%2B%C3%A9~.json"
        );
    }
}
