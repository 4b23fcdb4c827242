//! The CAMS operations this client calls (Flow and message template
//! operations): their action names, whether a repeat is harmless, and each
//! one's documented rate limit.

use std::fmt;
use std::num::NonZeroU32;

/// The API version of CAMS.
pub(crate) const CAMS_API_VERSION: &str = "2020-06-06";

/// The limit applied to an operation whose page states none here: the
/// figure every documented Flow operation shares.
pub(crate) const UNDOCUMENTED_RATE_PER_SECOND: u32 = 5;

/// Declares every operation once: its variant, the `Action` parameter as
/// the API spells it, whether a repeat after it reached CAMS is harmless,
/// and its calls per second per account with where the figure comes from.
/// The enum, [`Operation::ALL`] and the accessors all come from this one
/// table, so adding an operation is adding a row.
macro_rules! operations {
    ($(
        $(#[$doc:meta])*
        $variant:ident => $action:literal, idempotent: $idempotent:literal, rate: $rate:expr;
    )*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Operation {
            $($(#[$doc])* $variant,)*
        }

        impl Operation {
            /// Every operation, in the table's order.
            pub const ALL: [Operation; [$(stringify!($variant)),*].len()] =
                [$(Operation::$variant),*];

            /// The `Action` parameter, spelt as the API spells it.
            pub fn action(self) -> &'static str {
                match self {
                    $(Operation::$variant => $action,)*
                }
            }

            /// False for an operation whose repeat after it reached CAMS
            /// would act twice (`CreateFlow` makes a second flow). The
            /// others either read, or set a state that a repeat sets again
            /// (a repeated `PublishFlow` or `DeleteFlow` at worst answers
            /// an error).
            pub fn is_idempotent(self) -> bool {
                match self {
                    $(Operation::$variant => $idempotent,)*
                }
            }

            /// Calls per second per account.
            pub fn documented_rate_per_second(self) -> NonZeroU32 {
                let rate: u32 = match self {
                    $(Operation::$variant => $rate,)*
                };
                NonZeroU32::new(rate).unwrap_or(NonZeroU32::MIN)
            }
        }
    };
}

// Rates: the pages alibabacloud.com/help/en/chatapp/developer-reference/
// api-cams-2020-06-06-<action>; where a page's figure was not checked
// here, the default every documented Flow operation has.
operations! {
    /// Not idempotent: a repeat makes a second flow.
    CreateFlow => "CreateFlow", idempotent: false, rate: UNDOCUMENTED_RATE_PER_SECOND;
    GetFlow => "GetFlow", idempotent: true, rate: UNDOCUMENTED_RATE_PER_SECOND;
    ListFlow => "ListFlow", idempotent: true, rate: UNDOCUMENTED_RATE_PER_SECOND;
    ModifyFlow => "ModifyFlow", idempotent: true, rate: UNDOCUMENTED_RATE_PER_SECOND;
    /// Its page: "5 QPS per account".
    UpdateFlowJsonAsset => "UpdateFlowJSONAsset", idempotent: true, rate: 5;
    /// Misspelt in the real API. Its page: "5 QPS per account".
    GetFlowJsonAsset => "GetFlowJSONAssest", idempotent: true, rate: 5;
    GetFlowPreviewUrl => "GetFlowPreviewUrl", idempotent: true, rate: UNDOCUMENTED_RATE_PER_SECOND;
    PublishFlow => "PublishFlow", idempotent: true, rate: UNDOCUMENTED_RATE_PER_SECOND;
    DeprecateFlow => "DeprecateFlow", idempotent: true, rate: UNDOCUMENTED_RATE_PER_SECOND;
    DeleteFlow => "DeleteFlow", idempotent: true, rate: UNDOCUMENTED_RATE_PER_SECOND;
    /// Its page: "5 QPS per account".
    GetUploadAuthorization => "GetChatappUploadAuthorization", idempotent: true, rate: 5;
    /// Not idempotent: a repeat would answer that the name is taken,
    /// hiding that the first one created the template. Its page: 50 QPS
    /// per account.
    CreateChatappTemplate => "CreateChatappTemplate", idempotent: false, rate: 50;
    /// Its page: 50 QPS per account. A repeat sends the same content again.
    ModifyChatappTemplate => "ModifyChatappTemplate", idempotent: true, rate: 50;
    /// Its page: 5 QPS per account.
    GetChatappTemplateDetail => "GetChatappTemplateDetail", idempotent: true, rate: 5;
    /// Its page: 5 QPS per account.
    ListChatappTemplate => "ListChatappTemplate", idempotent: true, rate: 5;
    /// Its page: 5 QPS per account.
    DeleteChatappTemplate => "DeleteChatappTemplate", idempotent: true, rate: 5;
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
