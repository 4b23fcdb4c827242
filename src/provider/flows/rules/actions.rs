//! Rules about actions (`navigate`, `complete`, `data_exchange`) and the
//! `${form.x}`, `${data.x.y}` and `${screen.S.data.x}` references in a
//! screen.
//!
//! Both are looked for everywhere in a screen except its `data`
//! declarations (whose examples are sample values, not expressions): an
//! action is any object under a key of the form `on-…-action`
//! (`on-click-action`, `on-select-action`, …, including those of
//! NavigationList items), and a reference may sit in any string (a
//! payload, a `visible` or an If `condition`, a title).
//!
//! Payload rules from the error codes page: a `navigate` payload holds
//! only fields the next screen declares in its `data`; a PhotoPicker's or
//! DocumentPicker's value is never in a `navigate` payload, is a top-level
//! value of a `complete` or `data_exchange` payload, and a `complete`
//! payload holds one at most, with `max-uploaded-…` at most 1.

use std::collections::HashSet;

use super::catalogue::{version_text, Version, V4_0};
use super::components::Contents;
use super::data_model::DataModel;
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
    pub version: Option<Version>,
    /// Every screen, with its data model at the same index.
    pub screens: &'c [Screen<'c>],
    pub data_models: &'c [DataModel],
}

/// The rules' view of one screen while its values are walked.
struct Walk<'w, 'c, 'a, 'r> {
    screen: &'w Screen<'a>,
    index: usize,
    contents: &'w [Contents],
    context: &'w Context<'c>,
    report: &'w mut Report<'r>,
}

/// Checks the screen at `index` of `context.screens`; `contents` holds
/// every screen's components, at the same indexes.
pub(super) fn check(
    index: usize,
    contents: &[Contents],
    context: &Context<'_>,
    report: &mut Report<'_>,
) {
    let screen = &context.screens[index];
    let mut walk = Walk {
        screen,
        index,
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
            "complete" => {
                if !self.screen.terminal {
                    self.report.add(
                        action.node(),
                        Rule::CompleteOnNonTerminalScreen,
                        format!(
                            "A complete action ends the flow, so it can only be on a terminal screen, and {} is not terminal.",
                            self.screen.name()
                        ),
                    );
                }
                self.pickers_in_payload(action, true);
            }
            "data_exchange" => {
                if !self.context.has_data_api_version {
                    self.report.add(
                        action.node(),
                        Rule::DataExchangeWithoutDataApiVersion,
                        "A data_exchange action needs the document's \"data_api_version\" (and the flow an endpoint).",
                    );
                }
                self.pickers_in_payload(action, false);
            }
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
        // A missing or ill-typed target is the schema rules' to report.
        let target = next.as_ref().and_then(|n| n.get("name"));
        let Some((target, name)) = target.and_then(|t| Some((t.as_str()?.into_owned(), t))) else {
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
        } else {
            if let (Some(routes), Some(here)) = (self.context.routes, here) {
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
            self.payload_against_next_screen(action, &target);
        }
        // A picker's value cannot travel by navigate (read it through
        // `${screen.S.form.x}` instead).
        if let Some(payload) = action.get("payload") {
            self.each_string(&payload, &mut |walk, node, text| {
                for picker in walk.pickers_named(text) {
                    walk.report.add(
                        node,
                        Rule::MediaPickerInPayload,
                        format!(
                            "The value of {picker} cannot be passed in a navigate payload; read it on the next screen as ${{screen.{}.form.…}}.",
                            walk.screen.id.as_deref().unwrap_or("SCREEN")
                        ),
                    );
                }
            });
        }
    }

    /// Each field of the payload is declared in the next screen's `data`.
    fn payload_against_next_screen(&mut self, action: &Object<'_>, target: &str) {
        let Some(payload) = action.get("payload").and_then(|p| p.as_object()) else {
            return;
        };
        let Some(next) = self
            .context
            .screens
            .iter()
            .position(|s| s.first_with_its_id && s.id.as_deref() == Some(target))
        else {
            return;
        };
        let model = &self.context.data_models[next];
        for (key, value) in payload.iter() {
            if !model.resolves(&[key]) {
                self.report.add(
                    &value,
                    Rule::NavigatePayloadNotInData,
                    format!(
                        "The payload field {} is not declared in the \"data\" of screen {}, which this navigate action leads to.",
                        quoted(key),
                        quoted(target)
                    ),
                );
            }
        }
    }

    /// The picker rules of a `complete` (`completing`) or `data_exchange`
    /// payload.
    fn pickers_in_payload(&mut self, action: &Object<'_>, completing: bool) {
        let Some(payload) = action.get("payload").and_then(|p| p.as_object()) else {
            return;
        };
        let mut top_level = 0;
        for (_, value) in payload.iter() {
            if let Some(text) = value.as_str() {
                let name = whole_form_reference(&text);
                if let Some(picker) = name.and_then(|n| self.contents[self.index].pickers.get(n)) {
                    top_level += 1;
                    if completing && top_level > 1 {
                        self.report.add(
                            &value,
                            Rule::MediaPickerInPayload,
                            "A complete payload may hold the value of one PhotoPicker or DocumentPicker only.",
                        );
                    } else if completing && picker.max_uploaded.is_none_or(|m| m > 1) {
                        self.report.add(
                            &value,
                            Rule::MediaPickerInPayload,
                            format!(
                                "A {} in a complete payload must allow at most 1 upload (its max-uploaded-… defaults to 30).",
                                picker.kind
                            ),
                        );
                    }
                    continue;
                }
            }
            // Anything else holding a picker's value holds it too deep.
            self.each_string(&value, &mut |walk, node, text| {
                for picker in walk.pickers_named(text) {
                    walk.report.add(
                        node,
                        Rule::MediaPickerInPayload,
                        format!("The value of {picker} must be a top-level value of the payload, as \"${{form.name}}\" alone."),
                    );
                }
            });
        }
    }

    /// The pickers of this screen a string refers to by `${form.x}`.
    fn pickers_named(&self, text: &str) -> Vec<String> {
        references(text)
            .filter(|r| r.scope == Scope::Form)
            .filter_map(|r| {
                let picker = self.contents[self.index].pickers.get(r.path[0])?;
                Some(format!("{} {}", picker.kind, quoted(r.path[0])))
            })
            .collect()
    }

    fn each_string(&mut self, node: &Node<'_>, visit: &mut dyn FnMut(&mut Self, &Node<'_>, &str)) {
        if node.depth() > MAX_DEPTH {
            return;
        }
        match node.kind() {
            Kind::String => {
                if let Some(text) = node.as_str() {
                    visit(self, node, &text);
                }
            }
            Kind::Array => {
                for item in node.as_array().unwrap_or_default() {
                    self.each_string(&item, visit);
                }
            }
            Kind::Object => {
                if let Some(object) = node.as_object() {
                    for (_, value) in object.iter() {
                        self.each_string(&value, visit);
                    }
                }
            }
            _ => {}
        }
    }

    fn references(&mut self, node: &Node<'_>) {
        let Some(text) = node.as_str() else {
            return;
        };
        for reference in references(&text) {
            let (resolved, rule, place) = match &reference.scope {
                Scope::Form => (
                    self.contents[self.index].names.contains(reference.path[0]),
                    Rule::UnresolvedFormReference,
                    format!("no component of {}", self.screen.name()),
                ),
                Scope::Data => (
                    self.context.data_models[self.index].resolves(&reference.path),
                    Rule::UnresolvedDataReference,
                    format!("nothing declared in the \"data\" of {}", self.screen.name()),
                ),
                Scope::Screen { id, form } => {
                    if let Some(v) = self.context.version.filter(|v| *v < V4_0) {
                        self.report.add(
                            node,
                            Rule::NewerThanVersion,
                            format!(
                                "{} is a global reference, which needs Flow JSON version 4.0 or later; the document is version {}.",
                                quoted(reference.text),
                                version_text(v)
                            ),
                        );
                        continue;
                    }
                    let found = self
                        .context
                        .screens
                        .iter()
                        .position(|s| s.first_with_its_id && s.id.as_deref() == Some(*id));
                    let resolved = match found {
                        None => false,
                        Some(i) if *form => self.contents[i].names.contains(reference.path[0]),
                        Some(i) => self.context.data_models[i].resolves(&reference.path),
                    };
                    let place = match (found, form) {
                        (None, _) => format!("{}, which is not a screen id", quoted(id)),
                        (Some(_), true) => format!("no component of screen {}", quoted(id)),
                        (Some(_), false) => {
                            format!("nothing declared in the \"data\" of screen {}", quoted(id))
                        }
                    };
                    (resolved, Rule::UnresolvedScreenReference, place)
                }
            };
            if !resolved {
                self.report.add(
                    node,
                    rule,
                    format!("{} names {place}.", quoted(reference.text)),
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
enum Scope<'t> {
    Form,
    Data,
    /// `${screen.ID.form.x}` (`form`) or `${screen.ID.data.x}`.
    Screen {
        id: &'t str,
        form: bool,
    },
}

#[derive(Debug, PartialEq)]
struct Reference<'t> {
    scope: Scope<'t>,
    /// The names after the scope (`["x", "y"]` in `${data.x.y}`), at
    /// least one.
    path: Vec<&'t str>,
    /// The reference as written, to its `}` (or to the end of the names
    /// when it is not closed).
    text: &'t str,
}

/// The field name of a string that is exactly `${form.x}`.
fn whole_form_reference(text: &str) -> Option<&str> {
    let name = text.strip_prefix("${form.")?.strip_suffix('}')?;
    name.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        .then_some(name)
}

fn name_len(text: &str) -> usize {
    text.bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count()
}

/// The `${form.x}`, `${data.x…}` and `${screen.S.(form|data).x…}`
/// references in a string, in order. Lazily: a string may hold hundreds of
/// thousands, and only one at a time is needed.
fn references(text: &str) -> impl Iterator<Item = Reference<'_>> {
    let mut rest = 0;
    std::iter::from_fn(move || next_reference(text, &mut rest))
}

/// The next reference at or after `rest`, which it moves past it.
fn next_reference<'t>(text: &'t str, rest: &mut usize) -> Option<Reference<'t>> {
    while let Some(start) = text[*rest..].find("${").map(|i| *rest + i) {
        *rest = start + 2;
        let after = &text[start + 2..];
        let (scope, prefix_len) = if after.starts_with("form.") {
            (Scope::Form, "form.".len())
        } else if after.starts_with("data.") {
            (Scope::Data, "data.".len())
        } else if let Some(screen) = after.strip_prefix("screen.") {
            let id_len = name_len(screen);
            let kind = &screen[id_len..];
            let (form, kind_len) = if kind.starts_with(".form.") {
                (true, ".form.".len())
            } else if kind.starts_with(".data.") {
                (false, ".data.".len())
            } else {
                continue;
            };
            if id_len == 0 {
                continue;
            }
            (
                Scope::Screen {
                    id: &screen[..id_len],
                    form,
                },
                "screen.".len() + id_len + kind_len,
            )
        } else {
            continue;
        };
        let mut at = start + 2 + prefix_len;
        let mut path = Vec::new();
        loop {
            let len = name_len(&text[at..]);
            if len == 0 {
                break;
            }
            path.push(&text[at..at + len]);
            at += len;
            // Form values are read whole: `${form.x}` only.
            if scope == Scope::Form || !text[at..].starts_with('.') {
                break;
            }
            at += 1;
        }
        if path.is_empty() {
            continue;
        }
        let names_end = at;
        // Shown whole when it is closed (`${data.x.y}`), else up to the names.
        let text_end = text[names_end..]
            .find(['}', '$'])
            .filter(|&i| text.as_bytes()[names_end + i] == b'}')
            .map_or(names_end, |i| names_end + i + 1);
        *rest = names_end;
        return Some(Reference {
            scope,
            path,
            text: &text[start..text_end],
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::*;
    use super::*;
    use serde_json::json;

    const WELCOME_FOOTER: &str = "/screens/0/layout/children/2/on-click-action";
    const DETAILS_FOOTER: &str = "/screens/1/layout/children/1/children/1/on-click-action";

    #[test]
    fn references_are_found_with_their_path() {
        let found: Vec<Reference> = references(
            "${form.a.b} and ${data.b_2.c} ${screen.X.form.y} ${screen.S_1.data.p.q} ${screen..data.z} ${form.} $form.z ${data.é}${form.open ${data.last.",
        )
        .collect();
        let paths: Vec<(Vec<&str>, &str)> =
            found.iter().map(|r| (r.path.clone(), r.text)).collect();
        assert_eq!(
            paths,
            vec![
                (vec!["a"], "${form.a.b}"),
                (vec!["b_2", "c"], "${data.b_2.c}"),
                (vec!["y"], "${screen.X.form.y}"),
                (vec!["p", "q"], "${screen.S_1.data.p.q}"),
                (vec!["open"], "${form.open"),
                (vec!["last"], "${data.last.")
            ]
        );
        assert_eq!(found[1].scope, Scope::Data);
        assert_eq!(
            found[2].scope,
            Scope::Screen {
                id: "X",
                form: true
            }
        );
        assert_eq!(
            found[3].scope,
            Scope::Screen {
                id: "S_1",
                form: false
            }
        );
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
        // DETAILS and DONE are now reached by no navigate action.
        assert_problems(
            &doc,
            &[
                (WELCOME_FOOTER, Rule::CompleteOnNonTerminalScreen),
                ("/screens/1", Rule::ScreenUnreachable),
                ("/screens/2", Rule::ScreenUnreachable),
            ],
        );
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

    /// A navigate action without a target is the schema rules' to report;
    /// the screens it no longer reaches are unreachable.
    #[test]
    fn navigate_without_a_target_is_reported_by_the_schema() {
        let next = format!("{WELCOME_FOOTER}/next");
        let cases = [
            (
                json!({ "type": "screen" }),
                next.clone(),
                Rule::MissingRequiredProperty,
            ),
            (json!("DETAILS"), next.clone(), Rule::WrongType),
            (
                json!({ "name": 3 }),
                format!("{next}/name"),
                Rule::WrongType,
            ),
        ];
        for (broken, at, rule) in cases {
            let mut doc = good();
            set(&mut doc, &next, broken);
            assert_problems(
                &doc,
                &[
                    (&at, rule),
                    ("/screens/1", Rule::ScreenUnreachable),
                    ("/screens/2", Rule::ScreenUnreachable),
                ],
            );
        }
        let mut doc = good();
        remove(&mut doc, &next);
        assert_problems(
            &doc,
            &[
                (WELCOME_FOOTER, Rule::MissingRequiredProperty),
                ("/screens/1", Rule::ScreenUnreachable),
                ("/screens/2", Rule::ScreenUnreachable),
            ],
        );
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
        // Without a routing model any existing screen will do, but then
        // no navigate action leads to DETAILS.
        let mut doc = good();
        set(
            &mut doc,
            &format!("{WELCOME_FOOTER}/next/name"),
            json!("DONE"),
        );
        assert_problems(&doc, &[("/screens/1", Rule::ScreenUnreachable)]);
    }

    #[test]
    fn actions_of_navigation_list_items_are_checked() {
        let mut doc = good();
        // A NavigationList screen holds nothing else.
        set(&mut doc, "/screens/0/layout/children", json!([]));
        set(
            &mut doc,
            "/screens/0/layout/children/0",
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
                "/screens/0/layout/children/0/list-items/1/on-click-action/next/name",
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
            &format!("{DETAILS_FOOTER}/payload/name"),
            json!("${form.name}"),
        );
        assert_problems(
            &doc,
            &[(
                &format!("{DETAILS_FOOTER}/payload/name"),
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
                // DETAILS declares no "who" either.
                (
                    &format!("{WELCOME_FOOTER}/payload/who"),
                    Rule::NavigatePayloadNotInData,
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
