//! Terraform (cty) types. Their JSON encoding is in `json::type_json`.

use std::collections::BTreeMap;
use std::fmt;

/// A cty type: what a schema attribute declares and what a value must match.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    /// `"string"`
    String,
    /// `"number"`
    Number,
    /// `"bool"`
    Bool,
    /// `"dynamic"`: any type, decided per value.
    Dynamic,
    /// `["list", T]`
    List(Box<Type>),
    /// `["set", T]`
    Set(Box<Type>),
    /// `["map", T]`
    Map(Box<Type>),
    /// `["object", {"attr": T, ...}]`
    Object(BTreeMap<String, Type>),
    /// `["tuple", [T1, T2, ...]]`
    Tuple(Vec<Type>),
}

/// Bytes that are not the JSON of a cty type.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TypeError {
    /// Not JSON at all.
    #[error("type is not valid JSON: {0}")]
    Json(String),
    /// JSON, but not a type.
    #[error("not a type: {0}")]
    Invalid(String),
}

impl Type {
    /// `["list", element]`
    pub fn list(element: Type) -> Type {
        Type::List(Box::new(element))
    }

    /// `["set", element]`
    pub fn set(element: Type) -> Type {
        Type::Set(Box::new(element))
    }

    /// `["map", element]`
    pub fn map(element: Type) -> Type {
        Type::Map(Box::new(element))
    }

    /// `["object", {...}]` from `(name, type)` pairs.
    pub fn object<K: Into<String>>(attributes: impl IntoIterator<Item = (K, Type)>) -> Type {
        Type::Object(attributes.into_iter().map(|(k, t)| (k.into(), t)).collect())
    }

    /// The type of element `index` of a list, set or tuple.
    pub(crate) fn element_type_at(&self, index: usize) -> Option<&Type> {
        match self {
            Type::List(e) | Type::Set(e) => Some(e),
            Type::Tuple(types) => types.get(index),
            _ => None,
        }
    }

    /// The type of the value under `key` in a map, or of attribute `key` of
    /// an object.
    pub(crate) fn entry_type(&self, key: &str) -> Option<&Type> {
        match self {
            Type::Map(e) => Some(e),
            Type::Object(attributes) => attributes.get(key),
            _ => None,
        }
    }
}

/// Human names like Terraform's: `string`, `list of number`, `object`.
impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::String => f.write_str("string"),
            Type::Number => f.write_str("number"),
            Type::Bool => f.write_str("bool"),
            Type::Dynamic => f.write_str("dynamic"),
            Type::List(e) => write!(f, "list of {e}"),
            Type::Set(e) => write!(f, "set of {e}"),
            Type::Map(e) => write!(f, "map of {e}"),
            Type::Object(_) => f.write_str("object"),
            Type::Tuple(_) => f.write_str("tuple"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(text: &str) -> Type {
        match Type::from_json(text.as_bytes()) {
            Ok(ty) => ty,
            Err(e) => panic!("{text}: {e}"),
        }
    }

    #[test]
    fn writes_cty_json() {
        assert_eq!(Type::String.to_json(), b"\"string\"");
        assert_eq!(Type::list(Type::String).to_json(), br#"["list","string"]"#);
        let ty = Type::map(Type::object([
            ("n", Type::Number),
            ("a", Type::Tuple(vec![Type::Bool, Type::Dynamic])),
            ("s", Type::set(Type::String)),
        ]));
        assert_eq!(
            String::from_utf8_lossy(&ty.to_json()),
            r#"["map",["object",{"a":["tuple",["bool","dynamic"]],"n":"number","s":["set","string"]}]]"#
        );
    }

    #[test]
    fn reads_cty_json() {
        assert_eq!(
            from(r#"["list",["object",{"name":"string","n":"number"}]]"#),
            Type::list(Type::object([("name", Type::String), ("n", Type::Number)]))
        );
        assert_eq!(from(r#" [ "tuple" , [ ] ] "#), Type::Tuple(vec![]));
        assert_eq!(from(r#""dynamic""#), Type::Dynamic);
    }

    #[test]
    fn ignores_optional_attribute_list() {
        assert_eq!(
            from(r#"["object",{"a":"string","b":"number"},["b"]]"#),
            Type::object([("a", Type::String), ("b", Type::Number)])
        );
    }

    #[test]
    fn rejects_non_types() {
        for text in [
            "",
            "\"strin\"",
            "1",
            "[]",
            "[\"list\"]",
            "[\"list\",\"string\",\"x\"]",
            "[\"object\",[]]",
            "[\"object\",{\"a\":\"string\",\"a\":\"bool\"}]",
            "[\"tuple\",{}]",
            "[\"array\",\"string\"]",
            "[1,\"string\"]",
            "{\"list\":\"string\"}",
            "[\"object\",{},[],1]",
        ] {
            assert!(
                Type::from_json(text.as_bytes()).is_err(),
                "{text:?} accepted"
            );
        }
    }

    #[test]
    fn round_trips_names_needing_escapes() {
        let ty = Type::object([("a\"b\\c\u{1}é", Type::Bool)]);
        assert_eq!(Type::from_json(&ty.to_json()), Ok(ty));
    }

    #[test]
    fn displays_friendly_names() {
        assert_eq!(
            Type::list(Type::map(Type::Number)).to_string(),
            "list of map of number"
        );
    }
}
