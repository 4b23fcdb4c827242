//! Planning a `cams_flow`: the defaults, what follows from the Flow JSON,
//! the forward-only status, and the replacement of a flow CAMS no longer
//! lets us change.

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

    // status: the configured one, else the default.
    let status = match req.config.string("status") {
        Ok(Attr::Null) => Attr::Known(DEFAULT_STATUS.to_owned()),
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
    // plan time, so the plan shows it).
    if creating && req.config.get("cust_space_id").is_none_or(Value::is_null) {
        let provider_space = ctx
            .provider_data::<Configured>()
            .ok()
            .and_then(|c| c.cust_space_id.clone());
        match provider_space {
            Some(space) => resp.set("cust_space_id", Value::String(space)),
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

/// Updating: the status only moves forward, and a flow past DRAFT cannot
/// be changed in CAMS, so a change to it replaces it.
fn plan_update(req: &ModifyPlanRequest, status: &Attr<String>, resp: &mut ModifyPlanResponse) {
    let prior_status = req
        .prior_state
        .string("status")
        .ok()
        .and_then(Attr::known)
        .unwrap_or_else(|| DEFAULT_STATUS.to_owned());
    let id = req
        .prior_state
        .string("id")
        .ok()
        .and_then(Attr::known)
        .unwrap_or_default();

    let changed: Vec<&str> = DRAFT_ONLY
        .into_iter()
        .filter(|name| req.plan.get(name) != req.prior_state.get(name))
        .collect();
    let frozen = matches!(prior_status.as_str(), "PUBLISHED" | "DEPRECATED");
    if frozen && !changed.is_empty() {
        // A new flow is made: the status may then be anything.
        for name in &changed {
            resp.requires_replace.push(req.config.path_of(name));
        }
        resp.diagnostics.push(Diagnostic::warning(
            "Flow Will Be Replaced",
            format!(
                "Flow {id} is {prior_status}, and CAMS does not allow changing a flow once it is published, so the change to {} replaces it: Terraform creates a new flow and retires this one ({}).",
                changed.join(", "),
                if prior_status == "PUBLISHED" { "deprecated, since a published flow cannot be deleted" } else { "removed from the state; it stays in CAMS as deprecated" }
            ),
        ).at(req.config.path_of(changed[0])));
        return;
    }
    if let Attr::Known(wanted) = status {
        if let (Some(from), Some(to)) = (rank(&prior_status), rank(wanted)) {
            if to < from {
                resp.diagnostics.push(
                    Diagnostic::error(
                        "Flow Status Cannot Go Back",
                        format!(
                            "Flow {id} is {prior_status} in CAMS and status asks for {wanted}, but a flow only moves forward: DRAFT → PUBLISHED → DEPRECATED. Keep status = \"{prior_status}\" (or a later status), or replace the flow to start again as a draft (terraform apply -replace=ADDRESS)."
                        ),
                    )
                    .at(req.config.path_of("status")),
                );
            }
        }
    }
}
