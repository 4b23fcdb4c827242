//! Reading a `cams_flow` back from CAMS (GetFlow, then the stored Flow
//! JSON: two paced calls and one download), and importing one by id.

use crate::alibaba::{ApiError, CamsError, FetchError, Flow};
use crate::plugin::model::Model;
use crate::plugin::{
    Attr, Context, Diagnostic, Diagnostics, ImportResponse, ReadRequest, ReadResponse, State,
};
use crate::provider::errors::{download_advice, shown_id};
use crate::provider::Configured;

use super::apply::{seconds_since_created, step_failed, while_not_visible};
use super::model::{string_set, FlowModel};

/// A flow this provider created less than this long ago that CAMS does not
/// show yet is looked for again, not taken as deleted.
const YOUNG_FLOW_SECONDS: u64 = 120;

pub async fn read(ctx: &Context, req: ReadRequest) -> ReadResponse {
    match read_state(ctx, &req).await {
        Ok(Some(state)) => ReadResponse::found(state),
        Ok(None) => ReadResponse::removed(),
        Err(d) => ReadResponse::failed(&req, d),
    }
}

async fn read_state(ctx: &Context, req: &ReadRequest) -> Result<Option<State>, Diagnostics> {
    let configured = ctx.provider_data::<Configured>()?;
    let cams = &configured.client;
    let prior = FlowModel::from_config(&req.state)?;
    let id = prior
        .id
        .clone()
        .known()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            Diagnostics::from(Diagnostic::provider_bug(
                "Flow Without ID",
                "The state of this cams_flow has no id to read.",
            ))
        })?;
    let space = prior
        .cust_space_id
        .clone()
        .known()
        .filter(|s| !s.is_empty())
        .or_else(|| configured.cust_space_id.clone());

    let young = seconds_since_created(&req.private).is_some_and(|s| s < YOUNG_FLOW_SECONDS);
    let got = if young {
        while_not_visible(ctx, || cams.get_flow(&id, space.as_deref(), &ctx.cancel)).await
    } else {
        cams.get_flow(&id, space.as_deref(), &ctx.cancel).await
    };
    let flow = match got {
        Ok(flow) => flow,
        // Deleted outside Terraform: leave the state, so the plan proposes
        // to create it again.
        Err(e) if e.is_not_found() => {
            tracing::info!(flow_id = %id, "flow not found in CAMS; removing it from the state");
            return Ok(None);
        }
        Err(e) => return Err(step_failed("Cannot Read Flow", "GetFlow", Some(&id), &e).into()),
    };
    let content = match cams
        .fetch_flow_json(&id, space.as_deref(), &ctx.cancel)
        .await
    {
        Ok(file) => Some(String::from_utf8(file.file.bytes).map_err(|_| {
            Diagnostics::from(Diagnostic::error(
                "Flow JSON Is Not Text",
                format!("The Flow JSON stored for flow {id} is not UTF-8 text."),
            ))
        })?),
        Err(FetchError::Asset(e)) if has_no_json(&e) => None,
        Err(FetchError::Asset(e)) if e.is_not_found() => return Ok(None),
        Err(FetchError::Asset(e)) => {
            return Err(step_failed("Cannot Read Flow", "GetFlowJSONAssest", Some(&id), &e).into())
        }
        Err(e @ FetchError::Download { .. }) => {
            let mut detail = format!("Downloading the Flow JSON of flow {id} failed: {e}");
            if let Some(advice) = e.download_error().and_then(download_advice) {
                detail.push_str("\n\n");
                detail.push_str(&advice);
            }
            return Err(Diagnostic::error("Cannot Read Flow", detail).into());
        }
    };
    Ok(Some(state_of(prior, &id, space, &flow, content).to_state()))
}

/// CAMS answered, but the flow has no Flow JSON yet.
fn has_no_json(e: &CamsError) -> bool {
    matches!(e.api_error(), Some(ApiError::MissingFilePath { .. }))
}

/// The state as CAMS has it; what CAMS did not say keeps its prior value.
fn state_of(
    mut state: FlowModel,
    id: &str,
    space: Option<String>,
    flow: &Flow,
    content: Option<String>,
) -> FlowModel {
    state.id = Attr::Known(id.to_owned());
    state.cust_space_id = Attr::from(space);
    if let Some(name) = &flow.flow_name {
        state.name = Attr::Known(name.clone());
    }
    if let Some(categories) = &flow.categories {
        let mut categories = categories.clone();
        categories.sort();
        state.categories = string_set(categories);
    }
    if let Some(status) = &flow.status {
        state.status = Attr::Known(status.as_str().to_owned());
    }
    // No endpoint in CAMS: a state that wrote `""` keeps it, as written.
    let endpoint = flow.endpoint_uri.clone().filter(|e| !e.is_empty());
    let written_empty = state.endpoint_uri == Attr::Known(String::new());
    if endpoint.is_some() || !written_empty {
        state.endpoint_uri = Attr::from(endpoint);
    }
    state.content = Attr::from(content);
    state.derive_from_content();
    state
}

/// `terraform import cams_flow.x FLOW_ID` or `CUST_SPACE_ID:FLOW_ID`. The
/// read that follows fills in the rest.
/// The longest import id taken: a FlowId is a few dozen digits and a
/// CustSpaceId a few dozen characters, so anything longer is a mistake (a
/// pasted file, a wrong variable) to refuse before any request, without
/// echoing it whole.
const MAX_IMPORT_ID_CHARS: usize = 256;

pub fn import(id: &str) -> ImportResponse {
    if id.chars().count() > MAX_IMPORT_ID_CHARS {
        return ImportResponse {
            diagnostics: Diagnostic::error(
                "Invalid Import ID",
                format!("{} is longer than the {MAX_IMPORT_ID_CHARS} characters an import id may have: use FLOW_ID, or CUST_SPACE_ID:FLOW_ID for a flow of an ISV sub-customer space.", shown_id(id)),
            )
            .into(),
            ..ImportResponse::default()
        };
    }
    let (space, flow_id) = match id.split_once(':') {
        Some((space, flow)) => (Some(space.trim()), flow.trim()),
        None => (None, id.trim()),
    };
    if flow_id.is_empty() || space.is_some_and(str::is_empty) {
        return ImportResponse {
            diagnostics: Diagnostic::error(
                "Invalid Import ID",
                format!("{} is not a flow to import: use FLOW_ID, or CUST_SPACE_ID:FLOW_ID for a flow of an ISV sub-customer space.", shown_id(id)),
            )
            .into(),
            ..ImportResponse::default()
        };
    }
    let state = FlowModel {
        id: Attr::Known(flow_id.to_owned()),
        cust_space_id: Attr::from(space.map(str::to_owned)),
        ..FlowModel::default()
    };
    ImportResponse {
        state: Some(state.to_state()),
        ..ImportResponse::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_ids_with_and_without_a_space() {
        let imported =
            |id: &str| FlowModel::decode(&import(id).state.unwrap().into_value()).unwrap();
        let plain = imported("926753");
        assert_eq!(plain.id, Attr::Known("926753".to_owned()));
        assert_eq!(plain.cust_space_id, Attr::Null);
        let spaced = imported("cams-1:926753");
        assert_eq!(spaced.cust_space_id, Attr::Known("cams-1".to_owned()));
        assert_eq!(spaced.id, Attr::Known("926753".to_owned()));
        for bad in ["", ":926753", "cams-1:", " : "] {
            assert!(import(bad).diagnostics.has_errors(), "{bad:?}");
        }
    }

    #[test]
    fn an_overlong_import_id_is_refused_and_not_echoed_whole() {
        let id = "9".repeat(100_000);
        let refused = import(&id);
        assert!(refused.state.is_none());
        let detail: String = refused
            .diagnostics
            .iter()
            .map(|d| d.detail.clone())
            .collect();
        assert!(detail.contains("100000 characters"), "{detail}");
        assert!(detail.len() < 500, "{} bytes echoed", detail.len());
        assert!(import(&"9".repeat(MAX_IMPORT_ID_CHARS)).state.is_some());
    }
}
