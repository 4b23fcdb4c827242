//! Each component of a screen against the catalogue (its type, version and
//! properties), and where components may be: Footers in If and Switch
//! branches, If nesting, empty branches, NavigationList, and inputs inside
//! or outside a Form. Also the screen's and its layout's own properties.
//!
//! Meta's rules, from the components page
//! (<https://developers.facebook.com/docs/whatsapp/flows/reference/components>)
//! and the error codes page: "If there is a Footer within If, it should
//! exist in both branches"; "Footer can be added within If only in the
//! first level"; "It is allowed to nest up to 3 If components"; `then`
//! and `cases` must not be empty; NavigationList "cannot be used on a
//! terminal screen", "at most 2 per screen", "cannot be used in
//! combination with any other components", one `badge` per list, no `end`
//! with `media-size` large, `on-click-action` on the list or on its items
//! but not both; before 4.0 inputs live in a Form, and from 4.0 a screen
//! with a Form keeps its inputs in it (COMPONENTS_OUTSIDE_FORM).

use super::catalogue::{self, version_text, Version, LAYOUT, SCREEN, V4_0, V6_0};
use super::json::{Kind, Node, Object, MAX_DEPTH};
use super::properties::{check_dependencies, check_object, is_dynamic, Scope};
use super::screens::Screen;
use super::{quoted, Report, Rule};

const MAX_IF_DEPTH: usize = 3;
const MAX_NAVIGATION_LISTS: usize = 2;

/// Where in the component tree a walk is.
#[derive(Clone, Copy, Default)]
struct Place {
    /// How many If components enclose it.
    if_depth: usize,
    in_form: bool,
}

/// What the walk of one screen gathers for the screen-wide rules.
#[derive(Default)]
struct Facts<'a> {
    navigation_lists: Vec<Node<'a>>,
    /// Components other than NavigationList (and the If, Switch and Form
    /// that only hold others).
    others: usize,
    has_form: bool,
    inputs_outside_form: Vec<(Node<'a>, String)>,
}

pub(super) fn check(screen: &Screen<'_>, version: Option<Version>, report: &mut Report<'_>) {
    check_screen_properties(screen, version, report);
    let Some(layout) = screen.object.get("layout").and_then(|l| l.as_object()) else {
        return;
    };
    check_layout(&layout, report);
    let Some(children) = layout.get("children") else {
        return;
    };
    let mut facts = Facts::default();
    let mut walk = Walk { version, report };
    walk.components(&children, Place::default(), &mut facts);
    walk.screen_wide(screen, &facts);
}

/// The screen's own properties: names and versions (the values are the
/// screen rules' and the component walks').
fn check_screen_properties(screen: &Screen<'_>, version: Option<Version>, report: &mut Report<'_>) {
    for (key, value) in screen.object.iter() {
        match SCREEN.iter().find(|p| p.name == key) {
            None => report.add(
                &value,
                Rule::UnknownProperty,
                format!(
                    "{} is not a property of a screen; a screen has {}.",
                    quoted(key),
                    SCREEN.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
                ),
            ),
            Some(p) => {
                if let Some(v) = version.filter(|v| *v < p.since) {
                    report.add(
                        &value,
                        Rule::NewerThanVersion,
                        format!(
                            "A screen's {} needs Flow JSON version {} or later; the document is version {}.",
                            quoted(key),
                            version_text(p.since),
                            version_text(v)
                        ),
                    );
                }
            }
        }
    }
    if !screen.object.contains("layout") {
        report.add(
            screen.object.node(),
            Rule::MissingRequiredProperty,
            format!(
                "{} has no \"layout\", which every screen requires.",
                super::properties::capitalised(&screen.name())
            ),
        );
    }
}

fn check_layout(layout: &Object<'_>, report: &mut Report<'_>) {
    for (key, value) in layout.iter() {
        if !LAYOUT.iter().any(|p| p.name == key) {
            report.add(
                &value,
                Rule::UnknownProperty,
                format!(
                    "{} is not a property of a layout; it has type and children.",
                    quoted(key)
                ),
            );
        }
    }
    match layout.get("type") {
        None => report.add(
            layout.node(),
            Rule::MissingRequiredProperty,
            "The layout has no \"type\"; use \"SingleColumnLayout\".",
        ),
        Some(kind) if !is_dynamic(&kind) => {
            if kind.as_str().is_none_or(|k| k != "SingleColumnLayout") {
                report.add(
                    &kind,
                    Rule::InvalidEnumValue,
                    "The layout's \"type\" must be \"SingleColumnLayout\", the only layout Flow JSON has.",
                );
            }
        }
        Some(_) => {}
    }
    if !layout.contains("children") {
        report.add(
            layout.node(),
            Rule::MissingRequiredProperty,
            "The layout has no \"children\" (the screen's components).",
        );
    }
}

struct Walk<'w, 'r> {
    version: Option<Version>,
    report: &'w mut Report<'r>,
}

impl Walk<'_, '_> {
    fn components<'a>(&mut self, list: &Node<'a>, place: Place, facts: &mut Facts<'a>) {
        if list.depth() > MAX_DEPTH {
            return;
        }
        // Not an array: reported by the component counts.
        for item in list.as_array().unwrap_or_default() {
            if let Some(object) = item.as_object() {
                self.component(&object, place, facts);
            }
        }
    }

    fn component<'a>(&mut self, object: &Object<'a>, place: Place, facts: &mut Facts<'a>) {
        let node = object.node();
        let Some(type_node) = object.get("type") else {
            self.report.add(
                node,
                Rule::MissingRequiredProperty,
                "This component has no \"type\".",
            );
            return;
        };
        let Some(kind) = type_node.as_str() else {
            self.report.add(
                &type_node,
                Rule::WrongType,
                format!(
                    "A component's \"type\" must be a string, not {}.",
                    type_node.kind().article_name()
                ),
            );
            return;
        };
        let Some(spec) = catalogue::component(&kind) else {
            self.report.add(
                &type_node,
                Rule::UnknownComponent,
                format!("{} is not a Flow JSON component.", quoted(&kind)),
            );
            return;
        };
        if let Some(version) = self.version.filter(|v| *v < spec.since) {
            self.report.add(
                node,
                Rule::NewerThanVersion,
                format!(
                    "{} needs Flow JSON version {} or later; the document is version {}.",
                    spec.name,
                    version_text(spec.since),
                    version_text(version)
                ),
            );
        }
        check_object(
            object,
            spec.properties,
            Scope {
                version: self.version,
                what: spec.name,
            },
            self.report,
        );
        check_dependencies(object, spec.name, self.report);
        if spec.input && !place.in_form {
            if self.version.is_some_and(|v| v < V4_0) {
                self.report.add(
                    node,
                    Rule::InputOutsideForm,
                    format!(
                        "Before Flow JSON version 4.0 a {} must be inside a Form.",
                        spec.name
                    ),
                );
            } else {
                facts
                    .inputs_outside_form
                    .push((node.clone(), spec.name.to_string()));
            }
        }
        match spec.name {
            "NavigationList" => {
                facts.navigation_lists.push(node.clone());
                self.navigation_list(object);
            }
            "Form" => {
                facts.has_form = true;
                if let Some(children) = object.get("children") {
                    let inner = Place {
                        in_form: true,
                        ..place
                    };
                    self.components(&children, inner, facts);
                }
            }
            "If" => self.if_component(object, place, facts),
            "Switch" => self.switch(object, place, facts),
            "Footer" if place.if_depth > 1 => self.report.add(
                node,
                Rule::FooterInNestedIf,
                "A Footer can be inside an If only at its first level, not in a nested If.",
            ),
            _ => facts.others += 1,
        }
    }

    fn if_component<'a>(&mut self, object: &Object<'a>, place: Place, facts: &mut Facts<'a>) {
        let node = object.node();
        let depth = place.if_depth + 1;
        if depth == MAX_IF_DEPTH + 1 {
            self.report.add(
                node,
                Rule::IfNestedTooDeep,
                format!(
                    "If components nest at most {MAX_IF_DEPTH} deep; this one is the {depth}th."
                ),
            );
        }
        self.condition(object);
        let inner = Place {
            if_depth: depth,
            ..place
        };
        let mut footers = Vec::new();
        for key in ["then", "else"] {
            let Some(branch) = object.get(key) else {
                footers.push(false);
                continue;
            };
            self.not_empty(&branch, key);
            footers.push(has_footer(&branch));
            self.components(&branch, inner, facts);
        }
        if footers.iter().any(|f| *f) && !footers.iter().all(|f| *f) {
            let message = if object.contains("else") {
                "This If has a Footer in one branch only; a Footer in an If must be in both \"then\" and \"else\"."
            } else {
                "This If has a Footer in \"then\" but no \"else\"; add an \"else\" with a Footer too."
            };
            self.report.add(node, Rule::FooterNotInEveryBranch, message);
        }
    }

    /// Meta: the condition "should have at least one dynamic value" and
    /// "should not only contain literals"; an empty one has no operand.
    /// (From 6.0 an empty string is the empty-string rule's.)
    fn condition(&mut self, object: &Object<'_>) {
        let Some(node) = object.get("condition") else {
            return;
        };
        let Some(text) = node.as_str() else {
            return;
        };
        let empty_reported = text.is_empty() && self.version.is_some_and(|v| v >= V6_0);
        if !text.contains("${") && !empty_reported {
            self.report.add(
                &node,
                Rule::IfConditionInvalid,
                format!(
                    "The If condition {} has no dynamic value (${{data.…}} or ${{form.…}}), so it would always choose the same branch.",
                    quoted(&text)
                ),
            );
        }
    }

    fn switch<'a>(&mut self, object: &Object<'a>, place: Place, facts: &mut Facts<'a>) {
        let Some(cases) = object.get("cases").and_then(|c| c.as_object()) else {
            return;
        };
        if cases.keys().next().is_none() {
            self.report.add(
                cases.node(),
                Rule::EmptyBranch,
                "A Switch's \"cases\" must hold at least one case.",
            );
        }
        let mut footers = Vec::new();
        for (key, branch) in cases.iter() {
            self.not_empty(&branch, &format!("case {}", quoted(key)));
            footers.push(has_footer(&branch));
            self.components(&branch, place, facts);
        }
        if footers.iter().any(|f| *f) && !footers.iter().all(|f| *f) {
            self.report.add(
                object.node(),
                Rule::FooterNotInEveryBranch,
                "This Switch has a Footer in some cases only; a Footer in a Switch must be in every case.",
            );
        }
    }

    fn not_empty(&mut self, branch: &Node<'_>, name: &str) {
        if branch.as_array().is_some_and(|items| items.is_empty()) {
            self.report.add(
                branch,
                Rule::EmptyBranch,
                format!("The {name} branch is empty; it must hold at least one component (or be left out)."),
            );
        }
    }

    /// The rules of one NavigationList about its items.
    fn navigation_list(&mut self, list: &Object<'_>) {
        let Some(items) = list.get("list-items").and_then(|i| i.as_array()) else {
            return;
        };
        let on_list = list.contains("on-click-action");
        let items: Vec<Object<'_>> = items.iter().filter_map(|i| i.as_object()).collect();
        for item in &items {
            if let Some(action) = item.get("on-click-action").filter(|_| on_list) {
                self.report.add(
                    &action,
                    Rule::NavigationListPlacement,
                    "This item has an on-click-action and so does its NavigationList; define it on the list or on each item, not both.",
                );
            } else if !on_list && !item.contains("on-click-action") {
                self.report.add(
                    item.node(),
                    Rule::NavigationListPlacement,
                    "This item has no on-click-action and neither has its NavigationList; define it on the list or on each item.",
                );
            }
        }
        if let Some(second) = items.iter().filter(|i| i.contains("badge")).nth(1) {
            self.report.add(
                &second.get("badge").expect("filtered on"),
                Rule::NavigationListPlacement,
                "A NavigationList may have only one item with a badge.",
            );
        }
        let large = list
            .get("media-size")
            .is_some_and(|m| m.as_str().is_some_and(|m| m == "large"));
        if large {
            for end in items.iter().filter_map(|i| i.get("end")) {
                self.report.add(
                    &end,
                    Rule::NavigationListPlacement,
                    "An item's \"end\" cannot be used when the NavigationList's media-size is large.",
                );
            }
        }
    }

    fn screen_wide(&mut self, screen: &Screen<'_>, facts: &Facts<'_>) {
        let lists = &facts.navigation_lists;
        if screen.terminal {
            for list in lists {
                self.report.add(
                    list,
                    Rule::NavigationListPlacement,
                    "A NavigationList cannot be on a terminal screen.",
                );
            }
        }
        if let Some(extra) = lists.get(MAX_NAVIGATION_LISTS) {
            self.report.add(
                extra,
                Rule::NavigationListPlacement,
                format!(
                    "A screen may have at most {MAX_NAVIGATION_LISTS} NavigationList components."
                ),
            );
        }
        if let (Some(first), true) = (lists.first(), facts.others > 0) {
            self.report.add(
                first,
                Rule::NavigationListPlacement,
                "A NavigationList cannot share its screen with other components.",
            );
        }
        if facts.has_form {
            for (node, kind) in &facts.inputs_outside_form {
                self.report.add(
                    node,
                    Rule::InputOutsideForm,
                    format!("This screen has a Form, so this {kind} must be inside it."),
                );
            }
        }
    }
}

/// A Footer somewhere in these components (also in nested branches).
fn has_footer(list: &Node<'_>) -> bool {
    fn any_footer(node: &Node<'_>, depth: usize) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match node.kind() {
            Kind::Array => node
                .as_array()
                .unwrap_or_default()
                .iter()
                .any(|i| any_footer(i, depth + 1)),
            Kind::Object => {
                let Some(object) = node.as_object() else {
                    return false;
                };
                if object
                    .get("type")
                    .is_some_and(|t| t.as_str().is_some_and(|t| t == "Footer"))
                {
                    return true;
                }
                ["then", "else", "children"]
                    .iter()
                    .filter_map(|k| object.get(k))
                    .chain(
                        object
                            .get("cases")
                            .and_then(|c| c.as_object())
                            .map(|c| c.iter().map(|(_, v)| v).collect::<Vec<_>>())
                            .unwrap_or_default(),
                    )
                    .any(|child| any_footer(&child, depth + 1))
            }
            _ => false,
        }
    }
    any_footer(list, 0)
}
