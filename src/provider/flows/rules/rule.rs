//! The rules: their stable ids, severities, one-line summaries and the
//! public page each comes from (for the docs), in one table.

use super::catalogue::{
    CHANGELOG_PAGE, COMPONENTS_PAGE, ERROR_CODES_PAGE, FLOW_JSON_PAGE, MEDIA_UPLOAD_PAGE,
};

/// JSON text may not begin with a byte order mark.
const RFC_8259_BOM: &str = "https://www.rfc-editor.org/rfc/rfc8259#section-8.1";

/// How bad a problem is. Every rule names something Meta refuses at
/// publishing, except the warnings, which name what may work but is likely
/// a mistake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Declares the rules once: each row gives the variant, its stable id, its
/// severity, its one-line summary and the public page it comes from; the
/// enum, [`Rule::ALL`] (in row order, the order the docs list them) and the
/// accessors are generated from the rows.
macro_rules! rules {
    ($($variant:ident => ($id:literal, $severity:ident, $summary:expr, $source:expr $(,)?),)+) => {
        /// A Flow JSON rule. [`Rule::id`] is stable: users may match on it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Rule {
            $($variant,)+
        }

        impl Rule {
            /// Every rule, in the order the docs list them.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)+];

            fn info(self) -> Info {
                match self {
                    $(Rule::$variant => Info {
                        id: $id,
                        severity: Severity::$severity,
                        summary: $summary,
                        source: $source,
                    },)+
                }
            }
        }
    };
}

/// What the docs and diagnostics say about a rule.
struct Info {
    id: &'static str,
    severity: Severity,
    summary: &'static str,
    source: &'static str,
}

rules! {
    DocumentTooLarge => (
        "document_too_large",
        Error,
        "The whole document is at most 10 MiB.",
        FLOW_JSON_PAGE,
    ),
    // Meta's parser may or may not skip a byte order mark; the document
    // is checked as if it were not there.
    ByteOrderMark => (
        "byte_order_mark",
        Warning,
        "The document does not start with a UTF-8 byte order mark (JSON text has none).",
        RFC_8259_BOM,
    ),
    WrongType => (
        "wrong_type",
        Error,
        "Every value has the JSON type Flow JSON gives it: the document an object, `screens` an array, `max-chars` an integer, `enabled` a boolean, … (a dynamic `${…}` string fits any type).",
        ERROR_CODES_PAGE,
    ),
    UnknownProperty => (
        "unknown_property",
        Error,
        "Objects hold only the properties Meta defines: at the top level, on screens, layouts, each component type and each action.",
        ERROR_CODES_PAGE,
    ),
    UnknownComponent => (
        "unknown_component",
        Error,
        "A component's `type` is one of Meta's components (TextHeading … NavigationList, If, Switch, Form, Footer).",
        COMPONENTS_PAGE,
    ),
    UnknownAction => (
        "unknown_action",
        Error,
        "An action's `name` is `navigate`, `complete`, `data_exchange`, `update_data` or `open_url`.",
        FLOW_JSON_PAGE,
    ),
    MissingRequiredProperty => (
        "missing_required_property",
        Error,
        "Every property Meta requires is present: a component's `type`, a TextInput's `label` and `name`, a data-source option's `id` and `title`, and so on.",
        COMPONENTS_PAGE,
    ),
    InvalidEnumValue => (
        "invalid_enum_value",
        Error,
        "Properties with a fixed set of values hold one of them (`input-type`, `font-weight`, `media-size`, `mode`, `scale-type`, `photo-source`, `label-variant`, layout `type`, and so on).",
        COMPONENTS_PAGE,
    ),
    ActionNotAllowed => (
        "action_not_allowed",
        Error,
        "Each action property holds only the actions Meta allows there (e.g. no `complete` on an EmbeddedLink, only `update_data` in `on-unselect-action`).",
        COMPONENTS_PAGE,
    ),
    EmptyString => (
        "empty_string",
        Error,
        "Text is not empty or blank: the text of text components and links always, every string property from version 6.0.",
        CHANGELOG_PAGE,
    ),
    TextTooLong => (
        "text_too_long",
        Error,
        "Static text is within Meta's character limits (TextHeading 80, TextBody 4096, TextInput label 20, Footer label 35, captions 15, option titles 30, and so on).",
        COMPONENTS_PAGE,
    ),
    ItemCount => (
        "item_count",
        Error,
        "Static lists have as many items as Meta allows (1–20 options, 1–200 Dropdown options, 2–20 chips, 1–20 list items, 1–3 carousel images, ≤ 3 tags).",
        COMPONENTS_PAGE,
    ),
    ValueOutOfRange => (
        "value_out_of_range",
        Error,
        "Numbers are within their range (`max-file-size-kb` 1–25600, uploaded items 0–30) and no `min-…` exceeds its `max-…`.",
        ERROR_CODES_PAGE,
    ),
    PropertyDependency => (
        "property_dependency",
        Error,
        "Properties that need or exclude each other agree: a Footer's `left-caption` and `right-caption` go together and `center-caption` goes alone; a TextInput `pattern` needs `helper-text`.",
        ERROR_CODES_PAGE,
    ),
    NewerThanVersion => (
        "newer_than_version",
        Error,
        "Components, properties and actions are not newer than the document's `version` (If, Switch and the pickers 4.0, RichText 5.1, `update_data` and `open_url` 6.0, CalendarPicker 6.1, NavigationList 6.2, ChipsSelector 6.3, ImageCarousel 7.1, and so on).",
        CHANGELOG_PAGE,
    ),
    VersionMissing => (
        "version_missing",
        Error,
        "`version` is present.",
        ERROR_CODES_PAGE,
    ),
    VersionUnknown => (
        "version_unknown",
        Error,
        "`version` is a Flow JSON version (2.1 to 7.3).",
        CHANGELOG_PAGE,
    ),
    VersionNotPublishable => (
        "version_not_publishable",
        Error,
        "`version` is one Meta still publishes (5.1, 6.0–6.3, 7.0–7.3); 2.1–5.0 are accepted for sending only.",
        CHANGELOG_PAGE,
    ),
    DataApiVersionUnknown => (
        "data_api_version_unknown",
        Error,
        "`data_api_version` is \"3.0\" or \"4.0\".",
        CHANGELOG_PAGE,
    ),
    DataChannelUriNotAllowed => (
        "data_channel_uri_not_allowed",
        Error,
        "`data_channel_uri` is not used from version 3.0 on (the endpoint is set through the API).",
        FLOW_JSON_PAGE,
    ),
    DataApiVersionWithoutRoutingModel => (
        "data_api_version_without_routing_model",
        Error,
        "A document with `data_api_version` has a `routing_model`.",
        ERROR_CODES_PAGE,
    ),
    DataExchangeWithoutDataApiVersion => (
        "data_exchange_without_data_api_version",
        Error,
        "A document with a `data_exchange` action has a `data_api_version`.",
        ERROR_CODES_PAGE,
    ),
    ScreenCount => (
        "screen_count",
        Error,
        "`screens` has 1 to 100 screens.",
        ERROR_CODES_PAGE,
    ),
    ScreenIdInvalid => (
        "screen_id_invalid",
        Error,
        "Each screen has a non-empty `id` of ASCII letters, digits and underscores.",
        ERROR_CODES_PAGE,
    ),
    ScreenIdDuplicate => (
        "screen_id_duplicate",
        Error,
        "Screen ids are unique.",
        ERROR_CODES_PAGE,
    ),
    ScreenIdReserved => (
        "screen_id_reserved",
        Error,
        "No screen is called `SUCCESS` (reserved, in any case).",
        ERROR_CODES_PAGE,
    ),
    NoTerminalScreen => (
        "no_terminal_screen",
        Error,
        "At least one screen is `terminal`.",
        ERROR_CODES_PAGE,
    ),
    NoSuccessfulTerminalScreen => (
        "no_successful_terminal_screen",
        Error,
        "At least one terminal screen ends the flow successfully: not every terminal screen has `\"success\": false`.",
        ERROR_CODES_PAGE,
    ),
    RefreshOnBackWithoutEndpoint => (
        "refresh_on_back_without_endpoint",
        Error,
        "`refresh_on_back` is true only in a flow with an endpoint (`data_api_version`).",
        ERROR_CODES_PAGE,
    ),
    TerminalScreenWithoutFooter => (
        "terminal_screen_without_footer",
        Error,
        "Each terminal screen has a Footer.",
        ERROR_CODES_PAGE,
    ),
    SuccessOnNonTerminalScreen => (
        "success_on_non_terminal_screen",
        Error,
        "`success` (true or false) is set only on terminal screens.",
        ERROR_CODES_PAGE,
    ),
    RouteUnknownScreen => (
        "route_unknown_screen",
        Error,
        "`routing_model` keys and targets are existing screens.",
        ERROR_CODES_PAGE,
    ),
    RouteLoop => (
        "route_loop",
        Error,
        "`routing_model` has no loops: no route leads back to a screen on the way to it, nor to its own screen.",
        FLOW_JSON_PAGE,
    ),
    TooManyBranches => (
        "too_many_branches",
        Error,
        "A screen routes to at most 10 screens (in `routing_model`, or by its `navigate` actions without one).",
        FLOW_JSON_PAGE,
    ),
    ScreenUnreachable => (
        "screen_unreachable",
        Error,
        "Every screen is reachable from the entry screen (the first screen no other screen routes to), through `routing_model` or, without one, through `navigate` actions.",
        FLOW_JSON_PAGE,
    ),
    NoEntryScreen => (
        "no_entry_screen",
        Error,
        "Some screen is the entry: one no route and no `navigate` action leads to.",
        FLOW_JSON_PAGE,
    ),
    ScreenNotInRoutingModel => (
        "screen_not_in_routing_model",
        Error,
        "With a non-empty `routing_model`, every screen is in it, as a key or as a target.",
        ERROR_CODES_PAGE,
    ),
    NavigateNotInRoutingModel => (
        "navigate_not_in_routing_model",
        Error,
        "With a `routing_model`, the route of every `navigate` action (from its screen to `next.name`) is listed in it.",
        ERROR_CODES_PAGE,
    ),
    NavigateUnknownScreen => (
        "navigate_unknown_screen",
        Error,
        "A `navigate` action's `next.name` is an existing screen.",
        ERROR_CODES_PAGE,
    ),
    NavigateToSameScreen => (
        "navigate_to_same_screen",
        Error,
        "A `navigate` action does not lead to its own screen.",
        ERROR_CODES_PAGE,
    ),
    NavigatePayloadNotInData => (
        "navigate_payload_not_in_data",
        Error,
        "Each field of a `navigate` payload is declared in the next screen's `data`.",
        ERROR_CODES_PAGE,
    ),
    CompleteOnNonTerminalScreen => (
        "complete_on_non_terminal_screen",
        Error,
        "`complete` actions are only on terminal screens.",
        FLOW_JSON_PAGE,
    ),
    UnresolvedFormReference => (
        "unresolved_form_reference",
        Error,
        "`${form.x}` names an input on the same screen (inside a Form or an If or Switch branch too).",
        ERROR_CODES_PAGE,
    ),
    UnresolvedDataReference => (
        "unresolved_data_reference",
        Error,
        "`${data.x.y…}` names a property declared in the screen's `data`, through nested `properties`.",
        ERROR_CODES_PAGE,
    ),
    UnresolvedScreenReference => (
        "unresolved_screen_reference",
        Error,
        "`${screen.S.data.x}` and `${screen.S.form.x}` (version 4.0 on) name a screen of the flow and a property of its `data` or an input on it.",
        FLOW_JSON_PAGE,
    ),
    DataModelInvalid => (
        "data_model_invalid",
        Error,
        "Each field of a screen's `data` declares a `type` (an array its `items`), and its `__example__` fits that type; data-source schemas declare `id` and `title`.",
        ERROR_CODES_PAGE,
    ),
    TooManyComponents => (
        "too_many_components",
        Error,
        "A screen has at most 50 components and shows at most 1 Footer, 2 EmbeddedLink, 3 Image, 2 ImageCarousel and 5 OptIn; of an If's or a Switch's branches, the one with the most counts.",
        COMPONENTS_PAGE,
    ),
    DuplicateComponentName => (
        "duplicate_component_name",
        Error,
        "Component names are unique on a screen; two branches of one If or Switch may use the same name.",
        ERROR_CODES_PAGE,
    ),
    FooterNotInEveryBranch => (
        "footer_not_in_every_branch",
        Error,
        "A Footer inside an If is in both `then` and `else`; inside a Switch, in every case.",
        COMPONENTS_PAGE,
    ),
    FooterInNestedIf => (
        "footer_in_nested_if",
        Error,
        "A Footer is inside an If only at the first level, not in a nested If.",
        COMPONENTS_PAGE,
    ),
    EmptyBranch => (
        "empty_branch",
        Error,
        "An If's `then` and `else`, and a Switch's `cases` and each case, are not empty.",
        COMPONENTS_PAGE,
    ),
    IfNestedTooDeep => (
        "if_nested_too_deep",
        Error,
        "If components nest at most 3 deep.",
        COMPONENTS_PAGE,
    ),
    IfConditionInvalid => (
        "if_condition_invalid",
        Error,
        "An If's `condition` is not blank and holds at least one dynamic value (`${data.…}`, `${form.…}`): a condition of literals only always gives the same branch.",
        COMPONENTS_PAGE,
    ),
    NavigationListPlacement => (
        "navigation_list_placement",
        Error,
        "A NavigationList is not on a terminal screen, is not beside other components (at most 2 lists per screen), has its `on-click-action` on the list or on every item but not both, at most one item with a `badge`, and no `end` with `media-size` large.",
        COMPONENTS_PAGE,
    ),
    MediaPickerPlacement => (
        "media_picker_placement",
        Error,
        "A screen has at most one PhotoPicker and one DocumentPicker, and not both.",
        MEDIA_UPLOAD_PAGE,
    ),
    MediaPickerInPayload => (
        "media_picker_in_payload",
        Error,
        "A PhotoPicker or DocumentPicker value is not in a `navigate` payload; in `complete` and `data_exchange` payloads it is a top-level value, and a `complete` payload holds at most one, with `max-uploaded-…` at most 1.",
        ERROR_CODES_PAGE,
    ),
    InputOutsideForm => (
        "input_outside_form",
        Error,
        "Before version 4.0 every input is inside a Form; from 4.0, when a screen has a Form, its inputs are inside it.",
        FLOW_JSON_PAGE,
    ),
}

impl Rule {
    /// The stable snake_case id.
    pub fn id(self) -> &'static str {
        self.info().id
    }

    /// What the rule asks, in one line.
    pub fn summary(self) -> &'static str {
        self.info().summary
    }

    /// The public page the rule comes from.
    pub fn source(self) -> &'static str {
        self.info().source
    }

    pub fn severity(self) -> Severity {
        self.info().severity
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
        let distinct: HashSet<Rule> = Rule::ALL.iter().copied().collect();
        assert_eq!(distinct.len(), Rule::ALL.len());
    }

    /// The 29 ids of the first release keep their spelling.
    #[test]
    fn the_first_ids_are_stable() {
        let ids: HashSet<&str> = Rule::ALL.iter().map(|r| r.id()).collect();
        for id in [
            "document_too_large",
            "wrong_type",
            "unknown_property",
            "version_missing",
            "version_unknown",
            "version_not_publishable",
            "data_api_version_unknown",
            "data_channel_uri_not_allowed",
            "data_api_version_without_routing_model",
            "data_exchange_without_data_api_version",
            "screen_count",
            "screen_id_invalid",
            "screen_id_duplicate",
            "screen_id_reserved",
            "no_terminal_screen",
            "terminal_screen_without_footer",
            "success_on_non_terminal_screen",
            "route_unknown_screen",
            "route_loop",
            "too_many_branches",
            "screen_unreachable",
            "navigate_not_in_routing_model",
            "navigate_unknown_screen",
            "navigate_to_same_screen",
            "complete_on_non_terminal_screen",
            "unresolved_form_reference",
            "unresolved_data_reference",
            "too_many_components",
            "duplicate_component_name",
        ] {
            assert!(ids.contains(id), "{id}");
        }
    }

    #[test]
    fn every_rule_cites_a_public_page_and_ends_its_summary() {
        for &rule in Rule::ALL {
            assert!(rule.source().starts_with("https://"), "{rule}");
            assert!(rule.summary().ends_with('.'), "{rule}");
        }
    }
}
