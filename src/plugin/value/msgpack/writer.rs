//! The msgpack writes the encoders need, over a growable buffer that
//! cannot fail; shared by the value encoder and the refinements payload.

use std::convert::Infallible;

use rmp::encode::{self as rmp_encode, ByteBuf, ValueWriteError};

use crate::plugin::value::error::{EncodeError, EncodeErrorKind};
use crate::plugin::value::number::{Number, WireNumber};

/// Terraform's rule: an int if it is an integer (compact encoding), else a
/// float64 if exact, else the decimal text as a string.
pub(super) fn write_number(out: &mut Out, number: &Number) -> Result<(), EncodeError> {
    match number.wire() {
        WireNumber::Int(i) => {
            infallible(rmp_encode::write_sint(&mut out.0, i));
        }
        WireNumber::UInt(u) => out.uint(u),
        // Always float64 (0xcb): core never writes float32.
        WireNumber::Float(f) => infallible(rmp_encode::write_f64(&mut out.0, f)),
        WireNumber::Text(n) => out.str(&n.to_string())?,
    }
    Ok(())
}

/// Writing into a `ByteBuf` cannot fail; this proves it to the compiler.
pub(super) fn infallible<T>(result: Result<T, ValueWriteError<Infallible>>) -> T {
    match result {
        Ok(value) => value,
        Err(ValueWriteError::InvalidMarkerWrite(e) | ValueWriteError::InvalidDataWrite(e)) => {
            match e {}
        }
    }
}

/// The output buffer, with the msgpack writes the encoders need.
pub(super) struct Out(pub(super) ByteBuf);

impl Out {
    fn length(count: usize) -> Result<u32, EncodeError> {
        u32::try_from(count).map_err(|_| EncodeErrorKind::TooLong(count).into())
    }

    pub(super) fn nil(&mut self) {
        self.0.as_mut_vec().push(0xc0);
    }

    pub(super) fn bool(&mut self, value: bool) {
        self.0.as_mut_vec().push(if value { 0xc3 } else { 0xc2 });
    }

    pub(super) fn uint(&mut self, value: u64) {
        infallible(rmp_encode::write_uint(&mut self.0, value));
    }

    pub(super) fn str(&mut self, text: &str) -> Result<(), EncodeError> {
        Out::length(text.len())?;
        infallible(rmp_encode::write_str(&mut self.0, text));
        Ok(())
    }

    pub(super) fn bin(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        Out::length(bytes.len())?;
        infallible(rmp_encode::write_bin(&mut self.0, bytes));
        Ok(())
    }

    pub(super) fn array_len(&mut self, count: usize) -> Result<(), EncodeError> {
        infallible(rmp_encode::write_array_len(
            &mut self.0,
            Out::length(count)?,
        ));
        Ok(())
    }

    pub(super) fn map_len(&mut self, count: usize) -> Result<(), EncodeError> {
        infallible(rmp_encode::write_map_len(&mut self.0, Out::length(count)?));
        Ok(())
    }
}
