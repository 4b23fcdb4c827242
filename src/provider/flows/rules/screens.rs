//! Rules about the screen list: how many, their ids, `terminal` and
//! `success`. Also reads each screen for the other groups of rules.

use std::collections::HashSet;

use super::document::TopLevel;
use super::json::{Kind, Object};
use super::{quoted, report_wrong_type, Report, Rule};

const MAX_SCREENS: usize = 100;

/// Meta reserves this id for the end of a flow.
const RESERVED_ID: &str = "SUCCESS";

/// A screen that is a JSON object, as the other rules need it.
pub(super) struct Screen<'a> {
    pub object: Object<'a>,
    /// The `id` when it is a string (even an invalid one).
    pub id: Option<String>,
    /// False for a screen whose id an earlier screen already has: routes
    /// and navigation lead to the first one.
    pub first_with_its_id: bool,
    /// `terminal: true`; anything else (absent, false, ill-typed) is not.
    pub terminal: bool,
}

impl Screen<'_> {
    /// How messages name the screen: its id, or its place in the list.
    pub(super) fn name(&self) -> String {
        match &self.id {
            Some(id) => format!("screen {}", quoted(id)),
            None => format!("the screen at {}", self.object.node().pointer()),
        }
    }
}

pub(super) fn check<'a>(top: &TopLevel<'a>, report: &mut Report<'_>) -> Vec<Screen<'a>> {
    let Some(list) = top.object.get("screens") else {
        report.add(
            top.object.node(),
            Rule::ScreenCount,
            "The document has no \"screens\"; a flow has 1 to 100 screens.",
        );
        return Vec::new();
    };
    let Some(items) = list.as_array() else {
        report_wrong_type(report, &list, "\"screens\"", Kind::Array);
        return Vec::new();
    };
    if items.is_empty() || items.len() > MAX_SCREENS {
        report.add(
            &list,
            Rule::ScreenCount,
            format!(
                "The flow has {} screens; a flow has 1 to {MAX_SCREENS}.",
                items.len()
            ),
        );
    }
    let mut seen_ids = HashSet::new();
    let mut screens = Vec::with_capacity(items.len());
    for item in items {
        let Some(object) = item.as_object() else {
            report_wrong_type(report, &item, "A screen", Kind::Object);
            continue;
        };
        let id = check_id(&object, &seen_ids, report);
        let first_with_its_id = match &id {
            Some(id) => seen_ids.insert(id.clone()),
            None => false,
        };
        let terminal = check_terminal(&object, report);
        check_success(&object, terminal, report);
        check_data_is_object(&object, report);
        screens.push(Screen {
            object,
            id,
            first_with_its_id,
            terminal,
        });
    }
    if !screens.is_empty() && !screens.iter().any(|s| s.terminal) {
        report.add(
            &list,
            Rule::NoTerminalScreen,
            "No screen is terminal; mark the last screen of each path with \"terminal\": true.",
        );
    }
    check_some_success(&screens, report);
    let has_endpoint = top.object.contains("data_api_version");
    for screen in &screens {
        check_refresh_on_back(&screen.object, has_endpoint, report);
    }
    screens
}

/// Reads the id and reports what is wrong with it. Duplicates are judged
/// against `seen` (ids of the screens before), which the caller updates.
fn check_id(
    object: &Object<'_>,
    seen: &HashSet<String>,
    report: &mut Report<'_>,
) -> Option<String> {
    let Some(node) = object.get("id") else {
        report.add(
            object.node(),
            Rule::ScreenIdInvalid,
            "The screen has no \"id\".",
        );
        return None;
    };
    let Some(id) = node.as_str() else {
        report_wrong_type(report, &node, "A screen id", Kind::String);
        return None;
    };
    if id.is_empty() {
        report.add(&node, Rule::ScreenIdInvalid, "The screen id is empty.");
    } else if !is_valid_id(&id) {
        report.add(
            &node,
            Rule::ScreenIdInvalid,
            format!(
                "Screen id {} may contain only ASCII letters, digits and underscores.",
                quoted(&id)
            ),
        );
    } else if id.eq_ignore_ascii_case(RESERVED_ID) {
        report.add(
            &node,
            Rule::ScreenIdReserved,
            "\"SUCCESS\" is reserved and cannot be a screen id.",
        );
    }
    if seen.contains(&*id) {
        report.add(
            &node,
            Rule::ScreenIdDuplicate,
            format!("Screen id {} is used by an earlier screen.", quoted(&id)),
        );
    }
    Some(id.into_owned())
}

/// Meta's table says letters and underscores; whether digits are allowed
/// is unclear, so they are accepted (refusing a valid id would block a
/// publish). Only ASCII: Meta's examples and error text name no other.
fn is_valid_id(id: &str) -> bool {
    id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn check_terminal(object: &Object<'_>, report: &mut Report<'_>) -> bool {
    let Some(node) = object.get("terminal") else {
        return false;
    };
    let terminal = node.as_bool();
    if terminal.is_none() {
        report_wrong_type(report, &node, "\"terminal\"", Kind::Bool);
    }
    terminal == Some(true)
}

/// `success` is reported on a non-terminal screen whatever its value:
/// Meta's rule is about the property being there, and `false` on a screen
/// that does not end the flow means nothing either.
fn check_success(object: &Object<'_>, terminal: bool, report: &mut Report<'_>) {
    let Some(node) = object.get("success") else {
        return;
    };
    if node.as_bool().is_none() {
        report_wrong_type(report, &node, "\"success\"", Kind::Bool);
    } else if !terminal {
        report.add(
            &node,
            Rule::SuccessOnNonTerminalScreen,
            "\"success\" can be set only on a terminal screen.",
        );
    }
}

/// "At least one terminal screen must have property 'success' set as
/// true" (error codes page); `success` is true when left out.
fn check_some_success(screens: &[Screen<'_>], report: &mut Report<'_>) {
    let terminal: Vec<&Screen<'_>> = screens.iter().filter(|s| s.terminal).collect();
    let failing = |s: &&Screen<'_>| {
        s.object
            .get("success")
            .is_some_and(|n| n.as_bool() == Some(false))
    };
    if !terminal.is_empty() && terminal.iter().all(failing) {
        let first = terminal[0].object.get("success").expect("checked above");
        report.add(
            &first,
            Rule::NoSuccessfulTerminalScreen,
            "Every terminal screen has \"success\": false; at least one must end the flow successfully (true, or left out).",
        );
    }
}

/// "Property 'refresh_on_back' can be true only when property
/// 'data_api_version' is set" (error codes page).
fn check_refresh_on_back(object: &Object<'_>, has_endpoint: bool, report: &mut Report<'_>) {
    let Some(node) = object.get("refresh_on_back") else {
        return;
    };
    match node.as_bool() {
        None => report_wrong_type(report, &node, "\"refresh_on_back\"", Kind::Bool),
        Some(true) if !has_endpoint => report.add(
            &node,
            Rule::RefreshOnBackWithoutEndpoint,
            "\"refresh_on_back\" asks the endpoint again, so it can be true only in a flow with \"data_api_version\".",
        ),
        Some(_) => {}
    }
}

/// The fields themselves are read by the data model rules.
fn check_data_is_object(object: &Object<'_>, report: &mut Report<'_>) {
    if let Some(node) = object.get("data") {
        if node.kind() != Kind::Object {
            report_wrong_type(report, &node, "A screen's \"data\"", Kind::Object);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn screens_are_required() {
        let mut doc = good();
        remove(&mut doc, "/screens");
        assert_problems(&doc, &[("", Rule::ScreenCount)]);
    }

    #[test]
    fn an_empty_screen_list_is_reported_once() {
        let mut doc = good();
        set(&mut doc, "/screens", json!([]));
        assert_problems(&doc, &[("/screens", Rule::ScreenCount)]);
    }

    #[test]
    fn at_most_100_screens() {
        let mut doc = good();
        // DONE stays terminal; WELCOME leads through the added screens,
        // one after the other, to DETAILS.
        set(
            &mut doc,
            "/screens/0/layout/children/2/on-click-action/next/name",
            json!("EXTRA_3"),
        );
        remove(
            &mut doc,
            "/screens/0/layout/children/2/on-click-action/payload/name",
        );
        for i in 3..100 {
            let next = if i == 99 {
                "DETAILS".to_string()
            } else {
                format!("EXTRA_{}", i + 1)
            };
            let extra = screen(&format!("EXTRA_{i}"), json!([footer(navigate(&next))]));
            set(&mut doc, &format!("/screens/{i}"), extra);
        }
        assert_problems(&doc, &[]);
        set(&mut doc, "/screens/100", screen("ONE_TOO_MANY", json!([])));
        assert_problems(
            &doc,
            &[
                ("/screens", Rule::ScreenCount),
                ("/screens/100", Rule::ScreenUnreachable),
            ],
        );
    }

    #[test]
    fn screens_and_screen_lists_of_the_wrong_type() {
        let mut doc = good();
        set(&mut doc, "/screens/3", json!("LATER"));
        assert_problems(&doc, &[("/screens/3", Rule::WrongType)]);
        set(&mut doc, "/screens", json!({ "id": "A" }));
        assert_problems(&doc, &[("/screens", Rule::WrongType)]);
    }

    #[test]
    fn a_missing_id_is_reported_at_the_screen() {
        let mut doc = good();
        remove(&mut doc, "/screens/2/id");
        assert_problems(
            &doc,
            &[
                ("/screens/2", Rule::ScreenIdInvalid),
                // DETAILS still navigates to DONE, which no screen is now.
                (
                    "/screens/1/layout/children/1/children/1/on-click-action/next/name",
                    Rule::NavigateUnknownScreen,
                ),
            ],
        );
    }

    #[test]
    fn empty_ids_and_ids_with_other_characters_are_invalid() {
        for id in ["", "WEL COME", "WELCOME-2", "ÉCRAN", "A.B"] {
            let mut doc = good();
            set(&mut doc, "/screens/0/id", json!(id));
            assert_problems(&doc, &[("/screens/0/id", Rule::ScreenIdInvalid)]);
        }
        let mut doc = good();
        set(&mut doc, "/screens/0/id", json!(7));
        assert_problems(&doc, &[("/screens/0/id", Rule::WrongType)]);
    }

    #[test]
    fn digits_and_underscores_are_accepted_in_ids() {
        let mut doc = good();
        set(&mut doc, "/screens/0/id", json!("step_1"));
        assert_problems(&doc, &[]);
    }

    #[test]
    fn duplicate_ids_are_reported_at_the_later_screen() {
        let mut doc = good();
        set(&mut doc, "/screens/3", screen("DETAILS", json!([])));
        assert_problems(&doc, &[("/screens/3/id", Rule::ScreenIdDuplicate)]);
    }

    #[test]
    fn success_is_a_reserved_id() {
        let mut doc = good();
        set(&mut doc, "/screens/3", screen("SUCCESS", json!([])));
        assert_problems(
            &doc,
            &[
                ("/screens/3/id", Rule::ScreenIdReserved),
                ("/screens/3", Rule::ScreenUnreachable),
            ],
        );
    }

    #[test]
    fn a_flow_needs_a_terminal_screen() {
        let mut doc = good();
        remove(&mut doc, "/screens/2/terminal");
        remove(&mut doc, "/screens/2/success");
        assert_problems(
            &doc,
            &[
                ("/screens", Rule::NoTerminalScreen),
                (
                    "/screens/2/layout/children/0/on-click-action",
                    Rule::CompleteOnNonTerminalScreen,
                ),
            ],
        );
    }

    #[test]
    fn terminal_must_be_a_boolean() {
        let mut doc = good();
        set(&mut doc, "/screens/2/terminal", json!("true"));
        assert_problems(
            &doc,
            &[
                ("/screens/2/terminal", Rule::WrongType),
                ("/screens", Rule::NoTerminalScreen),
                ("/screens/2/success", Rule::SuccessOnNonTerminalScreen),
                (
                    "/screens/2/layout/children/0/on-click-action",
                    Rule::CompleteOnNonTerminalScreen,
                ),
            ],
        );
    }

    #[test]
    fn success_only_on_terminal_screens_whatever_its_value() {
        for value in [true, false] {
            let mut doc = good();
            set(&mut doc, "/screens/0/success", json!(value));
            assert_problems(
                &doc,
                &[("/screens/0/success", Rule::SuccessOnNonTerminalScreen)],
            );
        }
        let mut doc = good();
        set(&mut doc, "/screens/2/success", json!("yes"));
        assert_problems(&doc, &[("/screens/2/success", Rule::WrongType)]);
    }

    #[test]
    fn data_must_be_an_object() {
        let mut doc = good();
        set(&mut doc, "/screens/0/data", json!(["name"]));
        assert_problems(&doc, &[("/screens/0/data", Rule::WrongType)]);
    }
}
