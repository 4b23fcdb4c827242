//! Each screen's `data`: the fields it declares (a JSON-schema-like
//! description with a sample `__example__`), checked as Meta does
//! ("Screen Data Model Errors" on the error codes page), and kept as a
//! tree so that `${data.a.b}` and `${screen.S.data.a.b}` are resolved
//! through nested `properties`.

use std::collections::HashMap;

use super::json::{Kind, Node, Object, MAX_DEPTH};
use super::screens::Screen;
use super::{quoted, Report, Rule};

/// The JSON-schema types a field may declare.
const TYPES: [&str; 6] = ["string", "number", "integer", "boolean", "object", "array"];

/// What one declared field (or nested property) is.
#[derive(Debug, Default)]
pub(super) struct Schema {
    /// Its `properties`, when it declares some: names below it must be
    /// among them. `None`: anything below is accepted.
    properties: Option<HashMap<String, Schema>>,
}

/// The declared fields of one screen.
#[derive(Debug, Default)]
pub(super) struct DataModel {
    fields: HashMap<String, Schema>,
}

impl DataModel {
    /// Whether a path of names (`["a", "b"]` for `${data.a.b}`) is
    /// declared: the first name must be a field, and each next one a
    /// property of a schema that lists its properties.
    pub(super) fn resolves(&self, path: &[&str]) -> bool {
        let Some((first, rest)) = path.split_first() else {
            return true;
        };
        let Some(mut schema) = self.fields.get(*first) else {
            return false;
        };
        for name in rest {
            match &schema.properties {
                None => return true,
                Some(properties) => match properties.get(*name) {
                    Some(inner) => schema = inner,
                    None => return false,
                },
            }
        }
        true
    }
}

/// Reads and checks every screen's `data`, in screen order.
pub(super) fn check(screens: &[Screen<'_>], report: &mut Report<'_>) -> Vec<DataModel> {
    screens
        .iter()
        .map(|screen| {
            let mut model = DataModel::default();
            if let Some(data) = screen.object.get("data").and_then(|d| d.as_object()) {
                for (name, declaration) in data.iter() {
                    let schema = field(&declaration, true, report);
                    model.fields.insert(name.to_string(), schema);
                }
            }
            model
        })
        .collect()
}

/// One declaration; `top` for a field of `data` itself, the only level
/// where `__example__` belongs.
fn field(node: &Node<'_>, top: bool, report: &mut Report<'_>) -> Schema {
    if node.depth() > MAX_DEPTH {
        return Schema::default();
    }
    let Some(object) = node.as_object() else {
        report.add(
            node,
            Rule::DataModelInvalid,
            format!(
                "A data field is declared by an object with a \"type\" (e.g. {{\"type\": \"string\", \"__example__\": \"…\"}}), not by {}.",
                node.kind().article_name()
            ),
        );
        return Schema::default();
    };
    let declared = declared_type(&object, report);
    if declared.as_deref() == Some("array") {
        match object.get("items") {
            None => report.add(
                object.node(),
                Rule::DataModelInvalid,
                "An array field declares its \"items\" (the schema of each item).",
            ),
            Some(items) if !matches!(items.kind(), Kind::Object | Kind::Bool) => report.add(
                &items,
                Rule::DataModelInvalid,
                "\"items\" must be an object (the schema of each item) or a boolean.",
            ),
            Some(items) => {
                if let Some(items) = items.as_object() {
                    check_nested_properties(&items, report);
                }
            }
        }
    }
    if let Some(example) = object.get("__example__") {
        if !top {
            report.add(
                &example,
                Rule::DataModelInvalid,
                "\"__example__\" belongs only to the fields of \"data\" itself, not to nested properties.",
            );
        } else if let Some(declared) = declared.as_deref() {
            if !fits(&example, declared) {
                report.add(
                    &example,
                    Rule::DataModelInvalid,
                    format!(
                        "The \"__example__\" is {}, but the field is declared as {}.",
                        example.kind().article_name(),
                        quoted(declared)
                    ),
                );
            }
        }
    }
    Schema {
        properties: check_nested_properties(&object, report),
    }
}

/// A schema's `properties`, each checked as a declaration of its own.
fn check_nested_properties(
    object: &Object<'_>,
    report: &mut Report<'_>,
) -> Option<HashMap<String, Schema>> {
    let properties = object.get("properties")?.as_object()?;
    Some(
        properties
            .iter()
            .map(|(name, declaration)| (name.to_string(), field(&declaration, false, report)))
            .collect(),
    )
}

fn declared_type(object: &Object<'_>, report: &mut Report<'_>) -> Option<String> {
    let Some(node) = object.get("type") else {
        report.add(
            object.node(),
            Rule::DataModelInvalid,
            "This data field has no \"type\" (string, number, integer, boolean, object or array).",
        );
        return None;
    };
    let Some(declared) = node.as_str() else {
        report.add(
            &node,
            Rule::DataModelInvalid,
            format!(
                "A data field's \"type\" must be a string, not {}.",
                node.kind().article_name()
            ),
        );
        return None;
    };
    if !TYPES.contains(&&*declared) {
        report.add(
            &node,
            Rule::DataModelInvalid,
            format!(
                "{} is not a data type; use {}.",
                quoted(&declared),
                TYPES.join(", ")
            ),
        );
        return None;
    }
    Some(declared.into_owned())
}

/// Whether an example value has the declared type.
fn fits(example: &Node<'_>, declared: &str) -> bool {
    match declared {
        "string" => example.kind() == Kind::String,
        "number" => example.kind() == Kind::Number,
        "integer" => example.kind() == Kind::Number && !example.text().contains(['.', 'e', 'E']),
        "boolean" => example.kind() == Kind::Bool,
        "object" => example.kind() == Kind::Object,
        "array" => example.kind() == Kind::Array,
        _ => true,
    }
}
