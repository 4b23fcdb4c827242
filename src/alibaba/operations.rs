//! The CAMS operations this client calls (Flow and message template
//! operations): their action names, whether a repeat is harmless, and each
//! one's documented rate limit.

use std::fmt;
use std::num::NonZeroU32;

/// The API version of CAMS.
pub const CAMS_API_VERSION: &str = "2020-06-06";

/// The limit applied to an operation whose page states none here: the
/// figure every documented Flow operation shares.
pub const UNDOCUMENTED_RATE_PER_SECOND: u32 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    CreateFlow,
    GetFlow,
    ListFlow,
    ModifyFlow,
    UpdateFlowJsonAsset,
    GetFlowJsonAsset,
    GetFlowPreviewUrl,
    PublishFlow,
    DeprecateFlow,
    DeleteFlow,
    GetUploadAuthorization,
    CreateChatappTemplate,
    ModifyChatappTemplate,
    GetChatappTemplateDetail,
    ListChatappTemplate,
    DeleteChatappTemplate,
}

impl Operation {
    pub const ALL: [Operation; 16] = [
        Operation::CreateFlow,
        Operation::GetFlow,
        Operation::ListFlow,
        Operation::ModifyFlow,
        Operation::UpdateFlowJsonAsset,
        Operation::GetFlowJsonAsset,
        Operation::GetFlowPreviewUrl,
        Operation::PublishFlow,
        Operation::DeprecateFlow,
        Operation::DeleteFlow,
        Operation::GetUploadAuthorization,
        Operation::CreateChatappTemplate,
        Operation::ModifyChatappTemplate,
        Operation::GetChatappTemplateDetail,
        Operation::ListChatappTemplate,
        Operation::DeleteChatappTemplate,
    ];

    /// The `Action` parameter, spelt as the API spells it.
    pub fn action(self) -> &'static str {
        match self {
            Operation::CreateFlow => "CreateFlow",
            Operation::GetFlow => "GetFlow",
            Operation::ListFlow => "ListFlow",
            Operation::ModifyFlow => "ModifyFlow",
            Operation::UpdateFlowJsonAsset => "UpdateFlowJSONAsset",
            // Misspelt in the real API.
            Operation::GetFlowJsonAsset => "GetFlowJSONAssest",
            Operation::GetFlowPreviewUrl => "GetFlowPreviewUrl",
            Operation::PublishFlow => "PublishFlow",
            Operation::DeprecateFlow => "DeprecateFlow",
            Operation::DeleteFlow => "DeleteFlow",
            Operation::GetUploadAuthorization => "GetChatappUploadAuthorization",
            Operation::CreateChatappTemplate => "CreateChatappTemplate",
            Operation::ModifyChatappTemplate => "ModifyChatappTemplate",
            Operation::GetChatappTemplateDetail => "GetChatappTemplateDetail",
            Operation::ListChatappTemplate => "ListChatappTemplate",
            Operation::DeleteChatappTemplate => "DeleteChatappTemplate",
        }
    }

    /// False for an operation whose repeat after it reached CAMS would act
    /// twice: `CreateFlow` makes a second flow; a repeated
    /// `CreateChatappTemplate` would answer that the name is taken, hiding
    /// that the first attempt created the template. Everything else either
    /// reads, or sets a state that a repeat sets again (a repeated
    /// `PublishFlow` or `DeleteFlow` at worst answers an error; a repeated
    /// `ModifyChatappTemplate` sends the same content again).
    pub fn is_idempotent(self) -> bool {
        !matches!(
            self,
            Operation::CreateFlow | Operation::CreateChatappTemplate
        )
    }

    /// Calls per second per account (one table, with where each figure
    /// comes from).
    pub fn documented_rate_per_second(self) -> NonZeroU32 {
        let rate = match self {
            // Pages of alibabacloud.com/help/en/chatapp/developer-reference/
            // api-cams-2020-06-06-<action>. GetFlowJSONAssest:
            // "5 QPS per account".
            Operation::GetFlowJsonAsset => 5,
            // UpdateFlowJSONAsset: 5 QPS per account.
            Operation::UpdateFlowJsonAsset => 5,
            // GetChatappUploadAuthorization: 5 QPS per
            // account.
            Operation::GetUploadAuthorization => 5,
            // CreateChatappTemplate and ModifyChatappTemplate: 50 QPS per
            // account.
            Operation::CreateChatappTemplate | Operation::ModifyChatappTemplate => 50,
            // GetChatappTemplateDetail, ListChatappTemplate,
            // DeleteChatappTemplate: 5 QPS per account.
            Operation::GetChatappTemplateDetail
            | Operation::ListChatappTemplate
            | Operation::DeleteChatappTemplate => 5,
            // Their pages' figures were not checked here: the default,
            // the limit every documented Flow operation has.
            Operation::CreateFlow
            | Operation::GetFlow
            | Operation::ListFlow
            | Operation::ModifyFlow
            | Operation::GetFlowPreviewUrl
            | Operation::PublishFlow
            | Operation::DeprecateFlow
            | Operation::DeleteFlow => UNDOCUMENTED_RATE_PER_SECOND,
        };
        NonZeroU32::new(rate).unwrap_or(NonZeroU32::MIN)
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.action())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_operation_has_its_own_action_and_a_rate() {
        let actions: HashSet<_> = Operation::ALL.iter().map(|o| o.action()).collect();
        assert_eq!(actions.len(), Operation::ALL.len());
        assert_eq!(Operation::GetFlowJsonAsset.action(), "GetFlowJSONAssest");
        assert_eq!(
            Operation::UpdateFlowJsonAsset.to_string(),
            "UpdateFlowJSONAsset"
        );
        for op in Operation::ALL {
            let expected = match op {
                Operation::CreateChatappTemplate | Operation::ModifyChatappTemplate => 50,
                _ => 5,
            };
            assert_eq!(op.documented_rate_per_second().get(), expected, "{op}");
        }
    }

    #[test]
    fn only_the_creates_are_not_idempotent() {
        let not: Vec<_> = Operation::ALL
            .into_iter()
            .filter(|o| !o.is_idempotent())
            .collect();
        assert_eq!(
            not,
            vec![Operation::CreateFlow, Operation::CreateChatappTemplate]
        );
    }
}
