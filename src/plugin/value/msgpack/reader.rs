//! A bounds-checked cursor over msgpack bytes.
//!
//! Every read checks the remaining input first, so malformed or truncated
//! input is an error, never a panic, and no length from the input is
//! trusted before the bytes behind it are known to exist.

use rmp::Marker;

use crate::plugin::value::error::{DecodeError, DecodeErrorKind, MAX_DEPTH};
use crate::plugin::value::number::Number;

/// What the next msgpack item is, in words, for error messages.
pub(super) fn marker_name(marker: Marker) -> &'static str {
    match marker {
        Marker::Null => "nil",
        Marker::True | Marker::False => "boolean",
        Marker::FixPos(_)
        | Marker::FixNeg(_)
        | Marker::U8
        | Marker::U16
        | Marker::U32
        | Marker::U64
        | Marker::I8
        | Marker::I16
        | Marker::I32
        | Marker::I64 => "integer",
        Marker::F32 | Marker::F64 => "float",
        Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => "string",
        Marker::Bin8 | Marker::Bin16 | Marker::Bin32 => "binary",
        Marker::FixArray(_) | Marker::Array16 | Marker::Array32 => "array",
        Marker::FixMap(_) | Marker::Map16 | Marker::Map32 => "map",
        Marker::FixExt1
        | Marker::FixExt2
        | Marker::FixExt4
        | Marker::FixExt8
        | Marker::FixExt16
        | Marker::Ext8
        | Marker::Ext16
        | Marker::Ext32 => "extension",
        Marker::Reserved => "reserved byte 0xc1",
    }
}

pub(super) fn is_ext(marker: Marker) -> bool {
    matches!(
        marker,
        Marker::FixExt1
            | Marker::FixExt2
            | Marker::FixExt4
            | Marker::FixExt8
            | Marker::FixExt16
            | Marker::Ext8
            | Marker::Ext16
            | Marker::Ext32
    )
}

pub(super) struct Reader<'a> {
    rest: &'a [u8],
}

type Result<T> = std::result::Result<T, DecodeErrorKind>;

impl<'a> Reader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { rest: bytes }
    }

    pub(super) fn remaining(&self) -> usize {
        self.rest.len()
    }

    pub(super) fn peek_marker(&self) -> Result<Marker> {
        self.rest
            .first()
            .map(|b| Marker::from_u8(*b))
            .ok_or(DecodeErrorKind::UnexpectedEnd)
    }

    pub(super) fn read_marker(&mut self) -> Result<Marker> {
        let marker = self.peek_marker()?;
        self.rest = &self.rest[1..];
        Ok(marker)
    }

    pub(super) fn take(&mut self, count: usize) -> Result<&'a [u8]> {
        if count > self.rest.len() {
            return Err(DecodeErrorKind::UnexpectedEnd);
        }
        let (taken, rest) = self.rest.split_at(count);
        self.rest = rest;
        Ok(taken)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub(super) fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    pub(super) fn u16(&mut self) -> Result<u16> {
        self.array().map(u16::from_be_bytes)
    }

    pub(super) fn u32(&mut self) -> Result<u32> {
        self.array().map(u32::from_be_bytes)
    }

    pub(super) fn u64(&mut self) -> Result<u64> {
        self.array().map(u64::from_be_bytes)
    }

    pub(super) fn i8(&mut self) -> Result<i8> {
        self.array().map(i8::from_be_bytes)
    }

    pub(super) fn i16(&mut self) -> Result<i16> {
        self.array().map(i16::from_be_bytes)
    }

    pub(super) fn i32(&mut self) -> Result<i32> {
        self.array().map(i32::from_be_bytes)
    }

    pub(super) fn i64(&mut self) -> Result<i64> {
        self.array().map(i64::from_be_bytes)
    }

    pub(super) fn f32(&mut self) -> Result<f32> {
        self.array().map(f32::from_be_bytes)
    }

    pub(super) fn f64(&mut self) -> Result<f64> {
        self.array().map(f64::from_be_bytes)
    }

    fn length(&mut self, width: u8) -> Result<usize> {
        let length = match width {
            1 => u32::from(self.u8()?),
            2 => u32::from(self.u16()?),
            _ => self.u32()?,
        };
        usize::try_from(length).map_err(|_| DecodeErrorKind::UnexpectedEnd)
    }

    /// The payload of a str or bin whose marker was just read; `None` if the
    /// marker is neither.
    pub(super) fn bytes_after(&mut self, marker: Marker) -> Result<Option<&'a [u8]>> {
        let length = match marker {
            Marker::FixStr(n) => usize::from(n),
            Marker::Str8 | Marker::Bin8 => self.length(1)?,
            Marker::Str16 | Marker::Bin16 => self.length(2)?,
            Marker::Str32 | Marker::Bin32 => self.length(4)?,
            _ => return Ok(None),
        };
        self.take(length).map(Some)
    }

    /// The element count of an array whose marker was just read; `None` if
    /// the marker is not an array. The count is checked against the input
    /// (every element takes at least one byte), so it is safe to allocate.
    pub(super) fn array_len_after(&mut self, marker: Marker) -> Result<Option<usize>> {
        let length = match marker {
            Marker::FixArray(n) => usize::from(n),
            Marker::Array16 => self.length(2)?,
            Marker::Array32 => self.length(4)?,
            _ => return Ok(None),
        };
        if length > self.remaining() {
            return Err(DecodeErrorKind::UnexpectedEnd);
        }
        Ok(Some(length))
    }

    /// Like [`Reader::array_len_after`] for maps (two items per entry).
    pub(super) fn map_len_after(&mut self, marker: Marker) -> Result<Option<usize>> {
        let length = match marker {
            Marker::FixMap(n) => usize::from(n),
            Marker::Map16 => self.length(2)?,
            Marker::Map32 => self.length(4)?,
            _ => return Ok(None),
        };
        if length > self.remaining() / 2 {
            return Err(DecodeErrorKind::UnexpectedEnd);
        }
        Ok(Some(length))
    }

    /// The type code and payload of an extension whose marker was just
    /// read; `None` if the marker is not an extension.
    pub(super) fn ext_after(&mut self, marker: Marker) -> Result<Option<(i8, &'a [u8])>> {
        let length = match marker {
            Marker::FixExt1 => 1,
            Marker::FixExt2 => 2,
            Marker::FixExt4 => 4,
            Marker::FixExt8 => 8,
            Marker::FixExt16 => 16,
            Marker::Ext8 => self.length(1)?,
            Marker::Ext16 => self.length(2)?,
            Marker::Ext32 => self.length(4)?,
            _ => return Ok(None),
        };
        let code = self.i8()?;
        let payload = self.take(length)?;
        Ok(Some((code, payload)))
    }

    /// Skips one item of any kind (used for refinement keys this crate does
    /// not know).
    pub(super) fn skip(&mut self, depth: usize) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err(DecodeErrorKind::TooDeep { limit: MAX_DEPTH });
        }
        let marker = self.read_marker()?;
        let fixed = match marker {
            Marker::Null | Marker::True | Marker::False | Marker::FixPos(_) | Marker::FixNeg(_) => {
                0
            }
            Marker::U8 | Marker::I8 => 1,
            Marker::U16 | Marker::I16 => 2,
            Marker::U32 | Marker::I32 | Marker::F32 => 4,
            Marker::U64 | Marker::I64 | Marker::F64 => 8,
            Marker::Reserved => return Err(DecodeErrorKind::ReservedByte),
            _ => {
                if self.bytes_after(marker)?.is_some() || self.ext_after(marker)?.is_some() {
                    return Ok(());
                }
                if let Some(count) = self.array_len_after(marker)? {
                    for _ in 0..count {
                        self.skip(depth + 1)?;
                    }
                    return Ok(());
                }
                if let Some(count) = self.map_len_after(marker)? {
                    for _ in 0..count * 2 {
                        self.skip(depth + 1)?;
                    }
                    return Ok(());
                }
                0
            }
        };
        self.take(fixed).map(|_| ())
    }
}

/// A number whose marker was just read: any int, float32/64, or a string of
/// decimal text. `None` if the marker is none of those.
pub(super) fn read_number_after(
    reader: &mut Reader<'_>,
    marker: Marker,
) -> std::result::Result<Option<Number>, DecodeError> {
    let number = match marker {
        Marker::FixPos(n) => Number::from(i64::from(n)),
        Marker::FixNeg(n) => Number::from(i64::from(n)),
        Marker::U8 => Number::from(i64::from(reader.u8()?)),
        Marker::U16 => Number::from(i64::from(reader.u16()?)),
        Marker::U32 => Number::from(i64::from(reader.u32()?)),
        Marker::U64 => Number::from(reader.u64()?),
        Marker::I8 => Number::from(i64::from(reader.i8()?)),
        Marker::I16 => Number::from(i64::from(reader.i16()?)),
        Marker::I32 => Number::from(i64::from(reader.i32()?)),
        Marker::I64 => Number::from(reader.i64()?),
        Marker::F32 => {
            Number::try_from(f64::from(reader.f32()?)).map_err(DecodeErrorKind::Number)?
        }
        Marker::F64 => Number::try_from(reader.f64()?).map_err(DecodeErrorKind::Number)?,
        _ => match reader.bytes_after(marker)? {
            Some(bytes) => {
                let text = std::str::from_utf8(bytes).map_err(|_| DecodeErrorKind::InvalidUtf8)?;
                text.parse().map_err(DecodeErrorKind::Number)?
            }
            None => return Ok(None),
        },
    };
    Ok(Some(number))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_beyond_the_input_are_rejected_before_allocating() {
        // array32 claiming 4 billion elements, followed by nothing.
        let mut r = Reader::new(&[0xdd, 0xff, 0xff, 0xff, 0xff]);
        let marker = r.read_marker();
        assert_eq!(marker, Ok(Marker::Array32));
        assert_eq!(
            r.array_len_after(Marker::Array32),
            Err(DecodeErrorKind::UnexpectedEnd)
        );
        let mut r = Reader::new(&[0xde, 0x00, 0x02, 0xc0, 0xc0, 0xc0]);
        let _ = r.read_marker();
        assert_eq!(
            r.map_len_after(Marker::Map16),
            Err(DecodeErrorKind::UnexpectedEnd)
        );
        let mut r = Reader::new(&[0xdb, 0xff, 0xff, 0xff, 0xff, b'a']);
        let _ = r.read_marker();
        assert_eq!(
            r.bytes_after(Marker::Str32),
            Err(DecodeErrorKind::UnexpectedEnd)
        );
    }

    #[test]
    fn skips_nested_items() {
        // {1: [nil, "ab", ext1], 2: 3.0f32} then 0x07
        let bytes = [
            0x82, 0x01, 0x93, 0xc0, 0xa2, b'a', b'b', 0xd4, 0x00, 0x00, 0x02, 0xca, 0x40, 0x40,
            0x00, 0x00, 0x07,
        ];
        let mut r = Reader::new(&bytes);
        assert_eq!(r.skip(0), Ok(()));
        assert_eq!(r.u8(), Ok(7));
        assert_eq!(r.remaining(), 0);
    }
}
