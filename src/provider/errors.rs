//! Turns the Alibaba client's typed errors into Terraform diagnostics that
//! name the flow and say what to do. The client's error messages already
//! carry the CAMS Code, Message, RequestId and a hint.

use crate::alibaba::{CamsError, DownloadError, FetchError};
use crate::plugin::{Config, Diagnostic, Diagnostics};

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
        FetchError::Download(DownloadError::TooLarge { .. }) => ("Flow JSON Too Large", false),
        FetchError::Download(_) => ("Flow JSON Download Failed", false),
    };
    let what = match e {
        FetchError::Asset(_) => "Reading the Flow JSON of",
        FetchError::Download(_) => "Downloading the Flow JSON file of",
    };
    let d = Diagnostic::error(summary, format!("{what} flow_id {flow_id:?} failed: {e}"));
    let d = if on_flow_id {
        d.at(config.path_of("flow_id"))
    } else {
        d
    };
    d.into()
}
