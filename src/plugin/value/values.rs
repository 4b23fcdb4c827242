//! Terraform (cty) values.

use std::collections::BTreeMap;

use super::number::Number;
use super::ty::Type;

/// A Terraform value. Which variant is allowed where is decided by the
/// [`Type`] it is encoded or decoded with.
///
/// Equality is structural; set elements compare in order (the codecs keep
/// the wire order, so decode/encode round trips compare equal).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Null, of any type.
    Null,
    /// Not known yet (only while Terraform plans), of any type, possibly
    /// with what Terraform already knows about it. (Boxed to keep every
    /// `Value` small; see [`Value::unknown`] and [`Value::refined_unknown`].)
    Unknown(Box<Refinements>),
    /// A `string`.
    String(String),
    /// A `number`.
    Number(Number),
    /// A `bool`.
    Bool(bool),
    /// A `list`.
    List(Vec<Value>),
    /// A `set`, in wire order.
    Set(Vec<Value>),
    /// A `map`.
    Map(BTreeMap<String, Value>),
    /// An `object`; every attribute of its type must be present.
    Object(BTreeMap<String, Value>),
    /// A `tuple`.
    Tuple(Vec<Value>),
    /// A known value in a `dynamic` position, with the concrete type it was
    /// sent with (a typed null is `Dynamic { ty, value: Null }`). Null and
    /// unknown values of type `dynamic` itself are plain `Null`/`Unknown`.
    Dynamic {
        /// The concrete type.
        ty: Type,
        /// The value, of type `ty`.
        value: Box<Value>,
    },
}

/// What Terraform (≥ 1.6) already knows about an unknown value (msgpack
/// extension 12). Every field is optional; `Refinements::default()` is a
/// plain unknown.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Refinements {
    /// Whether the value will be null, if Terraform knows.
    pub nullness: Option<Nullness>,
    /// A prefix the string will start with.
    pub string_prefix: Option<String>,
    /// A lower bound of the number.
    pub number_lower: Option<NumberBound>,
    /// An upper bound of the number.
    pub number_upper: Option<NumberBound>,
    /// The least number of elements the collection will have.
    pub length_lower: Option<u64>,
    /// The most elements the collection will have.
    pub length_upper: Option<u64>,
}

/// The null-ness refinement of an unknown value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nullness {
    /// It will be null (legal on the wire, odd in practice).
    DefinitelyNull,
    /// It will not be null.
    DefinitelyNotNull,
}

/// A bound of an unknown number.
#[derive(Clone, Debug, PartialEq)]
pub struct NumberBound {
    /// The bound.
    pub value: Number,
    /// Whether the bound itself is allowed.
    pub inclusive: bool,
}

impl Refinements {
    /// Whether nothing is refined (a plain unknown).
    pub fn is_empty(&self) -> bool {
        *self == Refinements::default()
    }

    /// Whether Terraform promised the value will not be null.
    pub(crate) fn is_definitely_not_null(&self) -> bool {
        self.nullness == Some(Nullness::DefinitelyNotNull)
    }
}

impl Value {
    /// A plain unknown value.
    pub fn unknown() -> Value {
        Value::Unknown(Box::default())
    }

    /// An unknown value with refinements.
    pub fn refined_unknown(refinements: Refinements) -> Value {
        Value::Unknown(Box::new(refinements))
    }

    /// A string value.
    pub fn string(text: impl Into<String>) -> Value {
        Value::String(text.into())
    }

    /// A number value.
    pub fn number(number: impl Into<Number>) -> Value {
        Value::Number(number.into())
    }

    /// An object value from `(name, value)` pairs.
    pub fn object<K: Into<String>>(attributes: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Object(attributes.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A value in a `dynamic` position, tagged with its concrete type.
    pub fn dynamic(ty: Type, value: Value) -> Value {
        Value::Dynamic {
            ty,
            value: Box::new(value),
        }
    }

    /// The value itself, looking through any `Dynamic` wrapper. All the
    /// accessors below do this.
    pub(crate) fn without_dynamic(&self) -> &Value {
        let mut value = self;
        while let Value::Dynamic { value: inner, .. } = value {
            value = inner;
        }
        value
    }

    /// Whether the value is null.
    pub fn is_null(&self) -> bool {
        matches!(self.without_dynamic(), Value::Null)
    }

    /// Whether the value itself is unknown (its parts may be unknown even
    /// when this is false; see [`Value::is_wholly_known`]).
    pub fn is_unknown(&self) -> bool {
        matches!(self.without_dynamic(), Value::Unknown(_))
    }

    /// Whether neither the value nor any part of it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self.without_dynamic() {
            Value::Unknown(_) => false,
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                items.iter().all(Value::is_wholly_known)
            }
            Value::Map(entries) | Value::Object(entries) => {
                entries.values().all(Value::is_wholly_known)
            }
            _ => true,
        }
    }

    /// The text of a string value.
    pub fn as_str(&self) -> Option<&str> {
        match self.without_dynamic() {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A bool value.
    pub(crate) fn as_bool(&self) -> Option<bool> {
        match self.without_dynamic() {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A number value.
    pub fn as_number(&self) -> Option<&Number> {
        match self.without_dynamic() {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// An attribute of an object value.
    pub fn get_attr(&self, name: &str) -> Option<&Value> {
        match self.without_dynamic() {
            Value::Object(attributes) => attributes.get(name),
            _ => None,
        }
    }

    /// The elements of a list value.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self.without_dynamic() {
            Value::List(items) => Some(items),
            _ => None,
        }
    }

    /// The elements of a list, set or tuple value.
    pub fn elements(&self) -> Option<&[Value]> {
        match self.without_dynamic() {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => Some(items),
            _ => None,
        }
    }

    /// A short name of the variant, for error messages.
    pub(crate) fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Unknown(_) => "unknown value",
            Value::String(_) => "string",
            Value::Number(_) => "number",
            Value::Bool(_) => "bool",
            Value::List(_) => "list",
            Value::Set(_) => "set",
            Value::Map(_) => "map",
            Value::Object(_) => "object",
            Value::Tuple(_) => "tuple",
            Value::Dynamic { .. } => "Value::Dynamic",
        }
    }
}

/// Null: what a value is until something sets it.
impl Default for Value {
    fn default() -> Value {
        Value::Null
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Value {
        Value::String(text.to_owned())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Value {
        Value::String(text)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Number(i.into())
    }
}

impl From<Number> for Value {
    fn from(n: Number) -> Value {
        Value::Number(n)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    /// `None` is null.
    fn from(option: Option<T>) -> Value {
        option.map_or(Value::Null, Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accessors_look_through_dynamic() {
        let v = Value::dynamic(Type::String, "x".into());
        assert_eq!(v.as_str(), Some("x"));
        assert!(!v.is_null());
        assert!(Value::dynamic(Type::String, Value::Null).is_null());
        assert!(Value::dynamic(Type::Number, Value::unknown()).is_unknown());
    }

    #[test]
    fn wholly_known_is_recursive() {
        let known = Value::object([("a", Value::List(vec![1i64.into(), Value::Null]))]);
        assert!(known.is_wholly_known());
        assert!(!known.is_unknown());
        let partly = Value::object([(
            "a",
            Value::Map([("k".to_owned(), Value::Tuple(vec![Value::unknown()]))].into()),
        )]);
        assert!(!partly.is_unknown());
        assert!(!partly.is_wholly_known());
        assert!(!Value::dynamic(Type::Dynamic, Value::unknown()).is_wholly_known());
    }

    #[test]
    fn typed_accessors() {
        let v = Value::object([
            ("name", Value::from("n")),
            ("on", true.into()),
            ("n", 7i64.into()),
            ("l", Value::List(vec!["a".into()])),
            ("s", Value::Set(vec!["b".into()])),
            ("none", Option::<bool>::None.into()),
        ]);
        assert_eq!(v.get_attr("name").and_then(Value::as_str), Some("n"));
        assert_eq!(v.get_attr("on").and_then(Value::as_bool), Some(true));
        assert_eq!(
            v.get_attr("n")
                .and_then(Value::as_number)
                .and_then(Number::as_i64),
            Some(7)
        );
        assert_eq!(
            v.get_attr("l").and_then(Value::as_list).map(<[Value]>::len),
            Some(1)
        );
        assert_eq!(v.get_attr("s").and_then(Value::as_list), None);
        assert_eq!(
            v.get_attr("s")
                .and_then(Value::elements)
                .map(<[Value]>::len),
            Some(1)
        );
        assert!(v.get_attr("none").is_some_and(Value::is_null));
        assert_eq!(v.get_attr("missing"), None);
        assert_eq!(v.as_str(), None);
    }
}
