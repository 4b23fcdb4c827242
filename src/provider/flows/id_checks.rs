//! Configuration checks shared by the data sources that name a flow or a
//! space: an empty id is a mistake Terraform would otherwise send to CAMS.
//! Each takes the value and the path of its attribute in the caller's
//! model.

use crate::plugin::{Attr, AttributePath, Diagnostic, Diagnostics};

/// The checks of a block that names one flow: its `flow_id` and its
/// optional `cust_space_id`, each with its path in the caller's model.
pub(crate) fn check_flow_reference(
    flow_id: (&Attr<String>, AttributePath),
    cust_space_id: (&Attr<String>, AttributePath),
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    check_flow_id(flow_id.0, flow_id.1, &mut diags);
    check_cust_space_id(cust_space_id.0, cust_space_id.1, &mut diags);
    diags
}

/// `flow_id` must not be empty or blank (unknown passes: it is checked
/// again when known).
pub(crate) fn check_flow_id(flow_id: &Attr<String>, at: AttributePath, diags: &mut Diagnostics) {
    if let Attr::Known(id) = flow_id {
        if id.trim().is_empty() {
            diags.push(
                Diagnostic::error(
                    "Invalid Flow ID",
                    "flow_id must not be empty: set it to the ID of the WhatsApp Flow (as returned by CAMS CreateFlow or shown in the CAMS console).",
                )
                .at(at),
            );
        }
    }
}

/// `cust_space_id`, when set, must not be empty or blank: null is the way
/// to use the provider's.
pub(crate) fn check_cust_space_id(
    cust_space_id: &Attr<String>,
    at: AttributePath,
    diags: &mut Diagnostics,
) {
    if let Attr::Known(s) = cust_space_id {
        if s.trim().is_empty() {
            diags.push(
                Diagnostic::error(
                    "Invalid Cust Space ID",
                    "cust_space_id must not be empty; remove it to use the provider's cust_space_id.",
                )
                .at(at),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(flow_id: Attr<String>, cust_space_id: Attr<String>) -> Vec<String> {
        let mut diags = Diagnostics::new();
        check_flow_id(&flow_id, AttributePath::of("flow_id"), &mut diags);
        check_cust_space_id(
            &cust_space_id,
            AttributePath::of("cust_space_id"),
            &mut diags,
        );
        diags.iter().map(|d| d.summary.clone()).collect()
    }

    #[test]
    fn blank_ids_are_errors_and_unknown_or_null_pass() {
        let text = |s: &str| Attr::Known(s.to_owned());
        assert_eq!(
            problems(text(" "), text("")),
            vec!["Invalid Flow ID", "Invalid Cust Space ID"]
        );
        assert!(problems(text("123"), Attr::Null).is_empty());
        assert!(problems(Attr::Unknown, Attr::Unknown).is_empty());
        assert!(problems(text("123"), text("space")).is_empty());
    }
}
