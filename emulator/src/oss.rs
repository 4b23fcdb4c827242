//! The emulated OSS side: presigned-style file URLs (`Expires`,
//! `OSSAccessKeyId`, `Signature`, as OSS V1 presigned URLs) and OSS's XML
//! error bodies.

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::rpc_signature::rfc3986_encode as percent_encode;

/// The `OSSAccessKeyId` the emulator puts in its URLs (not a credential).
pub const OSS_ACCESS_KEY_ID: &str = "emulator";

/// URL path of the object holding a flow's JSON.
pub fn object_path(flow_id: &str) -> String {
    format!("/oss/flows/{}.json", percent_encode(flow_id))
}

/// Signs and checks file URLs with a random per-process key, so only URLs
/// this emulator handed out are served.
pub struct FileUrlSigner {
    key: Vec<u8>,
    ttl: Duration,
}

impl std::fmt::Debug for FileUrlSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileUrlSigner")
            .field("key", &"<redacted>")
            .field("ttl", &self.ttl)
            .finish()
    }
}

impl FileUrlSigner {
    /// A signer with a fresh random key.
    pub fn random(ttl: Duration) -> Self {
        let mut key = Vec::with_capacity(32);
        key.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
        key.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
        FileUrlSigner { key, ttl }
    }

    /// `base_url + path?Expires=..&OSSAccessKeyId=emulator&Signature=..`,
    /// valid until `now_unix + ttl`.
    pub fn presign(&self, base_url: &str, path: &str, now_unix: u64) -> String {
        let expires = now_unix.saturating_add(self.ttl.as_secs());
        let signature = self.sign(expires, path);
        format!(
            "{}{}?Expires={}&OSSAccessKeyId={}&Signature={}",
            base_url.trim_end_matches('/'),
            path,
            expires,
            OSS_ACCESS_KEY_ID,
            percent_encode(&signature)
        )
    }

    /// Checks the (decoded) `Expires` and `Signature` query parameters of a
    /// request for `path` the way OSS does: expiry first, then the signature.
    pub fn verify(
        &self,
        path: &str,
        expires: Option<&str>,
        signature: Option<&str>,
        now_unix: u64,
    ) -> Result<(), OssError> {
        let (Some(expires), Some(signature)) = (expires, signature) else {
            return Err(OssError::access_denied(
                "You have no right to access this object because of bucket acl.",
            ));
        };
        let Ok(expires_at) = expires.parse::<u64>() else {
            return Err(OssError::new(
                StatusCode::FORBIDDEN,
                "AccessDenied",
                "Invalid expiration time.",
            ));
        };
        if expires_at < now_unix {
            return Err(OssError::expired(expires_at, now_unix));
        }
        let received = base64::engine::general_purpose::STANDARD
            .decode(signature)
            .unwrap_or_default();
        if self.mac(expires_at, path).verify_slice(&received).is_err() {
            return Err(OssError::new(
                StatusCode::FORBIDDEN,
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
            ));
        }
        Ok(())
    }

    fn sign(&self, expires: u64, path: &str) -> String {
        base64::engine::general_purpose::STANDARD
            .encode(self.mac(expires, path).finalize().into_bytes())
    }

    /// HMAC-SHA1 over OSS V1's string to sign for a bare GET:
    /// `GET\n<md5>\n<type>\n<expires>\n<resource>` with empty md5 and type.
    fn mac(&self, expires: u64, path: &str) -> Hmac<Sha1> {
        let mut mac = Hmac::<Sha1>::new_from_slice(&self.key).expect("HMAC accepts any key length");
        mac.update(format!("GET\n\n\n{expires}\n{path}").as_bytes());
        mac
    }
}

/// An OSS error answer (XML `<Error>` body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OssError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Extra elements after `HostId`, e.g. `Key`, `Expires`, `ServerTime`.
    pub extra: Vec<(&'static str, String)>,
}

impl OssError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        OssError {
            status,
            code,
            message: message.into(),
            extra: Vec::new(),
        }
    }

    pub fn access_denied(message: &str) -> Self {
        OssError::new(StatusCode::FORBIDDEN, "AccessDenied", message)
    }

    /// 403 with another code (`InvalidAccessKeyId`, `InvalidSecurityToken`, ...).
    pub fn forbidden(code: &'static str, message: &str) -> Self {
        OssError::new(StatusCode::FORBIDDEN, code, message)
    }

    /// 400 InvalidArgument.
    pub fn invalid_argument(message: &str) -> Self {
        OssError::new(StatusCode::BAD_REQUEST, "InvalidArgument", message)
    }

    /// 403 SignatureDoesNotMatch, quoting the server's string to sign as
    /// OSS does (it contains no secret; a token in it is the caller's own).
    pub fn signature_mismatch(string_to_sign: &str) -> Self {
        let mut error = OssError::new(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        );
        error
            .extra
            .push(("StringToSign", string_to_sign.to_string()));
        error
    }

    /// 403 RequestTimeTooSkewed.
    pub fn time_skewed() -> Self {
        OssError::new(
            StatusCode::FORBIDDEN,
            "RequestTimeTooSkewed",
            "The difference between the request time and the current time is too large.",
        )
    }

    /// 404 NoSuchBucket.
    pub fn no_such_bucket(bucket: &str) -> Self {
        let mut error = OssError::new(
            StatusCode::NOT_FOUND,
            "NoSuchBucket",
            "The specified bucket does not exist.",
        );
        error.extra.push(("BucketName", bucket.to_string()));
        error
    }

    /// 403 AccessDenied "Request has expired." as OSS answers an expired URL.
    pub fn expired(expires: u64, now_unix: u64) -> Self {
        let mut error = OssError::access_denied("Request has expired.");
        error.extra.push(("Expires", format_iso(expires)));
        error.extra.push(("ServerTime", format_iso(now_unix)));
        error
    }

    /// 404 NoSuchKey for an object key.
    pub fn no_such_key(key: &str) -> Self {
        let mut error = OssError::new(
            StatusCode::NOT_FOUND,
            "NoSuchKey",
            "The specified key does not exist.",
        );
        error.extra.push(("Key", key.to_string()));
        error
    }

    pub fn service_unavailable() -> Self {
        OssError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable",
            "Please reduce your request rate.",
        )
    }

    pub fn into_response(self, request_id: &str, host_id: &str) -> Response {
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>\n");
        let mut element = |name: &str, value: &str| {
            xml.push_str(&format!("  <{name}>{}</{name}>\n", xml_escape(value)));
        };
        element("Code", self.code);
        element("Message", &self.message);
        element("RequestId", request_id);
        element("HostId", host_id);
        for (name, value) in &self.extra {
            element(name, value);
        }
        xml.push_str("</Error>\n");
        let mut response = (self.status, xml).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/xml"),
        );
        if let Ok(value) = HeaderValue::from_str(request_id) {
            response.headers_mut().insert("x-oss-request-id", value);
        }
        response
    }
}

fn format_iso(unix: u64) -> String {
    i64::try_from(unix)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .map(super::timestamp::format_iso8601)
        .unwrap_or_default()
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query_param(url: &str, name: &str) -> Option<String> {
        let query = url.split_once('?')?.1;
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    #[test]
    fn presigned_urls_verify_until_they_expire() {
        let signer = FileUrlSigner::random(Duration::from_secs(300));
        let path = object_path("123");
        let url = signer.presign("http://127.0.0.1:1/", &path, 1_000);
        assert!(url.starts_with(
            "http://127.0.0.1:1/oss/flows/123.json?Expires=1300&OSSAccessKeyId=emulator&Signature="
        ));
        let expires = query_param(&url, "Expires");
        let signature = query_param(&url, "Signature");
        assert!(signer
            .verify(&path, expires.as_deref(), signature.as_deref(), 1_300)
            .is_ok());
        let late = signer.verify(&path, expires.as_deref(), signature.as_deref(), 1_301);
        assert_eq!(
            late.map_err(|e| e.message),
            Err("Request has expired.".to_string())
        );
        let other = signer.verify(
            &object_path("124"),
            expires.as_deref(),
            signature.as_deref(),
            1_000,
        );
        assert_eq!(other.map_err(|e| e.code), Err("SignatureDoesNotMatch"));
        let foreign = FileUrlSigner::random(Duration::from_secs(300));
        assert!(foreign
            .verify(&path, expires.as_deref(), signature.as_deref(), 1_000)
            .is_err());
        assert!(signer
            .verify(&path, None, signature.as_deref(), 1_000)
            .is_err());
    }
}
