//! `GetChatappUploadAuthorization`'s answer read into temporary OSS
//! credentials for one directory of one bucket, and the cache that keeps one
//! per CustSpaceId until shortly before it expires.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde_json::{Map, Value};

use super::api_response::{one_line, text_field, ApiError, Envelope};
use super::credentials::Secret;
use super::oss_endpoint::OssEndpoint;
use super::redact::Redactor;

/// An authorization is used until this long before it expires (or half its
/// lifetime, when that is shorter).
pub(crate) const AUTHORIZATION_MARGIN: Duration = Duration::from_secs(300);
/// `Expire` values below this are a lifetime in seconds, not a date.
const EXPIRE_IS_A_DATE_FROM: i64 = 1_000_000_000;
/// `Expire` values from this on are a date in milliseconds.
const EXPIRE_IS_MILLIS_FROM: i64 = 1_000_000_000_000;

/// What `GetChatappUploadAuthorization` hands out: temporary OSS
/// credentials for one directory of one bucket. `Debug` hides the secret
/// and the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadAuthorization {
    pub access_key_id: String,
    pub access_key_secret: Secret,
    pub security_token: Secret,
    pub bucket: String,
    /// `Dir`, without a leading `/` and with a trailing one (or empty).
    pub dir: String,
    pub endpoint: OssEndpoint,
    /// When the credentials expire, Unix seconds.
    pub expires_at: i64,
    pub request_id: Option<String>,
}

impl UploadAuthorization {
    /// The object key of a document with this SHA-256 (lowercase hex).
    pub fn object_key(&self, sha256_hex: &str) -> String {
        format!("{}{sha256_hex}.json", self.dir)
    }

    pub(super) fn redactor(&self) -> Redactor {
        Redactor::new()
            .secret(self.access_key_secret.expose())
            .secret(self.security_token.expose())
    }
}

pub(super) fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// When an authorization expires, from `Expire`: a lifetime in seconds
/// (the documentation's sample is 3600), or a Unix date in seconds or
/// milliseconds. A number or a string holding one.
pub(crate) fn expiry_from(expire: &Value, now: i64) -> Option<i64> {
    let n = match expire {
        Value::Number(n) => n.as_i64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    if n <= 0 {
        None
    } else if n < EXPIRE_IS_A_DATE_FROM {
        Some(now.saturating_add(n))
    } else if n < EXPIRE_IS_MILLIS_FROM {
        Some(n)
    } else {
        Some(n / 1000)
    }
}

/// Reads a successful `GetChatappUploadAuthorization` envelope.
pub fn upload_authorization(
    envelope: &Envelope,
    now: i64,
) -> Result<UploadAuthorization, ApiError> {
    let Some(data) = envelope.data.as_ref().and_then(Value::as_object) else {
        return Err(envelope.invalid("no Data object with the upload authorization"));
    };
    let required = |name: &'static str| -> Result<String, ApiError> {
        text_field(data, &[name]).ok_or_else(|| envelope.invalid(format!("no Data.{name}")))
    };
    let access_key_id = required("AccessKeyId")?;
    let access_key_secret = Secret::new(required("AccessKeySecret")?);
    let security_token = Secret::new(required("SecurityToken")?);
    // Server text quoted in an error goes through the same redaction as
    // any other (it could hold what it should not).
    let redactor = Redactor::new()
        .secret(access_key_secret.expose())
        .secret(security_token.expose());
    let quoted = |text: &str| redactor.scrub(&one_line(text));
    let bucket = required("BucketName")?;
    if bucket.len() > 63
        || !bucket
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(envelope.invalid(format!(
            "a Data.BucketName that is not a bucket name ({:?})",
            quoted(&bucket)
        )));
    }
    let endpoint_text = required("EndPoint")?;
    let endpoint = OssEndpoint::parse(&endpoint_text).map_err(|problem| {
        envelope.invalid(format!(
            "{problem} in Data.EndPoint ({:?})",
            quoted(&endpoint_text)
        ))
    })?;
    let expires_at = data
        .get("Expire")
        .and_then(|e| expiry_from(e, now))
        .ok_or_else(|| envelope.invalid("no usable Data.Expire"))?;
    Ok(UploadAuthorization {
        access_key_id,
        access_key_secret,
        security_token,
        bucket,
        dir: normalized_dir(data),
        endpoint,
        expires_at,
        request_id: envelope.request_id.clone(),
    })
}

fn normalized_dir(data: &Map<String, Value>) -> String {
    let dir = text_field(data, &["Dir"]).unwrap_or_default();
    let dir = dir.trim().trim_start_matches('/');
    if dir.is_empty() || dir.ends_with('/') {
        dir.to_owned()
    } else {
        format!("{dir}/")
    }
}

/// Upload authorizations per CustSpaceId, each kept until a margin before
/// it expires.
#[derive(Default)]
pub struct AuthorizationCache {
    entries: Mutex<HashMap<String, Cached>>,
    /// Held while an authorization is fetched, so that concurrent uploads
    /// (Terraform creates flows ten at a time) wait for one fetch instead
    /// of each making their own.
    fetching: tokio::sync::Mutex<()>,
}

struct Cached {
    authorization: Arc<UploadAuthorization>,
    /// Unix seconds after which it is fetched again.
    use_until: i64,
}

impl fmt::Debug for AuthorizationCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("AuthorizationCache")
            .field("cust_spaces", &entries.len())
            .finish()
    }
}

impl AuthorizationCache {
    /// Taken around a fetch: the second of two concurrent uploads then
    /// finds the first one's authorization in the cache.
    pub(super) async fn fetch_turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.fetching.lock().await
    }

    pub(super) fn get(&self, cust_space_id: &str, now: i64) -> Option<Arc<UploadAuthorization>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(cust_space_id)
            .filter(|c| now < c.use_until)
            .map(|c| c.authorization.clone())
    }

    pub(super) fn put(
        &self,
        cust_space_id: &str,
        authorization: Arc<UploadAuthorization>,
        fetched_at: i64,
    ) {
        let lifetime = authorization.expires_at.saturating_sub(fetched_at).max(0);
        let margin = (AUTHORIZATION_MARGIN.as_secs() as i64).min(lifetime / 2);
        let use_until = authorization.expires_at.saturating_sub(margin);
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.insert(
            cust_space_id.to_owned(),
            Cached {
                authorization,
                use_until,
            },
        );
    }

    /// Drops the entry if it is still `stale` (another call may already
    /// have replaced it).
    pub(super) fn forget(&self, cust_space_id: &str, stale: &Arc<UploadAuthorization>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries
            .get(cust_space_id)
            .is_some_and(|c| Arc::ptr_eq(&c.authorization, stale))
        {
            entries.remove(cust_space_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::api_response::parse_envelope;
    use super::*;

    fn envelope(data: &str) -> Envelope {
        let body = format!(r#"{{"RequestId":"R","Code":"OK","Data":{data}}}"#);
        parse_envelope(200, body.as_bytes()).unwrap()
    }

    const GOOD: &str = r#"{"AccessKeyId":"STS.id","AccessKeySecret":"sts-secret-value","SecurityToken":"CAIS-token-value",
        "BucketName":"cams-bucket","Dir":"/flows/space","EndPoint":"oss-ap-southeast-1.aliyuncs.com","Expire":3600}"#;

    #[test]
    fn a_complete_authorization_is_read_with_its_secrets_hidden() {
        let a = upload_authorization(&envelope(GOOD), 1_000).unwrap();
        assert_eq!(a.access_key_id, "STS.id");
        assert_eq!(a.bucket, "cams-bucket");
        assert_eq!(a.dir, "flows/space/");
        assert_eq!(a.expires_at, 4_600);
        assert!(!a.endpoint.is_path_style());
        assert_eq!(a.object_key("ab"), "flows/space/ab.json");
        let debug = format!("{a:?}");
        assert!(
            !debug.contains("sts-secret-value") && !debug.contains("CAIS-token-value"),
            "{debug}"
        );
    }

    #[test]
    fn missing_or_unusable_fields_name_the_field() {
        for (field, data) in [
            (
                "AccessKeySecret",
                GOOD.replace(r#""AccessKeySecret":"sts-secret-value","#, ""),
            ),
            (
                "SecurityToken",
                GOOD.replace(r#""SecurityToken":"CAIS-token-value","#, ""),
            ),
            ("BucketName", GOOD.replace("cams-bucket", "evil.com/x")),
            (
                "BucketName",
                GOOD.replace("cams-bucket", "sts-secret-value/x"),
            ),
            (
                "EndPoint",
                GOOD.replace("oss-ap-southeast-1.aliyuncs.com", "http://oss.example.com"),
            ),
            ("Expire", GOOD.replace("3600", "\"soon\"")),
        ] {
            let err = upload_authorization(&envelope(&data), 0).unwrap_err();
            let text = err.to_string();
            assert!(text.contains(field), "{field}: {text}");
            assert!(
                !text.contains("sts-secret-value") && !text.contains("CAIS-token-value"),
                "{text}"
            );
        }
        assert!(upload_authorization(&envelope("null"), 0).is_err());
    }

    #[test]
    fn expire_is_a_lifetime_or_a_date_in_seconds_or_millis() {
        let now = 1_700_000_000;
        assert_eq!(expiry_from(&Value::from(3600), now), Some(now + 3600));
        assert_eq!(expiry_from(&Value::from("3600"), now), Some(now + 3600));
        assert_eq!(
            expiry_from(&Value::from(1_800_000_000i64), now),
            Some(1_800_000_000)
        );
        assert_eq!(
            expiry_from(&Value::from(1_800_000_000_000i64), now),
            Some(1_800_000_000)
        );
        assert_eq!(expiry_from(&Value::from(0), now), None);
        assert_eq!(expiry_from(&Value::from(-5), now), None);
        assert_eq!(expiry_from(&Value::Null, now), None);
    }

    #[test]
    fn the_cache_keeps_an_authorization_until_a_margin_before_expiry() {
        let cache = AuthorizationCache::default();
        let mut a = upload_authorization(&envelope(GOOD), 0).unwrap();
        a.expires_at = 3_600;
        let a = Arc::new(a);
        cache.put("space", a.clone(), 0);
        assert!(cache.get("space", 3_299).is_some());
        assert!(
            cache.get("space", 3_300).is_none(),
            "5 minutes before expiry"
        );
        assert!(cache.get("other", 0).is_none());
        // A short lifetime: half of it.
        let mut short = (*a).clone();
        short.expires_at = 100;
        cache.put("space", Arc::new(short), 0);
        assert!(cache.get("space", 49).is_some());
        assert!(cache.get("space", 50).is_none());
        // Forgetting only drops the entry that was refused.
        let current = cache.get("space", 0).unwrap();
        cache.forget("space", &a);
        assert!(cache.get("space", 0).is_some());
        cache.forget("space", &current);
        assert!(cache.get("space", 0).is_none());
    }
}
