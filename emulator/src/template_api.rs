//! The CAMS message template operations (CreateChatappTemplate,
//! ModifyChatappTemplate, GetChatappTemplateDetail, ListChatappTemplate,
//! DeleteChatappTemplate) on the templates the emulator keeps
//! (`templates`), checked by `template_rules`, and the admin endpoint
//! `POST /_emulator/templates/review` that decides a review at once.
//!
//! Answers whose form CAMS does not document, and what the emulator does
//! (each an **assumption**, listed in the README):
//! * an unknown template: HTTP 400 `Template.NotExist`;
//! * a name and language already taken in the space: `Template.Exist`;
//! * a name deleted less than 30 days ago: `Template.NameBlocked`, saying
//!   until when;
//! * ModifyChatappTemplate on an `auditing` or `pass` template:
//!   `Template.ModifyNotAllowed`, naming the status;
//! * a rule of `template_rules` broken: `InvalidParameter`, the message
//!   naming the place in `Components` and the rule;
//! * `TemplateCode`: 32 hex digits, one per name and language;
//! * ListChatappTemplate: `Name` matches names containing it, the other
//!   filters exactly; templates by name, then language; `Page` as for
//!   ListFlow (default `{"Index":1,"Size":20}`, Size 1..=100); the list
//!   and `Total` beside `Data`, as the SDK's response model has them.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::api::{success_body, Answer};
use super::flow_api::Call;
use super::flows::Status;
use super::params::RpcParams;
use super::pop::{json_body, PopError};
use super::state::Emulator;
use super::template_rules::{self, screen_ids, FlowFacts, CATEGORIES};
use super::templates::{AuditStatus, Decision, Template};

/// The actions this module answers.
pub const ACTIONS: [&str; 5] = [
    "CreateChatappTemplate",
    "ModifyChatappTemplate",
    "GetChatappTemplateDetail",
    "ListChatappTemplate",
    "DeleteChatappTemplate",
];

/// The only template type the emulator keeps.
const WHATSAPP: &str = "WHATSAPP";

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

pub async fn run(emulator: &Emulator, call: &Call, request_id: &str) -> Answer {
    let params = &call.params;
    let result = match call.action {
        "CreateChatappTemplate" => create(emulator, params).await,
        "ModifyChatappTemplate" => modify(emulator, params).await,
        "GetChatappTemplateDetail" => get(emulator, params),
        "ListChatappTemplate" => return list(emulator, params, request_id),
        "DeleteChatappTemplate" => delete(emulator, params),
        other => Err(PopError::new(
            StatusCode::NOT_FOUND,
            "InvalidAction.NotFound",
            format!("Specified api {other} is not found."),
        )),
    };
    match result {
        Ok(data) => Answer::Success(success_body(request_id, data)),
        Err(error) => Answer::Error(error),
    }
}

fn error(code: &str, message: impl Into<String>) -> PopError {
    PopError::new(StatusCode::BAD_REQUEST, code, message)
}

fn invalid(message: impl Into<String>) -> PopError {
    error("InvalidParameter", message)
}

fn required<'a>(params: &'a RpcParams, name: &str) -> Result<&'a str, PopError> {
    params
        .non_empty(name)
        .ok_or_else(|| PopError::missing_parameter(name))
}

fn space(params: &RpcParams) -> String {
    params.get("CustSpaceId").unwrap_or_default().to_string()
}

fn check_type(params: &RpcParams) -> Result<(), PopError> {
    match params.non_empty("TemplateType") {
        None | Some(WHATSAPP) => Ok(()),
        Some(other) => Err(invalid(format!(
            "TemplateType {other:?}: the emulator keeps WHATSAPP templates only"
        ))),
    }
}

/// `Components`: JSON text of a list.
fn components(params: &RpcParams) -> Result<Value, PopError> {
    let text = required(params, "Components")?;
    serde_json::from_str(text).map_err(|e| {
        invalid(format!(
            "Components is not JSON text (line {}, column {}): {e}",
            e.line(),
            e.column()
        ))
    })
}

/// `Example`: JSON text of an object of strings; absent is empty.
fn example(params: &RpcParams) -> Result<BTreeMap<String, String>, PopError> {
    match params.non_empty("Example") {
        None => Ok(BTreeMap::new()),
        Some(text) => serde_json::from_str(text).map_err(|_| {
            invalid(
                "Example is not JSON text of an object mapping each variable ({{1}}) to a sample",
            )
        }),
    }
}

fn ttl(params: &RpcParams) -> Result<Option<i64>, PopError> {
    params
        .non_empty("MessageSendTtlSeconds")
        .map(|t| {
            t.parse()
                .map_err(|_| invalid(format!("MessageSendTtlSeconds {t:?} is not a number")))
        })
        .transpose()
}

fn boolean(params: &RpcParams, name: &str) -> Result<Option<bool>, PopError> {
    params
        .non_empty(name)
        .map(|t| match t.to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(invalid(format!("{name} {t:?} is not true or false"))),
        })
        .transpose()
}

/// The FlowIds of the FLOW buttons in `components`.
fn flow_ids(components: &Value) -> BTreeSet<String> {
    components
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.get("Buttons")?.as_array())
        .flatten()
        .filter(|b| b.get("Type").and_then(Value::as_str) == Some("FLOW"))
        .filter_map(|b| b.get("FlowId")?.as_str().map(str::to_string))
        .collect()
}

/// What the FLOW buttons point at: the space's kept flows, or a flow of
/// the `--flows` directory (PUBLISHED, in every space).
async fn flow_facts(
    emulator: &Emulator,
    space: &str,
    components: &Value,
) -> BTreeMap<String, FlowFacts> {
    let mut facts = BTreeMap::new();
    for id in flow_ids(components) {
        let kept = emulator.lock().flows.flows.get(&id).cloned();
        let fact = match kept {
            Some(flow) if flow.cust_space_id == space => Some(FlowFacts {
                deprecated: flow.status == Status::Deprecated,
                screen_ids: flow.json.as_deref().map(screen_ids),
            }),
            Some(_) => None,
            None => seeded_screens(emulator, &id)
                .await
                .map(|screens| FlowFacts {
                    deprecated: false,
                    screen_ids: Some(screens),
                }),
        };
        if let Some(fact) = fact {
            facts.insert(id, fact);
        }
    }
    facts
}

async fn seeded_screens(emulator: &Emulator, id: &str) -> Option<Vec<String>> {
    if !super::flow_doc::is_file_safe_flow_id(id) {
        return None;
    }
    let bytes = tokio::fs::read(emulator.flows_dir.join(format!("{id}.json")))
        .await
        .ok()?;
    Some(screen_ids(&String::from_utf8_lossy(&bytes)))
}

async fn check_content(
    emulator: &Emulator,
    space: &str,
    category: &str,
    components: &Value,
    example: &BTreeMap<String, String>,
    ttl: Option<i64>,
) -> Result<(), PopError> {
    let facts = flow_facts(emulator, space, components).await;
    template_rules::check_components(components, category, example, |id| facts.get(id).cloned())
        .map_err(invalid)?;
    template_rules::check_ttl(category, ttl).map_err(invalid)
}

fn new_code() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn date(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms / 1000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| ms.to_string())
}

async fn create(emulator: &Emulator, params: &RpcParams) -> Result<Value, PopError> {
    let name = required(params, "Name")?;
    let language = required(params, "Language")?;
    let category = required(params, "Category")?;
    required(params, "TemplateType")?;
    check_type(params)?;
    template_rules::check_name(name).map_err(invalid)?;
    if !CATEGORIES.contains(&category) {
        return Err(invalid(format!(
            "Category {category:?} is not one of {}",
            CATEGORIES.join(", ")
        )));
    }
    let components = components(params)?;
    let example = example(params)?;
    let ttl = ttl(params)?;
    let paused = boolean(params, "CategoryChangePaused")?;
    let space = space(params);
    check_content(emulator, &space, category, &components, &example, ttl).await?;

    let now = now_ms();
    let mut inner = emulator.lock();
    inner.templates.settle(&emulator.template_review, now);
    if let Some(block) = inner.templates.blocked(&space, name, now) {
        return Err(error(
            "Template.NameBlocked",
            format!(
                "The template name {name:?} was deleted on {}; Meta blocks a deleted name for 30 days, until {}. Use another name.",
                date(block.deleted_at_ms),
                date(block.until_ms)
            ),
        ));
    }
    if inner.templates.find(&space, name, language).is_some() {
        return Err(error(
            "Template.Exist",
            format!("A template named {name:?} in language {language:?} already exists."),
        ));
    }
    let template = Template {
        code: new_code(),
        cust_space_id: space,
        name: name.to_string(),
        language: language.to_string(),
        category: category.to_string(),
        components,
        example,
        message_send_ttl_seconds: ttl,
        category_change_paused: paused,
        audit_status: AuditStatus::Auditing,
        reason: None,
        quality_score: "UNKNOWN".to_string(),
        submitted_at_ms: now,
    };
    let answer = json!({"TemplateCode": template.code, "TemplateName": template.name});
    inner.templates.insert(template);
    emulator.save_flows(&inner);
    Ok(answer)
}

/// The code of the template a request names (`TemplateCode` or
/// `TemplateName`, with `Language` when `language_required`), after
/// settling due reviews.
fn target(
    emulator: &Emulator,
    inner: &mut super::state::Inner,
    params: &RpcParams,
    language_required: bool,
) -> Result<String, PopError> {
    let code = params.non_empty("TemplateCode");
    let name = params.non_empty("TemplateName");
    if code.is_none() && name.is_none() {
        return Err(PopError::missing_parameter("TemplateCode"));
    }
    let language = if language_required {
        Some(required(params, "Language")?)
    } else {
        params.non_empty("Language")
    };
    check_type(params)?;
    if inner.templates.settle(&emulator.template_review, now_ms()) {
        emulator.save_flows(inner);
    }
    inner
        .templates
        .lookup(&space(params), code, name, language)
        .ok_or_else(|| {
            error(
                "Template.NotExist",
                format!(
                    "The template {} in language {} does not exist.",
                    code.or(name).unwrap_or_default(),
                    language.unwrap_or("(any)")
                ),
            )
        })
}

async fn modify(emulator: &Emulator, params: &RpcParams) -> Result<Value, PopError> {
    let components = components(params)?;
    let example = example(params)?;
    let ttl = ttl(params)?;
    let paused = boolean(params, "CategoryChangePaused")?;
    let (code, category, space) = {
        let mut inner = emulator.lock();
        let code = target(emulator, &mut inner, params, true)?;
        let template = &inner.templates.templates[&code];
        if !template.audit_status.allows_modify() {
            return Err(error(
                "Template.ModifyNotAllowed",
                format!(
                    "The template is {}: only a rejected (fail) or suspended (unaudit) template can be modified.",
                    template.audit_status.as_str()
                ),
            ));
        }
        if let Some(category) = params.non_empty("Category") {
            if category != template.category {
                return Err(invalid(format!(
                    "Category {category:?}: a template's category ({}) cannot change",
                    template.category
                )));
            }
        }
        (
            code,
            template.category.clone(),
            template.cust_space_id.clone(),
        )
    };
    check_content(emulator, &space, &category, &components, &example, ttl).await?;
    let mut inner = emulator.lock();
    let Some(template) = inner.templates.templates.get_mut(&code) else {
        return Err(error(
            "Template.NotExist",
            "The template was deleted meanwhile.",
        ));
    };
    template.components = components;
    template.example = example;
    if ttl.is_some() {
        template.message_send_ttl_seconds = ttl;
    }
    if paused.is_some() {
        template.category_change_paused = paused;
    }
    template.audit_status = AuditStatus::Auditing;
    template.reason = None;
    template.submitted_at_ms = now_ms();
    let answer = json!({"TemplateCode": template.code, "TemplateName": template.name});
    emulator.save_flows(&inner);
    Ok(answer)
}

fn detail(template: &Template) -> Value {
    json!({
        "Name": template.name,
        "Language": template.language,
        "Category": template.category,
        "TemplateCode": template.code,
        "TemplateType": WHATSAPP,
        "AuditStatus": template.audit_status.as_str(),
        "Reason": template.reason,
        "QualityScore": template.quality_score,
        "Components": template.components,
        "Example": template.example,
        "MessageSendTtlSeconds": template.message_send_ttl_seconds,
        "CategoryChangePaused": template.category_change_paused,
        "AllowSend": template.audit_status == AuditStatus::Pass,
    })
}

fn get(emulator: &Emulator, params: &RpcParams) -> Result<Value, PopError> {
    let mut inner = emulator.lock();
    let code = target(emulator, &mut inner, params, true)?;
    Ok(detail(&inner.templates.templates[&code]))
}

fn delete(emulator: &Emulator, params: &RpcParams) -> Result<Value, PopError> {
    let mut inner = emulator.lock();
    let code = target(emulator, &mut inner, params, false)?;
    inner.templates.delete(&code, now_ms());
    emulator.save_flows(&inner);
    Ok(Value::Null)
}

/// `Page` as JSON text `{"Index":1,"Size":20}`.
fn page(params: &RpcParams) -> Result<(usize, usize), PopError> {
    let Some(text) = params.non_empty("Page") else {
        return Ok((1, 20));
    };
    let value: Value = serde_json::from_str(text).map_err(|_| invalid("Page is not JSON text"))?;
    let field = |name: &str, default: u64| match value.get(name) {
        None => Some(default),
        Some(v) => v.as_u64(),
    };
    match (field("Index", 1), field("Size", 20)) {
        (Some(index), Some(size)) if index >= 1 && (1..=100).contains(&size) => {
            Ok((index as usize, size as usize))
        }
        _ => Err(invalid("Page: Index must be 1 or more and Size 1 to 100")),
    }
}

fn list(emulator: &Emulator, params: &RpcParams, request_id: &str) -> Answer {
    let (index, size) = match page(params).and_then(|p| check_type(params).map(|()| p)) {
        Ok(page) => page,
        Err(error) => return Answer::Error(error),
    };
    let space = space(params);
    let exact = |name: &str, value: &str| params.non_empty(name).is_none_or(|want| want == value);
    let name_part = params.non_empty("Name").unwrap_or_default();
    let mut inner = emulator.lock();
    if inner.templates.settle(&emulator.template_review, now_ms()) {
        emulator.save_flows(&inner);
    }
    let mut matching: Vec<&Template> = inner
        .templates
        .templates
        .values()
        .filter(|t| {
            t.cust_space_id == space
                && t.name.contains(name_part)
                && exact("Code", &t.code)
                && exact("Language", &t.language)
                && exact("AuditStatus", t.audit_status.as_str())
                && exact("Category", &t.category)
        })
        .collect();
    matching.sort_by(|a, b| (&a.name, &a.language).cmp(&(&b.name, &b.language)));
    let total = matching.len();
    let items: Vec<Value> = matching
        .into_iter()
        .skip((index - 1).saturating_mul(size))
        .take(size)
        .map(|t| {
            json!({
                "TemplateName": t.name,
                "TemplateCode": t.code,
                "Language": t.language,
                "Category": t.category,
                "AuditStatus": t.audit_status.as_str(),
                "Reason": t.reason,
                "TemplateType": WHATSAPP,
                "LastUpdateTime": t.submitted_at_ms,
            })
        })
        .collect();
    let mut body = success_body(request_id, Value::Null);
    if let Some(object) = body.as_object_mut() {
        object.remove("Data");
        object.insert("Total".into(), json!(total));
        object.insert("ListTemplate".into(), Value::Array(items));
    }
    Answer::Success(body)
}

/// `POST /_emulator/templates/review` with a JSON body
/// `{"name", "language", "cust_space_id"?, "status": "pass"|"fail"|"unaudit"|"auditing",
/// "reason"?, "quality_score"?}` (or `"code"` instead of name and
/// language): sets the template's review at once, so tests decide it.
pub async fn review(State(emulator): State<Arc<Emulator>>, body: Bytes) -> Response {
    let bad = |message: String| {
        (
            StatusCode::BAD_REQUEST,
            json_body(&json!({"error": message})),
        )
            .into_response()
    };
    let Ok(request) = serde_json::from_slice::<Value>(&body) else {
        return bad("the body is not a JSON object".into());
    };
    let field = |name: &str| request.get(name).and_then(Value::as_str);
    let Some(status) = field("status").and_then(AuditStatus::parse) else {
        return bad("status must be one of auditing, pass, fail, unaudit".into());
    };
    let mut inner = emulator.lock();
    let code = inner.templates.lookup(
        field("cust_space_id").unwrap_or_default(),
        field("code"),
        field("name"),
        field("language"),
    );
    let Some(code) = code else {
        return (
            StatusCode::NOT_FOUND,
            json_body(&json!({"error": "no such template (give code, or name and language, and cust_space_id when not empty)"})),
        )
            .into_response();
    };
    let decision = Decision {
        status,
        reason: field("reason").map(str::to_string),
        quality_score: field("quality_score").map(str::to_string),
    };
    let answer = inner.templates.decide(&code, decision).map(detail);
    emulator.save_flows(&inner);
    json_body(&answer.unwrap_or(Value::Null))
}
