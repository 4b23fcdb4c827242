//! Planning a `cams_flow`: the defaults, what follows from the Flow JSON,
//! the forward-only status, and the replacement of a flow CAMS no longer
//! lets us change.

use crate::alibaba::upload::MAX_UPLOAD_BYTES;
use crate::plugin::model::Model;
use crate::plugin::{
    Attr, AttributePath, Context, Diagnostic, Diagnostics, ModifyPlanRequest, ModifyPlanResponse,
};
use crate::provider::Configured;
use crate::{attribute_name, attribute_path};

use super::model::{rank, FlowModel};
use super::schema::DEFAULT_STATUS;

pub fn modify_plan(ctx: &Context, req: ModifyPlanRequest) -> ModifyPlanResponse {
    let mut resp = ModifyPlanResponse::keep(&req);
    if let Err(d) = plan(ctx, &req, &mut resp) {
        resp.diagnostics.extend(d);
    }
    resp
}

fn plan(
    ctx: &Context,
    req: &ModifyPlanRequest,
    resp: &mut ModifyPlanResponse,
) -> Result<(), Diagnostics> {
    if req.plan.is_null() {
        plan_destroy(&FlowModel::from_config(&req.prior_state)?, resp);
        return Ok(());
    }
    let config = FlowModel::from_config(&req.config)?;
    let prior = FlowModel::decode_optional(req.prior_state.value())?;
    let mut plan = FlowModel::from_config(&req.plan)?;
    let creating = prior.is_none();

    // status: the configured one; left out, DRAFT for a new flow and what
    // CAMS has for an existing one (an imported PUBLISHED flow stays so).
    plan.status = match &config.status {
        Attr::Null => Attr::Known(match prior.as_ref().map(|p| &p.status) {
            Some(Attr::Known(prior)) => prior.clone(),
            _ => DEFAULT_STATUS.to_owned(),
        }),
        configured => configured.clone(),
    };

    // cust_space_id: the configured one, else the provider's (known at
    // plan time, so the plan shows it). An existing flow whose space the
    // state lacks (imported by plain FLOW_ID) adopts it the same way.
    let space_unknown_before = prior.as_ref().is_none_or(|p| p.cust_space_id.is_null());
    if space_unknown_before && config.cust_space_id.is_null() {
        let provider_space = ctx
            .provider_data::<Configured>()
            .ok()
            .and_then(|c| c.cust_space_id.clone());
        match provider_space {
            Some(space) => plan.cust_space_id = Attr::Known(space),
            None if !creating && ctx.is_configured() => plan.cust_space_id = Attr::Null,
            None if !creating => plan.cust_space_id = Attr::Unknown,
            None if ctx.is_configured() => resp.diagnostics.push(
                Diagnostic::error(
                    "Missing Cust Space ID",
                    "A flow belongs to a CAMS space, and its Flow JSON is uploaded to that space's storage: set cust_space_id on the resource, or cust_space_id in the provider block.",
                )
                .at(attribute_path!(FlowModel, cust_space_id)),
            ),
            None => {}
        }
    }

    // What follows from the Flow JSON: kept when the text is the prior one
    // (semantic equality may have kept it), known when the text is.
    match prior.as_ref().filter(|p| p.content == plan.content) {
        Some(prior) => {
            plan.json_version = prior.json_version.clone();
            plan.data_api_version = prior.data_api_version.clone();
            plan.content_sha256 = prior.content_sha256.clone();
            plan.screen_ids = prior.screen_ids.clone();
        }
        None => {
            if let Attr::Known(text) = &plan.content {
                if let Some(d) = over_upload_limit(ctx, text) {
                    resp.diagnostics
                        .push(d.at(attribute_path!(FlowModel, content)));
                }
            }
            plan.derive_from_content();
        }
    }

    if let Some(prior) = &prior {
        plan_update(&config, prior, &plan, resp);
    }
    resp.plan = plan.encode_over(req.plan.value());
    Ok(())
}

fn known_or_default(a: &Attr<String>) -> String {
    a.clone().known().unwrap_or_default()
}

/// Destroying: what happens to the flow in CAMS depends on its status.
fn plan_destroy(prior: &FlowModel, resp: &mut ModifyPlanResponse) {
    let id = known_or_default(&prior.id);
    match prior.status.clone().known().as_deref() {
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

/// The attributes CAMS lets us change only while the flow is a draft,
/// that the plan changes in CAMS. A name or categories the prior state
/// lacks (an import whose GetFlow did not return them) is adopted, not a
/// change; an `endpoint_uri` of `""` means no endpoint, as null does.
fn draft_only_changes(prior: &FlowModel, plan: &FlowModel) -> Vec<&'static str> {
    let no_endpoint = |e: &Attr<String>| e.is_null() || *e == Attr::Known(String::new());
    let endpoint_changes = !(no_endpoint(&prior.endpoint_uri) && no_endpoint(&plan.endpoint_uri))
        && prior.endpoint_uri != plan.endpoint_uri;
    [
        (
            attribute_name!(FlowModel, name),
            !prior.name.is_null() && prior.name != plan.name,
        ),
        (
            attribute_name!(FlowModel, categories),
            !prior.categories.is_null() && prior.categories != plan.categories,
        ),
        (attribute_name!(FlowModel, endpoint_uri), endpoint_changes),
        (
            attribute_name!(FlowModel, content),
            prior.content != plan.content,
        ),
    ]
    .into_iter()
    .filter_map(|(name, changed)| changed.then_some(name))
    .collect()
}

/// Updating: a flow past DRAFT cannot be changed in CAMS, and its status
/// only moves forward, so a change to it, or a status asked back, replaces
/// it. The replacement is planned (visible, changing nothing yet), so
/// editing the configuration, `-replace` and `taint` all work.
fn plan_update(
    config: &FlowModel,
    prior: &FlowModel,
    plan: &FlowModel,
    resp: &mut ModifyPlanResponse,
) {
    let prior_status = prior
        .status
        .clone()
        .known()
        .unwrap_or_else(|| DEFAULT_STATUS.to_owned());
    if !matches!(prior_status.as_str(), "PUBLISHED" | "DEPRECATED") {
        return;
    }
    let id = known_or_default(&prior.id);

    let mut changed = draft_only_changes(prior, plan);
    let backward = match &plan.status {
        Attr::Known(wanted) => matches!(
            (rank(&prior_status), rank(wanted)),
            (Some(from), Some(to)) if to < from
        ),
        _ => false,
    };
    if backward {
        changed.push(attribute_name!(FlowModel, status));
    }
    let Some(first) = changed.first() else {
        return;
    };
    for name in &changed {
        resp.requires_replace.push(AttributePath::of(*name));
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
    let new_status = if config.status.is_null() {
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
        .at(AttributePath::of(*first)),
    );
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::model::Set;
    use crate::plugin::Config;

    fn text(s: &str) -> Attr<String> {
        Attr::Known(s.to_owned())
    }

    fn flow(name: Attr<String>, endpoint: Attr<String>, status: Attr<String>) -> FlowModel {
        FlowModel {
            id: text("926753"),
            name,
            categories: Attr::Known(Set(vec![text("OTHER")])),
            content: text("{}"),
            endpoint_uri: endpoint,
            status,
            ..FlowModel::default()
        }
    }

    /// The attributes a plan from `prior` to `planned` replaces.
    fn replaced(prior: FlowModel, planned: FlowModel) -> Vec<String> {
        let req = ModifyPlanRequest {
            config: Config::new(planned.encode()),
            prior_state: Config::new(prior.encode()),
            plan: Config::new(planned.encode()),
            private: Vec::new(),
        };
        let mut resp = ModifyPlanResponse::keep(&req);
        plan_update(&planned, &prior, &planned, &mut resp);
        resp.requires_replace
            .iter()
            .map(|p| p.to_string())
            .collect()
    }

    #[test]
    fn a_published_flow_is_replaced_only_for_a_real_change() {
        let published = |name: &str| flow(text(name), Attr::Null, text("PUBLISHED"));
        assert!(replaced(published("a"), published("a")).is_empty());
        assert_eq!(replaced(published("a"), published("b")).len(), 1);
        // Not read back by an import: adopted.
        let unread = flow(Attr::Null, Attr::Null, text("PUBLISHED"));
        assert!(replaced(unread, published("a")).is_empty());
        // "" and null both mean no endpoint.
        let empty = flow(text("a"), text(""), text("PUBLISHED"));
        assert!(replaced(published("a"), empty).is_empty());
        // Back to DRAFT: a replacement, on status.
        let draft = flow(text("a"), Attr::Null, text("DRAFT"));
        assert_eq!(replaced(published("a"), draft), vec!["status".to_owned()]);
        // A draft changes in place.
        let draft_b = flow(text("b"), Attr::Null, text("DRAFT"));
        let draft_a = flow(text("a"), Attr::Null, text("DRAFT"));
        assert!(replaced(draft_a, draft_b).is_empty());
    }
}
