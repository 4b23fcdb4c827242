//! The JSON codec of `DynamicValue.json` (protocol reference §3.5), the
//! fallback when a `DynamicValue` carries no msgpack.

mod decode;
mod encode;
pub(crate) mod syntax;

pub use decode::decode_json;
pub use encode::encode_json;
