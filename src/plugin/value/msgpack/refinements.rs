//! The payload of a refined unknown value (msgpack extension 12): a map
//! with small-integer keys (key meanings as in go-cty's
//! `cty/msgpack/unknown.go`).

use rmp::Marker;

use super::reader::{read_number_after, Reader};
use super::writer::{write_number, Out};
use crate::plugin::value::error::EncodeError;
use crate::plugin::value::values::{Nullness, NumberBound, Refinements};

/// Extension type of a refined unknown.
pub(super) const REFINED_UNKNOWN_EXT: i8 = 12;

const NULLNESS: u64 = 1; // bool: true = will be null, false = will not be
const STRING_PREFIX: u64 = 2; // str
const NUMBER_LOWER: u64 = 3; // [number, inclusive bool]
const NUMBER_UPPER: u64 = 4; // [number, inclusive bool]
const LENGTH_LOWER: u64 = 5; // int
const LENGTH_UPPER: u64 = 6; // int

/// Reads the refinements of an unknown, best effort: an unknown is an
/// unknown whatever its payload says, so a payload that is not understood
/// yields whatever was read before the confusion (often nothing), never an
/// error. Payloads of at most one byte, and other extension types, carry
/// no refinements.
pub(super) fn parse(code: i8, payload: &[u8]) -> Refinements {
    let mut refinements = Refinements::default();
    if code == REFINED_UNKNOWN_EXT && payload.len() > 1 {
        let mut reader = Reader::new(payload);
        // Stops at the first entry it cannot read.
        let _ = read_entries(&mut reader, &mut refinements);
    }
    refinements
}

fn read_entries(reader: &mut Reader<'_>, into: &mut Refinements) -> Option<()> {
    let marker = reader.read_marker().ok()?;
    let count = reader.map_len_after(marker).ok()??;
    for _ in 0..count {
        let key = read_uint(reader)?;
        match key {
            NULLNESS => {
                into.nullness = Some(match reader.read_marker().ok()? {
                    Marker::True => Nullness::DefinitelyNull,
                    Marker::False => Nullness::DefinitelyNotNull,
                    _ => return None,
                });
            }
            STRING_PREFIX => {
                let marker = reader.read_marker().ok()?;
                let bytes = reader.bytes_after(marker).ok()??;
                into.string_prefix = Some(String::from_utf8(bytes.to_vec()).ok()?);
            }
            NUMBER_LOWER | NUMBER_UPPER => {
                let marker = reader.read_marker().ok()?;
                if reader.array_len_after(marker).ok()?? != 2 {
                    return None;
                }
                let marker = reader.read_marker().ok()?;
                let value = read_number_after(reader, marker).ok()??;
                let inclusive = match reader.read_marker().ok()? {
                    Marker::True => true,
                    Marker::False => false,
                    _ => return None,
                };
                let bound = Some(NumberBound { value, inclusive });
                if key == NUMBER_LOWER {
                    into.number_lower = bound;
                } else {
                    into.number_upper = bound;
                }
            }
            LENGTH_LOWER => into.length_lower = Some(read_uint(reader)?),
            LENGTH_UPPER => into.length_upper = Some(read_uint(reader)?),
            _ => reader.skip(0).ok()?,
        }
    }
    Some(())
}

fn read_uint(reader: &mut Reader<'_>) -> Option<u64> {
    let marker = reader.read_marker().ok()?;
    read_number_after(reader, marker).ok()??.as_u64()
}

/// Writes the map payload (without the extension header). Only call with
/// non-empty refinements: an empty set must be written as plain unknown.
pub(super) fn write_payload(out: &mut Out, refinements: &Refinements) -> Result<(), EncodeError> {
    let Refinements {
        nullness,
        string_prefix,
        number_lower,
        number_upper,
        length_lower,
        length_upper,
    } = refinements;
    let count = [
        nullness.is_some(),
        string_prefix.is_some(),
        number_lower.is_some(),
        number_upper.is_some(),
        length_lower.is_some(),
        length_upper.is_some(),
    ]
    .into_iter()
    .filter(|present| *present)
    .count();
    out.map_len(count)?;
    if let Some(nullness) = nullness {
        out.uint(NULLNESS);
        out.bool(*nullness == Nullness::DefinitelyNull);
    }
    if let Some(prefix) = string_prefix {
        out.uint(STRING_PREFIX);
        out.str(prefix)?;
    }
    for (key, bound) in [(NUMBER_LOWER, number_lower), (NUMBER_UPPER, number_upper)] {
        if let Some(NumberBound { value, inclusive }) = bound {
            out.uint(key);
            out.array_len(2)?;
            write_number(out, value)?;
            out.bool(*inclusive);
        }
    }
    for (key, length) in [(LENGTH_LOWER, length_lower), (LENGTH_UPPER, length_upper)] {
        if let Some(length) = length {
            out.uint(key);
            out.uint(*length);
        }
    }
    Ok(())
}
