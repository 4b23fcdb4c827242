//! Turns the Alibaba client's typed errors into Terraform diagnostics that
//! name the flow and say what to do. The client's error messages already
//! carry the CAMS Code, Message, RequestId and a hint.

use crate::alibaba::{CamsError, DownloadError, FetchError};
use crate::plugin::{AttributePath, Diagnostic, Diagnostics};

use crate::alibaba::error_codes::RetryClass;

use super::block::schema::{
    DEFAULT_MAX_CONTENT_BYTES, DEFAULT_REQUEST_TIMEOUT_SECONDS, DEFAULT_THROTTLE_TIMEOUT_SECONDS,
    SHARED_RATE_LIMIT_ENV,
};

/// Whether CAMS answered "too many requests": the client's own
/// classification (the throttling codes, HTTP 429), so advice and retries
/// agree on what throttling is.
fn is_throttled(e: &CamsError) -> bool {
    e.api_error()
        .is_some_and(|a| a.retry_class() == RetryClass::Throttled)
}

/// `flow_id_at` is the path of the configuration's `flow_id`.
pub(crate) fn fetch_error(flow_id: &str, flow_id_at: AttributePath, e: &FetchError) -> Diagnostics {
    if let FetchError::Asset(CamsError::Credentials { error, .. }) = e {
        let mut d = super::block::credential_errors::diagnostic(error, None);
        d.detail = format!(
            "Reading the Flow JSON of flow_id {} needed Alibaba Cloud credentials: {}",
            shown_id(flow_id),
            d.detail
        );
        return d.into();
    }
    let (summary, on_flow_id) = match e {
        FetchError::Asset(CamsError::Cancelled { .. }) => ("Read Cancelled", false),
        FetchError::Asset(CamsError::Credentials { .. }) => {
            ("Missing Alibaba Cloud Credentials", false)
        }
        FetchError::Asset(CamsError::EmptyFlowId) => ("Invalid Flow ID", true),
        FetchError::Asset(a) if a.is_not_found() => ("Flow Not Found", true),
        FetchError::Asset(CamsError::Transport { .. }) => ("Cannot Reach CAMS", false),
        FetchError::Asset(a) if is_throttled(a) => ("CAMS Request Rate Exceeded", false),
        FetchError::Asset(_) => ("CAMS API Error", false),
        FetchError::Download {
            error: DownloadError::Cancelled { .. },
            ..
        } => ("Download Cancelled", false),
        FetchError::Download {
            error: DownloadError::TooLarge { .. } | DownloadError::OutOfMemory { .. },
            ..
        } => ("Flow JSON Too Large", false),
        FetchError::Download { .. } => ("Flow JSON Download Failed", false),
    };
    let what = match e {
        FetchError::Asset(_) => "Reading the Flow JSON of",
        FetchError::Download { .. } => "Downloading the Flow JSON file of",
    };
    let mut detail = format!("{what} flow_id {} failed: {e}", shown_id(flow_id));
    if let Some(advice) = advice(e) {
        detail.push_str("\n\n");
        detail.push_str(&advice);
    }
    let d = Diagnostic::error(summary, detail);
    let d = if on_flow_id { d.at(flow_id_at) } else { d };
    d.into()
}

/// What to change in the provider block, for failures a setting can fix.
/// The client reports what happened; naming the provider's arguments is
/// this layer's job.
fn advice(e: &FetchError) -> Option<String> {
    match e {
        FetchError::Asset(e) => cams_advice(e),
        FetchError::Download { error, .. } => download_advice(error),
    }
}

/// Advice for a request stopped by its overall deadline.
pub(crate) fn deadline_advice(deadline: std::time::Duration) -> String {
    format!(
        "The server answered too slowly for the overall deadline of {} s per request. If it is expected to be this slow, raise request_timeout in the provider block (default {DEFAULT_REQUEST_TIMEOUT_SECONDS}).",
        deadline.as_secs()
    )
}

/// Advice for a failed CAMS call, when a setting or a check can fix it.
pub(crate) fn cams_advice(e: &CamsError) -> Option<String> {
    match e {
        CamsError::Transport {
            deadline: Some(deadline),
            ..
        } => Some(deadline_advice(*deadline)),
        CamsError::Transport { endpoint, .. } => Some(format!(
            "Check that {endpoint} is the right CAMS endpoint (`endpoint`, `ALIBABA_CLOUD_CAMS_ENDPOINT` or `region` in the provider block) and that it can be reached from here (network, proxy settings such as `HTTPS_PROXY`)."
        )),
        a if a.is_not_found() => Some(
            "Check flow_id, and cust_space_id (or the provider's `cust_space_id`) when the flow belongs to an ISV sub-customer space: the flow may have been deleted, or it may belong to another space or account.".into(),
        ),
        a if is_throttled(a) => Some(format!(
            "The account's request rate is shared by every process using this AccessKey ID, on this machine and others. Runs of this user on this machine share it through `shared_rate_limit` (on unless turned off, also by {SHARED_RATE_LIMIT_ENV}); runs elsewhere slow down when throttled. To wait longer, raise `throttle_timeout` in the provider block (default {DEFAULT_THROTTLE_TIMEOUT_SECONDS} s); to leave room for other clients of the account, lower `rate_limit` (by default each operation's documented limit, 5 per second for most)."
        )),
        _ => None,
    }
}

/// Advice for a failed download, when a setting can fix it.
pub(crate) fn download_advice(e: &DownloadError) -> Option<String> {
    match e {
        DownloadError::Transport {
            deadline: Some(deadline),
            ..
        } => Some(deadline_advice(*deadline)),
        DownloadError::TooLarge { limit, .. } => Some(format!(
            "If a file this large is expected, raise max_content_bytes in the provider block (now {limit}, default {DEFAULT_MAX_CONTENT_BYTES})."
        )),
        DownloadError::OutOfMemory { .. } => Some(format!(
            "Lower max_content_bytes in the provider block (default {DEFAULT_MAX_CONTENT_BYTES}) so that a file this large is refused before it is read, or run Terraform where more memory is available."
        )),
        _ => None,
    }
}

/// A failed CAMS call (other than the Flow JSON fetch) as a diagnostic.
/// `what` says what was being done ("Reading flow_id \"123\""), and a
/// not-found answer is reported on `flow_id_at`, the path of the
/// configuration's `flow_id` when it has one.
pub fn cams_error(what: &str, flow_id_at: Option<AttributePath>, e: &CamsError) -> Diagnostics {
    if let CamsError::Credentials { error, .. } = e {
        let mut d = super::block::credential_errors::diagnostic(error, None);
        d.detail = format!("{what} needed Alibaba Cloud credentials: {}", d.detail);
        return d.into();
    }
    let summary = match e {
        CamsError::Cancelled { .. } => "Read Cancelled",
        CamsError::EmptyFlowId => "Invalid Flow ID",
        a if a.is_not_found() => "Flow Not Found",
        CamsError::Transport { .. } => "Cannot Reach CAMS",
        a if is_throttled(a) => "CAMS Request Rate Exceeded",
        _ => "CAMS API Error",
    };
    let mut detail = format!("{what} failed: {e}");
    if let Some(advice) = cams_advice(e) {
        detail.push_str("\n\n");
        detail.push_str(&advice);
    }
    let d = Diagnostic::error(summary, detail);
    let on_flow_id = e.is_not_found() || matches!(e, CamsError::EmptyFlowId);
    match flow_id_at.filter(|_| on_flow_id) {
        Some(at) => d.at(at).into(),
        None => d.into(),
    }
}

/// How many characters of a user-given id a diagnostic repeats.
const SHOWN_ID_CHARS: usize = 64;

/// A user-given id as a diagnostic shows it: quoted, and cut after
/// [`SHOWN_ID_CHARS`] characters (a 10,000-character value is not worth
/// printing, let alone twice).
pub(crate) fn shown_id(id: &str) -> String {
    let count = id.chars().count();
    if count <= SHOWN_ID_CHARS {
        return format!("{id:?}");
    }
    let head: String = id.chars().take(SHOWN_ID_CHARS).collect();
    format!("{head:?}… ({count} characters)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alibaba::{GiveUp, ServiceError};

    fn not_found() -> CamsError {
        CamsError::NotFound {
            action: "GetFlow",
            flow_id: "42".into(),
            error: Box::new(ServiceError {
                http_status: 400,
                code: Some("Flow.NotExists".into()),
                message: Some("no such flow".into()),
                request_id: Some("REQ-1".into()),
                access_denied_detail: None,
                action: Some("GetFlow"),
            }),
            attempts: 1,
        }
    }

    #[test]
    fn a_flow_not_found_is_reported_on_flow_id_with_advice() {
        let flow_id_at = Some(AttributePath::of("flow_id"));
        let diags: Vec<Diagnostic> = cams_error("Reading flow_id \"42\"", flow_id_at, &not_found())
            .into_iter()
            .collect();
        assert_eq!(diags.len(), 1);
        let d = &diags[0];
        assert_eq!(d.summary, "Flow Not Found");
        assert_eq!(d.attribute, Some(AttributePath::of("flow_id")));
        assert!(
            d.detail.starts_with("Reading flow_id \"42\" failed: "),
            "{}",
            d.detail
        );
        assert!(d.detail.contains("Flow.NotExists"), "{}", d.detail);
        assert!(d.detail.contains("REQ-1"), "{}", d.detail);
        assert!(d.detail.contains("Check flow_id"), "{}", d.detail);
    }

    #[test]
    fn without_flow_id_in_the_configuration_the_error_is_on_the_whole_block() {
        let e = CamsError::Transport {
            action: "ListFlow",
            endpoint: "https://cams.example/".into(),
            detail: "connection refused".into(),
            deadline: None,
            attempts: 5,
            gave_up: GiveUp::AttemptLimit,
        };
        let diags: Vec<Diagnostic> = cams_error("Listing the flows", None, &e)
            .into_iter()
            .collect();
        assert_eq!(diags[0].summary, "Cannot Reach CAMS");
        assert_eq!(diags[0].attribute, None);
        assert!(diags[0]
            .detail
            .contains("https://cams.example/ is the right CAMS endpoint"));
        let diags: Vec<Diagnostic> = cams_error("Listing the flows", None, &not_found())
            .into_iter()
            .collect();
        assert_eq!(diags[0].attribute, None, "no flow_id to point at");
    }
}
