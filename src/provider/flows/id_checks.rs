//! Configuration checks shared by the data sources that name a flow or a
//! space: an empty id is a mistake Terraform would otherwise send to CAMS.

use crate::plugin::{Attr, Config, Diagnostic, Diagnostics};

/// The checks of a block that names one flow (`flow_id`, optional
/// `cust_space_id`): what the data sources reading a flow validate.
pub fn check_flow_reference(config: &Config) -> Diagnostics {
    let mut diags = Diagnostics::new();
    check_flow_id(config, &mut diags);
    check_cust_space_id(config, &mut diags);
    diags
}

/// `flow_id` must not be empty or blank (unknown passes: it is checked
/// again when known).
pub fn check_flow_id(config: &Config, diags: &mut Diagnostics) {
    match config.string("flow_id") {
        Ok(Attr::Known(id)) if id.trim().is_empty() => diags.push(
            Diagnostic::error(
                "Invalid Flow ID",
                "flow_id must not be empty: set it to the ID of the WhatsApp Flow (as returned by CAMS CreateFlow or shown in the CAMS console).",
            )
            .at(config.path_of("flow_id")),
        ),
        Ok(_) => {}
        Err(d) => diags.push(d),
    }
}

/// `cust_space_id`, when set, must not be empty or blank: null is the way
/// to use the provider's.
pub fn check_cust_space_id(config: &Config, diags: &mut Diagnostics) {
    if let Ok(Attr::Known(s)) = config.string("cust_space_id") {
        if s.trim().is_empty() {
            diags.push(
                Diagnostic::error(
                    "Invalid Cust Space ID",
                    "cust_space_id must not be empty; remove it to use the provider's cust_space_id.",
                )
                .at(config.path_of("cust_space_id")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::value::Value;
    use crate::provider::test_support::{object, text};

    fn problems(flow_id: Value, cust_space_id: Value) -> Vec<String> {
        let config = Config::new(object(&[
            ("flow_id", flow_id),
            ("cust_space_id", cust_space_id),
        ]));
        let mut diags = Diagnostics::new();
        check_flow_id(&config, &mut diags);
        check_cust_space_id(&config, &mut diags);
        diags.iter().map(|d| d.summary.clone()).collect()
    }

    #[test]
    fn blank_ids_are_errors_and_unknown_or_null_pass() {
        assert_eq!(
            problems(text(" "), text("")),
            vec!["Invalid Flow ID", "Invalid Cust Space ID"]
        );
        assert!(problems(text("123"), Value::Null).is_empty());
        assert!(problems(Value::unknown(), Value::unknown()).is_empty());
        assert!(problems(text("123"), text("space")).is_empty());
    }
}
