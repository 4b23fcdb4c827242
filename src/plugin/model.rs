//! Typed models: a resource or data source reads its configuration, plan
//! and state as Rust types instead of attribute names in strings.
//!
//! A model is a struct declared with [`model!`](crate::model); every field
//! is a [`Field`]: `String`, `bool`, `i64`, [`Number`], a nested model, a
//! `Vec` (list), [`Set`], `BTreeMap<String, _>` (map), or one of the two
//! wrappers that say what may be missing:
//!
//! * [`Attr<T>`]: null, unknown or known (configuration and plans);
//! * `Option<T>`: null or known (states, where nothing is unknown).
//!
//! A bare `T` must be known and not null. A value that breaks what the
//! model says (an attribute the schema lacks, a null where the model has no
//! room for one, a wrong type) is reported at once, in debug and release,
//! as a provider-bug diagnostic pointing at the attribute, never read as a
//! silent null.
//!
//! The schema keeps its descriptions and plan modifiers in
//! [`schema`](super::schema); [`mismatches`] holds a model against it
//! (every attribute and nested block of the schema in the model and the
//! other way round, with the same type), and each model has a unit test
//! calling it, so the two cannot drift apart unnoticed.
//!
//! ```
//! use cams_provider::model;
//! use cams_provider::plugin::model::{mismatches, Model};
//! use cams_provider::plugin::value::{Type, Value};
//! use cams_provider::plugin::{Attr, Attribute, Block, Schema};
//!
//! model! {
//!     #[derive(Debug, PartialEq)]
//!     pub struct Thing {
//!         pub name: Attr<String>,
//!         pub kind as "type": Option<String>,
//!     }
//! }
//!
//! let schema = Schema::new(
//!     Block::new("A thing.")
//!         .attribute(Attribute::required("name", Type::String, "Name."))
//!         .attribute(Attribute::optional("type", Type::String, "Kind.")),
//! );
//! assert!(mismatches::<Thing>(&schema).is_empty());
//! let value = Value::object([("name", Value::unknown()), ("type", Value::Null)]);
//! let thing = Thing::decode(&value).unwrap();
//! assert_eq!(thing, Thing { name: Attr::Unknown, kind: None });
//! assert_eq!(thing.encode(), value);
//! ```

use std::collections::BTreeMap;
use std::fmt;

use super::config::{Attr, Config, State};
use super::diagnostics::{AttributePath, Diagnostic, PathStep};
use super::schema::Schema;
use super::value::{Number, Type, Value};

/// What a value does wrong against the model reading it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelError {
    pub path: AttributePath,
    pub problem: ModelProblem,
}

/// The ways a value can break a model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelProblem {
    /// The model reads an attribute the object (so the schema) lacks.
    NotInSchema,
    /// Null where the model has no room for null.
    UnexpectedNull,
    /// Unknown where the model has no room for unknown.
    UnexpectedUnknown,
    /// Another kind of value than the model's type.
    WrongType {
        want: &'static str,
        got: &'static str,
    },
}

impl fmt::Display for ModelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.path.is_root() {
            "the object".to_owned()
        } else {
            format!("`{}`", self.path)
        };
        match &self.problem {
            ModelProblem::NotInSchema => write!(
                f,
                "The provider reads the attribute {at}, which its schema does not declare."
            ),
            ModelProblem::UnexpectedNull => write!(
                f,
                "The provider expected {at} to have a value, but it is null."
            ),
            ModelProblem::UnexpectedUnknown => write!(
                f,
                "The provider expected {at} to be known, but it is unknown."
            ),
            ModelProblem::WrongType { want, got } => {
                write!(f, "The provider expected {at} to be a {want}, not a {got}.")
            }
        }
    }
}

impl From<ModelError> for Diagnostic {
    fn from(e: ModelError) -> Self {
        let summary = match e.problem {
            ModelProblem::NotInSchema => "Attribute Not In Schema",
            _ => "Value Does Not Fit The Provider's Model",
        };
        Diagnostic::provider_bug(summary, &e).at(e.path)
    }
}

impl From<ModelError> for super::diagnostics::Diagnostics {
    fn from(e: ModelError) -> Self {
        Diagnostic::from(e).into()
    }
}

fn error(path: &AttributePath, problem: ModelProblem) -> ModelError {
    ModelError {
        path: path.clone(),
        problem,
    }
}

/// Null and unknown where a bare value is expected; `None` for a value.
fn absent(value: &Value, path: &AttributePath) -> Option<ModelError> {
    match value.without_dynamic() {
        Value::Null => Some(error(path, ModelProblem::UnexpectedNull)),
        Value::Unknown(_) => Some(error(path, ModelProblem::UnexpectedUnknown)),
        _ => None,
    }
}

fn wrong(value: &Value, path: &AttributePath, want: &'static str) -> ModelError {
    absent(value, path).unwrap_or_else(|| {
        error(
            path,
            ModelProblem::WrongType {
                want,
                got: value.kind_name(),
            },
        )
    })
}

/// A Rust type standing for a Terraform value of one type.
pub trait Field: Sized {
    /// The Terraform type of the value.
    fn ty() -> Type;

    /// Reads the value found at `path`.
    fn read(value: &Value, path: &AttributePath) -> Result<Self, ModelError>;

    /// The value to send back.
    fn write(&self) -> Value;
}

impl Field for String {
    fn ty() -> Type {
        Type::String
    }

    fn read(value: &Value, path: &AttributePath) -> Result<Self, ModelError> {
        value
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| wrong(value, path, "string"))
    }

    fn write(&self) -> Value {
        Value::String(self.clone())
    }
}

impl Field for bool {
    fn ty() -> Type {
        Type::Bool
    }

    fn read(value: &Value, path: &AttributePath) -> Result<Self, ModelError> {
        value.as_bool().ok_or_else(|| wrong(value, path, "bool"))
    }

    fn write(&self) -> Value {
        Value::Bool(*self)
    }
}

impl Field for Number {
    fn ty() -> Type {
        Type::Number
    }

    fn read(value: &Value, path: &AttributePath) -> Result<Self, ModelError> {
        value
            .as_number()
            .cloned()
            .ok_or_else(|| wrong(value, path, "number"))
    }

    fn write(&self) -> Value {
        Value::Number(self.clone())
    }
}

/// A whole number. A fraction or a number beyond i64 is a configuration
/// mistake, not a provider bug: validate such numbers as [`Number`] when
/// users write them, and use `i64` where the provider wrote the value.
impl Field for i64 {
    fn ty() -> Type {
        Type::Number
    }

    fn read(value: &Value, path: &AttributePath) -> Result<Self, ModelError> {
        value
            .as_number()
            .and_then(Number::as_i64)
            .ok_or_else(|| wrong(value, path, "whole number"))
    }

    fn write(&self) -> Value {
        Value::from(*self)
    }
}

impl<T: Field> Field for Attr<T> {
    fn ty() -> Type {
        T::ty()
    }

    fn read(value: &Value, path: &AttributePath) -> Result<Self, ModelError> {
        match value.without_dynamic() {
            Value::Null => Ok(Attr::Null),
            Value::Unknown(_) => Ok(Attr::Unknown),
            _ => T::read(value, path).map(Attr::Known),
        }
    }

    fn write(&self) -> Value {
        match self {
            Attr::Null => Value::Null,
            Attr::Unknown => Value::unknown(),
            Attr::Known(v) => v.write(),
        }
    }
}

impl<T: Field> Field for Option<T> {
    fn ty() -> Type {
        T::ty()
    }

    fn read(value: &Value, path: &AttributePath) -> Result<Self, ModelError> {
        match value.without_dynamic() {
            Value::Null => Ok(None),
            _ => T::read(value, path).map(Some),
        }
    }

    fn write(&self) -> Value {
        self.as_ref().map_or(Value::Null, Field::write)
    }
}

/// A list (or a LIST nested block).
impl<T: Field> Field for Vec<T> {
    fn ty() -> Type {
        Type::list(T::ty())
    }

    fn read(value: &Value, path: &AttributePath) -> Result<Self, ModelError> {
        let Value::List(items) = value.without_dynamic() else {
            return Err(wrong(value, path, "list"));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| T::read(item, &path.clone().index(i)))
            .collect()
    }

    fn write(&self) -> Value {
        Value::List(self.iter().map(Field::write).collect())
    }
}

/// A set (or a SET nested block), in the order Terraform sent it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Set<T>(pub Vec<T>);

impl<T: Field> Field for Set<T> {
    fn ty() -> Type {
        Type::set(T::ty())
    }

    fn read(value: &Value, path: &AttributePath) -> Result<Self, ModelError> {
        let Value::Set(items) = value.without_dynamic() else {
            return Err(wrong(value, path, "set"));
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| T::read(item, &path.clone().join(PathStep::SetElement(i as u64))))
            .collect::<Result<_, _>>()
            .map(Set)
    }

    fn write(&self) -> Value {
        Value::Set(self.0.iter().map(Field::write).collect())
    }
}

/// A map (or a MAP nested block).
impl<T: Field> Field for BTreeMap<String, T> {
    fn ty() -> Type {
        Type::map(T::ty())
    }

    fn read(value: &Value, path: &AttributePath) -> Result<Self, ModelError> {
        let Value::Map(entries) = value.without_dynamic() else {
            return Err(wrong(value, path, "map"));
        };
        entries
            .iter()
            .map(|(k, v)| Ok((k.clone(), T::read(v, &path.clone().key(k.clone()))?)))
            .collect()
    }

    fn write(&self) -> Value {
        Value::Map(self.iter().map(|(k, v)| (k.clone(), v.write())).collect())
    }
}

/// The attributes of an object value, for the code [`model!`](crate::model)
/// generates: reading a name the object lacks is an error.
pub struct ObjectReader<'a> {
    attributes: &'a BTreeMap<String, Value>,
    path: &'a AttributePath,
}

impl<'a> ObjectReader<'a> {
    pub fn new(value: &'a Value, path: &'a AttributePath) -> Result<Self, ModelError> {
        match value.without_dynamic() {
            Value::Object(attributes) => Ok(Self { attributes, path }),
            _ => Err(wrong(value, path, "object")),
        }
    }

    /// Attribute `name` as a `T`.
    pub fn read<T: Field>(&self, name: &str) -> Result<T, ModelError> {
        let path = self.path.clone().attribute(name);
        match self.attributes.get(name) {
            Some(value) => T::read(value, &path),
            None => Err(error(&path, ModelProblem::NotInSchema)),
        }
    }
}

/// A struct declared with [`model!`](crate::model): an object of a schema.
pub trait Model: Field {
    /// Reads a whole configuration, plan or state.
    fn decode(value: &Value) -> Result<Self, ModelError> {
        Self::read(value, &AttributePath::root())
    }

    /// Reads a configuration, plan or state that may be null as a whole
    /// (the prior state of a create, the plan of a destroy).
    fn decode_optional(value: &Value) -> Result<Option<Self>, ModelError> {
        Option::<Self>::read(value, &AttributePath::root())
    }

    /// Reads what a request carries.
    fn from_config(config: &Config) -> Result<Self, Diagnostic> {
        Self::decode(config.value()).map_err(Diagnostic::from)
    }

    /// The value to send back.
    fn encode(&self) -> Value {
        self.write()
    }

    /// The value as a state (or plan) to return.
    fn to_state(&self) -> State {
        State::from_value(&self.write())
    }

    /// The value to send back in place of `sent`, a value Terraform sent
    /// (a plan): where both are unknown, `sent`'s unknown is kept with its
    /// refinements (what Terraform knows of the value to come, such as
    /// "not null"), which a model does not read. A planned value must keep
    /// the refinements of the configured one.
    fn encode_over(&self, sent: &Value) -> Value {
        keeping_unknowns(self.write(), sent)
    }

    /// The name of the attribute field `field` stands for (its own name,
    /// or the one given with `as`); `None` for a name that is no field.
    /// Use [`attribute_name!`](crate::attribute_name), which checks the
    /// field at compile time.
    fn attribute_name(field: &str) -> Option<&'static str>;
}

/// `new`, with `old`'s unknown values wherever `new` is unknown too.
fn keeping_unknowns(new: Value, old: &Value) -> Value {
    fn zip(new: Vec<Value>, old: &[Value]) -> Vec<Value> {
        if new.len() != old.len() {
            return new;
        }
        new.into_iter()
            .zip(old)
            .map(|(n, o)| keeping_unknowns(n, o))
            .collect()
    }
    fn entries(
        new: BTreeMap<String, Value>,
        old: &BTreeMap<String, Value>,
    ) -> BTreeMap<String, Value> {
        new.into_iter()
            .map(|(k, n)| match old.get(&k) {
                Some(o) => {
                    let kept = keeping_unknowns(n, o);
                    (k, kept)
                }
                None => (k, n),
            })
            .collect()
    }
    match (new, old) {
        (Value::Unknown(_), Value::Unknown(_)) => old.clone(),
        (Value::Object(n), Value::Object(o)) => Value::Object(entries(n, o)),
        (Value::Map(n), Value::Map(o)) => Value::Map(entries(n, o)),
        (Value::List(n), Value::List(o)) => Value::List(zip(n, o)),
        (Value::Set(n), Value::Set(o)) => Value::Set(zip(n, o)),
        (new, _) => new,
    }
}

/// Where model `M` and `schema` disagree, as `path: problem` sentences
/// (empty when they agree). Every model has a test asserting this is empty.
pub fn mismatches<M: Model>(schema: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    compare(&M::ty(), &schema.implied_type(), "", &mut out);
    out
}

fn compare(model: &Type, schema: &Type, at: &str, out: &mut Vec<String>) {
    let here = if at.is_empty() { "the object" } else { at };
    match (model, schema) {
        (Type::Object(m), Type::Object(s)) => {
            let join = |name: &str| {
                if at.is_empty() {
                    name.to_owned()
                } else {
                    format!("{at}.{name}")
                }
            };
            for (name, ty) in m {
                match s.get(name) {
                    Some(sty) => compare(ty, sty, &join(name), out),
                    None => out.push(format!("{}: in the model, not in the schema", join(name))),
                }
            }
            for name in s.keys().filter(|n| !m.contains_key(*n)) {
                out.push(format!("{}: in the schema, not in the model", join(name)));
            }
        }
        (Type::List(m), Type::List(s))
        | (Type::Set(m), Type::Set(s))
        | (Type::Map(m), Type::Map(s)) => compare(m, s, &format!("{at}[*]"), out),
        (m, s) if m == s => {}
        (m, s) => out.push(format!(
            "{here}: the model has {}, the schema {}",
            String::from_utf8_lossy(&m.to_json()),
            String::from_utf8_lossy(&s.to_json())
        )),
    }
}

/// Declares a model: a struct whose fields are [`Field`]s, with its
/// [`Field`] and [`Model`] implementations. A field is named like its
/// attribute, or `field as "attribute"` when the attribute's name is not a
/// Rust identifier (`type`).
#[macro_export]
macro_rules! model {
    (@name $field:ident $name:literal) => {
        $name
    };
    (@name $field:ident) => {
        stringify!($field)
    };
    (
        $(#[$meta:meta])*
        $vis:vis struct $model:ident {
            $(
                $(#[$field_meta:meta])*
                $field_vis:vis $field:ident $(as $name:literal)? : $field_ty:ty
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis struct $model {
            $(
                $(#[$field_meta])*
                $field_vis $field: $field_ty,
            )*
        }

        impl $crate::plugin::model::Field for $model {
            fn ty() -> $crate::plugin::value::Type {
                $crate::plugin::value::Type::object([
                    $((
                        $crate::model!(@name $field $($name)?),
                        <$field_ty as $crate::plugin::model::Field>::ty(),
                    ),)*
                ])
            }

            fn read(
                value: &$crate::plugin::value::Value,
                path: &$crate::plugin::value::AttributePath,
            ) -> ::std::result::Result<Self, $crate::plugin::model::ModelError> {
                let object = $crate::plugin::model::ObjectReader::new(value, path)?;
                Ok(Self {
                    $($field: object.read($crate::model!(@name $field $($name)?))?,)*
                })
            }

            fn write(&self) -> $crate::plugin::value::Value {
                $crate::plugin::value::Value::object([
                    $((
                        $crate::model!(@name $field $($name)?),
                        $crate::plugin::model::Field::write(&self.$field),
                    ),)*
                ])
            }
        }

        impl $crate::plugin::model::Model for $model {
            fn attribute_name(field: &str) -> ::std::option::Option<&'static str> {
                match field {
                    $(stringify!($field) => Some($crate::model!(@name $field $($name)?)),)*
                    _ => None,
                }
            }
        }
    };
}

/// The attribute name of a model's field: `attribute_name!(Thing, kind)`
/// is `"type"` for a field declared `kind as "type"`. A field the model
/// lacks does not compile, so each name is written once, in the model.
#[macro_export]
macro_rules! attribute_name {
    ($model:ty, $field:ident) => {{
        let _field_exists = |model: &$model| {
            let _ = &model.$field;
        };
        <$model as $crate::plugin::model::Model>::attribute_name(stringify!($field))
            .expect("model! names every field")
    }};
}

/// The path of a model's top-level attribute, for a diagnostic:
/// `attribute_path!(Thing, name)`; see [`attribute_name!`].
#[macro_export]
macro_rules! attribute_path {
    ($model:ty, $field:ident) => {
        $crate::plugin::AttributePath::of($crate::attribute_name!($model, $field))
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::schema::{Attribute, Block, NestedBlock};

    crate::model! {
        #[derive(Clone, Debug, PartialEq)]
        struct Rule {
            port: i64,
            note: Option<String>,
        }
    }

    crate::model! {
        #[derive(Clone, Debug, PartialEq)]
        struct Thing {
            name: Attr<String>,
            kind as "type": Option<String>,
            enabled: Attr<bool>,
            size: Attr<Number>,
            tags: Attr<Set<String>>,
            labels: Option<BTreeMap<String, String>>,
            rule: Vec<Rule>,
            main: Option<Rule>,
        }
    }

    fn rule_block() -> Block {
        Block::new("A rule.")
            .attribute(Attribute::required("port", Type::Number, "Port."))
            .attribute(Attribute::optional("note", Type::String, "Note."))
    }

    fn schema() -> Schema {
        Schema::new(
            Block::new("A thing.")
                .attribute(Attribute::required("name", Type::String, "N."))
                .attribute(Attribute::optional("type", Type::String, "T."))
                .attribute(Attribute::optional("enabled", Type::Bool, "E."))
                .attribute(Attribute::optional("size", Type::Number, "S."))
                .attribute(Attribute::optional("tags", Type::set(Type::String), "T."))
                .attribute(Attribute::optional("labels", Type::map(Type::String), "L."))
                .block(NestedBlock::list("rule", rule_block(), 0, 0))
                .block(NestedBlock::single("main", rule_block())),
        )
    }

    fn rule(port: i64) -> Value {
        Value::object([("port", Value::from(port)), ("note", Value::Null)])
    }

    fn thing_value() -> Value {
        Value::object([
            ("name", Value::from("a")),
            ("type", Value::Null),
            ("enabled", Value::unknown()),
            ("size", Value::from(3i64)),
            ("tags", Value::Set(vec!["x".into()])),
            (
                "labels",
                Value::Map([("k".to_owned(), Value::from("v"))].into()),
            ),
            ("rule", Value::List(vec![rule(80), rule(443)])),
            ("main", Value::Null),
        ])
    }

    #[test]
    fn the_model_matches_its_schema() {
        assert_eq!(mismatches::<Thing>(&schema()), Vec::<String>::new());
    }

    #[test]
    fn drift_is_named_by_path() {
        let drifted = Schema::new(
            Block::new("A thing.")
                .attribute(Attribute::required("name", Type::Number, "N."))
                .attribute(Attribute::optional("extra", Type::String, "X."))
                .block(NestedBlock::list(
                    "rule",
                    Block::new("R.").attribute(Attribute::required("port", Type::Number, "P.")),
                    0,
                    0,
                )),
        );
        let found = mismatches::<Thing>(&drifted);
        for want in [
            "name: the model has \"string\", the schema \"number\"",
            "type: in the model, not in the schema",
            "extra: in the schema, not in the model",
            "rule[*].note: in the model, not in the schema",
            "main: in the model, not in the schema",
        ] {
            assert!(found.iter().any(|f| f == want), "{want:?} in {found:?}");
        }
    }

    #[test]
    fn values_round_trip_with_null_unknown_and_known_apart() {
        let thing = Thing::decode(&thing_value()).unwrap();
        assert_eq!(thing.name, Attr::Known("a".to_owned()));
        assert_eq!(thing.kind, None);
        assert_eq!(thing.enabled, Attr::Unknown);
        assert_eq!(thing.size, Attr::Known(Number::from(3i64)));
        assert_eq!(thing.tags, Attr::Known(Set(vec!["x".to_owned()])));
        assert_eq!(thing.rule[1].port, 443);
        assert_eq!(thing.main, None);
        assert_eq!(thing.encode(), thing_value());
        assert!(Thing::decode_optional(&Value::Null).unwrap().is_none());
    }

    #[test]
    fn an_attribute_the_schema_lacks_is_a_provider_bug_at_once() {
        let Value::Object(mut attrs) = thing_value() else {
            unreachable!()
        };
        attrs.remove("type");
        let e = Thing::decode(&Value::Object(attrs)).unwrap_err();
        assert_eq!(e.path, AttributePath::of("type"));
        assert_eq!(e.problem, ModelProblem::NotInSchema);
        let d = Diagnostic::from(e);
        assert_eq!(d.summary, "Attribute Not In Schema");
        assert_eq!(d.attribute, Some(AttributePath::of("type")));
        assert!(d.detail.contains("reported to the provider developers"));
    }

    #[test]
    fn a_value_the_model_has_no_room_for_names_its_path() {
        let with = |name: &str, v: Value| {
            let Value::Object(mut attrs) = thing_value() else {
                unreachable!()
            };
            attrs.insert(name.to_owned(), v);
            Value::Object(attrs)
        };
        let cases = [
            (
                with(
                    "rule",
                    Value::List(vec![
                        rule(1),
                        Value::object([("port", Value::Null), ("note", Value::Null)]),
                    ]),
                ),
                AttributePath::of("rule").index(1).attribute("port"),
                ModelProblem::UnexpectedNull,
            ),
            (
                with("type", Value::unknown()),
                AttributePath::of("type"),
                ModelProblem::UnexpectedUnknown,
            ),
            (
                with("name", Value::from(true)),
                AttributePath::of("name"),
                ModelProblem::WrongType {
                    want: "string",
                    got: "bool",
                },
            ),
            (
                with(
                    "labels",
                    Value::Map([("k".to_owned(), Value::from(1i64))].into()),
                ),
                AttributePath::of("labels").key("k"),
                ModelProblem::WrongType {
                    want: "string",
                    got: "number",
                },
            ),
        ];
        for (value, path, problem) in cases {
            let e = Thing::decode(&value).unwrap_err();
            assert_eq!((e.path, e.problem), (path, problem));
        }
        let fraction = Value::object([
            ("port", Value::Number(Number::from_f64(1.5).unwrap())),
            ("note", Value::Null),
        ]);
        assert_eq!(
            Rule::decode(&fraction).unwrap_err().problem,
            ModelProblem::WrongType {
                want: "whole number",
                got: "number"
            }
        );
    }

    #[test]
    fn attribute_names_and_paths_come_from_the_model() {
        assert_eq!(crate::attribute_name!(Thing, kind), "type");
        assert_eq!(crate::attribute_name!(Rule, port), "port");
        assert_eq!(
            crate::attribute_path!(Thing, tags),
            AttributePath::of("tags")
        );
        assert_eq!(
            Thing::attribute_name("type"),
            None,
            "a field's name, not the attribute's"
        );
    }

    #[test]
    fn a_model_sent_back_keeps_the_refinements_of_unknowns_it_left_unknown() {
        use crate::plugin::value::Refinements;
        let refined = Value::refined_unknown(Refinements {
            string_prefix: Some("a".into()),
            ..Refinements::default()
        });
        let sent = Value::object([("port", refined.clone()), ("note", Value::unknown())]);
        let mut rule = Rule::decode(&Value::object([
            ("port", Value::from(1i64)),
            ("note", Value::Null),
        ]))
        .unwrap();
        assert_eq!(
            rule.encode_over(&sent).get_attr("port"),
            Some(&Value::from(1i64))
        );
        crate::model! {
            #[derive(Debug)]
            struct Loose {
                port: Attr<i64>,
                note: Attr<String>,
            }
        }
        let mut loose = Loose::decode(&sent).unwrap();
        assert_eq!(loose.encode_over(&sent), sent);
        loose.note = Attr::Known("n".into());
        assert_eq!(loose.encode_over(&sent).get_attr("port"), Some(&refined));
        rule.note = Some("x".into());
        assert_eq!(
            rule.encode_over(&sent).get_attr("note"),
            Some(&Value::from("x"))
        );
    }

    #[test]
    fn set_elements_are_reported_at_the_set() {
        crate::model! {
            #[derive(Debug)]
            struct Tags {
                tags: Set<String>,
            }
        }
        let e = Tags::decode(&Value::object([(
            "tags",
            Value::Set(vec!["a".into(), Value::Null]),
        )]))
        .unwrap_err();
        assert_eq!(
            e.path,
            AttributePath::of("tags").join(PathStep::SetElement(1))
        );
        assert_eq!(
            Diagnostic::from(e).attribute,
            Some(AttributePath::of("tags"))
        );
    }
}
