//! The emulated OSS file host (`GET /oss/flows/<flow_id>.json?...`): checks
//! the presigned URL, applies download faults, serves the flow file bytes.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::fault::{Fault, Target};
use super::flow_doc::{is_file_safe_flow_id, truncated_json};
use super::oss::OssError;
use super::state::Emulator;

const FLOWS_PREFIX: &str = "/oss/flows/";

pub async fn handle(
    State(emulator): State<Arc<Emulator>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let request_id = uuid::Uuid::new_v4().simple().to_string().to_uppercase();
    let recorded = headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    emulator.lock().stats.record_file_request(recorded);

    let path = uri.path();
    let flow_id = path
        .strip_prefix(FLOWS_PREFIX)
        .and_then(|name| name.strip_suffix(".json"))
        .filter(|id| is_file_safe_flow_id(id));
    let result = match flow_id {
        Some(flow_id) => serve(&emulator, flow_id, path, uri.query()).await,
        None => Err(OssError::no_such_key(path.trim_start_matches("/oss/"))),
    };

    let (status, code) = {
        let mut inner = emulator.lock();
        match &result {
            Ok(_) => {
                inner.stats.downloads_ok += 1;
                (StatusCode::OK, "OK")
            }
            Err(error) => {
                inner.stats.record_error(error.code);
                (error.status, error.code)
            }
        }
    };
    // The query is a bearer credential until it expires: log the path only.
    emulator.log(format_args!("GET {path} -> {code} {}", status.as_u16()));
    if let Some(delay) = flow_id.and_then(|id| emulator.slow_delay(&Target::flow(id))) {
        tokio::time::sleep(delay).await;
    }
    match result {
        Ok(bytes) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            bytes,
        )
            .into_response(),
        Err(error) => error.into_response(&request_id, &emulator.host_id),
    }
}

async fn serve(
    emulator: &Emulator,
    flow_id: &str,
    path: &str,
    query: Option<&str>,
) -> Result<Bytes, OssError> {
    let (mut expires, mut signature) = (None, None);
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        match name.as_ref() {
            "Expires" if expires.is_none() => expires = Some(value.into_owned()),
            "Signature" if signature.is_none() => signature = Some(value.into_owned()),
            _ => {}
        }
    }
    let now_unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    emulator
        .signer
        .verify(path, expires.as_deref(), signature.as_deref(), now_unix)?;

    let key = path.trim_start_matches("/oss/");
    let target = Target::flow(flow_id);
    let gate = emulator.next_fault(&target, |f| {
        matches!(f, Fault::File403 | Fault::File404 | Fault::File5xx(_))
    });
    match gate {
        Some(Fault::File403) => {
            return Err(OssError::expired(now_unix.saturating_sub(60), now_unix))
        }
        Some(Fault::File404) => return Err(OssError::no_such_key(key)),
        Some(Fault::File5xx(_)) => return Err(OssError::service_unavailable()),
        _ => {}
    }
    if let Some(Fault::Large(bytes)) =
        emulator.next_fault(&target, |f| matches!(f, Fault::Large(_)))
    {
        return Ok(emulator.large_document(bytes).await);
    }
    // A document stored by UpdateFlowJSONAsset wins over the flows directory.
    let stored = emulator
        .lock()
        .flows
        .flows
        .get(flow_id)
        .and_then(|flow| flow.json.clone());
    let file = match stored {
        Some(json) => Some(json.into_bytes()),
        None => tokio::fs::read(emulator.flows_dir.join(format!("{flow_id}.json")))
            .await
            .ok(),
    };
    if emulator
        .next_fault(&target, |f| matches!(f, Fault::InvalidJson))
        .is_some()
    {
        return Ok(Bytes::from(truncated_json(file.as_deref())));
    }
    file.map(Bytes::from)
        .ok_or_else(|| OssError::no_such_key(key))
}
