//! The schema rules: each object checked against its entry in the
//! [catalogue](super::catalogue): unknown and missing properties, JSON
//! types, allowed values, empty strings, character, count and number
//! limits, properties that need or exclude each other, and what is newer
//! than the document's version.
//!
//! A dynamic value (a string holding `${…}`) fits any type and any limit:
//! what it becomes is known only when the flow runs.

use super::catalogue::{
    self, version_text, ItemKind, Property, ValueType, Version, CAROUSEL_IMAGE, DATA_SOURCE_ITEM,
    LIST_ITEM, LIST_ITEM_END, LIST_ITEM_MAIN_CONTENT, LIST_ITEM_START, NAVIGATE_NEXT, V6_0,
};
use super::json::{Kind, Node, Object};
use super::{quoted, Report, Rule};

/// What the checks of one object need to know.
#[derive(Clone, Copy)]
pub(super) struct Scope<'s> {
    /// The document's version, when it reads as one.
    pub version: Option<Version>,
    /// How messages name the object ("TextInput", "a data-source option").
    pub what: &'s str,
}

/// `${data.x}`, `${form.x}`, `${screen.S.data.x}` and expressions using
/// them.
pub(super) fn is_dynamic(node: &Node<'_>) -> bool {
    node.kind() == Kind::String && node.text().contains("${")
}

/// Checks an object's properties against `properties`, the catalogue's
/// list for its kind. Unknown properties are reported when `closed`.
pub(super) fn check_object(
    object: &Object<'_>,
    properties: &[Property],
    scope: Scope<'_>,
    report: &mut Report<'_>,
) {
    for (key, value) in object.iter() {
        let Some(property) = properties.iter().find(|p| p.name == key) else {
            report.add(
                &value,
                Rule::UnknownProperty,
                format!(
                    "{} is not a property of {}; it has {}.",
                    quoted(key),
                    scope.what,
                    names(properties)
                ),
            );
            continue;
        };
        if let Some(version) = scope.version {
            if property.since > version {
                report.add(
                    &value,
                    Rule::NewerThanVersion,
                    format!(
                        "{} of {} needs Flow JSON version {} or later; the document is version {}.",
                        quoted(key),
                        scope.what,
                        version_text(property.since),
                        version_text(version)
                    ),
                );
            }
        }
        check_value(&value, property, scope, report);
    }
    for property in properties {
        if property.is_required_in(scope.version) && !object.contains(property.name) {
            report.add(
                object.node(),
                Rule::MissingRequiredProperty,
                format!(
                    "{} has no {}, which it requires.",
                    capitalised(scope.what),
                    quoted(property.name)
                ),
            );
        }
    }
    check_min_max(object, scope, report);
}

fn names(properties: &[Property]) -> String {
    let all: Vec<&str> = properties.iter().map(|p| p.name).collect();
    all.join(", ")
}

fn check_value(node: &Node<'_>, property: &Property, scope: Scope<'_>, report: &mut Report<'_>) {
    // Lists of components are walked, and their types reported, by the
    // component rules.
    if is_dynamic(node) || matches!(property.value, ValueType::Components | ValueType::Cases) {
        return;
    }
    if !fits(node, property.value) {
        report.add(
            node,
            Rule::WrongType,
            format!(
                "{} of {} must be {}, not {}.",
                quoted(property.name),
                scope.what,
                type_name(property.value),
                node.kind().article_name()
            ),
        );
        return;
    }
    if let Some(text) = node.as_str() {
        check_string(node, &text, property, scope, report);
    }
    if let Some(number) = integer(node) {
        if let Some((min, max)) = property.range {
            if number < min || number > max {
                report.add(
                    node,
                    Rule::ValueOutOfRange,
                    format!(
                        "{} of {} is {number}; it must be from {min} to {max}.",
                        quoted(property.name),
                        scope.what
                    ),
                );
            }
        }
    }
    if let Some(items) = node.as_array() {
        check_items(node, &items, property, scope, report);
    }
    if property.value == ValueType::Action {
        if let Some(action) = node.as_object() {
            check_action(&action, property, scope, report);
        }
    }
}

fn check_string(
    node: &Node<'_>,
    text: &str,
    property: &Property,
    scope: Scope<'_>,
    report: &mut Report<'_>,
) {
    // Text components and links never take blank text; from 6.0 no
    // string property takes an empty one (Flows changelog, 6.0).
    let always_needs_text = property.name == "text";
    let empty_refused = scope.version.is_some_and(|v| v >= V6_0);
    if (always_needs_text && text.trim().is_empty()) || (empty_refused && text.is_empty()) {
        report.add(
            node,
            Rule::EmptyString,
            format!(
                "{} of {} is empty; give it a value or leave the property out.",
                quoted(property.name),
                scope.what
            ),
        );
        return;
    }
    if !property.values.is_empty() && !property.values.contains(&text) {
        report.add(
            node,
            Rule::InvalidEnumValue,
            format!(
                "{} of {} is {}; it must be one of {}.",
                quoted(property.name),
                scope.what,
                quoted(text),
                property.values.join(", ")
            ),
        );
    }
    if let Some(max) = property.max_chars {
        let length = text.chars().count();
        if length > max {
            report.add(
                node,
                Rule::TextTooLong,
                format!(
                    "{} of {} has {length} characters; at most {max} are allowed.",
                    quoted(property.name),
                    scope.what
                ),
            );
        }
    }
}

fn check_items(
    node: &Node<'_>,
    items: &[Node<'_>],
    property: &Property,
    scope: Scope<'_>,
    report: &mut Report<'_>,
) {
    if let Some((min, mut max)) = property.items {
        // Dropdown: 200 options, but 100 when they have images.
        if property.name == "data-source" && max == 200 && items.iter().any(has_image) {
            max = 100;
        }
        if items.len() < min || items.len() > max {
            report.add(
                node,
                Rule::ItemCount,
                format!(
                    "{} of {} has {} items; it must have {min} to {max}.",
                    quoted(property.name),
                    scope.what,
                    items.len()
                ),
            );
        }
    }
    match property.value {
        ValueType::Strings => {
            for item in items.iter().filter(|i| !is_dynamic(i)) {
                match item.as_str() {
                    None => report.add(
                        item,
                        Rule::WrongType,
                        format!(
                            "Each item of {} of {} must be a string, not {}.",
                            quoted(property.name),
                            scope.what,
                            item.kind().article_name()
                        ),
                    ),
                    Some(value)
                        if !property.values.is_empty() && !property.values.contains(&&*value) =>
                    {
                        report.add(
                            item,
                            Rule::InvalidEnumValue,
                            format!(
                                "{} in {} of {} is not one of {}.",
                                quoted(&value),
                                quoted(property.name),
                                scope.what,
                                property.values.join(", ")
                            ),
                        )
                    }
                    Some(_) => {}
                }
            }
        }
        ValueType::Items(kind) => {
            let (properties, what) = match kind {
                ItemKind::DataSource => (DATA_SOURCE_ITEM, "a data-source option"),
                ItemKind::ListItem => (LIST_ITEM, "a NavigationList item"),
                ItemKind::CarouselImage => (CAROUSEL_IMAGE, "an ImageCarousel image"),
            };
            let item_scope = Scope {
                version: scope.version,
                what,
            };
            for item in items {
                match item.as_object() {
                    Some(object) => {
                        check_object(&object, properties, item_scope, report);
                        if kind == ItemKind::ListItem {
                            check_list_item_parts(&object, item_scope, report);
                        }
                    }
                    None if is_dynamic(item) => {}
                    None => report.add(
                        item,
                        Rule::WrongType,
                        format!(
                            "{} must be an object, not {}.",
                            capitalised(what),
                            item.kind().article_name()
                        ),
                    ),
                }
            }
        }
        _ => {}
    }
}

/// A NavigationList item's `main-content` needs a `title`, its `start` an
/// `image`; `end` holds texts only.
fn check_list_item_parts(item: &Object<'_>, scope: Scope<'_>, report: &mut Report<'_>) {
    for (key, properties, what) in [
        (
            "main-content",
            LIST_ITEM_MAIN_CONTENT,
            "an item's main-content",
        ),
        ("end", LIST_ITEM_END, "an item's end"),
        ("start", LIST_ITEM_START, "an item's start"),
    ] {
        if let Some(part) = item.get(key).and_then(|p| p.as_object()) {
            check_object(
                &part,
                properties,
                Scope {
                    version: scope.version,
                    what,
                },
                report,
            );
        }
    }
}

fn has_image(item: &Node<'_>) -> bool {
    item.as_object().is_some_and(|o| o.contains("image"))
}

/// An action in one of a component's action properties: a known action,
/// allowed there, not newer than the document, with its own properties.
fn check_action(
    action: &Object<'_>,
    property: &Property,
    scope: Scope<'_>,
    report: &mut Report<'_>,
) {
    let Some(name_node) = action.get("name") else {
        report.add(
            action.node(),
            Rule::MissingRequiredProperty,
            format!(
                "{} of {} has no \"name\" saying which action it is.",
                quoted(property.name),
                scope.what
            ),
        );
        return;
    };
    if is_dynamic(&name_node) {
        return;
    }
    let Some(name) = name_node.as_str() else {
        report.add(
            &name_node,
            Rule::WrongType,
            format!(
                "An action's \"name\" must be a string, not {}.",
                name_node.kind().article_name()
            ),
        );
        return;
    };
    let Some(spec) = catalogue::action(&name) else {
        report.add(
            &name_node,
            Rule::UnknownAction,
            format!(
                "{} is not an action; actions are navigate, complete, data_exchange, update_data and open_url.",
                quoted(&name)
            ),
        );
        return;
    };
    let allowed: Vec<&str> = property
        .actions
        .iter()
        .filter(|(_, since)| scope.version.is_none_or(|v| v >= *since))
        .map(|(a, _)| *a)
        .collect();
    match property.actions.iter().find(|(a, _)| *a == spec.name) {
        None => report.add(
            &name_node,
            Rule::ActionNotAllowed,
            format!(
                "{} of {} cannot be {}; it may be {}.",
                quoted(property.name),
                scope.what,
                spec.name,
                allowed.join(" or ")
            ),
        ),
        Some((_, since)) => {
            let needed = (*since).max(spec.since);
            if let Some(version) = scope.version.filter(|v| *v < needed) {
                report.add(
                    &name_node,
                    Rule::NewerThanVersion,
                    format!(
                        "The {} action in {} of {} needs Flow JSON version {} or later; the document is version {}.",
                        spec.name,
                        quoted(property.name),
                        scope.what,
                        version_text(needed),
                        version_text(version)
                    ),
                );
            }
        }
    }
    let what = format!("the {} action", spec.name);
    check_object(
        action,
        spec.properties,
        Scope {
            version: scope.version,
            what: &what,
        },
        report,
    );
    if let Some(next) = action.get("next").and_then(|n| n.as_object()) {
        check_object(
            &next,
            NAVIGATE_NEXT,
            Scope {
                version: scope.version,
                what: "a navigate action's \"next\"",
            },
            report,
        );
    }
}

/// Properties that need or exclude each other (Meta's INVALID_DEPENDENCIES
/// and NOT_KEYWORD_SCHEMA_VALIDATION_FAILED): a Footer sets
/// `left-caption` and `right-caption` together or `center-caption` alone;
/// a TextInput's `pattern` needs `helper-text`, and an `input-type` that
/// takes one (text, number, password, passcode).
pub(super) fn check_dependencies(object: &Object<'_>, component: &str, report: &mut Report<'_>) {
    match component {
        "Footer" => {
            let left = object.get("left-caption");
            let right = object.get("right-caption");
            if let Some(center) = object.get("center-caption") {
                if left.is_some() || right.is_some() {
                    report.add(
                        &center,
                        Rule::PropertyDependency,
                        "A Footer sets either \"center-caption\" alone, or \"left-caption\" and \"right-caption\"; not all three.",
                    );
                    return;
                }
            }
            let lonely = match (&left, &right) {
                (Some(left), None) => Some((left, "left-caption", "right-caption")),
                (None, Some(right)) => Some((right, "right-caption", "left-caption")),
                _ => None,
            };
            if let Some((node, has, needs)) = lonely {
                report.add(
                    node,
                    Rule::PropertyDependency,
                    format!(
                        "A Footer with {} needs {} too (or use center-caption alone).",
                        quoted(has),
                        quoted(needs)
                    ),
                );
            }
        }
        "TextInput" => {
            let Some(pattern) = object.get("pattern") else {
                return;
            };
            if !object.contains("helper-text") {
                report.add(
                    &pattern,
                    Rule::PropertyDependency,
                    "A TextInput with a \"pattern\" needs \"helper-text\" telling the user what to enter.",
                );
            }
            let input_type = object.get("input-type").filter(|t| !is_dynamic(t));
            if let Some(kind) = input_type.as_ref().and_then(|t| t.as_str()) {
                if !["text", "number", "password", "passcode"].contains(&&*kind) {
                    report.add(
                        &pattern,
                        Rule::PropertyDependency,
                        format!("A \"pattern\" works only with input-type text, number, password or passcode, not {}.", quoted(&kind)),
                    );
                }
            }
        }
        _ => {}
    }
}

/// `min-…` not above `max-…` (Meta's MIN_VALUE_GREATER_THAN_MAX).
fn check_min_max(object: &Object<'_>, scope: Scope<'_>, report: &mut Report<'_>) {
    const PAIRS: [(&str, &str); 5] = [
        ("min-chars", "max-chars"),
        ("min-selected-items", "max-selected-items"),
        ("min-uploaded-photos", "max-uploaded-photos"),
        ("min-uploaded-documents", "max-uploaded-documents"),
        ("min-days", "max-days"),
    ];
    for (min_key, max_key) in PAIRS {
        let (Some(min_node), Some(max_node)) = (object.get(min_key), object.get(max_key)) else {
            continue;
        };
        if let (Some(min), Some(max)) = (integer(&min_node), integer(&max_node)) {
            if min > max {
                report.add(
                    &min_node,
                    Rule::ValueOutOfRange,
                    format!(
                        "{} of {} is {min}, more than its {} ({max}).",
                        quoted(min_key),
                        scope.what,
                        quoted(max_key)
                    ),
                );
            }
        }
    }
}

/// A static integer: a JSON integer, or a string of digits.
pub(super) fn integer(node: &Node<'_>) -> Option<i64> {
    match node.kind() {
        Kind::Number => {
            let text = node.text().trim();
            text.parse::<i64>().ok().or_else(|| {
                let f: f64 = text.parse().ok()?;
                (f.fract() == 0.0 && f.abs() < 9e15).then_some(f as i64)
            })
        }
        Kind::String => {
            let text = node.as_str()?;
            (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
                .then(|| text.parse().ok())
                .flatten()
        }
        _ => None,
    }
}

fn fits(node: &Node<'_>, value: ValueType) -> bool {
    let kind = node.kind();
    match value {
        ValueType::String => kind == Kind::String,
        ValueType::Boolean => kind == Kind::Bool,
        ValueType::Integer => integer(node).is_some(),
        ValueType::Number => kind == Kind::Number,
        ValueType::Object | ValueType::Action | ValueType::Cases => kind == Kind::Object,
        ValueType::Strings | ValueType::Components | ValueType::Items(_) => kind == Kind::Array,
        ValueType::StringOrObject => matches!(kind, Kind::String | Kind::Object),
        ValueType::BooleanOrObject => matches!(kind, Kind::Bool | Kind::Object),
        ValueType::StringOrStrings => matches!(kind, Kind::String | Kind::Array),
        ValueType::Any => true,
    }
}

fn type_name(value: ValueType) -> &'static str {
    match value {
        ValueType::String => "a string",
        ValueType::Boolean => "a boolean",
        ValueType::Integer => "an integer",
        ValueType::Number => "a number",
        ValueType::Object => "an object",
        ValueType::Action => "an action object",
        ValueType::Cases => "an object of cases",
        ValueType::Strings => "an array of strings",
        ValueType::Components => "an array of components",
        ValueType::Items(_) => "an array of objects",
        ValueType::StringOrObject => "a string or an object",
        ValueType::BooleanOrObject => "a boolean or an object",
        ValueType::StringOrStrings => "a string or an array of strings",
        ValueType::Any => "any value",
    }
}

pub(super) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
