//! Fuzzes the msgpack value decoder against types derived from the input.
//!
//! Input layout: a type (see `take_type`), then msgpack bytes. The decoder
//! must never panic; whatever it accepts must re-encode, and decode again
//! to the same value.

#![no_main]

use cams_provider::plugin::value::{decode_msgpack, encode_msgpack, Type};
use libfuzzer_sys::fuzz_target;

/// Types nest at most this deep, so the type prefix stays short and most
/// of the input goes to the decoder.
const MAX_TYPE_DEPTH: u32 = 4;

/// Attribute names, picked by one input byte each: plain ones, and ones
/// that need escaping in type JSON.
const NAMES: [&str; 8] = ["id", "name", "a", "b", "", "é", "x\"y", "screens"];

/// Reads a type from the front of `input`: one byte picks the kind (0
/// string, 1 number, 2 bool, 3 dynamic, 4 list, 5 set, 6 map, 7 object,
/// 8 tuple); an object or tuple then takes a count byte (0-3) and, per
/// attribute, a name byte and its type. Running out of input yields string.
fn take_type(input: &mut &[u8], depth: u32) -> Type {
    let Some(kind) = take_byte(input) else {
        return Type::String;
    };
    let kinds = if depth >= MAX_TYPE_DEPTH { 4 } else { 9 };
    match kind % kinds {
        0 => Type::String,
        1 => Type::Number,
        2 => Type::Bool,
        3 => Type::Dynamic,
        4 => Type::list(take_type(input, depth + 1)),
        5 => Type::set(take_type(input, depth + 1)),
        6 => Type::map(take_type(input, depth + 1)),
        7 => {
            let count = take_byte(input).unwrap_or(0) % 4;
            Type::object((0..count).map(|_| {
                let name = NAMES[usize::from(take_byte(input).unwrap_or(0)) % NAMES.len()];
                (name, take_type(input, depth + 1))
            }))
        }
        _ => {
            let count = take_byte(input).unwrap_or(0) % 4;
            Type::Tuple((0..count).map(|_| take_type(input, depth + 1)).collect())
        }
    }
}

fn take_byte(input: &mut &[u8]) -> Option<u8> {
    let (&first, rest) = input.split_first()?;
    *input = rest;
    Some(first)
}

fuzz_target!(|data: &[u8]| {
    let mut rest = data;
    let ty = take_type(&mut rest, 0);
    let Ok(value) = decode_msgpack(&ty, rest) else {
        return;
    };
    let encoded = match encode_msgpack(&ty, &value) {
        Ok(bytes) => bytes,
        Err(e) => panic!("decoded {value:?} as {ty} but cannot encode it: {e}"),
    };
    match decode_msgpack(&ty, &encoded) {
        Ok(again) => assert_eq!(again, value, "re-decoding {encoded:02x?} as {ty}"),
        Err(e) => panic!("cannot decode my own encoding {encoded:02x?} of {value:?} as {ty}: {e}"),
    }
});
