//! Turns the Alibaba client's typed errors into Terraform diagnostics that
//! name the flow and say what to do. The client's error messages already
//! carry the CAMS Code, Message, RequestId and a hint.

use crate::alibaba::{CamsError, DownloadError, FetchError};
use crate::plugin::{Config, Diagnostic, Diagnostics};

use super::schema::{DEFAULT_MAX_CONTENT_BYTES, DEFAULT_REQUEST_TIMEOUT_SECONDS};

/// The emulator's code for an unknown flow (CAMS's own is undocumented).
const FLOW_NOT_FOUND_CODES: [&str; 2] = ["Flow.NotExists", "Flow.NotExist"];

pub fn fetch_error(flow_id: &str, config: &Config, e: &FetchError) -> Diagnostics {
    let (summary, on_flow_id) = match e {
        FetchError::Asset(CamsError::Cancelled { .. }) => ("Read Cancelled", false),
        FetchError::Asset(CamsError::Credentials { .. }) => {
            ("Missing Alibaba Cloud Credentials", false)
        }
        FetchError::Asset(CamsError::EmptyFlowId) => ("Invalid Flow ID", true),
        FetchError::Asset(a) if a.code().is_some_and(|c| FLOW_NOT_FOUND_CODES.contains(&c)) => {
            ("Flow Not Found", true)
        }
        FetchError::Asset(_) => ("CAMS API Error", false),
        FetchError::Download(DownloadError::Cancelled { .. }) => ("Download Cancelled", false),
        FetchError::Download(
            DownloadError::TooLarge { .. } | DownloadError::OutOfMemory { .. },
        ) => ("Flow JSON Too Large", false),
        FetchError::Download(_) => ("Flow JSON Download Failed", false),
    };
    let what = match e {
        FetchError::Asset(_) => "Reading the Flow JSON of",
        FetchError::Download(_) => "Downloading the Flow JSON file of",
    };
    let mut detail = format!("{what} flow_id {flow_id:?} failed: {e}");
    if let Some(advice) = advice(e) {
        detail.push_str("\n\n");
        detail.push_str(&advice);
    }
    let d = Diagnostic::error(summary, detail);
    let d = if on_flow_id {
        d.at(config.path_of("flow_id"))
    } else {
        d
    };
    d.into()
}

/// What to change in the provider block, for failures a setting can fix.
/// The client reports what happened; naming the provider's arguments is
/// this layer's job.
fn advice(e: &FetchError) -> Option<String> {
    let deadline = match e {
        FetchError::Asset(CamsError::Transport { deadline, .. })
        | FetchError::Download(DownloadError::Transport { deadline, .. }) => *deadline,
        _ => None,
    };
    if let Some(deadline) = deadline {
        return Some(format!(
            "The server answered too slowly for the overall deadline of {} s per request. If it is expected to be this slow, raise request_timeout in the provider block (default {DEFAULT_REQUEST_TIMEOUT_SECONDS}).",
            deadline.as_secs()
        ));
    }
    match e {
        FetchError::Download(DownloadError::TooLarge { limit, .. }) => Some(format!(
            "If a file this large is expected, raise max_content_bytes in the provider block (now {limit}, default {DEFAULT_MAX_CONTENT_BYTES})."
        )),
        FetchError::Download(DownloadError::OutOfMemory { .. }) => Some(format!(
            "Lower max_content_bytes in the provider block (default {DEFAULT_MAX_CONTENT_BYTES}) so that a file this large is refused before it is read, or run Terraform where more memory is available."
        )),
        _ => None,
    }
}
