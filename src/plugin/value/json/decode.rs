//! JSON → [`Value`], the way go-cty's `json.Unmarshal` reads it.

use std::collections::BTreeMap;

use super::syntax::{self, Json};
use crate::plugin::value::error::{DecodeError, DecodeErrorKind};
use crate::plugin::value::number::Number;
use crate::plugin::value::path::PathStep;
use crate::plugin::value::ty::Type;
use crate::plugin::value::values::Value;

/// Decodes the JSON of a value of type `ty`.
///
/// Like go-cty: numbers are kept exact (from their text); a string may
/// stand for a number or bool and a number or bool for a string; an object
/// attribute that is absent is null (unlike msgpack, where every attribute
/// must be present); an undeclared attribute or a duplicate key is an error;
/// `dynamic` is `{"type": <type JSON>, "value": <value>}` or `null`. JSON
/// cannot express unknown values.
pub fn decode_json(ty: &Type, bytes: &[u8]) -> Result<Value, DecodeError> {
    let json = syntax::parse(bytes)?;
    decode_tree(ty, &json)
}

// The functions on the recursion path stay small so MAX_DEPTH levels fit
// a 2 MiB stack even in unoptimised builds (see msgpack/decode.rs).

fn decode_tree(ty: &Type, json: &Json) -> Result<Value, DecodeError> {
    match (ty, json) {
        (_, Json::Null) => Ok(Value::Null),
        (Type::Dynamic, Json::Object(members)) => decode_dynamic(members),
        (Type::List(_) | Type::Set(_) | Type::Tuple(_), Json::Array(items)) => {
            decode_sequence(ty, items)
        }
        (Type::Map(_) | Type::Object(_), Json::Object(members)) => decode_members(ty, members),
        _ => decode_primitive(ty, json),
    }
}

fn decode_primitive(ty: &Type, json: &Json) -> Result<Value, DecodeError> {
    match (ty, json) {
        (Type::String, Json::String(s) | Json::Number(s)) => Ok(Value::String(s.clone())),
        (Type::String, Json::Bool(b)) => Ok(Value::String(b.to_string())),
        (Type::Number, Json::Number(text) | Json::String(text)) => text
            .parse::<Number>()
            .map(Value::Number)
            .map_err(|e| DecodeErrorKind::Number(e).into()),
        (Type::Bool, Json::Bool(b)) => Ok(Value::Bool(*b)),
        (Type::Bool, Json::String(s)) if s == "true" => Ok(Value::Bool(true)),
        (Type::Bool, Json::String(s)) if s == "false" => Ok(Value::Bool(false)),
        (Type::Dynamic, _) => Err(DecodeErrorKind::MalformedDynamic(format!(
            "expected {{\"type\": ..., \"value\": ...}}, found {}",
            json.kind_name()
        ))
        .into()),
        _ => Err(DecodeErrorKind::WrongKind {
            expected: ty.to_string(),
            found: json.kind_name(),
        }
        .into()),
    }
}

fn decode_dynamic(members: &[(String, Json)]) -> Result<Value, DecodeError> {
    let malformed = |why: String| DecodeError::new(DecodeErrorKind::MalformedDynamic(why));
    let (mut type_json, mut value_json) = (None, None);
    for (key, member) in members {
        let slot = match key.as_str() {
            "type" => &mut type_json,
            "value" => &mut value_json,
            _ => return Err(malformed(format!("unexpected key {key:?}"))),
        };
        if slot.replace(member).is_some() {
            return Err(DecodeErrorKind::DuplicateKey(key.clone()).into());
        }
    }
    let type_json = type_json.ok_or_else(|| malformed("missing \"type\"".to_owned()))?;
    let value_json = value_json.ok_or_else(|| malformed("missing \"value\"".to_owned()))?;
    let ty = Type::from_json_tree(type_json).map_err(DecodeErrorKind::DynamicType)?;
    let value = decode_tree(&ty, value_json)?;
    Ok(Value::dynamic(ty, value))
}

/// A list, set or tuple.
fn decode_sequence(ty: &Type, items: &[Json]) -> Result<Value, DecodeError> {
    if let Type::Tuple(types) = ty {
        if types.len() != items.len() {
            return Err(DecodeErrorKind::TupleLength {
                expected: types.len(),
                found: items.len(),
            }
            .into());
        }
    }
    let mut values = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let value = match ty.element_type_at(index) {
            Some(element) => decode_tree(element, item),
            None => Err(DecodeErrorKind::TupleLength {
                expected: index,
                found: items.len(),
            }
            .into()),
        };
        values.push(value.map_err(|e| e.within(PathStep::element(ty, index)))?);
    }
    Ok(match ty {
        Type::Set(_) => Value::Set(values),
        Type::Tuple(_) => Value::Tuple(values),
        _ => Value::List(values),
    })
}

/// A map or object. Absent object attributes are null.
fn decode_members(ty: &Type, members: &[(String, Json)]) -> Result<Value, DecodeError> {
    let mut values = BTreeMap::new();
    for (key, member) in members {
        let Some(entry_type) = ty.entry_type(key) else {
            return Err(DecodeErrorKind::UnsupportedAttribute(key.clone()).into());
        };
        if values.contains_key(key) {
            return Err(DecodeErrorKind::DuplicateKey(key.clone()).into());
        }
        let value =
            decode_tree(entry_type, member).map_err(|e| e.within(PathStep::entry(ty, key)))?;
        values.insert(key.clone(), value);
    }
    match ty {
        Type::Object(attributes) => {
            for name in attributes.keys() {
                values.entry(name.clone()).or_insert(Value::Null);
            }
            Ok(Value::Object(values))
        }
        _ => Ok(Value::Map(values)),
    }
}
