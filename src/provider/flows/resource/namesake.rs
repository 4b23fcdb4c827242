//! A plan that creates a flow while a published flow of the same name is
//! in the space: the warning a tainted or `-replace`d published flow needs.
//!
//! Terraform plans the replacement of a tainted object as a plain create:
//! the provider gets no prior state (Terraform core sets it to null for a
//! tainted object, 1.0 and 1.11 alike), so the plan cannot tell from the
//! request that the old flow goes, nor that CAMS will deprecate it rather
//! than delete it (the warning a plain destroy shows). What it can see is
//! CAMS: a published flow of the very name being created is, in practice,
//! the one this plan replaces, or a second flow the user should know about.
//!
//! A replacement the provider planned itself (a change to a published
//! flow) already carries the "Flow Will Be Replaced" warning; Terraform then
//! plans the new object as a create in the same process, and that flow is
//! not named a second time.
//!
//! Cost: one listing of the space's flows per plan (shared by every flow
//! the plan creates, cached for the provider process), and one `GetFlow`
//! per same-named flow, at most [`MAX_LOOKED_UP`]. A failed listing costs
//! the plan nothing but the warning: it is a courtesy, never a reason to
//! stop a plan.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use crate::alibaba::flows::{FlowStatus, FlowSummary};
use crate::plugin::{Context, Diagnostic};
use crate::provider::Configured;

/// At most this many same-named flows have their status read.
const MAX_LOOKED_UP: usize = 3;

/// The flows of a space as one listing found them; `None` when CAMS could
/// not list them.
type Listing = Arc<OnceCell<Option<Vec<FlowSummary>>>>;

/// What the plans of one provider process learn about same-named flows.
#[derive(Default)]
pub(crate) struct Namesakes {
    /// The flows of each space, listed once.
    by_space: Mutex<HashMap<String, Listing>>,
    /// Flows whose replacement a plan has already announced.
    announced: Mutex<HashSet<String>>,
}

impl Namesakes {
    /// Records that a plan announced the replacement of flow `id`.
    pub(crate) fn replacement_announced(&self, id: &str) {
        lock(&self.announced).insert(id.to_owned());
    }

    /// The flows of `space`, listed on first use; `None` when CAMS could
    /// not list them.
    async fn flows(
        &self,
        ctx: &Context,
        cams: &Configured,
        space: &str,
    ) -> Option<Vec<FlowSummary>> {
        let cell = lock(&self.by_space)
            .entry(space.to_owned())
            .or_default()
            .clone();
        cell.get_or_init(|| async {
            match cams.client.list_flows(Some(space), None, &ctx.cancel).await {
                Ok(flows) => Some(flows),
                Err(e) => {
                    tracing::debug!(
                        space,
                        error = %e,
                        "listing the space's flows for same-named published flows failed; no warning"
                    );
                    None
                }
            }
        })
        .await
        .clone()
    }

    /// The warning for creating a flow named `name` in `space`, when a
    /// published flow of that name is there.
    pub(crate) async fn published_namesake(
        &self,
        ctx: &Context,
        space: &str,
        name: &str,
    ) -> Option<Diagnostic> {
        let cams = ctx.provider_data::<Configured>().ok()?;
        let flows = self.flows(ctx, &cams, space).await?;
        let announced = lock(&self.announced).clone();
        let same_name = flows
            .iter()
            .filter(|f| f.flow_name.as_deref() == Some(name))
            .filter(|f| !announced.contains(&f.flow_id))
            .take(MAX_LOOKED_UP);
        let mut published = Vec::new();
        for summary in same_name {
            let status = cams
                .client
                .get_flow(&summary.flow_id, Some(space), &ctx.cancel)
                .await
                .ok()
                .and_then(|f| f.status);
            if status == Some(FlowStatus::Published) {
                published.push(summary.flow_id.as_str());
            }
        }
        (!published.is_empty()).then(|| namesake_warning(name, &published))
    }
}

/// A poisoned lock only means another plan panicked; the data is fine.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

fn namesake_warning(name: &str, published: &[&str]) -> Diagnostic {
    let ids = published.join(", ");
    Diagnostic::warning(
        "A Published Flow of This Name Exists",
        format!(
            "This plan creates a flow named {name:?}, and CAMS already holds the published flow {ids} of that name in this space. If the plan replaces it (the resource is tainted, or planned with -replace), the old flow is destroyed first, and CAMS cannot delete a published flow: it will be deprecated (no longer sendable; message templates whose FLOW button opens it stop working) and stay in CAMS as DEPRECATED, and the new flow gets a new FlowId. To keep it, run `terraform untaint` on the resource (or drop -replace) before applying. If the plan does not replace it, CAMS will hold two flows of this name."
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warning_names_the_flow_and_what_to_do() {
        let d = namesake_warning("signup", &["111", "222"]);
        assert!(d.detail.contains("\"signup\""), "{}", d.detail);
        assert!(d.detail.contains("111, 222"), "{}", d.detail);
        assert!(d.detail.contains("deprecated"), "{}", d.detail);
        assert!(d.detail.contains("terraform untaint"), "{}", d.detail);
    }
}
