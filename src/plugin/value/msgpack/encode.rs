//! [`Value`] → msgpack, byte for byte the way Terraform core writes it.

use std::collections::BTreeMap;

use rmp::encode::{self as rmp_encode, ByteBuf};

use super::refinements::{self, REFINED_UNKNOWN_EXT};
use super::writer::{infallible, write_number, Out};
use crate::plugin::value::error::{EncodeError, EncodeErrorKind, MAX_DEPTH};
use crate::plugin::value::path::PathStep;
use crate::plugin::value::ty::Type;
use crate::plugin::value::values::{Refinements, Value};

/// Encodes `value` as type `ty` (for a `DynamicValue.msgpack`).
///
/// Output matches Terraform core: null is nil; a plain unknown is
/// `d4 00 00` and a refined one extension 12; numbers are the most compact
/// int, else float64, else decimal text; object attributes and map keys are
/// sorted bytewise; a known `dynamic` value is `[bin(type JSON), value]`.
/// The value must match the type (see [`Value::Dynamic`] for dynamic
/// positions), else the error says where it does not.
pub fn encode_msgpack(ty: &Type, value: &Value) -> Result<Vec<u8>, EncodeError> {
    // Sized up front: a state may hold a string of many megabytes, and a
    // buffer that doubles past it may copy it, briefly holding it twice.
    let buffer = Vec::with_capacity(size_hint(value, 0));
    let mut out = Out(ByteBuf::from_vec(buffer));
    encode_value(&mut out, ty, value, 0)?;
    Ok(out.0.into_vec())
}

/// About the encoded size of `value`, never much less: the strings' bytes
/// plus a few bytes of framing per value (a dynamic value's type JSON is
/// left out; it is small).
fn size_hint(value: &Value, depth: usize) -> usize {
    const FRAMING: usize = 9;
    let nested = |values: &mut dyn Iterator<Item = &Value>| -> usize {
        if depth >= MAX_DEPTH {
            return 0;
        }
        values.map(|v| size_hint(v, depth + 1)).sum()
    };
    FRAMING
        + match value {
            Value::String(s) => s.len(),
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                nested(&mut items.iter())
            }
            Value::Map(members) | Value::Object(members) => {
                members.keys().map(|k| k.len() + FRAMING).sum::<usize>()
                    + nested(&mut members.values())
            }
            Value::Dynamic { value, .. } => nested(&mut std::iter::once(value.as_ref())),
            Value::Null | Value::Unknown(_) | Value::Number(_) | Value::Bool(_) => 0,
        }
}

// As in decode.rs, the functions on the recursion path stay small so
// MAX_DEPTH levels fit a 2 MiB stack even in unoptimised builds.

fn encode_value(out: &mut Out, ty: &Type, value: &Value, depth: usize) -> Result<(), EncodeError> {
    if depth > MAX_DEPTH {
        return Err(EncodeErrorKind::TooDeep { limit: MAX_DEPTH }.into());
    }
    match (ty, value) {
        (_, Value::Unknown(refinements)) => write_unknown(out, refinements),
        (_, Value::Null) => {
            out.nil();
            Ok(())
        }
        (Type::Dynamic, Value::Dynamic { ty: inner, value }) => {
            out.array_len(2)?;
            out.bin(&inner.to_json())?;
            encode_value(out, inner, value, depth + 1)
        }
        (Type::Dynamic, _) => Err(EncodeErrorKind::DynamicWithoutType.into()),
        (Type::List(_), Value::List(items))
        | (Type::Set(_), Value::Set(items))
        | (Type::Tuple(_), Value::Tuple(items)) => encode_sequence(out, ty, items, depth),
        (Type::Map(_), Value::Map(entries)) | (Type::Object(_), Value::Object(entries)) => {
            encode_entries(out, ty, entries, depth)
        }
        _ => encode_primitive(out, ty, value),
    }
}

fn encode_primitive(out: &mut Out, ty: &Type, value: &Value) -> Result<(), EncodeError> {
    match (ty, value) {
        (Type::String, Value::String(s)) => out.str(s),
        (Type::Number, Value::Number(n)) => write_number(out, n),
        (Type::Bool, Value::Bool(b)) => {
            out.bool(*b);
            Ok(())
        }
        _ => Err(EncodeError::new(EncodeErrorKind::WrongKind {
            expected: ty.to_string(),
            found: value.kind_name(),
        })),
    }
}

/// The elements of a list, set or tuple of type `ty`.
fn encode_sequence(
    out: &mut Out,
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
    out.array_len(items.len())?;
    for (index, item) in items.iter().enumerate() {
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
    Ok(())
}

/// The entries of a map or the attributes of an object of type `ty`, in
/// bytewise key order (which is `BTreeMap<String, _>` order).
fn encode_entries(
    out: &mut Out,
    ty: &Type,
    entries: &BTreeMap<String, Value>,
    depth: usize,
) -> Result<(), EncodeError> {
    if let Type::Object(attributes) = ty {
        if let Some(missing) = attributes.keys().find(|name| !entries.contains_key(*name)) {
            return Err(EncodeErrorKind::MissingAttribute(missing.clone()).into());
        }
    }
    out.map_len(entries.len())?;
    for (key, item) in entries {
        let Some(entry_type) = ty.entry_type(key) else {
            return Err(EncodeErrorKind::UnsupportedAttribute(key.clone()).into());
        };
        out.str(key)?;
        encode_value(out, entry_type, item, depth + 1)
            .map_err(|e| e.within(PathStep::entry(ty, key)))?;
    }
    Ok(())
}

/// A plain unknown exactly as core writes it: fixext1, type 0, one zero byte.
const PLAIN_UNKNOWN: [u8; 3] = [0xd4, 0x00, 0x00];

fn write_unknown(out: &mut Out, refinements: &Refinements) -> Result<(), EncodeError> {
    if refinements.is_empty() {
        out.0.as_mut_vec().extend_from_slice(&PLAIN_UNKNOWN);
        return Ok(());
    }
    let mut payload = Out(ByteBuf::new());
    refinements::write_payload(&mut payload, refinements)?;
    let length = u32::try_from(payload.0.as_slice().len())
        .map_err(|_| EncodeErrorKind::TooLong(payload.0.as_slice().len()))?;
    infallible(rmp_encode::write_ext_meta(
        &mut out.0,
        length,
        REFINED_UNKNOWN_EXT,
    ));
    out.0.as_mut_vec().extend_from_slice(payload.0.as_slice());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The buffer is sized once: a state with a large string is encoded
    /// without the buffer growing (and copying the string) on the way.
    #[test]
    fn the_size_hint_covers_a_state_with_a_large_string() {
        let ty = Type::Object(BTreeMap::from([
            ("content".to_owned(), Type::String),
            ("screen_ids".to_owned(), Type::List(Box::new(Type::String))),
            ("sha".to_owned(), Type::String),
        ]));
        let value = Value::Object(BTreeMap::from([
            ("content".to_owned(), Value::String("x".repeat(1 << 20))),
            (
                "screen_ids".to_owned(),
                Value::List(vec![Value::String("A".into()), Value::String("B".into())]),
            ),
            ("sha".to_owned(), Value::String("0".repeat(64))),
        ]));
        let encoded = encode_msgpack(&ty, &value).unwrap();
        let hint = size_hint(&value, 0);
        assert!(hint >= encoded.len(), "hint {hint} < {}", encoded.len());
        assert!(
            hint < encoded.len() + 1024,
            "hint {hint} far above {}",
            encoded.len()
        );
        assert_eq!(encoded.capacity(), hint, "the buffer grew");
    }
}
