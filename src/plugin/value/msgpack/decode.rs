//! msgpack → [`Value`], the way go-cty reads what Terraform core sends.

use std::collections::BTreeMap;

use rmp::Marker;

use super::reader::{is_ext, marker_name, read_number_after, Reader};
use super::refinements;
use crate::plugin::value::error::{DecodeError, DecodeErrorKind, MAX_DEPTH};
use crate::plugin::value::path::PathStep;
use crate::plugin::value::ty::Type;
use crate::plugin::value::values::Value;

/// Collections start with at most this much room; a hostile length costs
/// nothing until the elements really arrive.
const MAX_INITIAL_CAPACITY: usize = 1024;

/// Decodes the msgpack of a value of type `ty` (a `DynamicValue.msgpack`).
///
/// Rules (Terraform's object wire format and go-cty's cty/msgpack): any extension is an unknown value,
/// checked before null and dynamic; numbers may be any int, float or decimal
/// text; objects must have exactly their type's attributes; tuples exactly
/// their length; `dynamic` is nil, an extension or `[type JSON, value]`.
/// Nothing may follow the value.
pub fn decode_msgpack(ty: &Type, bytes: &[u8]) -> Result<Value, DecodeError> {
    let mut reader = Reader::new(bytes);
    let value = decode_value(&mut reader, ty, 0)?;
    match reader.remaining() {
        0 => Ok(value),
        count => Err(DecodeError::new(DecodeErrorKind::TrailingBytes { count })),
    }
}

// The functions on the recursion path (decode_value, decode_sequence,
// decode_entries) are kept small and separate: unoptimised builds give
// every temporary of a function its own stack slot, and MAX_DEPTH levels
// must fit in a 2 MiB thread stack even there.

fn decode_value(reader: &mut Reader<'_>, ty: &Type, depth: usize) -> Result<Value, DecodeError> {
    if depth > MAX_DEPTH {
        return Err(DecodeError::new(DecodeErrorKind::TooDeep {
            limit: MAX_DEPTH,
        }));
    }
    let marker = reader.read_marker()?;
    if is_ext(marker) {
        return decode_unknown(reader, marker);
    }
    match ty {
        _ if marker == Marker::Reserved => Err(DecodeErrorKind::ReservedByte.into()),
        Type::Dynamic => decode_dynamic(reader, marker, depth),
        _ if marker == Marker::Null => Ok(Value::Null),
        Type::List(_) | Type::Set(_) | Type::Tuple(_) => decode_sequence(reader, ty, marker, depth),
        Type::Map(_) | Type::Object(_) => decode_entries(reader, ty, marker, depth),
        Type::String | Type::Number | Type::Bool => decode_primitive(reader, ty, marker),
    }
}

fn wrong_kind(ty: &Type, marker: Marker) -> DecodeError {
    DecodeError::new(DecodeErrorKind::WrongKind {
        expected: ty.to_string(),
        found: marker_name(marker),
    })
}

fn decode_unknown(reader: &mut Reader<'_>, marker: Marker) -> Result<Value, DecodeError> {
    let (code, payload) = reader
        .ext_after(marker)?
        .ok_or(DecodeErrorKind::UnexpectedEnd)?;
    Ok(Value::refined_unknown(refinements::parse(code, payload)))
}

fn decode_primitive(
    reader: &mut Reader<'_>,
    ty: &Type,
    marker: Marker,
) -> Result<Value, DecodeError> {
    let value = match ty {
        Type::String => reader
            .bytes_after(marker)?
            .map(utf8)
            .transpose()?
            .map(Value::String),
        Type::Number => read_number_after(reader, marker)?.map(Value::Number),
        Type::Bool => match marker {
            Marker::True => Some(Value::Bool(true)),
            Marker::False => Some(Value::Bool(false)),
            _ => None,
        },
        _ => None,
    };
    value.ok_or_else(|| wrong_kind(ty, marker))
}

/// A list, set or tuple.
fn decode_sequence(
    reader: &mut Reader<'_>,
    ty: &Type,
    marker: Marker,
    depth: usize,
) -> Result<Value, DecodeError> {
    let count = reader
        .array_len_after(marker)?
        .ok_or_else(|| wrong_kind(ty, marker))?;
    if let Type::Tuple(types) = ty {
        if count != types.len() {
            return Err(DecodeErrorKind::TupleLength {
                expected: types.len(),
                found: count,
            }
            .into());
        }
    }
    let mut items = Vec::with_capacity(count.min(MAX_INITIAL_CAPACITY));
    for index in 0..count {
        let item = match ty.element_type_at(index) {
            Some(element) => decode_value(reader, element, depth + 1),
            None => Err(wrong_kind(ty, marker)),
        };
        items.push(item.map_err(|e| e.within(PathStep::element(ty, index)))?);
    }
    Ok(match ty {
        Type::Set(_) => Value::Set(items),
        Type::Tuple(_) => Value::Tuple(items),
        _ => Value::List(items),
    })
}

/// A map or object: string keys, each value of the element type or of
/// its attribute's type. Objects must have exactly their attributes.
fn decode_entries(
    reader: &mut Reader<'_>,
    ty: &Type,
    marker: Marker,
    depth: usize,
) -> Result<Value, DecodeError> {
    let count = reader
        .map_len_after(marker)?
        .ok_or_else(|| wrong_kind(ty, marker))?;
    let mut entries = BTreeMap::new();
    for _ in 0..count {
        let key = read_key(reader)?;
        let Some(entry_type) = ty.entry_type(&key) else {
            return Err(DecodeErrorKind::UnsupportedAttribute(key).into());
        };
        if entries.contains_key(&key) {
            return Err(DecodeErrorKind::DuplicateKey(key).into());
        }
        let value = decode_value(reader, entry_type, depth + 1)
            .map_err(|e| e.within(PathStep::entry(ty, &key)))?;
        entries.insert(key, value);
    }
    match ty {
        Type::Object(attributes) => {
            match attributes.keys().find(|name| !entries.contains_key(*name)) {
                Some(missing) => Err(DecodeErrorKind::MissingAttribute(missing.clone()).into()),
                None => Ok(Value::Object(entries)),
            }
        }
        _ => Ok(Value::Map(entries)),
    }
}

fn read_key(reader: &mut Reader<'_>) -> Result<String, DecodeError> {
    let marker = reader.read_marker()?;
    match reader.bytes_after(marker)? {
        Some(bytes) => utf8(bytes),
        None => Err(DecodeErrorKind::WrongKind {
            expected: "string key".to_owned(),
            found: marker_name(marker),
        }
        .into()),
    }
}

/// `nil` (a null of type dynamic) or `[type JSON as bin or str, value]`.
fn decode_dynamic(
    reader: &mut Reader<'_>,
    marker: Marker,
    depth: usize,
) -> Result<Value, DecodeError> {
    if marker == Marker::Null {
        return Ok(Value::Null);
    }
    let malformed = |why: String| DecodeError::new(DecodeErrorKind::MalformedDynamic(why));
    let Some(count) = reader.array_len_after(marker)? else {
        return Err(malformed(format!(
            "expected a [type, value] array, found {}",
            marker_name(marker)
        )));
    };
    if count != 2 {
        return Err(malformed(format!(
            "expected a [type, value] array, found {count} elements"
        )));
    }
    let type_marker = reader.read_marker()?;
    let Some(type_json) = reader.bytes_after(type_marker)? else {
        return Err(malformed(format!(
            "the type must be bytes, found {}",
            marker_name(type_marker)
        )));
    };
    let ty = Type::from_json(type_json).map_err(DecodeErrorKind::DynamicType)?;
    let value = decode_value(reader, &ty, depth + 1)?;
    Ok(Value::dynamic(ty, value))
}

fn utf8(bytes: &[u8]) -> Result<String, DecodeError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| DecodeErrorKind::InvalidUtf8.into())
}
