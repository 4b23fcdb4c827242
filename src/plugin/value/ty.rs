//! Terraform (cty) types and their JSON encoding (go-cty's
//! `cty/json_type.go`, as Terraform sends them in schemas).

use std::collections::BTreeMap;
use std::fmt;

use super::json::syntax::{self, Json};

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
    pub fn element_type_at(&self, index: usize) -> Option<&Type> {
        match self {
            Type::List(e) | Type::Set(e) => Some(e),
            Type::Tuple(types) => types.get(index),
            _ => None,
        }
    }

    /// The type of the value under `key` in a map, or of attribute `key` of
    /// an object.
    pub fn entry_type(&self, key: &str) -> Option<&Type> {
        match self {
            Type::Map(e) => Some(e),
            Type::Object(attributes) => attributes.get(key),
            _ => None,
        }
    }

    /// The type of an object attribute.
    pub fn attribute_type(&self, name: &str) -> Option<&Type> {
        match self {
            Type::Object(attributes) => attributes.get(name),
            _ => None,
        }
    }

    /// The compact cty JSON of this type, e.g. `["list","string"]` (with
    /// the quotes of `"string"`), as schemas and dynamic values carry it.
    /// Object attributes come out sorted.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_json(&mut out);
        out
    }

    fn write_json(&self, out: &mut Vec<u8>) {
        let collection = |out: &mut Vec<u8>, kind: &str, element: &Type| {
            out.extend_from_slice(b"[\"");
            out.extend_from_slice(kind.as_bytes());
            out.extend_from_slice(b"\",");
            element.write_json(out);
            out.push(b']');
        };
        match self {
            Type::String => out.extend_from_slice(b"\"string\""),
            Type::Number => out.extend_from_slice(b"\"number\""),
            Type::Bool => out.extend_from_slice(b"\"bool\""),
            Type::Dynamic => out.extend_from_slice(b"\"dynamic\""),
            Type::List(e) => collection(out, "list", e),
            Type::Set(e) => collection(out, "set", e),
            Type::Map(e) => collection(out, "map", e),
            Type::Object(attributes) => {
                out.extend_from_slice(b"[\"object\",{");
                for (i, (name, ty)) in attributes.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    syntax::write_string(out, name);
                    out.push(b':');
                    ty.write_json(out);
                }
                out.extend_from_slice(b"}]");
            }
            Type::Tuple(elements) => {
                out.extend_from_slice(b"[\"tuple\",[");
                for (i, ty) in elements.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    ty.write_json(out);
                }
                out.extend_from_slice(b"]]");
            }
        }
    }

    /// Reads cty type JSON. The optional third element of an object type
    /// (its optional attribute names, found in type constraints) is
    /// accepted and ignored.
    pub fn from_json(bytes: &[u8]) -> Result<Type, TypeError> {
        let json = syntax::parse(bytes).map_err(|e| TypeError::Json(e.kind.to_string()))?;
        Type::from_json_tree(&json)
    }

    pub(crate) fn from_json_tree(json: &Json) -> Result<Type, TypeError> {
        let invalid = |what: &str| TypeError::Invalid(what.to_owned());
        let items = match json {
            Json::String(name) => {
                return match name.as_str() {
                    "string" => Ok(Type::String),
                    "number" => Ok(Type::Number),
                    "bool" => Ok(Type::Bool),
                    "dynamic" => Ok(Type::Dynamic),
                    other => Err(TypeError::Invalid(format!(
                        "unknown primitive type {:?}",
                        abbreviate(other)
                    ))),
                };
            }
            Json::Array(items) => items,
            other => {
                return Err(TypeError::Invalid(format!(
                    "a type is a string or an array, found {}",
                    other.kind_name()
                )))
            }
        };
        let (Some(Json::String(kind)), rest) = (items.first(), items.get(1..).unwrap_or(&[]))
        else {
            return Err(invalid("a complex type is an array starting with its kind"));
        };
        match (kind.as_str(), rest) {
            ("list", [element]) => Ok(Type::list(Type::from_json_tree(element)?)),
            ("set", [element]) => Ok(Type::set(Type::from_json_tree(element)?)),
            ("map", [element]) => Ok(Type::map(Type::from_json_tree(element)?)),
            ("object", [Json::Object(members)])
            | ("object", [Json::Object(members), Json::Array(_)]) => {
                let mut attributes = BTreeMap::new();
                for (name, member) in members {
                    if attributes
                        .insert(name.clone(), Type::from_json_tree(member)?)
                        .is_some()
                    {
                        return Err(TypeError::Invalid(format!(
                            "object type has attribute {:?} twice",
                            abbreviate(name)
                        )));
                    }
                }
                Ok(Type::Object(attributes))
            }
            ("tuple", [Json::Array(elements)]) => Ok(Type::Tuple(
                elements
                    .iter()
                    .map(Type::from_json_tree)
                    .collect::<Result<_, _>>()?,
            )),
            ("list" | "set" | "map", _) => Err(invalid("expected [kind, element type]")),
            ("object", _) => Err(invalid("expected [\"object\", {attributes}]")),
            ("tuple", _) => Err(invalid("expected [\"tuple\", [element types]]")),
            (other, _) => Err(TypeError::Invalid(format!(
                "unknown type kind {:?}",
                abbreviate(other)
            ))),
        }
    }
}

fn abbreviate(text: &str) -> String {
    const LIMIT: usize = 40;
    match text.char_indices().nth(LIMIT) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
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
