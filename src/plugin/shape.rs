//! Walking a value alongside the schema that describes it: the shared
//! plumbing of planning, state normalisation and consistency checks.

use super::diagnostics::{AttributePath, PathStep};
use super::schema::{Attribute, Block, Nesting, ObjectNesting};
use super::value::{Type, Value};

/// The attributes and nested blocks of one nested object.
#[derive(Clone, Copy)]
pub(crate) struct ObjectSchema<'a> {
    pub attributes: &'a [Attribute],
    pub blocks: &'a [super::schema::NestedBlock],
}

impl<'a> ObjectSchema<'a> {
    pub fn of_block(block: &'a Block) -> Self {
        Self {
            attributes: &block.attributes,
            blocks: &block.blocks,
        }
    }
}

/// How the objects below an attribute or block repeat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Repeat {
    One,
    List,
    Set,
    Map,
}

impl From<ObjectNesting> for Repeat {
    fn from(n: ObjectNesting) -> Self {
        match n {
            ObjectNesting::Single => Repeat::One,
            ObjectNesting::List => Repeat::List,
            ObjectNesting::Set => Repeat::Set,
            ObjectNesting::Map => Repeat::Map,
        }
    }
}

impl From<Nesting> for Repeat {
    fn from(n: Nesting) -> Self {
        match n {
            Nesting::Single | Nesting::Group => Repeat::One,
            Nesting::List => Repeat::List,
            Nesting::Set => Repeat::Set,
            Nesting::Map => Repeat::Map,
        }
    }
}

/// The value of attribute `name` of an object (null when absent).
pub(crate) fn attr<'v>(object: &'v Value, name: &str) -> &'v Value {
    static NULL: Value = Value::Null;
    object.get_attr(name).unwrap_or(&NULL)
}

/// The nested objects of `value` with the step reaching each, for a
/// nesting mode. Lists and sets pair by position, maps by key.
pub(crate) fn nested_objects(repeat: Repeat, value: &Value) -> Vec<(PathStep, &Value)> {
    match (repeat, value) {
        (Repeat::One, v @ Value::Object(_)) => vec![(PathStep::Attribute(String::new()), v)],
        (Repeat::List, Value::List(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (PathStep::Index(i as u64), v))
            .collect(),
        (Repeat::Set, Value::Set(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (PathStep::SetElement(i as u64), v))
            .collect(),
        (Repeat::Map, Value::Map(entries)) => entries
            .iter()
            .map(|(k, v)| (PathStep::Key(k.clone()), v))
            .collect(),
        _ => Vec::new(),
    }
}

/// The element of `value` a step from [`nested_objects`] names (null when
/// there is none).
pub(crate) fn element<'v>(value: &'v Value, step: &PathStep) -> &'v Value {
    static NULL: Value = Value::Null;
    match (step, value) {
        (PathStep::Attribute(_), v @ Value::Object(_)) => v,
        (PathStep::Index(i) | PathStep::SetElement(i), Value::List(items) | Value::Set(items)) => {
            items.get(*i as usize).unwrap_or(&NULL)
        }
        (PathStep::Key(k), Value::Map(entries)) => entries.get(k).unwrap_or(&NULL),
        _ => &NULL,
    }
}

/// The object of `others` that corresponds to `item`, the object reached by
/// `step`: the one at the same position (lists) or key (maps). Set
/// elements have no position that survives Terraform's set ordering (a
/// computed value changes an element's place), so for sets it is the
/// object whose configurable attributes and blocks are all equal to
/// `item`'s. Null when there is none.
pub(crate) fn counterpart<'v>(
    schema: ObjectSchema<'_>,
    step: &PathStep,
    item: &Value,
    others: &'v Value,
) -> &'v Value {
    static NULL: Value = Value::Null;
    let PathStep::SetElement(_) = step else {
        return element(others, step);
    };
    let Value::Set(candidates) = others else {
        return &NULL;
    };
    let configurable: Vec<&str> = schema
        .attributes
        .iter()
        .filter(|a| !a.is_computed())
        .map(|a| a.name.as_str())
        .chain(schema.blocks.iter().map(|b| b.type_name.as_str()))
        .collect();
    if configurable.is_empty() {
        return &NULL;
    }
    candidates
        .iter()
        .find(|c| {
            configurable
                .iter()
                .all(|name| attr(c, name) == attr(item, name))
        })
        .unwrap_or(&NULL)
}

/// The mutable element of `value` a step names.
pub(crate) fn element_mut<'v>(value: &'v mut Value, step: &PathStep) -> Option<&'v mut Value> {
    match (step, value) {
        (PathStep::Attribute(_), v @ Value::Object(_)) => Some(v),
        (PathStep::Index(i) | PathStep::SetElement(i), Value::List(items) | Value::Set(items)) => {
            items.get_mut(*i as usize)
        }
        (PathStep::Key(k), Value::Map(entries)) => entries.get_mut(k),
        _ => None,
    }
}

/// `path` extended by a step from [`nested_objects`] (a single nested
/// object adds no step).
pub(crate) fn child_path(path: &AttributePath, step: &PathStep) -> AttributePath {
    match step {
        PathStep::Attribute(name) if name.is_empty() => path.clone(),
        other => path.clone().join(other.clone()),
    }
}

/// What [`visit_configured`] shows a visitor: an attribute or a block with
/// its value and path.
pub(crate) enum Configured<'a> {
    Attribute(&'a Attribute),
    Block(&'a super::schema::NestedBlock),
}

/// Calls `visit` for every attribute and block of a configuration, nested
/// ones included, with its path and value.
pub(crate) fn visit_configured(
    schema: ObjectSchema<'_>,
    path: &AttributePath,
    config: &Value,
    visit: &mut dyn FnMut(Configured<'_>, &AttributePath, &Value),
) {
    for a in schema.attributes {
        let value = attr(config, &a.name);
        let here = path.clone().attribute(a.name.clone());
        visit(Configured::Attribute(a), &here, value);
        if let Some(nested) = &a.nested {
            let inner = ObjectSchema {
                attributes: &nested.attributes,
                blocks: &[],
            };
            for (step, object) in nested_objects(nested.nesting.into(), value) {
                visit_configured(inner, &child_path(&here, &step), object, visit);
            }
        }
    }
    for b in schema.blocks {
        let value = attr(config, &b.type_name);
        let here = path.clone().attribute(b.type_name.clone());
        visit(Configured::Block(b), &here, value);
        for (step, object) in nested_objects(b.nesting.into(), value) {
            visit_configured(
                ObjectSchema::of_block(&b.block),
                &child_path(&here, &step),
                object,
                visit,
            );
        }
    }
}

/// Fills in, as null, every object attribute the value lacks, all the way
/// down: provider code may leave unset attributes out of a [`State`].
///
/// [`State`]: super::config::State
pub(crate) fn fill_missing(ty: &Type, value: &mut Value) {
    match (ty, value) {
        (Type::Object(attrs), Value::Object(members)) => {
            for (name, attr_ty) in attrs {
                let member = members.entry(name.clone()).or_insert(Value::Null);
                fill_missing(attr_ty, member);
            }
        }
        (Type::List(e) | Type::Set(e), Value::List(items) | Value::Set(items)) => {
            items.iter_mut().for_each(|i| fill_missing(e, i));
        }
        (Type::Map(e), Value::Map(entries)) => {
            entries.values_mut().for_each(|v| fill_missing(e, v));
        }
        _ => {}
    }
}

/// Sets every write-only attribute to null: Terraform refuses a plan or
/// state that holds a value for one.
pub(crate) fn null_write_only(schema: ObjectSchema<'_>, value: &mut Value) {
    let Value::Object(members) = value else {
        return;
    };
    for a in schema.attributes {
        let Some(v) = members.get_mut(&a.name) else {
            continue;
        };
        if a.write_only {
            *v = Value::Null;
        } else if let Some(nested) = &a.nested {
            let inner = ObjectSchema {
                attributes: &nested.attributes,
                blocks: &[],
            };
            for_each_object_mut(nested.nesting.into(), v, |o| null_write_only(inner, o));
        }
    }
    for b in schema.blocks {
        if let Some(v) = members.get_mut(&b.type_name) {
            let inner = ObjectSchema::of_block(&b.block);
            for_each_object_mut(b.nesting.into(), v, |o| null_write_only(inner, o));
        }
    }
}

/// Runs `f` on every nested object of a value.
pub(crate) fn for_each_object_mut(
    repeat: Repeat,
    value: &mut Value,
    mut f: impl FnMut(&mut Value),
) {
    match (repeat, value) {
        (Repeat::One, v @ Value::Object(_)) => f(v),
        (Repeat::List | Repeat::Set, Value::List(items) | Value::Set(items)) => {
            items.iter_mut().for_each(f)
        }
        (Repeat::Map, Value::Map(entries)) => entries.values_mut().for_each(f),
        _ => {}
    }
}

/// Replaces every unknown with null: a partial state saved with an error
/// must be wholly known.
pub(crate) fn unknowns_to_null(value: &mut Value) {
    match value {
        Value::Unknown(_) => *value = Value::Null,
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            items.iter_mut().for_each(unknowns_to_null)
        }
        Value::Map(entries) | Value::Object(entries) => {
            entries.values_mut().for_each(unknowns_to_null)
        }
        Value::Dynamic { value, .. } => unknowns_to_null(value),
        _ => {}
    }
}

/// The path of the first unknown inside a value, if any.
pub(crate) fn first_unknown(value: &Value, path: AttributePath) -> Option<AttributePath> {
    match value {
        Value::Unknown(_) => Some(path),
        Value::List(items) | Value::Tuple(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| first_unknown(v, path.clone().index(i))),
        Value::Set(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| first_unknown(v, path.clone().join(PathStep::SetElement(i as u64)))),
        Value::Map(entries) => entries
            .iter()
            .find_map(|(k, v)| first_unknown(v, path.clone().key(k.clone()))),
        Value::Object(entries) => entries
            .iter()
            .find_map(|(k, v)| first_unknown(v, path.clone().attribute(k.clone()))),
        Value::Dynamic { value, .. } => first_unknown(value, path),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::schema::{Attribute, NestedAttributes, Presence};

    #[test]
    fn missing_attributes_are_filled_with_null_all_the_way_down() {
        let ty = Type::object([
            ("a", Type::String),
            ("l", Type::list(Type::object([("x", Type::Bool)]))),
        ]);
        let mut v = Value::object([("l", Value::List(vec![Value::object::<&str>([])]))]);
        fill_missing(&ty, &mut v);
        assert!(attr(&v, "a").is_null());
        assert!(v.get_attr("l").unwrap().as_list().unwrap()[0]
            .get_attr("x")
            .is_some_and(Value::is_null));
    }

    #[test]
    fn write_only_attributes_are_nulled_in_nested_objects_too() {
        let block = Block::new("b")
            .attribute(Attribute::optional("secret", Type::String, "S.").write_only())
            .attribute(Attribute::nested(
                "n",
                Presence::Optional,
                NestedAttributes::new(
                    ObjectNesting::List,
                    vec![Attribute::optional("pw", Type::String, "P.").write_only()],
                ),
                "N.",
            ));
        let mut v = Value::object([
            ("secret", Value::from("s")),
            (
                "n",
                Value::List(vec![Value::object([("pw", Value::from("p"))])]),
            ),
        ]);
        null_write_only(ObjectSchema::of_block(&block), &mut v);
        assert!(attr(&v, "secret").is_null());
        assert!(attr(&v, "n").as_list().unwrap()[0]
            .get_attr("pw")
            .is_some_and(Value::is_null));
    }

    #[test]
    fn set_elements_pair_by_their_configurable_attributes() {
        let attributes = [
            Attribute::required("port", Type::Number, "P."),
            Attribute::computed("id", Type::String, "I."),
        ];
        let schema = ObjectSchema {
            attributes: &attributes,
            blocks: &[],
        };
        let rule = |port: i64, id: Value| Value::object([("port", Value::from(port)), ("id", id)]);
        let prior = Value::Set(vec![rule(443, "b".into()), rule(80, "a".into())]);
        let planned = rule(80, Value::Null);
        let step = PathStep::SetElement(0);
        assert_eq!(
            counterpart(schema, &step, &planned, &prior),
            &rule(80, "a".into())
        );
        assert!(counterpart(schema, &step, &rule(8080, Value::Null), &prior).is_null());
        let list = Value::List(vec![rule(1, Value::Null)]);
        assert_eq!(
            counterpart(schema, &PathStep::Index(0), &planned, &list),
            &rule(1, Value::Null)
        );
    }

    #[test]
    fn unknowns_are_found_and_nulled() {
        let mut v = Value::object([("m", Value::Map([("k".to_owned(), Value::unknown())].into()))]);
        assert_eq!(
            first_unknown(&v, AttributePath::root()),
            Some(AttributePath::of("m").key("k"))
        );
        unknowns_to_null(&mut v);
        assert_eq!(first_unknown(&v, AttributePath::root()), None);
    }
}
