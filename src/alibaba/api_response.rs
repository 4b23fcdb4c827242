//! Reading CAMS answers: pure functions from (HTTP status, body bytes) to
//! either the common envelope or a typed error. No I/O here, so they can be
//! fuzzed and unit-tested on their own.
//!
//! Every operation answers the same envelope (`RequestId`, `Code`, `Message`,
//! `AccessDeniedDetail`, `Data`). Success needs both a 2xx status and
//! `"Code": "OK"` (CAMS can answer HTTP 200 with a failure code); what `Data`
//! must hold is each operation's business (see `flows`). For
//! `GetFlowJSONAssest` that is a non-empty `Data.FilePath`.

use std::fmt;

use serde_json::{Map, Value};

use super::endpoint::redact_url;
use super::error_codes::{hint_for_code, retry_class, RetryClass};
use super::redact::Redactor;

/// How many bytes of an unreadable body an error quotes.
pub const BODY_SNIPPET_BYTES: usize = 200;
/// How many characters of a server-provided field an error quotes.
const FIELD_MAX_CHARS: usize = 300;

/// A successful `GetFlowJSONAssest` answer.
#[derive(Clone, PartialEq, Eq)]
pub struct FlowJsonAsset {
    /// `Data.FlowId`. The parser leaves it empty when the answer has none;
    /// the client then fills in the id it asked for.
    pub flow_id: String,
    /// `Data.FilePath`: where the Flow JSON can be downloaded, usually a
    /// presigned OSS URL. Its query is a bearer credential: never log it.
    pub file_path: String,
    /// The `RequestId` of the answer, if it had one.
    pub request_id: Option<String>,
}

impl fmt::Debug for FlowJsonAsset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FlowJsonAsset")
            .field("flow_id", &self.flow_id)
            .field("file_path", &redacted_file_path(&self.file_path))
            .field("request_id", &self.request_id)
            .finish()
    }
}

/// `FilePath` without its query, for logs; `<unparseable URL>` if it is not
/// a URL at all (the raw text could still hold a credential).
pub(crate) fn redacted_file_path(file_path: &str) -> String {
    match url::Url::parse(file_path) {
        Ok(url) => redact_url(&url),
        Err(_) => "<unparseable URL>".to_owned(),
    }
}

/// An error answer from CAMS (or its API gateway): a non-2xx status, or a
/// `Code` other than `OK`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    pub http_status: u16,
    /// `Code`; `None` when the body had none (e.g. a bare gateway 502).
    pub code: Option<String>,
    pub message: Option<String>,
    pub request_id: Option<String>,
    /// `AccessDeniedDetail` on RAM denials (which policy denied what).
    pub access_denied_detail: Option<String>,
    /// The action that was answered, once the client knows it: a RAM
    /// denial's hint then names the permission (`cams:<Action>`).
    pub action: Option<&'static str>,
}

impl ServiceError {
    fn is_permission_denial(&self) -> bool {
        matches!(
            self.code.as_deref(),
            Some("Ram.PermissionDeny" | "Forbidden.RAM" | "NoPermission")
        )
    }

    /// A one-line suggestion for the user, when the code is a known one.
    pub fn hint(&self) -> Option<&'static str> {
        match self.code.as_deref() {
            Some(code) => hint_for_code(code),
            None if self.http_status == 429 => hint_for_code("Throttling"),
            None if self.http_status >= 500 => hint_for_code("ServiceUnavailable"),
            None => None,
        }
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CAMS answered HTTP {} with ", self.http_status)?;
        match &self.code {
            Some(code) => write!(f, "Code {}", one_line(code))?,
            None => f.write_str("no error Code")?,
        }
        match &self.message {
            Some(message) => write!(f, ", Message \"{}\"", one_line(message))?,
            None => f.write_str(", no Message")?,
        }
        match &self.request_id {
            Some(id) => write!(f, ", RequestId {}", one_line(id))?,
            None => f.write_str(", no RequestId")?,
        }
        if let Some(detail) = &self.access_denied_detail {
            write!(f, ", AccessDeniedDetail \"{}\"", one_line(detail))?;
        }
        if let Some(hint) = self.hint() {
            write!(f, "; hint: {hint}")?;
            if let (Some(action), true) = (self.action, self.is_permission_denial()) {
                write!(f, " (here cams:{action})")?;
            }
        }
        Ok(())
    }
}

/// Why a `GetFlowJSONAssest` answer is not a usable asset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Service(ServiceError),
    #[error("CAMS answered HTTP {http_status} with {reason}; the body starts with: \"{snippet}\"")]
    MalformedBody {
        http_status: u16,
        reason: &'static str,
        /// The first [`BODY_SNIPPET_BYTES`] bytes, lossily decoded, on one line.
        snippet: String,
    },
    #[error("CAMS answered HTTP {http_status} with Code OK but no Data.FilePath ({}); hint: the flow may have no Flow JSON uploaded yet (UpdateFlowJSONAsset sets one)", request_id_clause(.request_id))]
    MissingFilePath {
        http_status: u16,
        request_id: Option<String>,
    },
    /// A successful answer whose `Data` lacks what the operation returns.
    /// `problem` is written by this client, never quoted from the server.
    #[error("CAMS answered HTTP {http_status} with Code OK but {problem} ({})", request_id_clause(.request_id))]
    InvalidData {
        http_status: u16,
        request_id: Option<String>,
        problem: String,
    },
}

fn request_id_clause(request_id: &Option<String>) -> String {
    match request_id {
        Some(id) => format!("RequestId {}", one_line(id)),
        None => "no RequestId".to_owned(),
    }
}

impl ApiError {
    /// The same error with every server-provided text passed through
    /// `redactor` (a message may quote the string to sign).
    pub(crate) fn redacted(self, redactor: &Redactor) -> Self {
        match self {
            ApiError::Service(e) => ApiError::Service(ServiceError {
                http_status: e.http_status,
                code: redactor.scrub_opt(e.code),
                message: redactor.scrub_opt(e.message),
                request_id: redactor.scrub_opt(e.request_id),
                access_denied_detail: redactor.scrub_opt(e.access_denied_detail),
                action: e.action,
            }),
            ApiError::MalformedBody {
                http_status,
                reason,
                snippet,
            } => ApiError::MalformedBody {
                http_status,
                reason,
                snippet: redactor.scrub(&snippet),
            },
            ApiError::MissingFilePath {
                http_status,
                request_id,
            } => ApiError::MissingFilePath {
                http_status,
                request_id: redactor.scrub_opt(request_id),
            },
            ApiError::InvalidData {
                http_status,
                request_id,
                problem,
            } => ApiError::InvalidData {
                http_status,
                request_id: redactor.scrub_opt(request_id),
                problem,
            },
        }
    }

    pub fn http_status(&self) -> u16 {
        match self {
            ApiError::Service(e) => e.http_status,
            ApiError::MalformedBody { http_status, .. }
            | ApiError::MissingFilePath { http_status, .. }
            | ApiError::InvalidData { http_status, .. } => *http_status,
        }
    }

    /// The error `Code`, when the answer had one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Service(e) => e.code.as_deref(),
            _ => None,
        }
    }

    pub fn request_id(&self) -> Option<&str> {
        match self {
            ApiError::Service(e) => e.request_id.as_deref(),
            ApiError::MissingFilePath { request_id, .. }
            | ApiError::InvalidData { request_id, .. } => request_id.as_deref(),
            ApiError::MalformedBody { .. } => None,
        }
    }

    /// Whether (and how) asking again could help.
    pub(crate) fn retry_class(&self) -> RetryClass {
        match self {
            ApiError::Service(e) => retry_class(e.http_status, e.code.as_deref()),
            // An HTML page from a proxy on a 502 is worth another try; a
            // broken body on a 2xx or 4xx is not.
            ApiError::MalformedBody { http_status, .. } => retry_class(*http_status, None),
            ApiError::MissingFilePath { .. } | ApiError::InvalidData { .. } => RetryClass::Fatal,
        }
    }

    /// The same error, knowing which action was answered.
    pub(crate) fn for_action(self, action: &'static str) -> Self {
        match self {
            ApiError::Service(e) => ApiError::Service(ServiceError {
                action: Some(action),
                ..e
            }),
            other => other,
        }
    }

    /// The error answer itself, when CAMS sent one.
    pub fn service(&self) -> Option<&ServiceError> {
        match self {
            ApiError::Service(e) => Some(e),
            _ => None,
        }
    }
}

/// A successful answer: what every operation shares.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    pub http_status: u16,
    pub request_id: Option<String>,
    /// `Data`, absent when the answer had none or `null`.
    pub data: Option<Value>,
    /// The answer's other top-level members: `ListChatappTemplate` answers
    /// its `ListTemplate` and `Total` beside `Data`, not in it.
    pub top_level: Map<String, Value>,
}

impl Envelope {
    /// An [`ApiError::InvalidData`] about this answer.
    pub fn invalid(&self, problem: impl Into<String>) -> ApiError {
        ApiError::InvalidData {
            http_status: self.http_status,
            request_id: self.request_id.clone(),
            problem: problem.into(),
        }
    }
}

/// Parses any CAMS answer into its envelope, or the error it reports.
/// Never panics, whatever the bytes.
pub fn parse_envelope(status: u16, body: &[u8]) -> Result<Envelope, ApiError> {
    let malformed = |reason| ApiError::MalformedBody {
        http_status: status,
        reason,
        snippet: body_snippet(body),
    };
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(malformed("an empty body"));
    }
    let value: Value =
        serde_json::from_slice(body).map_err(|_| malformed("a body that is not JSON"))?;
    let Value::Object(mut object) = value else {
        return Err(malformed("a JSON body that is not an object"));
    };

    let code = text_field(&object, &["Code", "code"]);
    let request_id = text_field(&object, &["RequestId", "requestId"]);
    let success_status = (200..300).contains(&status);
    if !success_status || code.as_deref() != Some("OK") {
        return Err(ApiError::Service(ServiceError {
            http_status: status,
            code,
            message: text_field(&object, &["Message", "message"]),
            request_id,
            access_denied_detail: text_field(
                &object,
                &["AccessDeniedDetail", "accessDeniedDetail"],
            ),
            action: None,
        }));
    }
    let data = object.remove("Data").filter(|d| !d.is_null());
    Ok(Envelope {
        http_status: status,
        request_id,
        data,
        top_level: object,
    })
}

/// Parses a `GetFlowJSONAssest` answer. Never panics, whatever the bytes.
pub fn parse_get_flow_json_response(status: u16, body: &[u8]) -> Result<FlowJsonAsset, ApiError> {
    flow_json_asset(parse_envelope(status, body)?)
}

/// The asset in a successful `GetFlowJSONAssest` envelope.
pub(crate) fn flow_json_asset(envelope: Envelope) -> Result<FlowJsonAsset, ApiError> {
    let data = envelope.data.as_ref().and_then(Value::as_object);
    let file_path = data
        .and_then(|d| d.get("FilePath"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let Some(file_path) = file_path else {
        return Err(ApiError::MissingFilePath {
            http_status: envelope.http_status,
            request_id: envelope.request_id,
        });
    };
    let flow_id = data
        .and_then(|d| d.get("FlowId"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    Ok(FlowJsonAsset {
        flow_id: flow_id.to_owned(),
        file_path: file_path.to_owned(),
        request_id: envelope.request_id,
    })
}

/// The first of `names` present as a meaningful value. Strings are taken as
/// they are, numbers and objects as compact JSON; empty strings and the
/// literal `"None"` (which CAMS documentation samples show) count as absent.
pub(crate) fn text_field(object: &Map<String, Value>, names: &[&str]) -> Option<String> {
    names.iter().find_map(|name| match object.get(*name)? {
        Value::Null => None,
        Value::String(s) if s.trim().is_empty() || s == "None" => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    })
}

/// The first [`BODY_SNIPPET_BYTES`] bytes of a body, lossily decoded and on
/// one line.
pub(crate) fn body_snippet(body: &[u8]) -> String {
    let head = &body[..body.len().min(BODY_SNIPPET_BYTES)];
    let mut text = flatten(&String::from_utf8_lossy(head));
    if body.len() > BODY_SNIPPET_BYTES {
        text.push('…');
    }
    text
}

/// A server-provided string made safe for a one-line message: control
/// characters become spaces, and it is cut at [`FIELD_MAX_CHARS`].
pub(crate) fn one_line(s: &str) -> String {
    let mut out: String = flatten(&s.chars().take(FIELD_MAX_CHARS).collect::<String>());
    if s.chars().count() > FIELD_MAX_CHARS {
        out.push('…');
    }
    out
}

fn flatten(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK_BODY: &str = r#"{"RequestId":"R-1","Code":"OK","Message":"None","AccessDeniedDetail":"None",
        "Data":{"FlowId":"flow_1","FilePath":"https://b.oss-ap-southeast-1.aliyuncs.com/f.json?Expires=1&Signature=a%2Bb%3D"}}"#;

    #[test]
    fn a_complete_ok_answer_is_an_asset() {
        let asset = parse_get_flow_json_response(200, OK_BODY.as_bytes()).unwrap();
        assert_eq!(asset.flow_id, "flow_1");
        assert_eq!(
            asset.file_path,
            "https://b.oss-ap-southeast-1.aliyuncs.com/f.json?Expires=1&Signature=a%2Bb%3D"
        );
        assert_eq!(asset.request_id.as_deref(), Some("R-1"));
    }

    #[test]
    fn asset_debug_hides_the_presigned_query() {
        let asset = parse_get_flow_json_response(200, OK_BODY.as_bytes()).unwrap();
        let debug = format!("{asset:?}");
        assert!(debug.contains("https://b.oss-ap-southeast-1.aliyuncs.com/f.json"));
        assert!(!debug.contains("Signature"), "{debug}");
    }

    #[test]
    fn code_other_than_ok_on_http_200_is_a_service_error() {
        let body = br#"{"RequestId":"R-2","Code":"Flow.NotExist","Message":"flow not found"}"#;
        let err = parse_get_flow_json_response(200, body).unwrap_err();
        assert_eq!(err.code(), Some("Flow.NotExist"));
        assert_eq!(err.request_id(), Some("R-2"));
        assert_eq!(err.http_status(), 200);
        assert_eq!(err.retry_class(), RetryClass::Fatal);
        let text = err.to_string();
        assert!(
            text.contains("Flow.NotExist")
                && text.contains("flow not found")
                && text.contains("R-2"),
            "{text}"
        );
    }

    #[test]
    fn missing_code_on_http_200_is_not_success() {
        let body = br#"{"RequestId":"R-3","Data":{"FilePath":"https://x/y"}}"#;
        let err = parse_get_flow_json_response(200, body).unwrap_err();
        assert!(matches!(
            err,
            ApiError::Service(ServiceError { code: None, .. })
        ));
    }

    #[test]
    fn ok_code_on_an_error_status_is_not_success() {
        let err = parse_get_flow_json_response(500, OK_BODY.as_bytes()).unwrap_err();
        assert_eq!(err.http_status(), 500);
        assert_eq!(err.retry_class(), RetryClass::Transient);
    }

    #[test]
    fn pop_error_bodies_carry_code_message_request_id_and_hint() {
        let body = br#"{"RequestId":"C826B7B0","HostId":"cams.ap-southeast-1.aliyuncs.com","Code":"Product.Unsubscript",
            "Message":"You have not subscribed to the specified product.","Recommend":"https://api.aliyun.com/troubleshoot"}"#;
        let err = parse_get_flow_json_response(400, body).unwrap_err();
        let ApiError::Service(service) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(service.code.as_deref(), Some("Product.Unsubscript"));
        assert!(service.hint().unwrap().contains("not activated"));
        let text = err.to_string();
        assert_eq!(
            text,
            "CAMS answered HTTP 400 with Code Product.Unsubscript, Message \"You have not subscribed to the specified product.\", RequestId C826B7B0; hint: Chat App Message Service is not activated for this Alibaba Cloud account; activate CAMS in the console, or use credentials of the account that owns the CAMS space"
        );
    }

    #[test]
    fn lowercase_field_names_and_access_denied_detail_are_read() {
        let body = br#"{"requestId":"r","code":"Ram.PermissionDeny","message":"denied","AccessDeniedDetail":{"PolicyType":"Explicit"}}"#;
        let err = parse_get_flow_json_response(403, body).unwrap_err();
        let ApiError::Service(service) = err else {
            panic!()
        };
        assert_eq!(service.request_id.as_deref(), Some("r"));
        assert_eq!(service.message.as_deref(), Some("denied"));
        assert_eq!(
            service.access_denied_detail.as_deref(),
            Some(r#"{"PolicyType":"Explicit"}"#)
        );
    }

    #[test]
    fn garbage_bodies_are_quoted_briefly() {
        let html = format!("<html>\n<body>{}</body></html>", "x".repeat(1000));
        let err = parse_get_flow_json_response(502, html.as_bytes()).unwrap_err();
        let ApiError::MalformedBody { snippet, .. } = &err else {
            panic!()
        };
        assert!(snippet.starts_with("<html> <body>xxx"));
        assert!(snippet.chars().count() <= BODY_SNIPPET_BYTES + 1);
        assert_eq!(err.retry_class(), RetryClass::Transient);
        let err = parse_get_flow_json_response(200, b"not json").unwrap_err();
        assert!(err.to_string().contains("not JSON"));
        assert_eq!(err.retry_class(), RetryClass::Fatal);
        assert!(matches!(
            parse_get_flow_json_response(200, b"  "),
            Err(ApiError::MalformedBody {
                reason: "an empty body",
                ..
            })
        ));
        assert!(matches!(
            parse_get_flow_json_response(200, b"[1,2]"),
            Err(ApiError::MalformedBody { .. })
        ));
    }

    #[test]
    fn invalid_utf8_is_quoted_lossily() {
        let err = parse_get_flow_json_response(200, &[0xff, 0xfe, b'a']).unwrap_err();
        assert!(err.to_string().contains("\u{fffd}\u{fffd}a"));
    }

    #[test]
    fn missing_or_empty_file_path_is_its_own_error() {
        for body in [
            r#"{"Code":"OK","RequestId":"R"}"#,
            r#"{"Code":"OK","RequestId":"R","Data":{}}"#,
            r#"{"Code":"OK","RequestId":"R","Data":{"FilePath":"  "}}"#,
            r#"{"Code":"OK","RequestId":"R","Data":{"FilePath":42}}"#,
            r#"{"Code":"OK","RequestId":"R","Data":"x"}"#,
        ] {
            let err = parse_get_flow_json_response(200, body.as_bytes()).unwrap_err();
            assert_eq!(
                err,
                ApiError::MissingFilePath {
                    http_status: 200,
                    request_id: Some("R".into())
                },
                "{body}"
            );
        }
    }

    #[test]
    fn long_and_multiline_fields_are_kept_on_one_bounded_line() {
        let message = format!("line1\nline2{}", "m".repeat(2000));
        let body = serde_json::json!({"Code": "X", "Message": message}).to_string();
        let text = parse_get_flow_json_response(400, body.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(!text.contains('\n'));
        assert!(text.len() < 1000, "{}", text.len());
    }

    #[test]
    fn literal_none_values_count_as_absent() {
        let body = br#"{"Code":"X","Message":"None","RequestId":"","AccessDeniedDetail":"None"}"#;
        let ApiError::Service(e) = parse_get_flow_json_response(400, body).unwrap_err() else {
            panic!()
        };
        assert_eq!(
            (e.message, e.request_id, e.access_denied_detail),
            (None, None, None)
        );
    }
}
