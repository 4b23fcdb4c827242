//! The API endpoint (`/`): authenticates, paces each operation, applies
//! faults, then hands the request to the CAMS flow operations
//! (`flow_api`) or answers STS `AssumeRole`.

use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::acs3_signature;
use super::auth::{authenticate, authenticate_acs3, Acs3Request};
use super::fault::{Fault, Target};
use super::flow_api::{self, Call};
use super::flow_doc::GARBAGE_HTML;
use super::oidc;
use super::operations;
use super::oss::object_path;
use super::params::RpcParams;
use super::pop::{json_body, PopError};
use super::server::ConnectionControl;
use super::state::Emulator;
use super::sts::{self, AssumeRole};
use super::template_api;

/// The action whose FilePath the `no-filepath` fault empties.
const GET_FLOW_JSON_ASSET: &str = "GetFlowJSONAssest";

/// How a request is answered.
pub enum Answer {
    /// HTTP 200, success body.
    Success(Value),
    /// A POP error (4xx/5xx JSON).
    Error(PopError),
    /// HTTP 200 with a `Code` other than OK (`code200` fault).
    NotOk { code: String, body: Value },
    /// HTTP 200 HTML (`garbage` fault).
    Garbage,
    /// Connection reset without an answer (`reset` fault).
    Reset,
}

/// How a request is signed.
enum Signed<'a> {
    /// RPC signature V1: every parameter, `Signature` among them (HTTP method given).
    Rpc(&'a str),
    /// V3 `ACS3-HMAC-SHA256` in the `Authorization` header.
    Acs3(Acs3Request<'a>),
}

/// What the synchronous part of the handling decided.
enum Decision {
    Answer(Answer),
    /// An authenticated, paced CAMS call without fault, for `flow_api`.
    Run(Call),
}

pub async fn handle(
    State(emulator): State<Arc<Emulator>>,
    Extension(connection): Extension<Arc<ConnectionControl>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string().to_uppercase();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let mut params = RpcParams::from_parts(uri.query(), content_type, &body);
    let is_acs3 = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(acs3_signature::ALGORITHM));
    let signed = if is_acs3 {
        // V3: Action and Version come in headers, the body is hashed, not signed as parameters.
        for (name, header_name) in [("Action", "x-acs-action"), ("Version", "x-acs-version")] {
            if let Some(value) = headers.get(header_name).and_then(|v| v.to_str().ok()) {
                params.push(name, value);
            }
        }
        Signed::Acs3(Acs3Request {
            method: method.as_str(),
            path: uri.path(),
            query: RpcParams::from_parts(uri.query(), None, b"")
                .pairs()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            headers: headers
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            body: &body,
        })
    } else {
        Signed::Rpc(method.as_str())
    };

    // For the log: V3 names the AccessKeyId in its Authorization header.
    let caller = match &signed {
        Signed::Rpc(_) => params.get("AccessKeyId").map(str::to_string),
        Signed::Acs3(request) => request
            .header("authorization")
            .and_then(acs3_signature::parse_authorization)
            .map(|a| a.access_key_id),
    };
    let decision = decide(&emulator, &signed, &params, &request_id);
    let answer = match decision {
        Decision::Answer(answer) => answer,
        Decision::Run(call) if template_api::ACTIONS.contains(&call.action) => {
            template_api::run(&emulator, &call, &request_id).await
        }
        Decision::Run(call) => flow_api::run(&emulator, &call, &request_id).await,
    };

    let flow_id = params.non_empty("FlowId");
    let action = params.get("Action").unwrap_or_default();
    let (status, code) = record(&emulator, &answer);
    emulator.log(format_args!(
        "{} / action={} flow={} ak={} -> {} {}",
        method,
        params.get("Action").unwrap_or("-"),
        flow_id.unwrap_or("-"),
        caller.as_deref().unwrap_or("-"),
        code,
        status.map_or_else(|| "reset".to_string(), |s| s.as_u16().to_string()),
    ));
    if let Some(delay) = emulator.slow_delay(&Target { action, flow_id }) {
        tokio::time::sleep(delay).await;
    }
    match answer {
        Answer::Success(body) | Answer::NotOk { body, .. } => json_body(&body),
        Answer::Error(error) => error.into_response(&request_id, &emulator.host_id),
        Answer::Garbage => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, HeaderValue::from_static("text/html"))],
            GARBAGE_HTML,
        )
            .into_response(),
        Answer::Reset => {
            // The connection task drops the socket with SO_LINGER 0 (a TCP
            // RST); this future is dropped with it and never answers.
            connection.reset();
            std::future::pending::<Response>().await
        }
    }
}

/// Counts the answer in the stats; returns its status (`None` for a reset) and code.
fn record(emulator: &Emulator, answer: &Answer) -> (Option<StatusCode>, String) {
    let mut inner = emulator.lock();
    let stats = &mut inner.stats;
    match answer {
        Answer::Success(_) => {
            stats.accepted += 1;
            (Some(StatusCode::OK), "OK".to_string())
        }
        Answer::Error(error) => {
            stats.record_error(&error.code);
            (Some(error.status), error.code.clone())
        }
        Answer::NotOk { code, .. } => {
            stats.record_error(code);
            (Some(StatusCode::OK), code.clone())
        }
        Answer::Garbage => (Some(StatusCode::OK), "garbage".to_string()),
        Answer::Reset => {
            stats.resets += 1;
            (None, "reset".to_string())
        }
    }
}

/// Authentication, action dispatch, rate limit and API-side faults: all the
/// steps that need the lock but no I/O.
fn decide(
    emulator: &Emulator,
    signed: &Signed<'_>,
    params: &RpcParams,
    request_id: &str,
) -> Decision {
    let mut inner = emulator.lock();
    inner.stats.api_requests += 1;
    let action = operations::known(params.get("Action").unwrap_or_default());
    inner.stats.record_operation(action.unwrap_or("(unknown)"));
    if let Some(flow_id) = params.non_empty("FlowId") {
        inner.stats.record_flow_request(flow_id);
    }
    let now = OffsetDateTime::now_utc();
    let now_instant = Instant::now();
    let inner = &mut *inner;
    if action == Some(oidc::ACTION) {
        // Anonymous: the token is the proof, checked instead of a signature.
        let checked = oidc::check_request(
            params,
            &emulator.config.oidc_providers,
            &emulator.roles,
            now,
        );
        return Decision::Answer(match checked {
            Ok(request) => {
                let issued = sts::issue(&request, now, emulator.config.sts_ttl);
                let body = sts::response_body(request_id, &request, &issued);
                inner.credentials.add_sts(issued.key, Some(issued.expires));
                *inner
                    .stats
                    .sts_credentials_issued
                    .entry(oidc::ACTION.to_owned())
                    .or_insert(0) += 1;
                Answer::Success(body)
            }
            Err(error) => Answer::Error(error),
        });
    }
    let authenticated = match signed {
        Signed::Rpc(method) => authenticate(
            method,
            params,
            &mut inner.credentials,
            &mut inner.nonces,
            now,
            now_instant,
        ),
        Signed::Acs3(request) => authenticate_acs3(
            request,
            &mut inner.credentials,
            &mut inner.nonces,
            now,
            now_instant,
        ),
    };
    let access_key_id = match authenticated {
        Ok(id) => id,
        Err(error) => return Decision::Answer(Answer::Error(error)),
    };

    let Some(action) = action else {
        return Decision::Answer(Answer::Error(PopError::new(
            StatusCode::NOT_FOUND,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        )));
    };
    if Some(params.get("Version").unwrap_or_default()) != operations::version_of(action) {
        return Decision::Answer(Answer::Error(PopError::new(
            StatusCode::BAD_REQUEST,
            "InvalidVersion",
            "Specified parameter Version is not valid.",
        )));
    }

    // Limits are per caller and per operation, as CAMS documents them.
    let limit = emulator.config.qps_for(action);
    if let Err(wait) =
        inner
            .limiter
            .check(&format!("{action}\n{access_key_id}"), limit, now_instant)
    {
        inner.stats.rate_limited += 1;
        let millis = u64::try_from(wait.as_micros().div_ceil(1000)).unwrap_or(u64::MAX);
        return Decision::Answer(Answer::Error(PopError::limit_control(millis)));
    }

    if action == sts::ACTION {
        return Decision::Answer(match AssumeRole::from_params(params, &emulator.roles) {
            Ok(request) => {
                let issued = sts::issue(&request, now, emulator.config.sts_ttl);
                let body = sts::response_body(request_id, &request, &issued);
                inner.credentials.add_sts(issued.key, Some(issued.expires));
                *inner
                    .stats
                    .sts_credentials_issued
                    .entry(sts::ACTION.to_owned())
                    .or_insert(0) += 1;
                Answer::Success(body)
            }
            Err(error) => Answer::Error(error),
        });
    }

    let target = Target {
        action,
        flow_id: params.non_empty("FlowId"),
    };
    let fault = inner
        .fault_counters
        .next_fault(&inner.faults, &target, |f| {
            !f.is_download_fault()
                && !matches!(f, Fault::Slow(_))
                && (action == GET_FLOW_JSON_ASSET || !matches!(f, Fault::NoFilePath))
        })
        .cloned();
    match fault {
        Some(fault) => Decision::Answer(api_fault_answer(fault, &target, request_id)),
        None => Decision::Run(Call {
            action,
            params: params.clone(),
        }),
    }
}

fn api_fault_answer(fault: Fault, target: &Target<'_>, request_id: &str) -> Answer {
    match fault {
        Fault::Error { code, status } => Answer::Error(PopError::known(&code, status)),
        Fault::Code200 { code } => Answer::NotOk {
            body: json!({
                "RequestId": request_id,
                "Code": code,
                "Message": format!("The request failed with {code} (emulated)."),
                "AccessDeniedDetail": "None",
            }),
            code,
        },
        Fault::Http5xx(_) => Answer::Error(PopError::known("ServiceUnavailable", Some(503))),
        Fault::Throttle(_) => Answer::Error(PopError::limit_control(200)),
        Fault::Unseen(_) => Answer::Error(PopError::known("Flow.NotExists", None)),
        Fault::Reset(_) => Answer::Reset,
        Fault::Garbage => Answer::Garbage,
        // Only chosen for GetFlowJSONAssest (filtered in `decide`).
        Fault::NoFilePath => Answer::Success(success_body(
            request_id,
            json!({ "FlowId": target.flow_id.unwrap_or_default(), "FilePath": "" }),
        )),
        // Download-side faults and `slow` are filtered out before this point.
        other => Answer::Error(PopError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            format!("fault {other:?} does not apply to API requests"),
        )),
    }
}

/// The URL of a flow's JSON in the CAMS-owned bucket, presigned.
pub fn file_url(emulator: &Emulator, flow_id: &str) -> String {
    let now_unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    emulator
        .signer
        .presign(&emulator.public_url, &object_path(flow_id), now_unix)
}

/// `{"RequestId","Code":"OK","Message":"OK","AccessDeniedDetail":"None","Data":data}`.
pub fn success_body(request_id: &str, data: Value) -> Value {
    json!({
        "RequestId": request_id,
        "Code": "OK",
        "Message": "OK",
        "AccessDeniedDetail": "None",
        "Data": data,
    })
}
