//! Planning a `cams_flow`: the defaults, what follows from the Flow JSON,
//! the forward-only status, and the replacement of a flow CAMS no longer
//! lets us change.

use crate::alibaba::upload::MAX_UPLOAD_BYTES;
use crate::plugin::value::Value;
use crate::plugin::{Attr, Config, Context, Diagnostic, ModifyPlanRequest, ModifyPlanResponse};
use crate::provider::Configured;

use super::model::{derived, rank};
use super::schema::DEFAULT_STATUS;

/// Attributes CAMS lets us change only while the flow is a draft.
const DRAFT_ONLY: [&str; 4] = ["name", "categories", "endpoint_uri", "content"];

pub fn modify_plan(ctx: &Context, req: ModifyPlanRequest) -> ModifyPlanResponse {
    let mut resp = ModifyPlanResponse::keep(&req);
    if req.plan.is_null() {
        plan_destroy(&req.prior_state, &mut resp);
        return resp;
    }
    let creating = req.prior_state.is_null();

    // status: the configured one; left out, DRAFT for a new flow and what
    // CAMS has for an existing one (an imported PUBLISHED flow stays so).
    let status = match req.config.string("status") {
        Ok(Attr::Null) if creating => Attr::Known(DEFAULT_STATUS.to_owned()),
        Ok(Attr::Null) => match req.prior_state.string("status") {
            Ok(Attr::Known(prior)) => Attr::Known(prior),
            _ => Attr::Known(DEFAULT_STATUS.to_owned()),
        },
        Ok(other) => other,
        Err(d) => {
            resp.diagnostics.push(d);
            return resp;
        }
    };
    resp.set(
        "status",
        match &status {
            Attr::Known(s) => Value::String(s.clone()),
            _ => Value::unknown(),
        },
    );

    // cust_space_id: the configured one, else the provider's (known at
    // plan time, so the plan shows it). An existing flow whose space the
    // state lacks (imported by plain FLOW_ID) adopts it the same way.
    let space_unknown_before = creating || is_null(&req.prior_state, "cust_space_id");
    if space_unknown_before && is_null(&req.config, "cust_space_id") {
        let provider_space = ctx
            .provider_data::<Configured>()
            .ok()
            .and_then(|c| c.cust_space_id.clone());
        match provider_space {
            Some(space) => resp.set("cust_space_id", Value::String(space)),
            None if !creating && ctx.is_configured() => resp.set("cust_space_id", Value::Null),
            None if !creating => resp.set("cust_space_id", Value::unknown()),
            None if ctx.is_configured() => resp.diagnostics.push(
                Diagnostic::error(
                    "Missing Cust Space ID",
                    "A flow belongs to a CAMS space, and its Flow JSON is uploaded to that space's storage: set cust_space_id on the resource, or cust_space_id in the provider block.",
                )
                .at(req.config.path_of("cust_space_id")),
            ),
            None => {}
        }
    }

    // What follows from the Flow JSON: kept when the text is the prior one
    // (semantic equality may have kept it), known when the text is.
    let planned_content = req.plan.string("content").unwrap_or(Attr::Unknown);
    let prior_content = req.prior_state.string("content").unwrap_or(Attr::Null);
    let content_unchanged = !creating && planned_content == prior_content;
    if let (false, Attr::Known(text)) = (content_unchanged, &planned_content) {
        if let Some(d) = over_upload_limit(ctx, text) {
            resp.diagnostics.push(d.at(req.config.path_of("content")));
        }
    }
    if !content_unchanged {
        for (name, value) in derived(&planned_content) {
            resp.set(name, value);
        }
    } else {
        for name in [
            "json_version",
            "data_api_version",
            "content_sha256",
            "screen_ids",
        ] {
            if let Some(prior) = req.prior_state.get(name) {
                resp.set(name, prior.clone());
            }
        }
    }

    if !creating {
        plan_update(&req, &status, &mut resp);
    }
    resp
}

/// Destroying: what happens to the flow in CAMS depends on its status.
fn plan_destroy(prior: &Config, resp: &mut ModifyPlanResponse) {
    let id = prior
        .string("id")
        .ok()
        .and_then(Attr::known)
        .unwrap_or_default();
    match prior.string("status").ok().and_then(Attr::known).as_deref() {
        Some("PUBLISHED") => resp.diagnostics.push(Diagnostic::warning(
            "Published Flow Will Be Deprecated, Not Deleted",
            format!("CAMS cannot delete a published flow, so destroying flow {id} deprecates it (it stops being sendable) and removes it from the state. It stays in CAMS as DEPRECATED."),
        )),
        Some("DEPRECATED") => resp.diagnostics.push(Diagnostic::warning(
            "Deprecated Flow Stays in CAMS",
            format!("Flow {id} is deprecated, which CAMS keeps for good: destroying it only removes it from the state."),
        )),
        _ => {}
    }
}

/// Updating: a flow past DRAFT cannot be changed in CAMS, and its status
/// only moves forward, so a change to it, or a status asked back, replaces
/// it. The replacement is planned (visible, changing nothing yet), so
/// editing the configuration, `-replace` and `taint` all work.
fn plan_update(req: &ModifyPlanRequest, status: &Attr<String>, resp: &mut ModifyPlanResponse) {
    let prior_status = req
        .prior_state
        .string("status")
        .ok()
        .and_then(Attr::known)
        .unwrap_or_else(|| DEFAULT_STATUS.to_owned());
    if !matches!(prior_status.as_str(), "PUBLISHED" | "DEPRECATED") {
        return;
    }
    let id = req
        .prior_state
        .string("id")
        .ok()
        .and_then(Attr::known)
        .unwrap_or_default();

    let mut changed: Vec<&str> = DRAFT_ONLY
        .into_iter()
        .filter(|name| changes_in_cams(req, name))
        .collect();
    let backward = match status {
        Attr::Known(wanted) => matches!(
            (rank(&prior_status), rank(wanted)),
            (Some(from), Some(to)) if to < from
        ),
        _ => false,
    };
    if backward {
        changed.push("status");
    }
    let Some(first) = changed.first() else {
        return;
    };
    for name in &changed {
        resp.requires_replace.push(req.config.path_of(name));
    }
    let why = if backward {
        "a flow's status only moves forward (DRAFT → PUBLISHED → DEPRECATED) and CAMS does not allow changing a flow once it is published"
    } else {
        "CAMS does not allow changing a flow once it is published"
    };
    let retired = if prior_status == "PUBLISHED" {
        "deprecated, since a published flow cannot be deleted"
    } else {
        "removed from the state; it stays in CAMS as deprecated"
    };
    // The new flow is planned as a create: a left-out status means DRAFT.
    let new_status = if is_null(&req.config, "status") {
        " The new flow will be a DRAFT, since status is left out; set status to publish it."
    } else {
        ""
    };
    resp.diagnostics.push(
        Diagnostic::warning(
            "Flow Will Be Replaced",
            format!(
                "Flow {id} is {prior_status}, and {why}, so the change to {} replaces it: Terraform creates a new flow and retires this one ({retired}).{new_status} To keep this flow, undo the change (status = \"{prior_status}\" or a later status).",
                changed.join(", "),
            ),
        )
        .at(req.config.path_of(first)),
    );
}

/// Whether the plan changes `name` in CAMS. A name or categories the prior
/// state lacks (an import whose GetFlow did not return them) is adopted,
/// not a change; an `endpoint_uri` of `""` means no endpoint, as null does.
fn changes_in_cams(req: &ModifyPlanRequest, name: &str) -> bool {
    let prior = req.prior_state.get(name).unwrap_or(&Value::Null);
    let planned = req.plan.get(name).unwrap_or(&Value::Null);
    if prior.is_null() && matches!(name, "name" | "categories") {
        return false;
    }
    if name == "endpoint_uri" {
        let empty = |v: &Value| v.is_null() || v.as_str() == Some("");
        if empty(prior) && empty(planned) {
            return false;
        }
    }
    planned != prior
}

/// A document to upload that is larger than the provider uploads
/// (`max_content_bytes`, at most the 10 MiB of a Flow JSON): known at plan,
/// so it fails the plan rather than the apply after CreateFlow. The 10 MiB
/// themselves are checked at validate.
fn over_upload_limit(ctx: &Context, content: &str) -> Option<Diagnostic> {
    let max_content_bytes = ctx.provider_data::<Configured>().ok()?.max_content_bytes;
    let size = content.len() as u64;
    (size > max_content_bytes && size <= MAX_UPLOAD_BYTES).then(|| {
        Diagnostic::error(
            "Flow JSON Too Large",
            format!("content is {size} bytes, more than max_content_bytes = {max_content_bytes} in the provider block, which caps uploads as well as downloads. Raise max_content_bytes (up to {MAX_UPLOAD_BYTES}, the 10 MiB of a Flow JSON) or make the document smaller."),
        )
    })
}

fn is_null(object: &Config, name: &str) -> bool {
    object.get(name).is_none_or(Value::is_null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::test_support::{object, text};

    fn flow(name: Value, endpoint: Value, status: Value) -> Value {
        object(&[
            ("id", text("926753")),
            ("name", name),
            ("categories", Value::Set(vec![text("OTHER")])),
            ("content", text("{}")),
            ("endpoint_uri", endpoint),
            ("status", status),
        ])
    }

    /// The attributes a plan from `prior` to `planned` replaces.
    fn replaced(prior: Value, planned: Value) -> Vec<String> {
        let req = ModifyPlanRequest {
            config: Config::new(planned.clone()),
            prior_state: Config::new(prior),
            plan: Config::new(planned),
            private: Vec::new(),
        };
        let mut resp = ModifyPlanResponse::keep(&req);
        let status = req.config.string("status").unwrap();
        plan_update(&req, &status, &mut resp);
        resp.requires_replace
            .iter()
            .map(|p| p.to_string())
            .collect()
    }

    #[test]
    fn a_published_flow_is_replaced_only_for_a_real_change() {
        let published = |name: &str| flow(text(name), Value::Null, text("PUBLISHED"));
        assert!(replaced(published("a"), published("a")).is_empty());
        assert_eq!(replaced(published("a"), published("b")).len(), 1);
        // Not read back by an import: adopted.
        let unread = flow(Value::Null, Value::Null, text("PUBLISHED"));
        assert!(replaced(unread, published("a")).is_empty());
        // "" and null both mean no endpoint.
        let empty = flow(text("a"), text(""), text("PUBLISHED"));
        assert!(replaced(published("a"), empty).is_empty());
        // Back to DRAFT: a replacement, on status.
        let draft = flow(text("a"), Value::Null, text("DRAFT"));
        assert_eq!(replaced(published("a"), draft), vec!["status".to_owned()]);
        // A draft changes in place.
        let draft_b = flow(text("b"), Value::Null, text("DRAFT"));
        let draft_a = flow(text("a"), Value::Null, text("DRAFT"));
        assert!(replaced(draft_a, draft_b).is_empty());
    }
}
