//! Applying a `cams_flow` plan as CAMS calls. Each step that fails is
//! named, with the flow id; whatever exists by then is returned as the
//! state, so Terraform keeps it (a create that fails half-way leaves a
//! tainted flow in the state, replaced by the next apply, never an orphan;
//! so does a `CreateFlow` whose answer is lost, when CAMS shows the flow it
//! made, see [`crate::alibaba::lost_create`]).

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::alibaba::{
    CamsClient, CamsError, CreateFlowError, FlowChanges, LostAnswer, NewFlow, SetFlowJsonError,
    UploadError,
};
use crate::plugin::model::Model;
use crate::plugin::{
    ApplyResponse, Context, CreateRequest, DeleteRequest, DeleteResponse, Diagnostic, Diagnostics,
    UpdateRequest,
};
use crate::provider::errors::{cams_advice, deadline_advice};
use crate::provider::Configured;

use super::model::{rank, FlowModel, KnownFlow};

/// How long a flow that was just created may stay invisible to the calls
/// that follow (CAMS and Meta are eventually consistent), and the waits
/// between looks.
const NEW_FLOW_RETRY_DELAYS: [Duration; 5] = [
    Duration::from_millis(250),
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
];

/// The private bytes of a flow this provider created: when, so a read soon
/// after can tell "not visible yet" from "deleted".
pub(crate) fn created_marker() -> Vec<u8> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("created:{now}").into_bytes()
}

/// Seconds since the flow was created, from its private bytes.
pub(crate) fn seconds_since_created(private: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(private).ok()?;
    let created: u64 = text.strip_prefix("created:")?.parse().ok()?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(now.saturating_sub(created))
}

/// An error that can say "CAMS does not show this flow (yet)".
pub trait NotFound {
    fn is_not_found(&self) -> bool;
}

impl NotFound for CamsError {
    fn is_not_found(&self) -> bool {
        CamsError::is_not_found(self)
    }
}

impl NotFound for SetFlowJsonError {
    fn is_not_found(&self) -> bool {
        matches!(self, SetFlowJsonError::Update(e) if e.is_not_found())
    }
}

/// Runs `call` again while CAMS says the new flow does not exist, for a
/// few seconds at most.
pub(crate) async fn while_not_visible<T, E, F, Fut>(ctx: &Context, mut call: F) -> Result<T, E>
where
    E: NotFound,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut delays = NEW_FLOW_RETRY_DELAYS.iter();
    loop {
        match call().await {
            Err(e) if e.is_not_found() => match delays.next() {
                Some(delay) => {
                    tracing::debug!(
                        delay_ms = delay.as_millis() as u64,
                        "new flow not visible yet; looking again"
                    );
                    tokio::select! {
                        _ = tokio::time::sleep(*delay) => {}
                        _ = ctx.cancel.cancelled() => return Err(e),
                    }
                }
                None => return Err(e),
            },
            other => return other,
        }
    }
}

/// A failed step as a diagnostic naming the step, the flow and what to do.
pub(crate) fn step_failed(
    summary: &str,
    step: &str,
    id: Option<&str>,
    e: &CamsError,
) -> Diagnostic {
    let flow = id.map_or_else(String::new, |id| format!(" of flow {id}"));
    let mut detail = format!("{step}{flow} failed: {e}");
    if let Some(advice) = cams_advice(e) {
        detail.push_str("\n\n");
        detail.push_str(&advice);
    }
    Diagnostic::error(summary, detail)
}

fn upload_failed(id: &str, e: &SetFlowJsonError, after_create: bool) -> Diagnostic {
    let mut detail = format!("Setting the Flow JSON of flow {id} failed: {e}");
    let advice = match e {
        SetFlowJsonError::Update(e) => cams_advice(e),
        SetFlowJsonError::Upload(UploadError::Authorization(e)) => cams_advice(e),
        SetFlowJsonError::Upload(UploadError::Transport {
            deadline: Some(deadline),
            ..
        }) => Some(deadline_advice(*deadline)),
        SetFlowJsonError::Upload(_) => None,
    };
    if let Some(advice) = advice {
        detail.push_str("\n\n");
        detail.push_str(&advice);
    }
    if after_create {
        detail.push_str(&format!("\n\nThe flow {id} was created before this step failed. It is kept in the state, marked tainted, so nothing is lost: the next apply replaces it (it is a draft, so it is deleted) once the cause is fixed."));
    }
    Diagnostic::error("Cannot Set the Flow JSON", detail)
}

/// A `CreateFlow` whose answer was lost: the flow found, kept as tainted
/// state; or the flows that may be it and how to import one.
fn answer_lost(lost: &LostAnswer, name: &str, space: &str) -> Diagnostic {
    let mut detail = format!(
        "CreateFlow for flow {name:?} in space {space} may have created the flow, but its answer was lost: {}",
        lost.error
    );
    if let Some(id) = lost.created_flow() {
        detail.push_str(&format!("\n\nFlow {id} is a DRAFT of that name in that space that was not there before the request, so it is taken for the one created. It is kept in the state, marked tainted, without its Flow JSON: the next apply replaces it (it is a draft, so it is deleted)."));
        return Diagnostic::error("CreateFlow Answer Lost, Flow Kept", detail);
    }
    match lost.candidates.as_slice() {
        [] => detail.push_str(&format!("\n\nNo new DRAFT named {name:?} was found in the space afterwards, so CAMS most likely did not create it; nothing was added to the state.")),
        ids => {
            let why = if lost.baseline {
                "They are DRAFTs of that name that were not there before the request; more than one, so none is chosen."
            } else {
                "The flows of that name could not be listed before the request, so none can be told to be new."
            };
            detail.push_str(&format!(
                "\n\nIt may be any of these flows: {}. {why} If one is the flow this resource created, import it (`terraform import ADDRESS {space}:FLOW_ID`, ADDRESS being this cams_flow's address) before applying again, or delete it in CAMS; otherwise the next apply creates another.",
                ids.join(", ")
            ));
        }
    }
    if let Some(e) = &lost.lookup_error {
        detail.push_str(&format!(
            "\n\nLooking for the flow failed: {e}. Check the flows named {name:?} in the space (the cams_flows data source lists them) and import the one created, if any."
        ));
    }
    Diagnostic::error("CreateFlow Answer Lost", detail)
}

fn client(ctx: &Context) -> Result<Arc<Configured>, Diagnostics> {
    ctx.provider_data::<Configured>().map_err(Diagnostics::from)
}

/// The space a flow belongs to: its own, else the provider's.
fn space_of(model: &KnownFlow, configured: &Configured) -> Option<String> {
    model
        .cust_space_id
        .clone()
        .or_else(|| configured.cust_space_id.clone())
}

fn missing_space() -> Diagnostics {
    Diagnostic::error(
        "Missing Cust Space ID",
        "A flow's Flow JSON is uploaded to its CAMS space's storage: set cust_space_id on the resource, or cust_space_id in the provider block.",
    )
    .into()
}

pub async fn create(ctx: &Context, req: CreateRequest) -> ApplyResponse {
    let (configured, mut model) = match (client(ctx), KnownFlow::from_config(&req.plan)) {
        (Ok(c), Ok(m)) => (c, m),
        (Err(d), _) | (_, Err(d)) => return ApplyResponse::failed(d),
    };
    let Some(space) = space_of(&model, &configured) else {
        return ApplyResponse::failed(missing_space());
    };
    model.cust_space_id = Some(space.clone());
    let cams = &configured.client;
    let wanted = model.status.clone();

    let created = cams
        .create_flow_or_find(
            &NewFlow {
                name: &model.name,
                categories: &model.categories,
                cust_space_id: Some(&space),
                endpoint_uri: model.endpoint_in_cams(),
            },
            &ctx.cancel,
        )
        .await;
    let private = created_marker();
    let partial = |model: &KnownFlow, d: Diagnostic| {
        let mut resp = ApplyResponse::partial(model.to_state(), d);
        resp.private = Some(private.clone());
        resp
    };
    let id = match created {
        Ok(created) => created.flow_id,
        Err(CreateFlowError::NotCreated(e)) => {
            return ApplyResponse::failed(step_failed("Cannot Create Flow", "CreateFlow", None, &e))
        }
        Err(CreateFlowError::AnswerLost(lost)) => {
            let diagnostic = answer_lost(&lost, &model.name, &space);
            return match lost.created_flow() {
                Some(found) => {
                    model.id = Some(found.to_owned());
                    model.status = "DRAFT".to_owned();
                    partial(&model, diagnostic)
                }
                None => ApplyResponse::failed(diagnostic),
            };
        }
    };
    model.id = Some(id.clone());
    model.status = "DRAFT".to_owned();
    if ctx.cancel.is_cancelled() {
        // Stopped while CreateFlow was under way: its answer was awaited,
        // so the flow is known and kept; nothing more is done.
        return partial(
            &model,
            Diagnostic::error(
                "Flow Created, Then Interrupted",
                format!("Terraform was interrupted while CreateFlow was under way. Its answer was awaited: flow {id} was created, and is kept in the state, marked tainted, without its Flow JSON. The next apply replaces it (it is a draft, so it is deleted)."),
            ),
        );
    }

    let set = while_not_visible(ctx, || {
        cams.set_flow_json(&id, &space, model.content.as_bytes(), &ctx.cancel)
    })
    .await;
    if let Err(e) = set {
        return partial(&model, upload_failed(&id, &e, true));
    }
    if let Err(d) = move_status(ctx, cams, &mut model, &wanted, &space, true).await {
        return partial(&model, d);
    }
    let mut resp = ApplyResponse::ok(model.to_state());
    resp.private = Some(private);
    resp
}

/// Publishes and deprecates as needed to go from `model.status` to
/// `wanted`, updating `model.status` after each step that succeeds.
async fn move_status(
    ctx: &Context,
    cams: &CamsClient,
    model: &mut KnownFlow,
    wanted: &str,
    space: &str,
    just_created: bool,
) -> Result<(), Diagnostic> {
    let id = model.id.clone().unwrap_or_default();
    let (Some(from), Some(to)) = (rank(&model.status), rank(wanted)) else {
        return Ok(());
    };
    if from < 1 && to >= 1 {
        let published = if just_created {
            while_not_visible(ctx, || cams.publish_flow(&id, Some(space), &ctx.cancel)).await
        } else {
            cams.publish_flow(&id, Some(space), &ctx.cancel).await
        };
        published.map_err(|e| {
            let mut d = step_failed("Cannot Publish Flow", "PublishFlow", Some(&id), &e);
            d.detail.push_str(if just_created {
                "\n\nThe flow was created and its Flow JSON set; it is kept in the state as a tainted DRAFT, so the next apply replaces it."
            } else {
                "\n\nThe flow stays a DRAFT; fix the cause (provider::cams::flow_json_problems(content) lists what Meta would refuse) and apply again."
            });
            d
        })?;
        model.status = "PUBLISHED".to_owned();
    }
    if from < 2 && to >= 2 {
        cams.deprecate_flow(&id, Some(space), &ctx.cancel)
            .await
            .map_err(|e| step_failed("Cannot Deprecate Flow", "DeprecateFlow", Some(&id), &e))?;
        model.status = "DEPRECATED".to_owned();
    }
    Ok(())
}

pub async fn update(ctx: &Context, req: UpdateRequest) -> ApplyResponse {
    let (configured, prior, planned) = match (
        client(ctx),
        FlowModel::from_config(&req.prior_state).map_err(Diagnostics::from),
        KnownFlow::from_config(&req.plan),
    ) {
        (Ok(c), Ok(p), Ok(n)) => (c, p, n),
        (Err(d), _, _) | (_, Err(d), _) | (_, _, Err(d)) => return ApplyResponse::failed(d),
    };
    let prior = adopt_unread(prior, &planned);
    let cams = &configured.client;
    let id = prior.id.clone().unwrap_or_default();
    // The planned space first: after an import by plain FLOW_ID the prior
    // state has none, and the plan adopts the configured one.
    let Some(space) = planned
        .cust_space_id
        .clone()
        .or_else(|| space_of(&prior, &configured))
    else {
        return ApplyResponse::failed(missing_space());
    };
    // `current` follows what CAMS holds after each step, so a failure
    // returns the truth.
    let mut current = prior.clone();
    current.cust_space_id = Some(space.clone());
    let partial =
        |current: &KnownFlow, d: Diagnostic| ApplyResponse::partial(current.to_state(), d);

    let metadata_changed = prior.name != planned.name
        || prior.categories != planned.categories
        || prior.endpoint_in_cams() != planned.endpoint_in_cams();
    if metadata_changed {
        let cleared = planned.endpoint_in_cams().is_none() && prior.endpoint_in_cams().is_some();
        let changes = FlowChanges {
            flow_id: &id,
            name: &planned.name,
            categories: &planned.categories,
            cust_space_id: Some(&space),
            endpoint_uri: if cleared {
                Some("")
            } else {
                planned.endpoint_in_cams()
            },
        };
        if let Err(e) = cams.modify_flow(&changes, &ctx.cancel).await {
            return ApplyResponse::failed(step_failed(
                "Cannot Modify Flow",
                "ModifyFlow",
                Some(&id),
                &e,
            ));
        }
        current.name = planned.name.clone();
        current.categories = planned.categories.clone();
    }
    // Kept as written ("" and null mean the same to CAMS).
    current.endpoint_uri = planned.endpoint_uri.clone();
    if prior.content != planned.content {
        if let Err(e) = cams
            .set_flow_json(&id, &space, planned.content.as_bytes(), &ctx.cancel)
            .await
        {
            return partial(&current, upload_failed(&id, &e, false));
        }
        current.content = planned.content.clone();
    }
    if let Err(d) = move_status(ctx, cams, &mut current, &planned.status, &space, false).await {
        return partial(&current, d);
    }
    ApplyResponse::ok(current.to_state())
}

/// What the prior state of a published or deprecated flow lacks (an import
/// whose GetFlow did not return the name or categories) is taken from the
/// plan, as the plan adopted it: CAMS could not change it anyway.
fn adopt_unread(state: FlowModel, planned: &KnownFlow) -> KnownFlow {
    let (name_unread, categories_unread) = (state.name.is_null(), state.categories.is_null());
    let mut prior = KnownFlow::from_model(state);
    if !matches!(prior.status.as_str(), "PUBLISHED" | "DEPRECATED") {
        return prior;
    }
    if name_unread {
        prior.name = planned.name.clone();
    }
    if categories_unread {
        prior.categories = planned.categories.clone();
    }
    prior
}

pub async fn delete(ctx: &Context, req: DeleteRequest) -> DeleteResponse {
    let mut resp = DeleteResponse::default();
    let (configured, prior) = match (client(ctx), KnownFlow::from_config(&req.prior_state)) {
        (Ok(c), Ok(p)) => (c, p),
        (Err(d), _) | (_, Err(d)) => {
            resp.diagnostics = d;
            return resp;
        }
    };
    let Some(id) = prior.id.clone() else {
        return resp;
    };
    let space = space_of(&prior, &configured);
    let cams = &configured.client;
    let result = match prior.status.as_str() {
        "DEPRECATED" => {
            resp.diagnostics.push(Diagnostic::warning(
                "Deprecated Flow Stays in CAMS",
                format!("Flow {id} is deprecated, which CAMS keeps for good; it was removed from the state only."),
            ));
            Ok(())
        }
        "PUBLISHED" => {
            resp.diagnostics.push(Diagnostic::warning(
                "Published Flow Deprecated, Not Deleted",
                format!("CAMS cannot delete a published flow, so flow {id} was deprecated and removed from the state. It stays in CAMS as DEPRECATED."),
            ));
            cams.deprecate_flow(&id, space.as_deref(), &ctx.cancel)
                .await
                .map(|_| ())
                .map_err(|e| ("Cannot Deprecate Flow", "DeprecateFlow", e))
        }
        _ => cams
            .delete_flow(&id, space.as_deref(), &ctx.cancel)
            .await
            .map(|_| ())
            .map_err(|e| ("Cannot Delete Flow", "DeleteFlow", e)),
    };
    match result {
        Ok(()) => {}
        // Already gone: the goal of a destroy.
        Err((_, _, e)) if e.is_not_found() => {}
        Err((summary, step, e)) => resp
            .diagnostics
            .push(step_failed(summary, step, Some(&id), &e)),
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_created_marker_tells_its_age() {
        let marker = created_marker();
        assert!(seconds_since_created(&marker).is_some_and(|s| s < 5));
        assert_eq!(seconds_since_created(b""), None);
        assert_eq!(seconds_since_created(b"created:x"), None);
        assert_eq!(
            seconds_since_created(b"created:0").map(|s| s > 1_000_000),
            Some(true)
        );
    }
}
