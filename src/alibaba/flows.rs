//! The typed results of the Flow operations, read from a successful
//! envelope's `Data` (field names as in the official SDK
//! `alibabacloud-cams20200606` 5.3.1 models). Pure functions.
//!
//! Only what identifies the result is required (a created flow's `FlowId`,
//! a preview's `PreviewUrl`); every other field is optional, because CAMS
//! documents no guarantee and a missing name must not fail a whole read.

use std::fmt;

use serde_json::{Map, Value};

use super::api_response::{redacted_file_path, text_field, ApiError, Envelope};

/// A flow's status. CAMS documents three; Meta has more (`BLOCKED`,
/// `THROTTLED`), so any other value is kept as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlowStatus {
    Draft,
    Published,
    Deprecated,
    Other(String),
}

impl FlowStatus {
    pub fn parse(text: &str) -> Self {
        match text {
            "DRAFT" => FlowStatus::Draft,
            "PUBLISHED" => FlowStatus::Published,
            "DEPRECATED" => FlowStatus::Deprecated,
            other => FlowStatus::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            FlowStatus::Draft => "DRAFT",
            FlowStatus::Published => "PUBLISHED",
            FlowStatus::Deprecated => "DEPRECATED",
            FlowStatus::Other(s) => s,
        }
    }
}

impl fmt::Display for FlowStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `CreateFlow`'s answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedFlow {
    pub flow_id: String,
    pub flow_name: Option<String>,
    pub categories: Option<Vec<String>>,
    pub request_id: Option<String>,
}

/// `GetFlow`'s answer.
#[derive(Clone, PartialEq, Eq)]
pub struct Flow {
    pub flow_id: String,
    pub flow_name: Option<String>,
    pub categories: Option<Vec<String>>,
    pub status: Option<FlowStatus>,
    pub json_version: Option<String>,
    pub data_api_version: Option<String>,
    pub endpoint_uri: Option<String>,
    /// A link that shows the flow; it may carry a token, so `Debug` shows
    /// only its scheme, host and path.
    pub preview_url: Option<String>,
    /// `PreviewUrlExpires` as CAMS sends it (a number; its unit is not
    /// documented).
    pub preview_url_expires: Option<i64>,
    pub request_id: Option<String>,
}

impl fmt::Debug for Flow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Flow")
            .field("flow_id", &self.flow_id)
            .field("flow_name", &self.flow_name)
            .field("categories", &self.categories)
            .field("status", &self.status)
            .field("json_version", &self.json_version)
            .field("data_api_version", &self.data_api_version)
            .field("endpoint_uri", &self.endpoint_uri)
            .field(
                "preview_url",
                &self.preview_url.as_deref().map(redacted_file_path),
            )
            .field("preview_url_expires", &self.preview_url_expires)
            .field("request_id", &self.request_id)
            .finish()
    }
}

/// One item of `ListFlow` (CAMS lists no status).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowSummary {
    pub flow_id: String,
    pub flow_name: Option<String>,
    pub categories: Option<Vec<String>>,
}

/// `ModifyFlow`'s answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModifiedFlow {
    pub flow_id: Option<String>,
    pub flow_name: Option<String>,
    pub categories: Option<Vec<String>>,
    pub endpoint_uri: Option<String>,
    pub request_id: Option<String>,
}

/// `GetFlowPreviewUrl`'s answer.
#[derive(Clone, PartialEq, Eq)]
pub struct FlowPreview {
    pub flow_id: Option<String>,
    pub preview_url: String,
    pub preview_url_expires: Option<i64>,
    pub request_id: Option<String>,
}

impl fmt::Debug for FlowPreview {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FlowPreview")
            .field("flow_id", &self.flow_id)
            .field("preview_url", &redacted_file_path(&self.preview_url))
            .field("preview_url_expires", &self.preview_url_expires)
            .field("request_id", &self.request_id)
            .finish()
    }
}

/// The answer of an operation that returns nothing but success
/// (`PublishFlow`, `DeprecateFlow`, `DeleteFlow`, `UpdateFlowJSONAsset`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    pub request_id: Option<String>,
}

fn data_object(envelope: &Envelope) -> Option<&Map<String, Value>> {
    envelope.data.as_ref().and_then(Value::as_object)
}

/// `Categories`: a JSON array of strings; a string holding such an array
/// (the request's own encoding) is read too. Anything else counts as absent.
fn categories(object: &Map<String, Value>) -> Option<Vec<String>> {
    let value = object.get("Categories")?;
    let parsed;
    let list = match value {
        Value::Array(list) => list,
        Value::String(text) => {
            parsed = serde_json::from_str::<Value>(text).ok()?;
            parsed.as_array()?
        }
        _ => return None,
    };
    list.iter().map(|c| c.as_str().map(str::to_owned)).collect()
}

/// A number, or a string holding one.
fn integer(object: &Map<String, Value>, name: &str) -> Option<i64> {
    match object.get(name)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn text(object: &Map<String, Value>, name: &str) -> Option<String> {
    text_field(object, &[name])
}

pub fn created_flow(envelope: Envelope) -> Result<CreatedFlow, ApiError> {
    let object = data_object(&envelope);
    let flow_id = object.and_then(|o| text(o, "FlowId"));
    let Some(flow_id) = flow_id else {
        return Err(envelope.invalid("no Data.FlowId for the created flow"));
    };
    Ok(CreatedFlow {
        flow_id,
        flow_name: object.and_then(|o| text(o, "FlowName")),
        categories: object.and_then(categories),
        request_id: envelope.request_id,
    })
}

/// `asked` is the id the caller asked for; it stands in when `Data` has
/// no `FlowId`.
pub fn flow(envelope: Envelope, asked: &str) -> Result<Flow, ApiError> {
    let Some(object) = data_object(&envelope) else {
        return Err(envelope.invalid("no Data object describing the flow"));
    };
    Ok(Flow {
        flow_id: text(object, "FlowId").unwrap_or_else(|| asked.to_owned()),
        flow_name: text(object, "FlowName"),
        categories: categories(object),
        status: text(object, "Status").map(|s| FlowStatus::parse(&s)),
        json_version: text(object, "JSONVersion"),
        data_api_version: text(object, "DataApiVersion"),
        endpoint_uri: text(object, "EndpointUri"),
        preview_url: text(object, "PreviewUrl"),
        preview_url_expires: integer(object, "PreviewUrlExpires"),
        request_id: envelope.request_id.clone(),
    })
}

/// One page of `ListFlow`: `Data` is a list (absent means an empty page).
/// Items without a `FlowId` are an error: they could not be told apart.
pub(crate) fn flow_page(envelope: &Envelope) -> Result<Vec<FlowSummary>, ApiError> {
    let items = match &envelope.data {
        None => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(envelope.invalid("a Data that is not a list of flows")),
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let object = item.as_object();
            let flow_id = object.and_then(|o| text(o, "FlowId"));
            match flow_id {
                Some(flow_id) => Ok(FlowSummary {
                    flow_id,
                    flow_name: object.and_then(|o| text(o, "FlowName")),
                    categories: object.and_then(categories),
                }),
                None => Err(envelope.invalid(format!("no FlowId in item {i} of the list"))),
            }
        })
        .collect()
}

pub(crate) fn modified_flow(envelope: Envelope) -> ModifiedFlow {
    let object = data_object(&envelope);
    ModifiedFlow {
        flow_id: object.and_then(|o| text(o, "FlowId")),
        flow_name: object.and_then(|o| text(o, "FlowName")),
        categories: object.and_then(categories),
        endpoint_uri: object.and_then(|o| text(o, "EndpointUri")),
        request_id: envelope.request_id,
    }
}

pub(crate) fn flow_preview(envelope: Envelope) -> Result<FlowPreview, ApiError> {
    let object = data_object(&envelope);
    let Some(preview_url) = object.and_then(|o| text(o, "PreviewUrl")) else {
        return Err(envelope.invalid("no Data.PreviewUrl"));
    };
    Ok(FlowPreview {
        flow_id: object.and_then(|o| text(o, "FlowId")),
        preview_url,
        preview_url_expires: object.and_then(|o| integer(o, "PreviewUrlExpires")),
        request_id: envelope.request_id,
    })
}

pub fn done(envelope: Envelope) -> Done {
    Done {
        request_id: envelope.request_id,
    }
}

#[cfg(test)]
mod tests {
    use super::super::api_response::parse_envelope;
    use super::*;

    fn ok(data: &str) -> Envelope {
        let body = format!(r#"{{"RequestId":"R","Code":"OK","Data":{data}}}"#);
        parse_envelope(200, body.as_bytes()).unwrap()
    }

    #[test]
    fn a_full_get_flow_answer_is_read() {
        let flow = flow(
            ok(r#"{"FlowId":"f1","FlowName":"n","Categories":["SIGN_UP","OTHER"],"Status":"PUBLISHED",
                "JSONVersion":"7.0","DataApiVersion":"3.0","EndpointUri":"https://e","PreviewUrl":"https://p/x?token=abc",
                "PreviewUrlExpires":1714550400000}"#),
            "asked",
        )
        .unwrap();
        assert_eq!(flow.flow_id, "f1");
        assert_eq!(flow.flow_name.as_deref(), Some("n"));
        assert_eq!(
            flow.categories,
            Some(vec!["SIGN_UP".to_owned(), "OTHER".to_owned()])
        );
        assert_eq!(flow.status, Some(FlowStatus::Published));
        assert_eq!(flow.json_version.as_deref(), Some("7.0"));
        assert_eq!(flow.data_api_version.as_deref(), Some("3.0"));
        assert_eq!(flow.endpoint_uri.as_deref(), Some("https://e"));
        assert_eq!(flow.preview_url_expires, Some(1_714_550_400_000));
        assert_eq!(flow.request_id.as_deref(), Some("R"));
        assert!(!format!("{flow:?}").contains("token=abc"));
    }

    #[test]
    fn unknown_statuses_are_kept_and_missing_ids_are_the_asked_one() {
        let flow = flow(ok(r#"{"Status":"THROTTLED"}"#), "asked").unwrap();
        assert_eq!(flow.flow_id, "asked");
        assert_eq!(flow.status, Some(FlowStatus::Other("THROTTLED".into())));
        assert_eq!(flow.status.unwrap().to_string(), "THROTTLED");
        assert!(matches!(
            super::flow(ok("null"), "x"),
            Err(ApiError::InvalidData { .. })
        ));
    }

    #[test]
    fn categories_as_json_text_are_read_and_odd_ones_are_absent() {
        let f = flow(ok(r#"{"Categories":"[\"SURVEY\"]"}"#), "x").unwrap();
        assert_eq!(f.categories, Some(vec!["SURVEY".to_owned()]));
        for odd in [
            r#"{"Categories":[1]}"#,
            r#"{"Categories":"x"}"#,
            r#"{"Categories":{}}"#,
        ] {
            assert_eq!(flow(ok(odd), "x").unwrap().categories, None, "{odd}");
        }
    }

    #[test]
    fn created_flow_needs_a_flow_id() {
        let c = created_flow(ok(
            r#"{"FlowId":"f","FlowName":"n","Categories":["OTHER"]}"#,
        ))
        .unwrap();
        assert_eq!(
            (c.flow_id.as_str(), c.flow_name.as_deref()),
            ("f", Some("n"))
        );
        let err = created_flow(ok(r#"{"FlowName":"n"}"#)).unwrap_err();
        assert!(err.to_string().contains("no Data.FlowId"), "{err}");
        assert_eq!(err.request_id(), Some("R"));
    }

    #[test]
    fn list_pages_are_lists_of_identified_flows() {
        let page = flow_page(&ok(
            r#"[{"FlowId":"a","FlowName":"A","Categories":["OTHER"]},{"FlowId":"b"}]"#,
        ))
        .unwrap();
        assert_eq!(page.len(), 2);
        assert_eq!(page[1].flow_id, "b");
        assert_eq!(page[1].flow_name, None);
        assert!(flow_page(&ok("[]")).unwrap().is_empty());
        assert!(flow_page(&ok("null")).unwrap().is_empty());
        assert!(flow_page(&ok(r#"{"FlowId":"a"}"#)).is_err());
        let err = flow_page(&ok(r#"[{"FlowId":"a"},{"FlowName":"no id"}]"#)).unwrap_err();
        assert!(err.to_string().contains("item 1"), "{err}");
    }

    #[test]
    fn previews_need_a_url_and_hide_its_query() {
        let p = flow_preview(ok(
            r#"{"FlowId":"f","PreviewUrl":"https://p/x?t=secret","PreviewUrlExpires":"17"}"#,
        ))
        .unwrap();
        assert_eq!(p.preview_url_expires, Some(17));
        assert!(!format!("{p:?}").contains("secret"));
        assert!(flow_preview(ok(r#"{"FlowId":"f"}"#)).is_err());
    }

    #[test]
    fn modify_and_done_answers_take_what_is_there() {
        let m = modified_flow(ok(r#"{"FlowId":"f","EndpointUri":"https://e"}"#));
        assert_eq!(m.endpoint_uri.as_deref(), Some("https://e"));
        assert_eq!(m.flow_name, None);
        assert_eq!(done(ok("null")).request_id.as_deref(), Some("R"));
    }

    mod never_panics {
        use super::super::super::api_response::parse_envelope;
        use super::super::super::upload_authorization::upload_authorization;
        use super::super::*;
        use proptest::prelude::*;

        /// JSON values whose objects often use the field names the readers
        /// look for, with values of every type.
        fn json_value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::from),
                any::<i64>().prop_map(Value::from),
                any::<f64>().prop_map(Value::from),
                ".{0,12}".prop_map(Value::from),
            ];
            let name = prop_oneof![
                Just("FlowId".to_owned()),
                Just("FlowName".to_owned()),
                Just("Categories".to_owned()),
                Just("Status".to_owned()),
                Just("PreviewUrl".to_owned()),
                Just("PreviewUrlExpires".to_owned()),
                Just("FilePath".to_owned()),
                Just("EndPoint".to_owned()),
                Just("BucketName".to_owned()),
                Just("Expire".to_owned()),
                Just("AccessKeyId".to_owned()),
                Just("AccessKeySecret".to_owned()),
                Just("SecurityToken".to_owned()),
                Just("Dir".to_owned()),
                ".{0,6}",
            ];
            leaf.prop_recursive(3, 32, 6, move |inner| {
                prop_oneof![
                    prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                    prop::collection::vec((name.clone(), inner), 0..8)
                        .prop_map(|kv| Value::Object(kv.into_iter().collect())),
                ]
            })
        }

        proptest! {
            #[test]
            fn any_answer_is_a_result_or_a_typed_error(
                status in 0u16..1000,
                ok in any::<bool>(),
                data in json_value(),
            ) {
                let code = if ok { "OK" } else { "X" };
                let body = serde_json::json!({"Code": code, "RequestId": "r", "Data": data}).to_string();
                match parse_envelope(status, body.as_bytes()) {
                    Ok(envelope) => {
                        let _ = flow(envelope.clone(), "asked");
                        let _ = created_flow(envelope.clone());
                        let _ = flow_page(&envelope);
                        let _ = modified_flow(envelope.clone());
                        let _ = flow_preview(envelope.clone());
                        let _ = upload_authorization(&envelope, i64::MAX - 10);
                        let _ = upload_authorization(&envelope, 0);
                    }
                    Err(error) => {
                        let _ = error.to_string();
                    }
                }
            }

            #[test]
            fn any_bytes_are_an_envelope_or_a_typed_error(
                status in any::<u16>(),
                body in prop::collection::vec(any::<u8>(), 0..300),
            ) {
                if let Err(error) = parse_envelope(status, &body) {
                    let _ = error.to_string();
                }
            }
        }
    }
}
