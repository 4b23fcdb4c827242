//! Terraform values (cty) and their wire encodings.
//!
//! Terraform sends configuration as a `DynamicValue` (msgpack, or JSON as a
//! fallback) and expects state back the same way. Decoding needs the
//! schema's [`Type`]; the result is a [`Value`]. See §3 of
//! `terraform-plugin-protocol.md` for the rules these codecs follow.
//!
//! ```
//! use cams_provider::plugin::value::{decode_msgpack, encode_msgpack, Type, Value};
//!
//! let ty = Type::object([("n", Type::Number)]);
//! // {"n": 1000}, as Terraform writes it.
//! let bytes = [0x81, 0xa1, b'n', 0xcd, 0x03, 0xe8];
//! let value = decode_msgpack(&ty, &bytes).unwrap();
//! assert_eq!(value.get_attr("n").and_then(|n| n.as_number()?.as_i64()), Some(1000));
//! assert_eq!(encode_msgpack(&ty, &value).unwrap(), bytes);
//! ```

mod error;
mod json;
mod msgpack;
mod number;
mod path;
mod ty;
mod values;

pub use error::{DecodeError, DecodeErrorKind, EncodeError, EncodeErrorKind, MAX_DEPTH};
pub use json::{decode_json, encode_json, json_texts_equal};
pub use msgpack::{decode_msgpack, encode_msgpack};
pub use number::{Number, NumberError};
pub use path::{AttributePath, PathStep};
pub use ty::{Type, TypeError};
pub use values::{Nullness, NumberBound, Refinements, Value};

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
