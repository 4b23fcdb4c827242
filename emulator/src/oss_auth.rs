//! Who may touch the emulated OSS bucket: a request must carry a valid OSS
//! signature (V1 or V4, in headers or as a presigned URL) made with STS
//! credentials that `GetChatappUploadAuthorization` issued, with their
//! security token, before they expire.

use time::OffsetDateTime;

use super::oss::OssError;
use super::oss_signature::{
    parse_v4_authorization, parse_v4_credential, same_signature, v1_signature, v1_string_to_sign,
    v4_canonical_request, v4_signature, v4_string_to_sign, SignedParts,
};
use super::timestamp::{parse_compact, parse_http_date};

/// How far a signed `Date`/`x-oss-date` may be from the server clock.
pub const ALLOWED_SKEW_SECS: i64 = 15 * 60;
/// Longest lifetime of a V4 presigned URL (`x-oss-expires`), as OSS documents.
pub const MAX_V4_EXPIRES_SECS: i64 = 604_800;

/// The secret side of upload credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct UploadKey {
    pub secret: String,
    pub token: String,
    pub expires: OffsetDateTime,
    /// The object key prefix these credentials may write and read.
    pub dir: String,
}

impl std::fmt::Debug for UploadKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadKey")
            .field("expires", &self.expires)
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

/// Which form of signature a request used (for logs and stats).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureKind {
    V1Header,
    V1Presigned,
    V4Header,
    V4Presigned,
}

/// Checks the signature of a request whose `parts.query` holds every
/// (decoded) query parameter. Returns the AccessKeyId and the key's `dir`.
pub fn authenticate(
    parts: &SignedParts<'_>,
    lookup: impl Fn(&str) -> Option<UploadKey>,
    now: OffsetDateTime,
    region: &str,
) -> Result<(String, UploadKey, SignatureKind), OssError> {
    let authorization = header(parts, "authorization").map(str::to_string);
    let query = |name: &str| {
        parts
            .query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    if let Some(authorization) = authorization {
        if let Some(fields) = authorization.strip_prefix("OSS ") {
            return v1_header(parts, fields, &lookup, now);
        }
        if authorization.starts_with("OSS4-HMAC-SHA256 ") {
            return v4_header(parts, &authorization, &lookup, now, region);
        }
        return Err(OssError::invalid_argument(
            "Authorization header is invalid.",
        ));
    }
    if query("OSSAccessKeyId").is_some() || query("Signature").is_some() {
        return v1_presigned(parts, &lookup, now);
    }
    if query("x-oss-signature-version").is_some() {
        return v4_presigned(parts, &lookup, now, region);
    }
    Err(OssError::access_denied(
        "You have no right to access this object because of bucket acl.",
    ))
}

fn header<'a>(parts: &'a SignedParts<'_>, name: &str) -> Option<&'a str> {
    parts
        .headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn query_value<'a>(parts: &'a SignedParts<'_>, name: &str) -> Option<&'a str> {
    parts
        .query
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

fn v1_header(
    parts: &SignedParts<'_>,
    fields: &str,
    lookup: &impl Fn(&str) -> Option<UploadKey>,
    now: OffsetDateTime,
) -> Result<(String, UploadKey, SignatureKind), OssError> {
    let (access_key_id, received) = fields
        .rsplit_once(':')
        .ok_or_else(|| OssError::invalid_argument("Authorization header is invalid."))?;
    let key = known_key(access_key_id, lookup)?;
    let date = header(parts, "x-oss-date")
        .or_else(|| header(parts, "date"))
        .unwrap_or("");
    let signed_at = parse_http_date(date)
        .ok_or_else(|| OssError::access_denied("OSS authentication requires a valid Date."))?;
    check_skew(signed_at, now)?;
    let string_to_sign = v1_string_to_sign(parts, header(parts, "date").unwrap_or(""));
    if !same_signature(&v1_signature(&key.secret, &string_to_sign), received) {
        return Err(OssError::signature_mismatch(&string_to_sign));
    }
    check_token(&key, header(parts, "x-oss-security-token"), now)?;
    Ok((access_key_id.to_string(), key, SignatureKind::V1Header))
}

fn v1_presigned(
    parts: &SignedParts<'_>,
    lookup: &impl Fn(&str) -> Option<UploadKey>,
    now: OffsetDateTime,
) -> Result<(String, UploadKey, SignatureKind), OssError> {
    let (Some(access_key_id), Some(expires), Some(received)) = (
        query_value(parts, "OSSAccessKeyId"),
        query_value(parts, "Expires"),
        query_value(parts, "Signature"),
    ) else {
        return Err(OssError::access_denied(
            "You have no right to access this object because of bucket acl.",
        ));
    };
    let key = known_key(access_key_id, lookup)?;
    let expires_at = expires
        .parse::<i64>()
        .map_err(|_| OssError::access_denied("Invalid expiration time."))?;
    if expires_at < now.unix_timestamp() {
        return Err(OssError::expired(
            u64::try_from(expires_at).unwrap_or(0),
            u64::try_from(now.unix_timestamp()).unwrap_or(0),
        ));
    }
    let string_to_sign = v1_string_to_sign(parts, expires);
    if !same_signature(&v1_signature(&key.secret, &string_to_sign), received) {
        return Err(OssError::signature_mismatch(&string_to_sign));
    }
    check_token(&key, query_value(parts, "security-token"), now)?;
    Ok((access_key_id.to_string(), key, SignatureKind::V1Presigned))
}

fn v4_header(
    parts: &SignedParts<'_>,
    authorization: &str,
    lookup: &impl Fn(&str) -> Option<UploadKey>,
    now: OffsetDateTime,
    region: &str,
) -> Result<(String, UploadKey, SignatureKind), OssError> {
    let fields = parse_v4_authorization(authorization)
        .ok_or_else(|| OssError::invalid_argument("Authorization header is invalid."))?;
    let key = known_key(&fields.access_key_id, lookup)?;
    let datetime = header(parts, "x-oss-date").unwrap_or("");
    let signed_at = parse_compact(datetime).ok_or_else(|| {
        OssError::access_denied("x-oss-date is missing or invalid (yyyymmddThhmmssZ).")
    })?;
    check_scope(&fields.date, &fields.region, datetime, region)?;
    check_skew(signed_at, now)?;
    let canonical = v4_canonical_request(parts, &fields.additional);
    let string_to_sign = v4_string_to_sign(&canonical, datetime, &fields.region);
    let expected = v4_signature(&key.secret, &fields.date, &fields.region, &string_to_sign);
    if !same_signature(&expected, &fields.signature) {
        return Err(OssError::signature_mismatch(&string_to_sign));
    }
    check_token(&key, header(parts, "x-oss-security-token"), now)?;
    Ok((fields.access_key_id, key, SignatureKind::V4Header))
}

fn v4_presigned(
    parts: &SignedParts<'_>,
    lookup: &impl Fn(&str) -> Option<UploadKey>,
    now: OffsetDateTime,
    region: &str,
) -> Result<(String, UploadKey, SignatureKind), OssError> {
    if query_value(parts, "x-oss-signature-version") != Some("OSS4-HMAC-SHA256") {
        return Err(OssError::invalid_argument(
            "x-oss-signature-version must be OSS4-HMAC-SHA256.",
        ));
    }
    let (Some(credential), Some(datetime), Some(expires), Some(received)) = (
        query_value(parts, "x-oss-credential"),
        query_value(parts, "x-oss-date"),
        query_value(parts, "x-oss-expires"),
        query_value(parts, "x-oss-signature"),
    ) else {
        return Err(OssError::access_denied(
            "A presigned V4 URL needs x-oss-credential, x-oss-date, x-oss-expires and x-oss-signature.",
        ));
    };
    let (access_key_id, date, scope_region) = parse_v4_credential(credential)
        .ok_or_else(|| OssError::invalid_argument("x-oss-credential is invalid."))?;
    let key = known_key(&access_key_id, lookup)?;
    check_scope(&date, &scope_region, datetime, region)?;
    let signed_at = parse_compact(datetime)
        .ok_or_else(|| OssError::access_denied("x-oss-date is invalid (yyyymmddThhmmssZ)."))?;
    let lifetime = expires
        .parse::<i64>()
        .ok()
        .filter(|s| (1..=MAX_V4_EXPIRES_SECS).contains(s))
        .ok_or_else(|| OssError::access_denied("Invalid expiration time."))?;
    let expires_at = signed_at.unix_timestamp() + lifetime;
    if expires_at < now.unix_timestamp() {
        return Err(OssError::expired(
            u64::try_from(expires_at).unwrap_or(0),
            u64::try_from(now.unix_timestamp()).unwrap_or(0),
        ));
    }
    if signed_at.unix_timestamp() - now.unix_timestamp() > ALLOWED_SKEW_SECS {
        return Err(OssError::time_skewed());
    }
    let additional: Vec<String> = query_value(parts, "x-oss-additional-headers")
        .map(|list| {
            list.split(';')
                .filter(|h| !h.is_empty())
                .map(str::to_ascii_lowercase)
                .collect()
        })
        .unwrap_or_default();
    let unsigned = SignedParts {
        query: parts
            .query
            .iter()
            .filter(|(name, _)| name != "x-oss-signature")
            .cloned()
            .collect(),
        ..parts.clone()
    };
    let canonical = v4_canonical_request(&unsigned, &additional);
    let string_to_sign = v4_string_to_sign(&canonical, datetime, &scope_region);
    let expected = v4_signature(&key.secret, &date, &scope_region, &string_to_sign);
    if !same_signature(&expected, received) {
        return Err(OssError::signature_mismatch(&string_to_sign));
    }
    check_token(&key, query_value(parts, "x-oss-security-token"), now)?;
    Ok((access_key_id, key, SignatureKind::V4Presigned))
}

fn known_key(
    access_key_id: &str,
    lookup: &impl Fn(&str) -> Option<UploadKey>,
) -> Result<UploadKey, OssError> {
    lookup(access_key_id).ok_or_else(|| {
        OssError::forbidden(
            "InvalidAccessKeyId",
            "The OSS Access Key Id you provided does not exist in our records.",
        )
    })
}

fn check_scope(
    date: &str,
    scope_region: &str,
    datetime: &str,
    region: &str,
) -> Result<(), OssError> {
    if !datetime.starts_with(date) || date.len() != 8 {
        return Err(OssError::invalid_argument(
            "The date in the credential scope does not match x-oss-date.",
        ));
    }
    if scope_region != region {
        return Err(OssError::invalid_argument(&format!(
            "Invalid signing region in Authorization header: expected {region}."
        )));
    }
    Ok(())
}

fn check_skew(signed_at: OffsetDateTime, now: OffsetDateTime) -> Result<(), OssError> {
    if (now - signed_at).whole_seconds().abs() > ALLOWED_SKEW_SECS {
        return Err(OssError::time_skewed());
    }
    Ok(())
}

/// STS credentials need their token, and stop working when they expire.
fn check_token(key: &UploadKey, sent: Option<&str>, now: OffsetDateTime) -> Result<(), OssError> {
    match sent {
        None | Some("") => Err(OssError::forbidden(
            "InvalidAccessKeyId",
            "The security token is missing for these temporary credentials.",
        )),
        Some(token) if !same_signature(&key.token, token) => Err(OssError::forbidden(
            "InvalidSecurityToken",
            "The security token you provided is invalid.",
        )),
        Some(_) if key.expires <= now => Err(OssError::forbidden(
            "SecurityTokenExpired",
            "The security token you provided has expired.",
        )),
        Some(_) => Ok(()),
    }
}
