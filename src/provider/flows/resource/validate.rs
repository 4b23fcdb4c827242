//! ValidateResourceConfig for `cams_flow`: what can be known before any
//! request, checked at `terraform validate` and at every plan. Unknown
//! values are skipped.

use crate::alibaba::upload::MAX_UPLOAD_BYTES;
use crate::attribute_path;
use crate::plugin::{Attr, AttributePath, Diagnostic, Diagnostics};
use crate::provider::flows::id_checks::check_cust_space_id;
use crate::provider::flows::rules::{self as flow_rules, Problem};

use super::model::{known_strings, FlowModel};
use super::schema::{CATEGORIES, STATUSES};

/// Rule violations reported one by one before the rest are summed up, so a
/// broken document does not bury the plan under hundreds of diagnostics.
const MAX_PROBLEMS_SHOWN: usize = 20;

pub fn check(flow: &FlowModel) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if let Attr::Known(name) = &flow.name {
        if name.trim().is_empty() {
            diags.push(
                Diagnostic::error("Invalid Flow Name", "name must not be empty.")
                    .at(attribute_path!(FlowModel, name)),
            );
        }
    }
    check_cust_space_id(
        &flow.cust_space_id,
        attribute_path!(FlowModel, cust_space_id),
        &mut diags,
    );
    if let Attr::Known(status) = &flow.status {
        if !STATUSES.contains(&status.as_str()) {
            diags.push(
                Diagnostic::error(
                    "Invalid Flow Status",
                    format!("status = {status:?} is not one of {}.", STATUSES.join(", ")),
                )
                .at(attribute_path!(FlowModel, status)),
            );
        }
    }
    if let Attr::Known(endpoint) = &flow.endpoint_uri {
        if !endpoint.is_empty() && !is_https_url(endpoint) {
            diags.push(
                Diagnostic::error(
                    "Invalid Endpoint URI",
                    format!("endpoint_uri = {endpoint:?} is not an https URL; WhatsApp calls a flow's data endpoint over https only."),
                )
                .at(attribute_path!(FlowModel, endpoint_uri)),
            );
        }
    }
    if let Attr::Known(categories) = known_strings(&flow.categories) {
        if categories.is_empty() {
            diags.push(
                Diagnostic::error(
                    "Invalid Flow Categories",
                    "categories must hold at least one category.",
                )
                .at(attribute_path!(FlowModel, categories)),
            );
        }
        for c in categories
            .iter()
            .filter(|c| !CATEGORIES.contains(&c.as_str()))
        {
            diags.push(
                Diagnostic::error(
                    "Invalid Flow Category",
                    format!(
                        "{c:?} is not a flow category CAMS knows; use {}.",
                        CATEGORIES.join(", ")
                    ),
                )
                .at(attribute_path!(FlowModel, categories)),
            );
        }
    }
    if let Attr::Known(content) = &flow.content {
        // A flow created as DEPRECATED is published first, so Meta checks
        // it as it does a flow to be published.
        let publishing =
            matches!(&flow.status, Attr::Known(s) if s == "PUBLISHED" || s == "DEPRECATED");
        diags.extend(content_diagnostics(flow, content, publishing));
    }
    diags
}

fn is_https_url(text: &str) -> bool {
    url::Url::parse(text).is_ok_and(|u| u.scheme() == "https" && u.host().is_some())
}

/// Invalid JSON is always an error; each rule violation names its JSON
/// pointer and rule, as an error when the flow is to be published (Meta
/// refuses to publish it) and as a warning otherwise (drafts may have
/// problems).
pub(crate) fn content_diagnostics(
    flow: &FlowModel,
    content: &str,
    publishing: bool,
) -> Diagnostics {
    let path = attribute_path!(FlowModel, content);
    // CAMS takes no larger document whatever the status, so this is an
    // error even for a draft, and the rules need not read it.
    if content.len() as u64 > MAX_UPLOAD_BYTES {
        return Diagnostic::error(
            "Flow JSON Too Large",
            format!(
                "content is {} bytes, more than the {MAX_UPLOAD_BYTES} bytes (10 MiB) a Flow JSON may have (Meta's limit for the document; the provider uploads no larger file). Make the document smaller, e.g. split the flow.",
                content.len()
            ),
        )
        .at(path)
        .into();
    }
    // Only the problems shown are kept: a hostile document cannot make
    // the plugin hold millions (issue 16.10).
    let (problems, omitted) = match flow_rules::check_at_most(content, MAX_PROBLEMS_SHOWN) {
        Ok(checked) => (checked.problems, checked.omitted),
        Err(syntax) => {
            return Diagnostic::error(
                "Invalid Flow JSON",
                format!("content is not JSON: {syntax}. Fix the document (e.g. the file read with file()) and plan again."),
            )
            .at(path)
            .into()
        }
    };
    if publishing {
        publishing_errors(&problems, omitted, &path)
    } else {
        draft_warning(flow, &problems, omitted, &path)
    }
}

/// One error per problem: Terraform shows every error.
fn publishing_errors(problems: &[Problem], omitted: usize, path: &AttributePath) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let summary = "Flow JSON Cannot Be Published";
    for problem in problems {
        let detail = format!(
            "{} (rule {}). Meta refuses to publish a flow with this problem; fix it or keep status = \"DRAFT\".",
            shown(problem),
            problem.rule.id()
        );
        diags.push(Diagnostic::error(summary, detail).at(path.clone()));
    }
    if omitted > 0 {
        let detail = format!("{omitted} more problem(s) in content are not shown; provider::cams::flow_json_problems(content) lists them all.");
        diags.push(Diagnostic::error(summary, detail).at(path.clone()));
    }
    diags
}

/// All of a draft's problems in one warning whose summary names the flow:
/// Terraform's CLI folds warnings that share a summary into the first
/// ("and N more similar warnings elsewhere"), which would hide every
/// problem but one, and every other flow's.
fn draft_warning(
    flow: &FlowModel,
    problems: &[Problem],
    omitted: usize,
    path: &AttributePath,
) -> Diagnostics {
    if problems.is_empty() {
        return Diagnostics::new();
    }
    let flow = match &flow.name {
        Attr::Known(name) if !name.trim().is_empty() => format!(" of {name:?}"),
        _ => String::new(),
    };
    let count = problems.len() + omitted;
    let plural = if count == 1 { "" } else { "s" };
    let mut detail = String::new();
    for problem in problems {
        detail.push_str(&format!(
            "- {} (rule {})\n",
            shown(problem),
            problem.rule.id()
        ));
    }
    if omitted > 0 {
        detail.push_str(&format!(
            "- and {omitted} more, not shown; provider::cams::flow_json_problems(content) lists them all\n"
        ));
    }
    detail.push_str(
        "\nDrafts may have problems, but the flow cannot be published until they are fixed.",
    );
    Diagnostic::warning(
        format!("Flow JSON{flow} Has {count} Problem{plural}"),
        detail,
    )
    .at(path.clone())
    .into()
}

fn shown(problem: &Problem) -> String {
    problem.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::model::Model;
    use crate::plugin::value::Value;
    use crate::plugin::Config;

    fn validate(config: &Config) -> Diagnostics {
        check(&FlowModel::from_config(config).unwrap())
    }
    use crate::provider::test_support::{object, text};

    /// A flow whose only screen is not terminal: a rule problem.
    const NO_TERMINAL_SCREEN: &str = r#"{"version":"7.0","screens":[{"id":"A","layout":{"type":"SingleColumnLayout","children":[]}}]}"#;

    fn flow(status: Value) -> Config {
        flow_with(status, NO_TERMINAL_SCREEN)
    }

    fn flow_with(status: Value, content: &str) -> Config {
        Config::new(object(&[
            ("id", Value::Null),
            ("name", text("n")),
            ("categories", Value::Set(vec![text("OTHER")])),
            ("content", text(content)),
            ("endpoint_uri", Value::Null),
            ("cust_space_id", Value::Null),
            ("status", status),
            ("json_version", Value::Null),
            ("data_api_version", Value::Null),
            ("content_sha256", Value::Null),
            ("screen_ids", Value::Null),
        ]))
    }

    #[test]
    fn a_document_over_the_upload_limit_is_an_error_for_every_status() {
        let limit = MAX_UPLOAD_BYTES as usize;
        let padded = |len: usize| {
            let mut text = NO_TERMINAL_SCREEN.to_owned();
            text.push_str(&" ".repeat(len - text.len()));
            text
        };
        for status in [text("DRAFT"), Value::Null, text("PUBLISHED")] {
            let too_large = validate(&flow_with(status.clone(), &padded(limit + 1)));
            assert!(
                too_large
                    .iter()
                    .any(|d| d.is_error() && d.summary == "Flow JSON Too Large"),
                "{status:?}: {too_large:?}"
            );
            let at_limit = validate(&flow_with(status.clone(), &padded(limit)));
            assert!(
                !at_limit.iter().any(|d| d.summary == "Flow JSON Too Large"),
                "{status:?}: {at_limit:?}"
            );
        }
    }

    #[test]
    fn a_drafts_problems_are_one_warning_naming_the_flow_and_listing_each() {
        let mut document: serde_json::Value = serde_json::from_str(NO_TERMINAL_SCREEN).unwrap();
        document["extra"] = serde_json::json!(1);
        document["screens"][0]["success"] = serde_json::json!(true);
        let problems = flow_rules::check(&document.to_string()).unwrap();
        assert!(problems.len() >= 3, "{problems:?}");
        let diags = validate(&flow_with(text("DRAFT"), &document.to_string()));
        assert_eq!(diags.len(), 1, "{diags:?}");
        let warning = diags.iter().next().unwrap();
        assert_eq!(
            warning.summary,
            format!("Flow JSON of \"n\" Has {} Problems", problems.len())
        );
        for problem in &problems {
            assert!(
                warning.detail.contains(&problem.to_string()),
                "{problem}: {warning:?}"
            );
        }
    }

    #[test]
    fn rule_problems_are_errors_for_every_status_that_publishes() {
        for status in ["PUBLISHED", "DEPRECATED"] {
            let diags = validate(&flow(text(status)));
            assert!(diags.has_errors(), "{status}: {diags:?}");
        }
        for status in [text("DRAFT"), Value::Null] {
            let diags = validate(&flow(status.clone()));
            assert!(!diags.has_errors(), "{status:?}: {diags:?}");
            assert!(!diags.is_empty(), "{status:?}: warned");
        }
    }
}
