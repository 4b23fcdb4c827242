//! The OSS bucket `GetChatappUploadAuthorization` hands out, addressed in
//! path style on the emulator's own port (`/<bucket>/<key>`, as OSS SDKs do
//! for an IP or `localhost` endpoint): `PutObject` and `GetObject`, only with
//! a valid signature from upload credentials the emulator issued, and only
//! under the `Dir` those credentials were issued for.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use sha2::{Digest as _, Sha256};
use time::OffsetDateTime;

use super::oss::OssError;
use super::oss_auth::authenticate;
use super::oss_signature::SignedParts;
use super::state::Emulator;

/// Name of the upload bucket.
pub const BUCKET: &str = "cams-flow-upload";
/// Region of the bucket (the V4 signing scope must name it).
pub const REGION: &str = "ap-southeast-1";
/// Largest object accepted: Meta's Flow JSON limit is 10 MB.
pub const MAX_OBJECT_BYTES: usize = 10 * 1024 * 1024;
/// At most this many bytes are kept; the oldest objects are dropped first.
pub const MAX_STORED_BYTES: usize = 256 * 1024 * 1024;

/// One stored object.
#[derive(Debug, Clone)]
pub struct Object {
    pub bytes: Bytes,
    pub content_type: String,
    pub etag: String,
}

/// The objects in the bucket, bounded in total size.
#[derive(Debug, Default)]
pub struct ObjectStore {
    objects: HashMap<String, Object>,
    order: VecDeque<String>,
    stored_bytes: usize,
}

impl ObjectStore {
    pub fn put(&mut self, key: &str, object: Object) {
        self.remove(key);
        self.stored_bytes += object.bytes.len();
        self.objects.insert(key.to_string(), object);
        self.order.push_back(key.to_string());
        while self.stored_bytes > MAX_STORED_BYTES {
            let Some(oldest) = self.order.front().cloned() else {
                break;
            };
            self.remove(&oldest);
        }
    }

    pub fn get(&self, key: &str) -> Option<&Object> {
        self.objects.get(key)
    }

    fn remove(&mut self, key: &str) {
        if let Some(old) = self.objects.remove(key) {
            self.stored_bytes -= old.bytes.len();
            self.order.retain(|k| k != key);
        }
    }
}

pub async fn handle(
    State(emulator): State<Arc<Emulator>>,
    Path((bucket, key)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
    let operation = match method {
        Method::PUT => "PutObject",
        Method::GET => "GetObject",
        Method::HEAD => "HeadObject",
        _ => "OssOther",
    };
    let result = answer(&emulator, &method, &bucket, &key, &uri, &headers, body);
    let (status, code) = match &result {
        Ok(response) => (response.status(), "OK"),
        Err(error) => (error.status, error.code),
    };
    {
        let mut inner = emulator.lock();
        inner.stats.record_operation(operation);
        if code != "OK" {
            inner.stats.record_error(code);
        }
    }
    // Never the query: a presigned URL is a bearer credential.
    emulator.log(format_args!(
        "{method} /{bucket}/{key} ({operation}) -> {code} {}",
        status.as_u16()
    ));
    match result {
        Ok(response) => response,
        Err(error) => error.into_response(&request_id, &emulator.host_id),
    }
}

fn answer(
    emulator: &Emulator,
    method: &Method,
    bucket: &str,
    key: &str,
    uri: &Uri,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response, OssError> {
    if bucket != BUCKET {
        return Err(OssError::no_such_bucket(bucket));
    }
    let parts = SignedParts {
        method: method.as_str(),
        bucket,
        key,
        headers: headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_string(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        query: url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .map(|(n, v)| (n.into_owned(), v.into_owned()))
            .collect(),
    };
    let now = OffsetDateTime::now_utc();
    let (_, upload_key, _kind) = {
        let inner = emulator.lock();
        authenticate(&parts, |id| inner.upload_keys.get(id).cloned(), now, REGION)?
    };
    if !key.starts_with(&upload_key.dir) {
        return Err(OssError::access_denied(
            "The temporary credentials may only access objects under their Dir.",
        ));
    }
    match *method {
        Method::PUT => put_object(emulator, key, headers, body),
        Method::GET | Method::HEAD => {
            let inner = emulator.lock();
            let object = inner
                .objects
                .get(key)
                .ok_or_else(|| OssError::no_such_key(key))?;
            let mut response = if *method == Method::HEAD {
                StatusCode::OK.into_response()
            } else {
                object.bytes.clone().into_response()
            };
            insert(
                &mut response,
                header::CONTENT_TYPE.as_str(),
                &object.content_type,
            );
            insert(&mut response, "etag", &object.etag);
            Ok(response)
        }
        _ => Err(OssError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
        )),
    }
}

fn put_object(
    emulator: &Emulator,
    key: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Response, OssError> {
    if body.len() > MAX_OBJECT_BYTES {
        return Err(OssError::new(
            StatusCode::BAD_REQUEST,
            "EntityTooLarge",
            "Your proposed upload exceeds the maximum allowed size.",
        ));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_string();
    // OSS's ETag is the MD5 of the body; the emulator uses the first 128
    // bits of its SHA-256 instead (same shape, no MD5 dependency).
    let digest = Sha256::digest(&body);
    let etag = format!("\"{}\"", hex::encode_upper(&digest[..16]));
    emulator.lock().objects.put(
        key,
        Object {
            bytes: body,
            content_type,
            etag: etag.clone(),
        },
    );
    let mut response = StatusCode::OK.into_response();
    insert(&mut response, "etag", &etag);
    Ok(response)
}

fn insert(response: &mut Response, name: &'static str, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(len: usize) -> Object {
        Object {
            bytes: Bytes::from(vec![b'x'; len]),
            content_type: "application/json".into(),
            etag: String::new(),
        }
    }

    #[test]
    fn the_store_drops_the_oldest_objects_beyond_its_budget() {
        let mut store = ObjectStore::default();
        let third = MAX_STORED_BYTES / 3 + 1;
        store.put("a", object(third));
        store.put("b", object(third));
        store.put("a", object(10));
        assert_eq!(store.stored_bytes, third + 10);
        store.put("c", object(third));
        store.put("d", object(third));
        assert!(store.get("b").is_none(), "oldest dropped");
        assert!(store.get("a").is_some() && store.get("d").is_some());
        assert!(store.stored_bytes <= MAX_STORED_BYTES);
    }
}
