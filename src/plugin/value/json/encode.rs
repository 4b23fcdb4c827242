//! [`Value`] → JSON, the form go-cty's `json.Marshal` writes.

use std::collections::BTreeMap;

use super::syntax::write_string;
use crate::plugin::value::error::{EncodeError, EncodeErrorKind, MAX_DEPTH};
use crate::plugin::value::path::PathStep;
use crate::plugin::value::ty::Type;
use crate::plugin::value::values::Value;

/// Encodes `value` as type `ty` in JSON (for a `DynamicValue.json`).
///
/// Numbers are written exactly (an f64 as its full decimal expansion);
/// object attributes and map keys come out sorted; a known `dynamic` value
/// is `{"type": <type JSON>, "value": <value>}`. Unknown values and
/// infinities have no JSON form and are errors.
pub fn encode_json(ty: &Type, value: &Value) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::new();
    encode_value(&mut out, ty, value, 0)?;
    Ok(out)
}

// The functions on the recursion path stay small so MAX_DEPTH levels fit
// a 2 MiB stack even in unoptimised builds (see msgpack/decode.rs).

fn encode_value(
    out: &mut Vec<u8>,
    ty: &Type,
    value: &Value,
    depth: usize,
) -> Result<(), EncodeError> {
    if depth > MAX_DEPTH {
        return Err(EncodeErrorKind::TooDeep { limit: MAX_DEPTH }.into());
    }
    match (ty, value) {
        (Type::Dynamic, Value::Dynamic { ty: inner, value }) => {
            out.extend_from_slice(b"{\"type\":");
            out.extend_from_slice(&inner.to_json());
            out.extend_from_slice(b",\"value\":");
            encode_value(out, inner, value, depth + 1)?;
            out.push(b'}');
            Ok(())
        }
        (Type::List(_), Value::List(items))
        | (Type::Set(_), Value::Set(items))
        | (Type::Tuple(_), Value::Tuple(items)) => encode_sequence(out, ty, items, depth),
        (Type::Map(_), Value::Map(entries)) | (Type::Object(_), Value::Object(entries)) => {
            encode_members(out, ty, entries, depth)
        }
        _ => encode_leaf(out, ty, value),
    }
}

/// Values without parts: null, unknown, primitives, and mismatches.
fn encode_leaf(out: &mut Vec<u8>, ty: &Type, value: &Value) -> Result<(), EncodeError> {
    match (ty, value) {
        (_, Value::Unknown(_)) => return Err(EncodeErrorKind::UnknownInJson.into()),
        (_, Value::Null) => out.extend_from_slice(b"null"),
        (Type::Dynamic, _) => return Err(EncodeErrorKind::DynamicWithoutType.into()),
        (Type::String, Value::String(s)) => write_string(out, s),
        (Type::Number, Value::Number(n)) => {
            if !n.is_finite() {
                return Err(EncodeErrorKind::InfinityInJson.into());
            }
            out.extend_from_slice(n.to_string().as_bytes());
        }
        (Type::Bool, Value::Bool(b)) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        _ => {
            return Err(EncodeErrorKind::WrongKind {
                expected: ty.to_string(),
                found: value.kind_name(),
            }
            .into())
        }
    }
    Ok(())
}

/// The elements of a list, set or tuple of type `ty`.
fn encode_sequence(
    out: &mut Vec<u8>,
    ty: &Type,
    items: &[Value],
    depth: usize,
) -> Result<(), EncodeError> {
    if let Type::Tuple(types) = ty {
        if types.len() != items.len() {
            return Err(EncodeErrorKind::TupleLength {
                expected: types.len(),
                found: items.len(),
            }
            .into());
        }
    }
    out.push(b'[');
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        let result = match ty.element_type_at(index) {
            Some(element) => encode_value(out, element, item, depth + 1),
            None => Err(EncodeErrorKind::TupleLength {
                expected: index,
                found: items.len(),
            }
            .into()),
        };
        result.map_err(|e| e.within(PathStep::element(ty, index)))?;
    }
    out.push(b']');
    Ok(())
}

/// The entries of a map or the attributes of an object, sorted.
fn encode_members(
    out: &mut Vec<u8>,
    ty: &Type,
    entries: &BTreeMap<String, Value>,
    depth: usize,
) -> Result<(), EncodeError> {
    if let Type::Object(attributes) = ty {
        if let Some(missing) = attributes.keys().find(|name| !entries.contains_key(*name)) {
            return Err(EncodeErrorKind::MissingAttribute(missing.clone()).into());
        }
    }
    out.push(b'{');
    for (index, (key, item)) in entries.iter().enumerate() {
        let Some(entry_type) = ty.entry_type(key) else {
            return Err(EncodeErrorKind::UnsupportedAttribute(key.clone()).into());
        };
        if index > 0 {
            out.push(b',');
        }
        write_string(out, key);
        out.push(b':');
        encode_value(out, entry_type, item, depth + 1)
            .map_err(|e| e.within(PathStep::entry(ty, key)))?;
    }
    out.push(b'}');
    Ok(())
}
