//! The JSON encoding of cty types (go-cty's `cty/json_type.go`), as
//! Terraform sends them in schemas and dynamic values. Kept beside the JSON
//! syntax rather than in `ty`, so the type itself depends on no codec.

use std::collections::BTreeMap;

use super::syntax::{self, Json};
use crate::plugin::value::ty::{Type, TypeError};

impl Type {
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
