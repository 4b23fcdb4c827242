//! Alibaba Cloud's V3 request signature, `ACS3-HMAC-SHA256`: what the
//! official SDKs send by default (alibabacloud-tea-openapi, `do_request`).
//! Pure functions; the request that carries it is built in
//! [`super::rpc_query`].
//!
//! Public description:
//! <https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature>.
//!
//! ```text
//! CanonicalRequest = METHOD \n URI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n hex(sha256(body))
//! StringToSign     = ACS3-HMAC-SHA256 \n hex(sha256(CanonicalRequest))
//! Signature        = hex(HMAC-SHA256(secret, StringToSign))        (the bare secret, no "&")
//! Authorization    = ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<names>,Signature=<hex>
//! ```
//!
//! The query is encoded as in V1 ([`super::signature::percent_encode`]:
//! RFC 3986, `%20`, `*` as `%2A`) and sorted by name; every header given
//! is signed: lower-case name, trimmed value, sorted by name, the values of
//! a repeated header sorted and joined with `,` (as the SDK does).

use hmac::{Hmac, Mac};
use sha2::{Digest as _, Sha256};

use super::signature::percent_encode;

/// The algorithm name, first word of the `Authorization` header.
pub(crate) const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// Lower-case hex SHA-256 of the body: `x-acs-content-sha256` and the last
/// line of the canonical request.
pub fn hashed_payload(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// `name=value&…`, both encoded, sorted by encoded name then value.
pub(crate) fn canonical_query<'a, I>(params: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut encoded: Vec<(String, String)> = params
        .into_iter()
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    encoded.sort();
    encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The canonical header lines (each ending in `\n`) and the `;`-joined
/// signed header names, for every header given.
pub(crate) fn canonical_headers<'a, I>(headers: I) -> (String, String)
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut by_name: std::collections::BTreeMap<String, Vec<&str>> = Default::default();
    for (name, value) in headers {
        by_name
            .entry(name.to_ascii_lowercase())
            .or_default()
            .push(value.trim());
    }
    let mut lines = String::new();
    for (name, values) in &mut by_name {
        values.sort_unstable();
        lines.push_str(name);
        lines.push(':');
        lines.push_str(&values.join(","));
        lines.push('\n');
    }
    let names: Vec<&str> = by_name.keys().map(String::as_str).collect();
    (lines, names.join(";"))
}

/// One request as the signer sees it.
#[derive(Debug, Clone, Copy)]
pub struct Acs3Request<'a> {
    pub method: &'a str,
    /// `/` for RPC-style APIs.
    pub path: &'a str,
    /// Decoded query parameters.
    pub query: &'a [(&'a str, &'a str)],
    /// Every header to sign (`authorization` excluded).
    pub headers: &'a [(&'a str, &'a str)],
    /// [`hashed_payload`] of the body.
    pub payload_hash: &'a str,
}

/// The canonical request and the signed header names.
pub(crate) fn canonical_request(request: &Acs3Request<'_>) -> (String, String) {
    let (header_lines, signed_headers) = canonical_headers(request.headers.iter().copied());
    let canonical = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method.to_ascii_uppercase(),
        if request.path.is_empty() {
            "/"
        } else {
            request.path
        },
        canonical_query(request.query.iter().copied()),
        header_lines,
        signed_headers,
        request.payload_hash
    );
    (canonical, signed_headers)
}

/// `ACS3-HMAC-SHA256\n<hex sha256 of the canonical request>`.
pub fn string_to_sign(canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{}",
        hex::encode(Sha256::digest(canonical_request.as_bytes()))
    )
}

/// Lower-case hex `HMAC-SHA256(secret, string_to_sign)`.
pub fn signature(secret: &str, string_to_sign: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
    mac.update(string_to_sign.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The value of the `Authorization` header for `request`, and the bare
/// signature (for redaction).
pub fn authorization(
    request: &Acs3Request<'_>,
    access_key_id: &str,
    secret: &str,
) -> (String, String) {
    let (canonical, signed_headers) = canonical_request(request);
    let signature = signature(secret, &string_to_sign(&canonical));
    (
        format!("{ALGORITHM} Credential={access_key_id},SignedHeaders={signed_headers},Signature={signature}"),
        signature,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn the_published_example_signs_as_documented() {
        // The example of the V3 signature page cited in the module docs.
        let request = Acs3Request {
            method: "POST",
            path: "/",
            query: &[
                (
                    "ImageId",
                    "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
                ),
                ("RegionId", "cn-shanghai"),
            ],
            headers: &[
                ("host", "ecs.cn-shanghai.aliyuncs.com"),
                ("x-acs-action", "RunInstances"),
                ("x-acs-version", "2014-05-26"),
                ("x-acs-date", "2023-10-26T10:22:32Z"),
                ("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"),
                ("x-acs-content-sha256", EMPTY_SHA256),
            ],
            payload_hash: &hashed_payload(b""),
        };
        let (canonical, _) = canonical_request(&request);
        assert_eq!(
            string_to_sign(&canonical),
            "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
        );
        assert_eq!(
            authorization(&request, "YourAccessKeyId", "YourAccessKeySecret").0,
            "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        );
    }

    #[test]
    fn query_is_encoded_strictly_and_sorted() {
        assert_eq!(
            canonical_query([("b", "a b*c~"), ("a", "空"), ("c", "")]),
            "a=%E7%A9%BA&b=a%20b%2Ac~&c="
        );
        assert_eq!(canonical_query([]), "");
    }

    #[test]
    fn headers_are_lower_cased_trimmed_sorted_and_repeats_joined() {
        let (lines, names) =
            canonical_headers([("X-Acs-B", " 2 "), ("host", "h"), ("x-acs-b", "1")]);
        assert_eq!(lines, "host:h\nx-acs-b:1,2\n");
        assert_eq!(names, "host;x-acs-b");
    }

    #[test]
    fn every_signed_part_changes_the_signature() {
        let base = Acs3Request {
            method: "POST",
            path: "/",
            query: &[("FlowId", "f")],
            headers: &[("host", "h"), ("x-acs-action", "GetFlow")],
            payload_hash: EMPTY_SHA256,
        };
        let sig = |r: &Acs3Request<'_>| authorization(r, "id", "secret").1;
        let reference = sig(&base);
        let other_hash = hashed_payload(b"x");
        for changed in [
            Acs3Request {
                method: "GET",
                ..base
            },
            Acs3Request {
                query: &[("FlowId", "g")],
                ..base
            },
            Acs3Request {
                headers: &[("host", "h2"), ("x-acs-action", "GetFlow")],
                ..base
            },
            Acs3Request {
                payload_hash: &other_hash,
                ..base
            },
        ] {
            assert_ne!(sig(&changed), reference, "{changed:?}");
        }
        assert_ne!(authorization(&base, "id", "other").1, reference);
    }
}
