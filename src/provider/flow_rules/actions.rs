//! Rules about actions (`navigate`, `complete`, `data_exchange`) and the
//! `${form.x}` / `${data.x}` references in a screen.
//!
//! Both are looked for everywhere in a screen except its `data`
//! declarations (whose examples are sample values, not expressions): an
//! action is any object under a key of the form `on-…-action`
//! (`on-click-action`, `on-select-action`, …, including those of
//! NavigationList items), and a reference may sit in any string (a
//! payload, a `visible` or an If `condition`, a title). References of the
//! other screens (`${screen.X.form.y}`) are not checked.

use std::collections::HashSet;

use super::components::Contents;
use super::json::{Kind, Node, Object, MAX_DEPTH};
use super::routing::Routes;
use super::screens::Screen;
use super::{quoted, Report, Rule};

/// What the action rules need from the rest of the document.
pub(super) struct Context<'c> {
    /// The ids of all screens, for `navigate`.
    pub screen_ids: HashSet<&'c str>,
    pub routes: Option<&'c Routes>,
    pub has_data_api_version: bool,
}

/// The rules' view of one screen while its values are walked.
struct Walk<'w, 'c, 'a, 'r> {
    screen: &'w Screen<'a>,
    contents: &'w Contents,
    context: &'w Context<'c>,
    report: &'w mut Report<'r>,
}

pub(super) fn check(
    screen: &Screen<'_>,
    contents: &Contents,
    context: &Context<'_>,
    report: &mut Report<'_>,
) {
    let mut walk = Walk {
        screen,
        contents,
        context,
        report,
    };
    for (key, value) in screen.object.iter() {
        if key != "data" {
            walk.value(&value);
        }
    }
}

impl Walk<'_, '_, '_, '_> {
    fn value(&mut self, node: &Node<'_>) {
        if node.depth() > MAX_DEPTH {
            return;
        }
        match node.kind() {
            Kind::String => self.references(node),
            Kind::Array => {
                for item in node.as_array().unwrap_or_default() {
                    self.value(&item);
                }
            }
            Kind::Object => {
                let Some(object) = node.as_object() else {
                    return;
                };
                for (key, value) in object.iter() {
                    if is_action_key(key) {
                        if let Some(action) = value.as_object() {
                            self.action(&action);
                        }
                    }
                    self.value(&value);
                }
            }
            _ => {}
        }
    }

    fn action(&mut self, action: &Object<'_>) {
        let Some(name) = action
            .get("name")
            .and_then(|n| n.as_str().map(|s| s.into_owned()))
        else {
            return;
        };
        match name.as_str() {
            "navigate" => self.navigate(action),
            "complete" if !self.screen.terminal => self.report.add(
                action.node(),
                Rule::CompleteOnNonTerminalScreen,
                format!(
                    "A complete action ends the flow, so it can only be on a terminal screen, and {} is not terminal.",
                    self.screen.name()
                ),
            ),
            "data_exchange" if !self.context.has_data_api_version => self.report.add(
                action.node(),
                Rule::DataExchangeWithoutDataApiVersion,
                "A data_exchange action needs the document's \"data_api_version\" (and the flow an endpoint).",
            ),
            _ => {}
        }
    }

    fn navigate(&mut self, action: &Object<'_>) {
        let next = action.get("next").and_then(|n| n.as_object());
        if let Some(kind) = next.as_ref().and_then(|n| n.get("type")) {
            // Only a `screen` target is a screen of this flow.
            if kind.as_str().is_some_and(|k| k != "screen") {
                return;
            }
        }
        let target = next.as_ref().and_then(|n| n.get("name"));
        let Some((target, name)) = target.and_then(|t| Some((t.as_str()?.into_owned(), t))) else {
            self.report.add(
                action.node(),
                Rule::NavigateUnknownScreen,
                "This navigate action names no screen in \"next\": {\"type\": \"screen\", \"name\": …}.",
            );
            return;
        };
        let exists = self.context.screen_ids.contains(&*target);
        let here = self.screen.id.as_deref();
        if !exists {
            self.report.add(
                &name,
                Rule::NavigateUnknownScreen,
                format!(
                    "This navigate action leads to {}, which is not a screen id.",
                    quoted(&target)
                ),
            );
        } else if here == Some(&*target) {
            self.report.add(
                &name,
                Rule::NavigateToSameScreen,
                format!(
                    "This navigate action leads back to its own screen {}.",
                    quoted(&target)
                ),
            );
        } else if let (Some(routes), Some(here)) = (self.context.routes, here) {
            if self.screen.first_with_its_id && !routes.allows(here, &target) {
                self.report.add(
                    &name,
                    Rule::NavigateNotInRoutingModel,
                    format!(
                        "The routing model has no route from {} to {} for this navigate action.",
                        quoted(here),
                        quoted(&target)
                    ),
                );
            }
        }
    }

    fn references(&mut self, node: &Node<'_>) {
        let Some(text) = node.as_str() else {
            return;
        };
        for reference in references(&text) {
            let (resolved, rule, place) = match reference.scope {
                Scope::Form => (
                    self.contents.names.contains(reference.name),
                    Rule::UnresolvedFormReference,
                    "no component",
                ),
                Scope::Data => (
                    self.screen.data_keys.iter().any(|k| k == reference.name),
                    Rule::UnresolvedDataReference,
                    "nothing declared in the \"data\"",
                ),
            };
            if !resolved {
                self.report.add(
                    node,
                    rule,
                    format!(
                        "{} names {place} of {}.",
                        quoted(reference.text),
                        self.screen.name()
                    ),
                );
            }
        }
    }
}

/// `on-click-action`, `on-select-action`, `on-unselect-action`, and any
/// later `on-…-action` Meta adds.
fn is_action_key(key: &str) -> bool {
    key.len() > "on--action".len() && key.starts_with("on-") && key.ends_with("-action")
}

#[derive(Debug, PartialEq)]
enum Scope {
    Form,
    Data,
}

#[derive(Debug, PartialEq)]
struct Reference<'t> {
    scope: Scope,
    /// The first name after the scope (`x` in `${data.x.y}`).
    name: &'t str,
    /// The reference as written, to its `}` (or to the end of the name
    /// when it is not closed).
    text: &'t str,
}

/// The `${form.x}` and `${data.x}` references in a string, in order.
fn references(text: &str) -> Vec<Reference<'_>> {
    let mut found = Vec::new();
    let mut rest = 0;
    while let Some(start) = text[rest..].find("${").map(|i| rest + i) {
        let after = &text[start + 2..];
        rest = start + 2;
        let (scope, prefix) = if after.starts_with("form.") {
            (Scope::Form, "form.")
        } else if after.starts_with("data.") {
            (Scope::Data, "data.")
        } else {
            continue;
        };
        let name_start = start + 2 + prefix.len();
        let name_len = text[name_start..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if name_len == 0 {
            continue;
        }
        let name_end = name_start + name_len;
        // Shown whole when it is closed (`${data.x.y}`), else up to the name.
        let text_end = text[name_end..]
            .find(['}', '$'])
            .filter(|&i| text.as_bytes()[name_end + i] == b'}')
            .map_or(name_end, |i| name_end + i + 1);
        found.push(Reference {
            scope,
            name: &text[name_start..name_end],
            text: &text[start..text_end],
        });
        rest = name_end;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use serde_json::json;

    const WELCOME_FOOTER: &str = "/screens/0/layout/children/2/on-click-action";
    const DETAILS_FOOTER: &str = "/screens/1/layout/children/1/children/1/on-click-action";

    #[test]
    fn references_are_found_with_their_first_name() {
        let found = references(
            "${form.a} and ${data.b_2.c} ${screen.X.form.y} ${form.} $form.z ${data.é}${form.open ${form.last",
        );
        let names: Vec<(&str, &str)> = found.iter().map(|r| (r.name, r.text)).collect();
        assert_eq!(
            names,
            vec![
                ("a", "${form.a}"),
                ("b_2", "${data.b_2.c}"),
                ("open", "${form.open"),
                ("last", "${form.last")
            ]
        );
        assert_eq!(found[1].scope, Scope::Data);
    }

    #[test]
    fn action_keys() {
        for key in ["on-click-action", "on-select-action", "on-unselect-action"] {
            assert!(is_action_key(key), "{key}");
        }
        for key in ["on-action", "on--action", "action", "on-click", "payload"] {
            assert!(!is_action_key(key), "{key}");
        }
    }

    #[test]
    fn complete_only_on_terminal_screens() {
        let mut doc = good();
        set(
            &mut doc,
            WELCOME_FOOTER,
            json!({ "name": "complete", "payload": {} }),
        );
        // DETAILS is now reached by no navigate; without a routing model that is fine.
        assert_problems(&doc, &[(WELCOME_FOOTER, Rule::CompleteOnNonTerminalScreen)]);
    }

    #[test]
    fn navigate_to_an_unknown_screen() {
        let mut doc = good();
        set(
            &mut doc,
            &format!("{WELCOME_FOOTER}/next/name"),
            json!("DETAIL"),
        );
        assert_problems(
            &doc,
            &[(
                &format!("{WELCOME_FOOTER}/next/name"),
                Rule::NavigateUnknownScreen,
            )],
        );
    }

    #[test]
    fn navigate_without_a_target_is_reported_at_the_action() {
        for broken in [
            json!({ "type": "screen" }),
            json!("DETAILS"),
            json!({ "name": 3 }),
        ] {
            let mut doc = good();
            set(&mut doc, &format!("{WELCOME_FOOTER}/next"), broken);
            assert_problems(&doc, &[(WELCOME_FOOTER, Rule::NavigateUnknownScreen)]);
        }
        let mut doc = good();
        remove(&mut doc, &format!("{WELCOME_FOOTER}/next"));
        assert_problems(&doc, &[(WELCOME_FOOTER, Rule::NavigateUnknownScreen)]);
    }

    #[test]
    fn navigate_to_its_own_screen() {
        let mut doc = good();
        set(
            &mut doc,
            &format!("{WELCOME_FOOTER}/next/name"),
            json!("WELCOME"),
        );
        assert_problems(
            &doc,
            &[(
                &format!("{WELCOME_FOOTER}/next/name"),
                Rule::NavigateToSameScreen,
            )],
        );
    }

    #[test]
    fn navigate_must_follow_the_routing_model_when_there_is_one() {
        let mut doc = with_data_exchange();
        set(
            &mut doc,
            &format!("{WELCOME_FOOTER}/next/name"),
            json!("DONE"),
        );
        assert_problems(
            &doc,
            &[(
                &format!("{WELCOME_FOOTER}/next/name"),
                Rule::NavigateNotInRoutingModel,
            )],
        );
        // Without a routing model any existing screen will do.
        let mut doc = good();
        set(
            &mut doc,
            &format!("{WELCOME_FOOTER}/next/name"),
            json!("DONE"),
        );
        assert_problems(&doc, &[]);
    }

    #[test]
    fn actions_of_navigation_list_items_are_checked() {
        let mut doc = good();
        set(
            &mut doc,
            "/screens/0/layout/children/3",
            json!({
                "type": "NavigationList",
                "name": "pick",
                "list-items": [
                    { "id": "a", "main-content": { "title": "A" }, "on-click-action": navigate("DETAILS") },
                    { "id": "b", "main-content": { "title": "B" }, "on-click-action": navigate("NOWHERE") }
                ]
            }),
        );
        assert_problems(
            &doc,
            &[(
                "/screens/0/layout/children/3/list-items/1/on-click-action/next/name",
                Rule::NavigateUnknownScreen,
            )],
        );
    }

    #[test]
    fn data_exchange_needs_data_api_version() {
        let mut doc = with_data_exchange();
        remove(&mut doc, "/data_api_version");
        assert_problems(
            &doc,
            &[(DETAILS_FOOTER, Rule::DataExchangeWithoutDataApiVersion)],
        );
    }

    #[test]
    fn form_references_resolve_to_components_of_the_same_screen() {
        let mut doc = good();
        // `name` is a component of WELCOME, not of DETAILS.
        set(
            &mut doc,
            &format!("{DETAILS_FOOTER}/payload/again"),
            json!("${form.name}"),
        );
        assert_problems(
            &doc,
            &[(
                &format!("{DETAILS_FOOTER}/payload/again"),
                Rule::UnresolvedFormReference,
            )],
        );
        assert!(
            messages(&doc)[0].contains(r#""${form.name}""#),
            "{:?}",
            messages(&doc)
        );
    }

    #[test]
    fn data_references_resolve_to_the_screens_data() {
        let mut doc = good();
        set(
            &mut doc,
            &format!("{WELCOME_FOOTER}/payload/who"),
            json!("${data.name}"),
        );
        set(&mut doc, "/screens/1/title", json!("Hello ${data.nmae}"));
        assert_problems(
            &doc,
            &[
                (
                    &format!("{WELCOME_FOOTER}/payload/who"),
                    Rule::UnresolvedDataReference,
                ),
                ("/screens/1/title", Rule::UnresolvedDataReference),
            ],
        );
    }

    #[test]
    fn references_in_conditions_and_inside_if_branches_resolve() {
        let mut doc = good();
        set(
            &mut doc,
            "/screens/0/layout/children/3",
            json!({
                "type": "If",
                "condition": "${form.city} != ''",
                "then": [{ "type": "TextInput", "name": "city", "label": "City" }],
                "else": [{ "type": "TextBody", "text": "${form.town}" }]
            }),
        );
        assert_problems(
            &doc,
            &[(
                "/screens/0/layout/children/3/else/0/text",
                Rule::UnresolvedFormReference,
            )],
        );
    }

    #[test]
    fn sample_values_in_data_declarations_are_not_references() {
        let mut doc = good();
        set(
            &mut doc,
            "/screens/1/data/name/__example__",
            json!("${form.nothing}"),
        );
        assert_problems(&doc, &[]);
    }
}
