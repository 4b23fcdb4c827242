//! The rules, their stable ids and one-line summaries (for the docs).

/// A Flow JSON rule. [`Rule::id`] is stable: users may match on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    DocumentTooLarge,
    WrongType,
    UnknownProperty,
    VersionMissing,
    VersionUnknown,
    VersionNotPublishable,
    DataApiVersionUnknown,
    DataChannelUriNotAllowed,
    DataApiVersionWithoutRoutingModel,
    DataExchangeWithoutDataApiVersion,
    ScreenCount,
    ScreenIdInvalid,
    ScreenIdDuplicate,
    ScreenIdReserved,
    NoTerminalScreen,
    TerminalScreenWithoutFooter,
    SuccessOnNonTerminalScreen,
    RouteUnknownScreen,
    RouteLoop,
    TooManyBranches,
    ScreenUnreachable,
    NavigateNotInRoutingModel,
    NavigateUnknownScreen,
    NavigateToSameScreen,
    CompleteOnNonTerminalScreen,
    UnresolvedFormReference,
    UnresolvedDataReference,
    TooManyComponents,
    DuplicateComponentName,
}

impl Rule {
    /// Every rule, in the order the docs list them.
    pub const ALL: [Rule; 29] = [
        Rule::DocumentTooLarge,
        Rule::WrongType,
        Rule::UnknownProperty,
        Rule::VersionMissing,
        Rule::VersionUnknown,
        Rule::VersionNotPublishable,
        Rule::DataApiVersionUnknown,
        Rule::DataChannelUriNotAllowed,
        Rule::DataApiVersionWithoutRoutingModel,
        Rule::DataExchangeWithoutDataApiVersion,
        Rule::ScreenCount,
        Rule::ScreenIdInvalid,
        Rule::ScreenIdDuplicate,
        Rule::ScreenIdReserved,
        Rule::NoTerminalScreen,
        Rule::TerminalScreenWithoutFooter,
        Rule::SuccessOnNonTerminalScreen,
        Rule::RouteUnknownScreen,
        Rule::RouteLoop,
        Rule::TooManyBranches,
        Rule::ScreenUnreachable,
        Rule::NavigateNotInRoutingModel,
        Rule::NavigateUnknownScreen,
        Rule::NavigateToSameScreen,
        Rule::CompleteOnNonTerminalScreen,
        Rule::UnresolvedFormReference,
        Rule::UnresolvedDataReference,
        Rule::TooManyComponents,
        Rule::DuplicateComponentName,
    ];

    /// The stable snake_case id.
    pub fn id(self) -> &'static str {
        match self {
            Rule::DocumentTooLarge => "document_too_large",
            Rule::WrongType => "wrong_type",
            Rule::UnknownProperty => "unknown_property",
            Rule::VersionMissing => "version_missing",
            Rule::VersionUnknown => "version_unknown",
            Rule::VersionNotPublishable => "version_not_publishable",
            Rule::DataApiVersionUnknown => "data_api_version_unknown",
            Rule::DataChannelUriNotAllowed => "data_channel_uri_not_allowed",
            Rule::DataApiVersionWithoutRoutingModel => "data_api_version_without_routing_model",
            Rule::DataExchangeWithoutDataApiVersion => "data_exchange_without_data_api_version",
            Rule::ScreenCount => "screen_count",
            Rule::ScreenIdInvalid => "screen_id_invalid",
            Rule::ScreenIdDuplicate => "screen_id_duplicate",
            Rule::ScreenIdReserved => "screen_id_reserved",
            Rule::NoTerminalScreen => "no_terminal_screen",
            Rule::TerminalScreenWithoutFooter => "terminal_screen_without_footer",
            Rule::SuccessOnNonTerminalScreen => "success_on_non_terminal_screen",
            Rule::RouteUnknownScreen => "route_unknown_screen",
            Rule::RouteLoop => "route_loop",
            Rule::TooManyBranches => "too_many_branches",
            Rule::ScreenUnreachable => "screen_unreachable",
            Rule::NavigateNotInRoutingModel => "navigate_not_in_routing_model",
            Rule::NavigateUnknownScreen => "navigate_unknown_screen",
            Rule::NavigateToSameScreen => "navigate_to_same_screen",
            Rule::CompleteOnNonTerminalScreen => "complete_on_non_terminal_screen",
            Rule::UnresolvedFormReference => "unresolved_form_reference",
            Rule::UnresolvedDataReference => "unresolved_data_reference",
            Rule::TooManyComponents => "too_many_components",
            Rule::DuplicateComponentName => "duplicate_component_name",
        }
    }

    /// What the rule asks, in one line.
    pub fn summary(self) -> &'static str {
        match self {
            Rule::DocumentTooLarge => "The whole document is at most 10 MiB.",
            Rule::WrongType => {
                "A value the rules read has the JSON type Flow JSON gives it (the document an object, `screens` an array, an `id` a string, …)."
            }
            Rule::UnknownProperty => {
                "The top level has only `version`, `data_api_version`, `routing_model`, `screens` and `data_channel_uri`."
            }
            Rule::VersionMissing => "`version` is present.",
            Rule::VersionUnknown => "`version` is a Flow JSON version (2.1 to 7.3).",
            Rule::VersionNotPublishable => {
                "`version` is one Meta still publishes (5.1, 6.0–6.3, 7.0–7.3); 2.1–5.0 are accepted for sending only."
            }
            Rule::DataApiVersionUnknown => "`data_api_version` is \"3.0\" or \"4.0\".",
            Rule::DataChannelUriNotAllowed => {
                "`data_channel_uri` is not used from version 3.0 on (the endpoint is set through the API)."
            }
            Rule::DataApiVersionWithoutRoutingModel => {
                "A document with `data_api_version` has a `routing_model`."
            }
            Rule::DataExchangeWithoutDataApiVersion => {
                "A document with a `data_exchange` action has a `data_api_version`."
            }
            Rule::ScreenCount => "`screens` has 1 to 100 screens.",
            Rule::ScreenIdInvalid => {
                "Each screen has a non-empty `id` of ASCII letters, digits and underscores."
            }
            Rule::ScreenIdDuplicate => "Screen ids are unique.",
            Rule::ScreenIdReserved => "No screen is called `SUCCESS` (reserved).",
            Rule::NoTerminalScreen => "At least one screen is `terminal`.",
            Rule::TerminalScreenWithoutFooter => "Each terminal screen has a Footer (one inside an If or Switch branch counts).",
            Rule::SuccessOnNonTerminalScreen => "`success` (true or false) is set only on terminal screens.",
            Rule::RouteUnknownScreen => "`routing_model` keys and targets are existing screens.",
            Rule::RouteLoop => "`routing_model` has no loops: no route leads back to a screen on the way to it, nor to its own screen.",
            Rule::TooManyBranches => "A screen routes to at most 10 screens.",
            Rule::ScreenUnreachable => {
                "With a `routing_model`, every screen is reachable from the entry screen: the first screen no other screen routes to."
            }
            Rule::NavigateNotInRoutingModel => {
                "With a `routing_model`, the route of every `navigate` action (from its screen to `next.name`) is listed in it."
            }
            Rule::NavigateUnknownScreen => "A `navigate` action's `next.name` is an existing screen.",
            Rule::NavigateToSameScreen => "A `navigate` action does not lead to its own screen.",
            Rule::CompleteOnNonTerminalScreen => "`complete` actions are only on terminal screens.",
            Rule::UnresolvedFormReference => {
                "`${form.x}` names a component on the same screen (inside a Form or an If or Switch branch too)."
            }
            Rule::UnresolvedDataReference => {
                "`${data.x}` names a property declared in the screen's `data`."
            }
            Rule::TooManyComponents => {
                "A screen shows at most 1 Footer, 2 EmbeddedLink, 3 Image and 5 OptIn; of an If's or a Switch's branches, the one with the most counts."
            }
            Rule::DuplicateComponentName => "Component names are unique on a screen; two branches of one If or Switch may use the same name.",
        }
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_snake_case() {
        let ids: HashSet<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
        assert_eq!(ids.len(), Rule::ALL.len());
        for id in ids {
            assert!(
                id.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{id}"
            );
        }
        let distinct: HashSet<Rule> = Rule::ALL.into_iter().collect();
        assert_eq!(distinct.len(), Rule::ALL.len());
    }
}
