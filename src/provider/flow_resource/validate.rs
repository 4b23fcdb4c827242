//! ValidateResourceConfig for `cams_flow`: what can be known before any
//! request, checked at `terraform validate` and at every plan. Unknown
//! values are skipped.

use crate::plugin::{Attr, Config, Diagnostic, Diagnostics};
use crate::provider::flow_rules::{self, Problem};

use super::schema::{CATEGORIES, STATUSES};

/// Rule violations reported one by one before the rest are summed up, so a
/// broken document does not bury the plan under hundreds of diagnostics.
const MAX_PROBLEMS_SHOWN: usize = 20;

pub fn validate(config: &Config) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let mut take = |r: Result<Attr<String>, Diagnostic>| match r {
        Ok(a) => a,
        Err(d) => {
            diags.push(d);
            Attr::Null
        }
    };
    let name = take(config.string("name"));
    let status = take(config.string("status"));
    let content = take(config.string("content"));
    let endpoint = take(config.string("endpoint_uri"));

    if let Attr::Known(name) = &name {
        if name.trim().is_empty() {
            diags.push(
                Diagnostic::error("Invalid Flow Name", "name must not be empty.")
                    .at(config.path_of("name")),
            );
        }
    }
    crate::provider::id_checks::check_cust_space_id(config, &mut diags);
    if let Attr::Known(status) = &status {
        if !STATUSES.contains(&status.as_str()) {
            diags.push(
                Diagnostic::error(
                    "Invalid Flow Status",
                    format!("status = {status:?} is not one of {}.", STATUSES.join(", ")),
                )
                .at(config.path_of("status")),
            );
        }
    }
    if let Attr::Known(endpoint) = &endpoint {
        if !endpoint.is_empty() && !is_https_url(endpoint) {
            diags.push(
                Diagnostic::error(
                    "Invalid Endpoint URI",
                    format!("endpoint_uri = {endpoint:?} is not an https URL; WhatsApp calls a flow's data endpoint over https only."),
                )
                .at(config.path_of("endpoint_uri")),
            );
        }
    }
    match config.strings("categories") {
        Ok(Attr::Known(categories)) => {
            if categories.is_empty() {
                diags.push(
                    Diagnostic::error(
                        "Invalid Flow Categories",
                        "categories must hold at least one category.",
                    )
                    .at(config.path_of("categories")),
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
                    .at(config.path_of("categories")),
                );
            }
        }
        Ok(_) => {}
        Err(d) => diags.push(d),
    }
    if let Attr::Known(content) = &content {
        let publishing = matches!(&status, Attr::Known(s) if s == "PUBLISHED");
        diags.extend(content_diagnostics(config, content, publishing));
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
pub fn content_diagnostics(config: &Config, content: &str, publishing: bool) -> Diagnostics {
    let path = config.path_of("content");
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
    let mut diags = Diagnostics::new();
    let (summary, consequence) = if publishing {
        (
            "Flow JSON Cannot Be Published",
            "Meta refuses to publish a flow with this problem; fix it or keep status = \"DRAFT\".",
        )
    } else {
        (
            "Flow JSON Problem",
            "Drafts may have problems, but the flow cannot be published until it is fixed.",
        )
    };
    for problem in &problems {
        let detail = format!(
            "{} (rule {}). {consequence}",
            shown(problem),
            problem.rule.id()
        );
        let d = if publishing {
            Diagnostic::error(summary, detail)
        } else {
            Diagnostic::warning(summary, detail)
        };
        diags.push(d.at(path.clone()));
    }
    if omitted > 0 {
        let more = omitted;
        let detail = format!("{more} more problem(s) in content are not shown; provider::cams::flow_json_problems(content) lists them all.");
        let d = if publishing {
            Diagnostic::error(summary, detail)
        } else {
            Diagnostic::warning(summary, detail)
        };
        diags.push(d.at(path));
    }
    diags
}

fn shown(problem: &Problem) -> String {
    problem.to_string()
}
