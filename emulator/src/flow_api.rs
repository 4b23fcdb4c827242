//! The CAMS WhatsApp Flow operations, on the flows the emulator keeps
//! (`flows`) plus the read-only PUBLISHED flows of the `--flows` directory.
//!
//! Answers whose form CAMS does not document, and what the emulator does
//! (each an **assumption**):
//! * an unknown or deleted `FlowId`: HTTP 400 `Flow.NotExists` (the family
//!   of not-found codes, `<Entity>.NotExists`);
//! * a change the status rules forbid: HTTP 400 `ERR-FB-001`, the code CAMS
//!   documents for an error passed through from Meta, whose lifecycle rules
//!   these are; the message names the rule;
//! * UpdateFlowJSONAsset: a FilePath it cannot fetch (bad URL, connection
//!   failure, non-2xx answer, larger than 10 MB) answers
//!   `InvalidParameter.FileUrlError` (seen from CAMS by integrators); a
//!   document that is not JSON answers `InvalidParameter.FileContentError`;
//! * ListFlow: `FlowName` matches names containing it; `Page` defaults to
//!   `{"Index":1,"Size":20}`, Size 1..=100; flows in FlowId order;
//! * a flow without a Flow JSON answers GetFlowJSONAssest with an empty
//!   `FilePath`; GetFlow's `JSONVersion`/`DataApiVersion` are null then.

use serde_json::{json, Value};
use time::OffsetDateTime;

use super::api::{file_url, success_body, Answer};
use super::bucket::{BUCKET, MAX_OBJECT_BYTES};
use super::fault::Fault;
use super::flow_doc::is_file_safe_flow_id;
use super::flows::{Flow, FlowError, FlowStore, Status, CATEGORIES, MAX_NAME_CHARS};
use super::oss_auth::UploadKey;
use super::params::RpcParams;
use super::pop::PopError;
use super::state::Emulator;
use super::sts::fresh_key;

/// An authenticated, paced call to run.
pub struct Call {
    pub action: &'static str,
    pub params: RpcParams,
}

/// How long a preview URL stays valid (Meta: 30 days).
const PREVIEW_LIFETIME: time::Duration = time::Duration::days(30);

pub async fn run(emulator: &Emulator, call: &Call, request_id: &str) -> Answer {
    let params = &call.params;
    let result = match call.action {
        "CreateFlow" => create_flow(emulator, params),
        "GetFlow" => get_flow(emulator, params).await,
        "ListFlow" => list_flow(emulator, params).await,
        "ModifyFlow" => modify_flow(emulator, params).await,
        "UpdateFlowJSONAsset" => update_flow_json_asset(emulator, params).await,
        "GetFlowJSONAssest" => get_flow_json_asset(emulator, params).await,
        "GetFlowPreviewUrl" => get_flow_preview_url(emulator, params).await,
        "PublishFlow" => change_status(emulator, params, FlowStore::publish).await,
        "DeprecateFlow" => change_status(emulator, params, FlowStore::deprecate).await,
        "DeleteFlow" => change_status(emulator, params, FlowStore::delete).await,
        "GetChatappUploadAuthorization" => upload_authorization(emulator, params),
        other => Err(PopError::new(
            axum::http::StatusCode::NOT_FOUND,
            "InvalidAction.NotFound",
            format!("Specified api {other} is not found."),
        )),
    };
    match result {
        Ok(data) => Answer::Success(success_body(request_id, data)),
        Err(error) => Answer::Error(error),
    }
}

fn required<'a>(params: &'a RpcParams, name: &str) -> Result<&'a str, PopError> {
    params
        .non_empty(name)
        .ok_or_else(|| PopError::missing_parameter(name))
}

fn invalid(name: &str, why: &str) -> PopError {
    PopError::new(
        axum::http::StatusCode::BAD_REQUEST,
        "InvalidParameter",
        format!("The parameter {name} is invalid: {why}"),
    )
}

fn flow_error(error: FlowError) -> PopError {
    match error {
        FlowError::NotFound => PopError::known("Flow.NotExists", None),
        other => PopError::new(
            axum::http::StatusCode::BAD_REQUEST,
            "ERR-FB-001",
            other.to_string(),
        ),
    }
}

fn flow_name(params: &RpcParams) -> Result<String, PopError> {
    let name = required(params, "FlowName")?;
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(invalid(
            "FlowName",
            &format!("at most {MAX_NAME_CHARS} characters"),
        ));
    }
    Ok(name.to_string())
}

/// `Categories`: JSON text of a non-empty list of known categories.
fn categories(params: &RpcParams) -> Result<Vec<String>, PopError> {
    let text = required(params, "Categories")?;
    let list: Vec<String> = serde_json::from_str(text)
        .map_err(|_| invalid("Categories", "expected a JSON list of strings"))?;
    if list.is_empty() {
        return Err(invalid("Categories", "the list is empty"));
    }
    if let Some(unknown) = list.iter().find(|c| !CATEGORIES.contains(&c.as_str())) {
        return Err(invalid(
            "Categories",
            &format!("{unknown:?} is not one of {}", CATEGORIES.join(", ")),
        ));
    }
    Ok(list)
}

/// A 16-digit id like CAMS's, unused by the kept and the seeded flows.
fn new_flow_id(flows: &FlowStore, emulator: &Emulator) -> String {
    loop {
        let random = uuid::Uuid::new_v4().as_u128();
        let id = (1_000_000_000_000_000 + random % 9_000_000_000_000_000).to_string();
        let seeded = emulator.flows_dir.join(format!("{id}.json")).exists();
        if !flows.flows.contains_key(&id) && !seeded {
            return id;
        }
    }
}

fn create_flow(emulator: &Emulator, params: &RpcParams) -> Result<Value, PopError> {
    let name = flow_name(params)?;
    let categories = categories(params)?;
    let mut inner = emulator.lock();
    let id = new_flow_id(&inner.flows, emulator);
    let flow = inner
        .flows
        .create(Flow {
            id,
            name,
            categories,
            status: Status::Draft,
            endpoint_uri: params.get("EndpointUri").unwrap_or_default().to_string(),
            cust_space_id: params.get("CustSpaceId").unwrap_or_default().to_string(),
            json: None,
        })
        .clone();
    emulator.save_flows(&inner);
    Ok(json!({
        "FlowId": flow.id,
        "FlowName": flow.name,
        "Categories": flow.categories,
    }))
}

/// A flow of the `--flows` directory: PUBLISHED, named after its id.
async fn seeded_flow(emulator: &Emulator, id: &str) -> Option<Flow> {
    if !is_file_safe_flow_id(id) {
        return None;
    }
    let bytes = tokio::fs::read(emulator.flows_dir.join(format!("{id}.json")))
        .await
        .ok()?;
    Some(Flow {
        id: id.to_string(),
        name: id.to_string(),
        categories: vec!["OTHER".to_string()],
        status: Status::Published,
        endpoint_uri: String::new(),
        cust_space_id: String::new(),
        json: Some(String::from_utf8_lossy(&bytes).into_owned()),
    })
}

/// Every flow as it is now, kept and seeded, in id order (what
/// `GET /_emulator/flows` lists).
pub(crate) async fn all_flows(emulator: &Emulator) -> Vec<Flow> {
    let mut all = emulator.lock().flows.flows.clone();
    for id in seeded_ids(emulator).await {
        if let std::collections::btree_map::Entry::Vacant(slot) = all.entry(id) {
            if let Some(flow) = seeded_flow(emulator, slot.key()).await {
                slot.insert(flow);
            }
        }
    }
    all.into_values().collect()
}

/// The flow as it is now: kept, or seeded.
async fn snapshot(emulator: &Emulator, id: &str) -> Result<Flow, PopError> {
    if let Some(flow) = emulator.lock().flows.flows.get(id) {
        return Ok(flow.clone());
    }
    seeded_flow(emulator, id)
        .await
        .ok_or_else(|| flow_error(FlowError::NotFound))
}

/// Runs a change on the kept flows and saves them. A seeded flow is copied
/// into the kept flows first, and stays there only if the change succeeds.
async fn mutate<T>(
    emulator: &Emulator,
    id: &str,
    change: impl FnOnce(&mut FlowStore) -> Result<T, FlowError>,
) -> Result<T, PopError> {
    let kept = emulator.lock().flows.flows.contains_key(id);
    let seeded = if kept {
        None
    } else {
        seeded_flow(emulator, id).await
    };
    let mut inner = emulator.lock();
    let mut adopted = false;
    if let Some(flow) = seeded {
        if !inner.flows.flows.contains_key(id) {
            inner.flows.create(flow);
            adopted = true;
        }
    }
    let result = change(&mut inner.flows);
    match &result {
        Ok(_) => emulator.save_flows(&inner),
        Err(_) if adopted => {
            inner.flows.flows.remove(id);
        }
        Err(_) => {}
    }
    result.map_err(flow_error)
}

async fn get_flow(emulator: &Emulator, params: &RpcParams) -> Result<Value, PopError> {
    let flow = snapshot(emulator, required(params, "FlowId")?).await?;
    let (preview_url, expires) = preview(emulator, &flow.id);
    Ok(json!({
        "FlowId": flow.id,
        "FlowName": flow.name,
        "Categories": flow.categories,
        "Status": flow.status.as_str(),
        "JSONVersion": flow.json_version(),
        "DataApiVersion": flow.data_api_version(),
        "EndpointUri": flow.endpoint_uri,
        "PreviewUrl": preview_url,
        "PreviewUrlExpires": expires,
    }))
}

/// A preview link (not served by the emulator) and its expiry in Unix ms.
fn preview(emulator: &Emulator, id: &str) -> (String, i64) {
    let token = uuid::Uuid::new_v4().simple().to_string();
    let expires = OffsetDateTime::now_utc() + PREVIEW_LIFETIME;
    (
        format!(
            "{}/_emulator/preview/{id}?token={token}",
            emulator.public_url
        ),
        i64::try_from(expires.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX),
    )
}

/// `Page` as JSON text `{"Index":1,"Size":20}`.
fn page(params: &RpcParams) -> Result<(usize, usize), PopError> {
    let Some(text) = params.non_empty("Page") else {
        return Ok((1, 20));
    };
    let value: Value =
        serde_json::from_str(text).map_err(|_| invalid("Page", "expected JSON text"))?;
    let field = |name: &str, default: u64| match value.get(name) {
        None => Some(default),
        Some(v) => v.as_u64(),
    };
    match (field("Index", 1), field("Size", 20)) {
        (Some(index), Some(size)) if index >= 1 && (1..=100).contains(&size) => {
            Ok((index as usize, size as usize))
        }
        _ => Err(invalid("Page", "Index must be 1 or more and Size 1 to 100")),
    }
}

async fn list_flow(emulator: &Emulator, params: &RpcParams) -> Result<Value, PopError> {
    let (index, size) = page(params)?;
    let filter = params.get("FlowName").unwrap_or_default();
    let mut listed: Vec<(String, String, Vec<String>)> = emulator
        .lock()
        .flows
        .list(filter)
        .map(|f| (f.id.clone(), f.name.clone(), f.categories.clone()))
        .collect();
    for id in seeded_ids(emulator).await {
        let kept = emulator.lock().flows.flows.contains_key(&id);
        if !kept && (filter.is_empty() || id.contains(filter)) {
            listed.push((id.clone(), id, vec!["OTHER".to_string()]));
        }
    }
    listed.sort();
    let page: Vec<Value> = listed
        .into_iter()
        .skip((index - 1).saturating_mul(size))
        .take(size)
        .map(|(id, name, categories)| {
            json!({ "FlowId": id, "FlowName": name, "Categories": categories })
        })
        .collect();
    Ok(Value::Array(page))
}

/// The flow ids of the `--flows` directory.
async fn seeded_ids(emulator: &Emulator) -> Vec<String> {
    let mut ids = Vec::new();
    let Ok(mut entries) = tokio::fs::read_dir(&emulator.flows_dir).await else {
        return ids;
    };
    while let Ok(Some(entry)) = entries.next_entry().await {
        let name = entry.file_name();
        if let Some(id) = name.to_str().and_then(|n| n.strip_suffix(".json")) {
            if is_file_safe_flow_id(id) {
                ids.push(id.to_string());
            }
        }
    }
    ids
}

async fn modify_flow(emulator: &Emulator, params: &RpcParams) -> Result<Value, PopError> {
    let id = required(params, "FlowId")?;
    let name = flow_name(params)?;
    let categories = categories(params)?;
    // Present and empty clears the endpoint; absent keeps it.
    let endpoint = params.get("EndpointUri").map(str::to_string);
    let flow = mutate(emulator, id, |flows| {
        flows.modify(id, name, categories, endpoint).cloned()
    })
    .await?;
    Ok(json!({
        "FlowId": flow.id,
        "FlowName": flow.name,
        "Categories": flow.categories,
        "EndpointUri": flow.endpoint_uri,
    }))
}

async fn update_flow_json_asset(
    emulator: &Emulator,
    params: &RpcParams,
) -> Result<Value, PopError> {
    let id = required(params, "FlowId")?;
    let file_path = required(params, "FilePath")?;
    let flow = snapshot(emulator, id).await?;
    if flow.status != Status::Draft {
        return Err(flow_error(FlowError::NotDraft(flow.status)));
    }
    let document = fetch_flow_json(emulator, file_path).await?;
    mutate(emulator, id, |flows| flows.set_json(id, document)).await?;
    Ok(json!({ "FlowId": id }))
}

fn file_url_error(why: &str) -> PopError {
    PopError::new(
        axum::http::StatusCode::BAD_REQUEST,
        "InvalidParameter.FileUrlError",
        format!("The file at FilePath cannot be downloaded: {why}."),
    )
}

/// Downloads FilePath as CAMS does (a plain GET) and checks it is JSON.
async fn fetch_flow_json(emulator: &Emulator, file_path: &str) -> Result<String, PopError> {
    let url = url::Url::parse(file_path).map_err(|_| file_url_error("not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(file_url_error("not an http(s) URL"));
    }
    let mut response = emulator
        .fetcher
        .get(url)
        .send()
        .await
        .map_err(|_| file_url_error("the host could not be reached"))?;
    if !response.status().is_success() {
        return Err(file_url_error(&format!(
            "the host answered HTTP {}",
            response.status().as_u16()
        )));
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_OBJECT_BYTES {
                    return Err(file_url_error("the file is larger than 10 MB"));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(_) => return Err(file_url_error("the download broke off")),
        }
    }
    let text = String::from_utf8(body).map_err(|_| content_error("it is not UTF-8 text"))?;
    if let Some(problem) = super::flow_doc::json_problem(&text) {
        return Err(content_error(&problem));
    }
    Ok(text)
}

fn content_error(why: &str) -> PopError {
    PopError::new(
        axum::http::StatusCode::BAD_REQUEST,
        "InvalidParameter.FileContentError",
        format!("The file at FilePath is not a Flow JSON document: {why}."),
    )
}

async fn get_flow_json_asset(emulator: &Emulator, params: &RpcParams) -> Result<Value, PopError> {
    let id = required(params, "FlowId")?;
    let not_found = || flow_error(FlowError::NotFound);
    if !is_file_safe_flow_id(id) {
        return Err(not_found());
    }
    let kept = emulator.lock().flows.flows.get(id).cloned();
    if let Some(flow) = kept {
        let file_path = match flow.json {
            Some(_) => file_url(emulator, id),
            None => String::new(),
        };
        return Ok(json!({ "FlowId": id, "FilePath": file_path }));
    }
    // Faults that make up a document make the flow exist without a file.
    let made_up = emulator.lock().faults.iter().any(|rule| {
        rule.flow.matches(&super::fault::Target::flow(id))
            && matches!(
                rule.fault,
                Fault::Large(_) | Fault::InvalidJson | Fault::File404
            )
    });
    let file_exists = tokio::fs::metadata(emulator.flows_dir.join(format!("{id}.json")))
        .await
        .is_ok_and(|m| m.is_file());
    if !(made_up || file_exists) {
        return Err(not_found());
    }
    Ok(json!({ "FlowId": id, "FilePath": file_url(emulator, id) }))
}

async fn get_flow_preview_url(emulator: &Emulator, params: &RpcParams) -> Result<Value, PopError> {
    let flow = snapshot(emulator, required(params, "FlowId")?).await?;
    let (preview_url, expires) = preview(emulator, &flow.id);
    Ok(json!({
        "FlowId": flow.id,
        "PreviewUrl": preview_url,
        "PreviewUrlExpires": expires,
    }))
}

async fn change_status(
    emulator: &Emulator,
    params: &RpcParams,
    change: fn(&mut FlowStore, &str) -> Result<(), FlowError>,
) -> Result<Value, PopError> {
    let id = required(params, "FlowId")?;
    mutate(emulator, id, |flows| change(flows, id)).await?;
    Ok(Value::Null)
}

/// STS-like credentials for the upload bucket, limited to one `Dir`.
fn upload_authorization(emulator: &Emulator, params: &RpcParams) -> Result<Value, PopError> {
    let cust_space_id = required(params, "CustSpaceId")?;
    let space: String = cust_space_id
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let dir = format!("upload/{space}/");
    let key = fresh_key();
    let now = OffsetDateTime::now_utc();
    // A config built in code skips the command line's check: clamp here too.
    let ttl = emulator.upload_ttl.min(super::config::MAX_UPLOAD_TTL);
    let lifetime = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
    let expires = now.replace_nanosecond(0).unwrap_or(now) + time::Duration::seconds(lifetime);
    emulator.lock().add_upload_key(
        key.id.clone(),
        UploadKey {
            secret: key.secret.clone(),
            token: key.token.clone(),
            expires,
            dir: dir.clone(),
        },
        now,
    );
    Ok(json!({
        "AccessKeyId": key.id,
        "AccessKeySecret": key.secret,
        "SecurityToken": key.token,
        "BucketName": BUCKET,
        "Dir": dir,
        "EndPoint": emulator.public_url,
        "Expire": lifetime,
    }))
}
