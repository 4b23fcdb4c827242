//! POP ("Alibaba Cloud OpenAPI gateway") answers: the JSON error body every
//! RPC API shares, and the table of well-known codes with their usual HTTP
//! status and message.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// The `Code` and `Message` of CAMS flow control (documented for the flow APIs).
pub const LIMIT_CONTROL: &str = "System.LimitControl";
const LIMIT_CONTROL_MESSAGE: &str = "The system is under flow control.";

/// A POP error answer: HTTP status, `Code`, `Message`, plus the optional
/// `AccessDeniedDetail` (RAM denials) and `x-acs-retry-after` (throttling).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub access_denied_detail: Option<Value>,
    pub retry_after_ms: Option<u64>,
}

impl PopError {
    /// An error with an explicit status and message.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        PopError {
            status,
            code: code.to_string(),
            message: message.into(),
            access_denied_detail: None,
            retry_after_ms: None,
        }
    }

    /// The error with this code as Alibaba usually answers it (status,
    /// message, `AccessDeniedDetail` for RAM denials); `status` overrides
    /// the usual status. Unknown codes default to 400.
    pub fn known(code: &str, status: Option<u16>) -> Self {
        let (usual, message) = usual_status_and_message(code);
        let status = status
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(usual);
        let mut error = PopError::new(status, code, message);
        if code == "Ram.PermissionDeny" || code == "Forbidden.RAM" || code == "NoPermission" {
            error.access_denied_detail = Some(access_denied_detail());
        }
        if code == LIMIT_CONTROL {
            error.retry_after_ms = Some(200);
        }
        error
    }

    /// `System.LimitControl` with the time until a request slot frees.
    pub fn limit_control(retry_after_ms: u64) -> Self {
        let mut error = PopError::new(
            StatusCode::BAD_REQUEST,
            LIMIT_CONTROL,
            LIMIT_CONTROL_MESSAGE,
        );
        error.retry_after_ms = Some(retry_after_ms.max(1));
        error
    }

    /// `MissingParameter` for a mandatory parameter.
    pub fn missing_parameter(name: &str) -> Self {
        PopError::new(
            StatusCode::BAD_REQUEST,
            "MissingParameter",
            format!("The input parameter \"{name}\" that is mandatory for processing this request is not supplied."),
        )
    }

    /// Renders the POP JSON body `{"RequestId","HostId","Code","Message","Recommend"}`.
    pub fn into_response(self, request_id: &str, host_id: &str) -> Response {
        let mut body = json!({
            "RequestId": request_id,
            "HostId": host_id,
            "Code": self.code,
            "Message": self.message,
            "Recommend": format!(
                "https://api.aliyun.com/troubleshoot?q={}&product=cams&requestId={}",
                self.code, request_id
            ),
        });
        if let (Some(detail), Some(map)) = (self.access_denied_detail, body.as_object_mut()) {
            map.insert("AccessDeniedDetail".to_string(), detail);
        }
        let mut response = (self.status, json_body(&body)).into_response();
        if let Some(ms) = self.retry_after_ms {
            response
                .headers_mut()
                .insert("x-acs-retry-after", HeaderValue::from(ms));
        }
        response
    }
}

/// A JSON value as a response body with `content-type: application/json`.
pub fn json_body(value: &Value) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json;charset=utf-8"),
        )],
        value.to_string(),
    )
        .into_response()
}

/// What Alibaba's gateways usually answer for a code (from the CAMS error
/// code list and the common POP gateway errors); unknown codes get 400 and
/// a generic text.
fn usual_status_and_message(code: &str) -> (StatusCode, String) {
    let (status, message) = match code {
        "Product.Unsubscript" => (400, "You have not subscribed to the specified product."),
        "Ram.PermissionDeny" => (400, "You are not authorized to perform this operation."),
        "Forbidden.RAM" => (
            403,
            "User not authorized to operate on the specified resource, or this API doesn't support RAM.",
        ),
        "NoPermission" => (403, "You are not authorized to do this action."),
        "Unknown.ResourceOwnerId" => (400, "The specified resource owner is unknown."),
        "InternalError" | "UnknownError" => (
            500,
            "The request processing has failed due to some unknown error, exception or failure.",
        ),
        "ServiceUnavailable" => (503, "The request has failed due to a temporary failure of the server."),
        "Throttling" => (400, "Request was denied due to request throttling."),
        "Throttling.User" => (400, "Request was denied due to user flow control."),
        "Throttling.Api" => (400, "Request was denied due to api flow control."),
        "Rejected.Throttling" => (400, "Request was denied due to flow control."),
        LIMIT_CONTROL => (400, LIMIT_CONTROL_MESSAGE),
        "InvalidAccessKeyId.Inactive" => (400, "Specified access key is disabled."),
        "InvalidAccessKeyId.NotFound" => (404, "Specified access key is not found."),
        "SignatureDoesNotMatch" => (400, "Specified signature is not matched with our calculation."),
        "SignatureNonceUsed" => (400, "Specified signature nonce was used already."),
        "InvalidTimeStamp.Expired" => (400, "Specified time stamp or date value is expired."),
        "IllegalTimestamp" => (
            400,
            "The input parameter \"Timestamp\" that is mandatory for processing this request is not supplied or is invalid.",
        ),
        "InvalidSecurityToken.Expired" => (400, "Specified SecurityToken is expired."),
        "InvalidSecurityToken.Malformed" => (400, "Specified SecurityToken is malformed."),
        "InvalidSecurityToken.MismatchWithAccessKey" => {
            (400, "Specified SecurityToken mismatch with the AccessKey.")
        }
        "InvalidParameter" => (400, "The specified parameter is not valid."),
        "Flow.NotExists" => (400, "The specified flow does not exist."),
        _ => return (StatusCode::BAD_REQUEST, format!("The emulator was configured to answer {code}.")),
    };
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        message.to_string(),
    )
}

/// A RAM denial detail shaped like the gateway's (all values are made up).
fn access_denied_detail() -> Value {
    json!({
        "PolicyType": "AccountLevelIdentityBasedPolicy",
        "AuthPrincipalOwnerId": "1234567890123456",
        "EncodedDiagnosticMessage": "AQEAAAAA-emulator-diagnostic",
        "AuthPrincipalType": "SubUser",
        "AuthPrincipalDisplayName": "emulator-user",
        "NoPermissionType": "ImplicitDeny",
        "AuthAction": "cams:GetFlowJSONAssest"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_get_their_usual_status() {
        assert_eq!(
            PopError::known("InternalError", None).status,
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            PopError::known("ServiceUnavailable", None).status,
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            PopError::known("Forbidden.RAM", None).status,
            StatusCode::FORBIDDEN
        );
        assert!(PopError::known("Ram.PermissionDeny", None)
            .access_denied_detail
            .is_some());
        assert_eq!(
            PopError::known("Whatever.Code", None).status,
            StatusCode::BAD_REQUEST
        );
    }

    #[test]
    fn explicit_status_wins() {
        assert_eq!(
            PopError::known("Throttling.User", Some(429)).status,
            StatusCode::TOO_MANY_REQUESTS
        );
        // An impossible status falls back to the usual one instead of panicking.
        assert_eq!(
            PopError::known("InternalError", Some(1000)).status,
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
