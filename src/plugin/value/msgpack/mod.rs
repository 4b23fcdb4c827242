//! The msgpack codec of `DynamicValue.msgpack` (protocol reference §3.2–3.3).

mod decode;
mod encode;
mod reader;
mod refinements;

pub use decode::decode_msgpack;
pub use encode::encode_msgpack;

#[cfg(test)]
mod tests;
