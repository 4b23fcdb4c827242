//! Failed template calls as diagnostics: what was being done, CAMS's code,
//! message and RequestId (the client's error text carries them), and what
//! to do.

use crate::alibaba::CamsError;
use crate::plugin::{Diagnostic, Diagnostics};
use crate::provider::errors::cams_advice;

pub(crate) fn template_error(what: &str, e: &CamsError) -> Diagnostics {
    if let CamsError::Credentials { error, .. } = e {
        let mut d = crate::provider::block::credential_errors::diagnostic(error, None);
        d.detail = format!("{what} needed Alibaba Cloud credentials: {}", d.detail);
        return d.into();
    }
    let (summary, advice) = match e {
        CamsError::Cancelled { .. } => ("Cancelled", None),
        CamsError::TemplateNotFound { .. } => (
            "Template Not Found",
            Some("Check name, language and cust_space_id (or the provider's `cust_space_id`): the template may have been deleted, or belong to another space or account.".to_owned()),
        ),
        CamsError::Transport { .. } => ("Cannot Reach CAMS", cams_advice(e)),
        _ => ("CAMS API Error", cams_advice(e)),
    };
    let mut detail = format!("{what} failed: {e}");
    if let Some(advice) = advice {
        detail.push_str("\n\n");
        detail.push_str(&advice);
    }
    Diagnostic::error(summary, detail).into()
}
