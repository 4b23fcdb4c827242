//! The typed message templates of CAMS (WhatsApp), as the template
//! operations send and answer them: the components a template is made of,
//! and the typed results read from a successful envelope. Field names are
//! those of the official SDK `alibabacloud-cams20200606` models
//! (`CreateChatappTemplateRequestComponents`,
//! `GetChatappTemplateDetailResponseBodyData`,
//! `ListChatappTemplateResponseBodyListTemplate`). Pure functions.
//!
//! Components are modelled for what a template resource writes (header,
//! body, footer, buttons, FLOW buttons included); whatever else CAMS
//! answers (`Cards` of a carousel, a location's coordinates, fields added
//! later) is kept as it came in [`Component::other`] / [`Button::other`],
//! so reading a template never refuses what this client does not model.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::api_response::{text_field, ApiError, Envelope};

/// The only `TemplateType` this client sends: `VIBER` templates exist in
/// CAMS but are out of scope.
pub(crate) const WHATSAPP_TEMPLATE_TYPE: &str = "WHATSAPP";

/// Where a template stands in Meta's review (`AuditStatus`). CAMS
/// documents four values; any other is kept as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditStatus {
    /// `auditing`: under review.
    Auditing,
    /// `pass`: approved.
    Pass,
    /// `fail`: rejected; `Reason` says why.
    Fail,
    /// `unaudit`: review suspended.
    Unaudit,
    Other(String),
}

impl AuditStatus {
    pub fn parse(text: &str) -> Self {
        match text {
            "auditing" => AuditStatus::Auditing,
            "pass" => AuditStatus::Pass,
            "fail" => AuditStatus::Fail,
            "unaudit" => AuditStatus::Unaudit,
            other => AuditStatus::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            AuditStatus::Auditing => "auditing",
            AuditStatus::Pass => "pass",
            AuditStatus::Fail => "fail",
            AuditStatus::Unaudit => "unaudit",
            AuditStatus::Other(s) => s,
        }
    }

    /// Whether `ModifyChatappTemplate` may change a template in this
    /// status: the SDK documents it for templates that are not approved
    /// (`fail`, `unaudit`); Meta lets no template under review be edited.
    /// Refusing `pass` is an assumption for CAMS (Meta allows a few edits
    /// of an approved template a month); a refusal comes back as an error
    /// either way.
    pub(crate) fn allows_modify(&self) -> bool {
        matches!(self, AuditStatus::Fail | AuditStatus::Unaudit)
    }
}

impl fmt::Display for AuditStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One component of a template (`Type`: `HEADER`, `BODY`, `FOOTER`,
/// `BUTTONS`, or one this client does not model such as `CAROUSEL`).
/// Serialised with CAMS's field names, absent fields left out.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct Component {
    #[serde(rename = "Type")]
    pub kind: String,
    /// `HEADER`: `TEXT`, `IMAGE`, `VIDEO`, `DOCUMENT` or `LOCATION`.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_text"
    )]
    pub format: Option<String>,
    /// `HEADER` (format `TEXT`), `BODY` and `FOOTER` text.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_text"
    )]
    pub text: Option<String>,
    /// A media header's sample file.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_text"
    )]
    pub url: Option<String>,
    /// A `DOCUMENT` header's file name.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_text"
    )]
    pub file_name: Option<String>,
    /// `BODY` of an AUTHENTICATION template.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_bool"
    )]
    pub add_secret_recommendation: Option<bool>,
    /// `FOOTER` of an AUTHENTICATION template.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_integer"
    )]
    pub code_expiration_minutes: Option<i64>,
    /// `BUTTONS`: the buttons, in order.
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "list")]
    pub buttons: Vec<Button>,
    /// `CAROUSEL`: its cards, as CAMS sent them (not modelled further).
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "list")]
    pub cards: Vec<Value>,
    /// Every other field, as CAMS sent it.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// One button of a `BUTTONS` component.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct Button {
    /// `QUICK_REPLY`, `URL`, `PHONE_NUMBER`, `COPY_CODE`, `FLOW`,
    /// `ONE_TAP`, `ZERO_TAP`, `MPM`, `CATALOG`, ...
    #[serde(rename = "Type")]
    pub kind: String,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_text"
    )]
    pub text: Option<String>,
    /// `URL`: the address (`{{1}}` at its end when `UrlType` is `dynamic`).
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_text"
    )]
    pub url: Option<String>,
    /// `URL`: `static` or `dynamic`.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_text"
    )]
    pub url_type: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_text"
    )]
    pub phone_number: Option<String>,
    /// `COPY_CODE`: the coupon code.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_text"
    )]
    pub coupon_code: Option<String>,
    /// `QUICK_REPLY`: a marketing opt-out button.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_bool"
    )]
    pub is_opt_out: Option<bool>,
    /// `FLOW`: the flow the button opens.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_text"
    )]
    pub flow_id: Option<String>,
    /// `FLOW`: `NAVIGATE` or `DATA_EXCHANGE`.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_text"
    )]
    pub flow_action: Option<String>,
    /// `FLOW` with `NAVIGATE`: the screen the flow opens on.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_text"
    )]
    pub navigate_screen: Option<String>,
    /// `ONE_TAP` / `ZERO_TAP`.
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_text"
    )]
    pub autofill_text: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_text"
    )]
    pub package_name: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_text"
    )]
    pub signature_hash: Option<String>,
    /// `ONE_TAP` / `ZERO_TAP`: the apps the code may be filled into.
    #[serde(skip_serializing_if = "Vec::is_empty", deserialize_with = "list")]
    pub supported_apps: Vec<SupportedApp>,
    /// Every other field (`ExtendAttrs`, ...), as sent.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// One app of a `ONE_TAP` / `ZERO_TAP` button.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct SupportedApp {
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_text"
    )]
    pub package_name: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_text"
    )]
    pub signature_hash: Option<String>,
}

/// Text as it is; a number or boolean as its JSON text (a field the SDK
/// types as a string may still come as a number); anything else counts
/// as absent, so one odd field never fails a whole read.
fn lenient_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}

/// `true`/`false`, or their text; anything else counts as absent.
fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => Some(b),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// A whole number, or a string holding one; anything else counts as absent.
fn lenient_integer<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// A list, `null` counting as empty.
fn list<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// `Components` as the compact JSON text CAMS reads from the query, in
/// the official SDK's wire form: keys in byte order, and the lists it
/// always writes (`Buttons` and `Cards` of every component,
/// `SupportedApps` of every button) present even when empty, so requests
/// match its vectors byte for byte.
pub(crate) fn components_json(components: &[Component]) -> String {
    // serde_json's Map is ordered by key: going through a Value sorts
    // the flattened `other` fields in with the modelled ones.
    let mut value = serde_json::to_value(components).unwrap_or_else(|_| Value::Array(Vec::new()));
    for component in value.as_array_mut().into_iter().flatten() {
        let Some(component) = component.as_object_mut() else {
            continue;
        };
        for list in ["Buttons", "Cards"] {
            component
                .entry(list)
                .or_insert_with(|| Value::Array(Vec::new()));
        }
        let buttons = component.get_mut("Buttons").and_then(Value::as_array_mut);
        for button in buttons.into_iter().flatten() {
            if let Some(button) = button.as_object_mut() {
                button
                    .entry("SupportedApps")
                    .or_insert_with(|| Value::Array(Vec::new()));
            }
        }
    }
    value.to_string()
}

/// `Example` (variable → sample) as compact JSON text.
pub(crate) fn example_json(example: &BTreeMap<String, String>) -> String {
    Value::from(serde_json::Map::from_iter(
        example
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone()))),
    ))
    .to_string()
}

/// `CreateChatappTemplate`'s answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedTemplate {
    pub template_code: String,
    pub template_name: Option<String>,
    pub request_id: Option<String>,
}

/// `ModifyChatappTemplate`'s answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModifiedTemplate {
    pub template_code: Option<String>,
    pub template_name: Option<String>,
    pub request_id: Option<String>,
}

/// `GetChatappTemplateDetail`'s answer. Only what identifies a template
/// is required; the rest is optional, as CAMS guarantees nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub name: String,
    pub language: String,
    pub template_code: Option<String>,
    pub category: Option<String>,
    pub template_type: Option<String>,
    pub audit_status: Option<AuditStatus>,
    /// Why Meta rejected it (with `fail`).
    pub reason: Option<String>,
    /// `GREEN`, `YELLOW`, `RED` or `UNKNOWN`.
    pub quality_score: Option<String>,
    pub components: Vec<Component>,
    /// Variable → sample.
    pub example: BTreeMap<String, String>,
    pub message_send_ttl_seconds: Option<i64>,
    pub category_change_paused: Option<bool>,
    pub allow_send: Option<bool>,
    pub request_id: Option<String>,
}

/// One item of `ListChatappTemplate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSummary {
    pub template_code: Option<String>,
    pub template_name: String,
    pub language: String,
    pub category: Option<String>,
    pub template_type: Option<String>,
    pub audit_status: Option<AuditStatus>,
    pub reason: Option<String>,
    /// `LastUpdateTime` as CAMS sends it (a number, unit undocumented).
    pub last_update_time: Option<i64>,
}

impl TemplateSummary {
    /// What tells two listed templates apart: name and language (a code
    /// may be absent).
    pub fn key(&self) -> (String, String) {
        (self.template_name.clone(), self.language.clone())
    }
}

/// One page of `ListChatappTemplate`, with the total CAMS reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TemplatePage {
    pub items: Vec<TemplateSummary>,
    pub total: Option<i64>,
}

fn text(object: &Map<String, Value>, name: &str) -> Option<String> {
    text_field(object, &[name])
}

fn integer(object: &Map<String, Value>, name: &str) -> Option<i64> {
    match object.get(name)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn boolean(object: &Map<String, Value>, name: &str) -> Option<bool> {
    match object.get(name)? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn data_object(envelope: &Envelope) -> Option<&Map<String, Value>> {
    envelope.data.as_ref().and_then(Value::as_object)
}

pub(crate) fn created_template(envelope: Envelope) -> Result<CreatedTemplate, ApiError> {
    let object = data_object(&envelope);
    let Some(template_code) = object.and_then(|o| text(o, "TemplateCode")) else {
        return Err(envelope.invalid("no Data.TemplateCode for the created template"));
    };
    Ok(CreatedTemplate {
        template_code,
        template_name: object.and_then(|o| text(o, "TemplateName")),
        request_id: envelope.request_id,
    })
}

pub(crate) fn modified_template(envelope: Envelope) -> ModifiedTemplate {
    let object = data_object(&envelope);
    ModifiedTemplate {
        template_code: object.and_then(|o| text(o, "TemplateCode")),
        template_name: object.and_then(|o| text(o, "TemplateName")),
        request_id: envelope.request_id,
    }
}

/// `Components`: a list, or a string holding one (the request's encoding).
fn components(
    object: &Map<String, Value>,
    envelope: &Envelope,
) -> Result<Vec<Component>, ApiError> {
    let parsed;
    let value = match object.get("Components") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::String(text)) => {
            parsed = serde_json::from_str::<Value>(text)
                .map_err(|_| envelope.invalid("a Data.Components text that is not JSON"))?;
            &parsed
        }
        Some(other) => other,
    };
    Vec::<Component>::deserialize(value).map_err(|e| {
        envelope.invalid(format!(
            "a Data.Components that is not a list of components ({e})"
        ))
    })
}

/// `Example`: a map of strings, or a string holding one. Non-string
/// samples are kept as their JSON text; anything else counts as empty.
fn example(object: &Map<String, Value>) -> BTreeMap<String, String> {
    let parsed;
    let map = match object.get("Example") {
        Some(Value::Object(map)) => map,
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => {
                parsed = map;
                &parsed
            }
            _ => return BTreeMap::new(),
        },
        _ => return BTreeMap::new(),
    };
    map.iter()
        .map(|(k, v)| {
            let sample = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), sample)
        })
        .collect()
}

/// `asked_name` and `asked_language` stand in when `Data` lacks them
/// (the template was asked for by code, or CAMS left them out).
pub fn template(
    envelope: Envelope,
    asked_name: Option<&str>,
    asked_language: &str,
) -> Result<Template, ApiError> {
    let Some(object) = data_object(&envelope) else {
        return Err(envelope.invalid("no Data object describing the template"));
    };
    let name = text(object, "Name")
        .or_else(|| text(object, "TemplateName"))
        .or_else(|| asked_name.map(str::to_owned));
    let Some(name) = name else {
        return Err(envelope.invalid("no Data.Name for the template"));
    };
    Ok(Template {
        name,
        language: text(object, "Language").unwrap_or_else(|| asked_language.to_owned()),
        template_code: text(object, "TemplateCode"),
        category: text(object, "Category"),
        template_type: text(object, "TemplateType"),
        audit_status: text(object, "AuditStatus").map(|s| AuditStatus::parse(&s)),
        reason: text(object, "Reason"),
        quality_score: text(object, "QualityScore"),
        components: components(object, &envelope)?,
        example: example(object),
        message_send_ttl_seconds: integer(object, "MessageSendTtlSeconds"),
        category_change_paused: boolean(object, "CategoryChangePaused"),
        allow_send: boolean(object, "AllowSend"),
        request_id: envelope.request_id.clone(),
    })
}

/// One page of `ListChatappTemplate`: `ListTemplate` and `Total` stand
/// beside `Data` at the top of the answer (absent list: an empty page).
/// Items without a name and language are an error: they could not be told
/// apart.
pub(crate) fn template_page(envelope: &Envelope) -> Result<TemplatePage, ApiError> {
    let items = match envelope.top_level.get("ListTemplate") {
        None | Some(Value::Null) => &Vec::new(),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(envelope.invalid("a ListTemplate that is not a list")),
    };
    let items = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let object = item.as_object();
            let name = object.and_then(|o| text(o, "TemplateName"));
            let language = object.and_then(|o| text(o, "Language"));
            match (object, name, language) {
                (Some(o), Some(template_name), Some(language)) => Ok(TemplateSummary {
                    template_code: text(o, "TemplateCode"),
                    template_name,
                    language,
                    category: text(o, "Category"),
                    template_type: text(o, "TemplateType"),
                    audit_status: text(o, "AuditStatus").map(|s| AuditStatus::parse(&s)),
                    reason: text(o, "Reason"),
                    last_update_time: integer(o, "LastUpdateTime"),
                }),
                _ => Err(envelope.invalid(format!(
                    "no TemplateName and Language in item {i} of ListTemplate"
                ))),
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(TemplatePage {
        items,
        total: integer(&envelope.top_level, "Total"),
    })
}

#[cfg(test)]
mod tests {
    use super::super::api_response::parse_envelope;
    use super::*;

    fn ok(body_rest: &str) -> Envelope {
        let body = format!(r#"{{"RequestId":"R","Code":"OK",{body_rest}}}"#);
        parse_envelope(200, body.as_bytes()).unwrap()
    }

    fn flow_button() -> Button {
        Button {
            kind: "FLOW".into(),
            text: Some("Sign up".into()),
            flow_id: Some("1234".into()),
            flow_action: Some("NAVIGATE".into()),
            navigate_screen: Some("WELCOME".into()),
            ..Button::default()
        }
    }

    #[test]
    fn components_are_compact_json_in_the_sdk_wire_form() {
        let components = vec![
            Component {
                kind: "BODY".into(),
                text: Some("Hi {{1}}".into()),
                ..Component::default()
            },
            Component {
                kind: "BUTTONS".into(),
                buttons: vec![flow_button()],
                ..Component::default()
            },
        ];
        assert_eq!(
            components_json(&components),
            r#"[{"Buttons":[],"Cards":[],"Text":"Hi {{1}}","Type":"BODY"},{"Buttons":[{"FlowAction":"NAVIGATE","FlowId":"1234","NavigateScreen":"WELCOME","SupportedApps":[],"Text":"Sign up","Type":"FLOW"}],"Cards":[],"Type":"BUTTONS"}]"#
        );
        let example = BTreeMap::from([("{{1}}".to_owned(), "Alice \"A\"".to_owned())]);
        assert_eq!(example_json(&example), r#"{"{{1}}":"Alice \"A\""}"#);
    }

    #[test]
    fn a_full_detail_is_read_and_unmodelled_fields_are_kept() {
        let t = template(
            ok(r#""Data":{"Name":"signup","Language":"en_US","Category":"MARKETING","TemplateCode":"C1",
                "TemplateType":"WHATSAPP","AuditStatus":"fail","Reason":"bad","QualityScore":"GREEN",
                "Components":[{"Type":"HEADER","Format":"LOCATION","Latitude":"1.5"},
                  {"Type":"FOOTER","CodeExpirationMinutes":"5"},
                  {"Type":"BUTTONS","Buttons":[{"Type":"FLOW","Text":"Go","FlowId":1234,"NavigateScreen":null},
                    {"Type":"QUICK_REPLY","Text":"Stop","IsOptOut":"true",
                    "SupportedApps":[{"PackageName":"p"}]}]},
                  {"Type":"CAROUSEL","Cards":[{"CardComponents":[]}]}],
                "Example":{"{{1}}":"Alice","{{2}}":3},"MessageSendTtlSeconds":"600",
                "CategoryChangePaused":false,"AllowSend":"true"}"#),
            None,
            "asked",
        )
        .unwrap();
        assert_eq!((t.name.as_str(), t.language.as_str()), ("signup", "en_US"));
        assert_eq!(t.audit_status, Some(AuditStatus::Fail));
        assert_eq!(t.reason.as_deref(), Some("bad"));
        assert_eq!(t.components.len(), 4);
        assert_eq!(t.components[0].other["Latitude"], "1.5");
        assert_eq!(t.components[1].code_expiration_minutes, Some(5));
        let flow = &t.components[2].buttons[0];
        assert_eq!(
            flow.flow_id.as_deref(),
            Some("1234"),
            "a number is read as text"
        );
        assert_eq!(flow.navigate_screen, None);
        assert_eq!(t.components[2].buttons[1].is_opt_out, Some(true));
        assert_eq!(
            t.components[2].buttons[1].supported_apps[0]
                .package_name
                .as_deref(),
            Some("p")
        );
        assert_eq!(t.components[3].cards.len(), 1);
        assert_eq!(t.example["{{2}}"], "3");
        assert_eq!(t.message_send_ttl_seconds, Some(600));
        assert_eq!(
            (t.category_change_paused, t.allow_send),
            (Some(false), Some(true))
        );
        // What was read is sent back as it came (unmodelled fields too).
        let again: Vec<Component> = serde_json::from_str(&components_json(&t.components)).unwrap();
        assert_eq!(again, t.components);
    }

    #[test]
    fn a_detail_needs_a_name_and_components_must_be_a_list() {
        let t = template(ok(r#""Data":{"AuditStatus":"paused"}"#), Some("n"), "fr").unwrap();
        assert_eq!((t.name.as_str(), t.language.as_str()), ("n", "fr"));
        assert_eq!(t.audit_status, Some(AuditStatus::Other("paused".into())));
        assert!(t.components.is_empty() && t.example.is_empty());
        let err = template(ok(r#""Data":{"Language":"fr"}"#), None, "fr").unwrap_err();
        assert!(err.to_string().contains("no Data.Name"), "{err}");
        let err = template(
            ok(r#""Data":{"Name":"n","Components":{"Type":"BODY"}}"#),
            None,
            "fr",
        )
        .unwrap_err();
        assert!(err.to_string().contains("Data.Components"), "{err}");
        assert_eq!(err.request_id(), Some("R"));
        let text = template(
            ok(r#""Data":{"Name":"n","Components":"[{\"Type\":\"BODY\",\"Text\":\"t\"}]"}"#),
            None,
            "fr",
        )
        .unwrap();
        assert_eq!(text.components[0].text.as_deref(), Some("t"));
    }

    #[test]
    fn statuses_round_trip_and_only_rejected_or_suspended_ones_allow_modify() {
        for text in ["auditing", "pass", "fail", "unaudit", "paused"] {
            assert_eq!(AuditStatus::parse(text).to_string(), text);
        }
        let modifiable: Vec<String> = ["auditing", "pass", "fail", "unaudit", "paused"]
            .into_iter()
            .map(AuditStatus::parse)
            .filter(AuditStatus::allows_modify)
            .map(|s| s.to_string())
            .collect();
        assert_eq!(modifiable, ["fail", "unaudit"]);
    }

    #[test]
    fn created_needs_a_code() {
        let c = created_template(ok(r#""Data":{"TemplateCode":"C","TemplateName":"n"}"#)).unwrap();
        assert_eq!(c.template_code, "C");
        let err = created_template(ok(r#""Data":{"TemplateName":"n"}"#)).unwrap_err();
        assert!(err.to_string().contains("TemplateCode"), "{err}");
        assert_eq!(modified_template(ok(r#""Data":null"#)).template_code, None);
    }

    #[test]
    fn list_pages_are_read_beside_data() {
        let page = template_page(&ok(
            r#""Total":2,"ListTemplate":[{"TemplateName":"a","Language":"en","TemplateCode":"C",
               "AuditStatus":"pass","LastUpdateTime":1700000000000},{"TemplateName":"a","Language":"fr"}]"#,
        ))
        .unwrap();
        assert_eq!(page.total, Some(2));
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.items[0].audit_status, Some(AuditStatus::Pass));
        assert_eq!(page.items[0].last_update_time, Some(1_700_000_000_000));
        assert_ne!(page.items[0].key(), page.items[1].key());
        assert!(template_page(&ok(r#""Data":null"#))
            .unwrap()
            .items
            .is_empty());
        assert!(template_page(&ok(r#""ListTemplate":{}"#)).is_err());
        let err = template_page(&ok(r#""ListTemplate":[{"TemplateName":"a"}]"#)).unwrap_err();
        assert!(err.to_string().contains("item 0"), "{err}");
    }
}
