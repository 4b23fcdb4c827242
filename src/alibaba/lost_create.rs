//! A `CreateFlow` whose answer is lost: the request may have created a
//! flow, but only the answer names it. CAMS takes no client token that
//! would make a second request harmless or let the flow be asked for by
//! token, so [`CamsClient::create_flow_or_find`] tells the flow apart by
//! what it can see:
//!
//! * before sending `CreateFlow`, it lists the flows of that exact name in
//!   the space (`ListFlow` with `FlowName`): flows that exist then are not
//!   the new one, whoever manages them;
//! * when the answer is lost (a timeout, a reset, a 5xx, an answer it
//!   cannot read, or no answer within the wait after a stop request), it
//!   lists them again, looking a few more times while none is new (CAMS is
//!   eventually consistent), and keeps those that are new and still
//!   `DRAFT` (a new flow is a draft; a published one is someone else's).
//!
//! Exactly one such flow is, as far as CAMS can tell, the one created. A
//! same-named flow made in the same space by someone else within those
//! seconds cannot be told apart from it: then there are two candidates and
//! the caller names both instead of choosing.

use std::collections::HashSet;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::api_response::ApiError;
use super::client::{CamsClient, CamsError};
use super::error_codes::RetryClass;
use super::flow_api::NewFlow;
use super::flows::{CreatedFlow, FlowStatus};
use super::retry::GiveUp;

/// The waits between looks for the new flow while none is found.
const LOOKUP_DELAYS: [Duration; 3] = [
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
];
/// The whole search for the new flow ends after this, found or not (it
/// runs after a stop request too, so it must be bounded on its own).
pub const LOOKUP_BOUND: Duration = Duration::from_secs(30);

/// Why [`CamsClient::create_flow_or_find`] did not return the new flow.
#[derive(Debug, thiserror::Error)]
pub enum CreateFlowError {
    /// CAMS did not create a flow: the request was refused, or never sent.
    #[error(transparent)]
    NotCreated(CamsError),
    /// The request may have created a flow, but its answer was lost.
    #[error("{}", .0.error)]
    AnswerLost(Box<LostAnswer>),
}

/// What is known after a `CreateFlow` whose answer was lost.
#[derive(Debug)]
pub struct LostAnswer {
    /// Why the answer was lost.
    pub error: CamsError,
    /// Flows of the asked name in the space that are `DRAFT` and were not
    /// there before the request (all same-named drafts when `baseline` is
    /// false).
    pub candidates: Vec<String>,
    /// Whether the flows of that name could be listed before the request.
    /// Without that list no candidate can be told to be new.
    pub baseline: bool,
    /// Why the search after the loss failed, if it did.
    pub lookup_error: Option<CamsError>,
}

impl LostAnswer {
    /// The flow the request created, when CAMS shows exactly one
    /// candidate and it is known to be new.
    pub fn created_flow(&self) -> Option<&str> {
        match self.candidates.as_slice() {
            [only] if self.baseline => Some(only),
            _ => None,
        }
    }
}

/// Whether a failed `CreateFlow` may have created the flow. Only a request
/// that was sent and got no readable refusal may have: a transport failure
/// after the connection was made (for `CreateFlow` those are never retried,
/// so they end the call as not retryable; a connection never made is
/// retried and ends on a limit instead), a 5xx or a reused nonce, an answer
/// too large or unreadable. A 4xx refusal, throttling, credentials, a
/// cancellation before sending: nothing was created.
pub(crate) fn may_have_created(error: &CamsError) -> bool {
    match error {
        CamsError::Transport { gave_up, .. } => *gave_up == GiveUp::NotRetryable,
        CamsError::ResponseTooLarge { .. } => true,
        CamsError::Api { error, .. } => match error.as_ref() {
            ApiError::Service(_) => matches!(
                error.retry_class(),
                RetryClass::Transient | RetryClass::NonceReused
            ),
            ApiError::MalformedBody { .. }
            | ApiError::InvalidData { .. }
            | ApiError::MissingFilePath { .. } => true,
        },
        CamsError::EmptyFlowId
        | CamsError::InvalidArgument { .. }
        | CamsError::Credentials { .. }
        | CamsError::NotFound { .. }
        | CamsError::Paging { .. }
        | CamsError::TemplateNotFound { .. }
        | CamsError::TemplatePaging { .. }
        | CamsError::Cancelled { .. } => false,
    }
}

/// The ids of the flows named exactly `name` (CAMS's `FlowName` filter may
/// match more than that).
fn exact_name_ids(flows: Vec<super::flows::FlowSummary>, name: &str) -> Vec<String> {
    flows
        .into_iter()
        .filter(|f| f.flow_name.as_deref() == Some(name))
        .map(|f| f.flow_id)
        .collect()
}

impl CamsClient {
    /// `CreateFlow`, accounting for a lost answer (see the module docs).
    /// Costs one `ListFlow` before the request; the search after a loss
    /// runs even after `cancel` (the flow must not be left unknown), within
    /// [`LOOKUP_BOUND`].
    pub async fn create_flow_or_find(
        &self,
        flow: &NewFlow<'_>,
        cancel: &CancellationToken,
    ) -> Result<CreatedFlow, CreateFlowError> {
        let space = flow.cust_space_id;
        let before = match self.list_flows(space, Some(flow.name), cancel).await {
            Ok(flows) => Some(exact_name_ids(flows, flow.name)),
            Err(CamsError::Cancelled { action, attempts }) => {
                return Err(CreateFlowError::NotCreated(CamsError::Cancelled {
                    action,
                    attempts,
                }))
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not list the flows of this name before CreateFlow; a lost answer could not be told apart from them");
                None
            }
        };
        let error = match self.create_flow(flow, cancel).await {
            Ok(created) => return Ok(created),
            Err(e) if !may_have_created(&e) => return Err(CreateFlowError::NotCreated(e)),
            Err(e) => e,
        };
        tracing::warn!(error = %error, "the answer of CreateFlow was lost; looking for the flow it may have created");
        // A fresh token: the run's may be cancelled already (Ctrl-C), and
        // this search is what keeps the flow from being lost.
        let search = CancellationToken::new();
        let looked = tokio::time::timeout(
            LOOKUP_BOUND,
            self.new_drafts(space, flow.name, before.as_ref(), &search),
        )
        .await;
        let (candidates, lookup_error) = match looked {
            Ok(Ok(found)) => (found, None),
            Ok(Err(e)) => (Vec::new(), Some(e)),
            Err(_) => {
                search.cancel();
                (
                    Vec::new(),
                    Some(CamsError::Cancelled {
                        action: "ListFlow",
                        attempts: 0,
                    }),
                )
            }
        };
        Err(CreateFlowError::AnswerLost(Box::new(LostAnswer {
            error,
            candidates,
            baseline: before.is_some(),
            lookup_error,
        })))
    }

    /// The `DRAFT` flows named `name` in the space that are not in
    /// `before`, looked for again while there are none.
    async fn new_drafts(
        &self,
        space: Option<&str>,
        name: &str,
        before: Option<&Vec<String>>,
        cancel: &CancellationToken,
    ) -> Result<Vec<String>, CamsError> {
        let known: HashSet<&str> = before
            .map(|ids| ids.iter().map(String::as_str).collect())
            .unwrap_or_default();
        let mut delays = LOOKUP_DELAYS.iter();
        loop {
            let listed = self.list_flows(space, Some(name), cancel).await?;
            let mut drafts = Vec::new();
            for id in exact_name_ids(listed, name) {
                if known.contains(id.as_str()) {
                    continue;
                }
                match self.get_flow(&id, space, cancel).await {
                    Ok(flow) if flow.status == Some(FlowStatus::Draft) => drafts.push(id),
                    Ok(_) => {}
                    Err(e) if e.is_not_found() => {}
                    Err(e) => return Err(e),
                }
            }
            match delays.next() {
                Some(delay) if drafts.is_empty() => tokio::time::sleep(*delay).await,
                _ => return Ok(drafts),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lost(candidates: &[&str], baseline: bool) -> LostAnswer {
        LostAnswer {
            error: CamsError::EmptyFlowId,
            candidates: candidates.iter().map(|c| (*c).to_owned()).collect(),
            baseline,
            lookup_error: None,
        }
    }

    #[test]
    fn only_one_new_candidate_is_taken_for_the_created_flow() {
        assert_eq!(lost(&["a"], true).created_flow(), Some("a"));
        assert_eq!(lost(&["a", "b"], true).created_flow(), None);
        assert_eq!(lost(&[], true).created_flow(), None);
        // Without the list from before, "a" may be anyone's.
        assert_eq!(lost(&["a"], false).created_flow(), None);
    }

    #[test]
    fn only_a_sent_request_without_a_refusal_may_have_created() {
        let transport = |gave_up| CamsError::Transport {
            action: "CreateFlow",
            endpoint: "e".into(),
            detail: "d".into(),
            deadline: None,
            attempts: 1,
            gave_up,
        };
        assert!(may_have_created(&transport(GiveUp::NotRetryable)));
        // Connections never made are retried until a limit.
        assert!(!may_have_created(&transport(GiveUp::AttemptLimit)));
        let api = |status: u16, code: &str| CamsError::Api {
            action: "CreateFlow",
            error: Box::new(
                super::super::api_response::parse_envelope(
                    status,
                    format!(r#"{{"Code":"{code}","RequestId":"r"}}"#).as_bytes(),
                )
                .unwrap_err(),
            ),
            attempts: 1,
            gave_up: GiveUp::NotRetryable,
        };
        assert!(may_have_created(&api(503, "ServiceUnavailable")));
        assert!(may_have_created(&api(400, "SignatureNonceUsed")));
        assert!(!may_have_created(&api(400, "InvalidParameter")));
        assert!(!may_have_created(&api(400, "System.LimitControl")));
        assert!(!may_have_created(&CamsError::Cancelled {
            action: "CreateFlow",
            attempts: 1
        }));
    }
}
