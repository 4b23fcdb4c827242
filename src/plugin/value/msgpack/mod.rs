//! The msgpack codec of `DynamicValue.msgpack` (Terraform's object
//! wire format, hashicorp/terraform docs/plugin-protocol/object-wire-format.md,
//! as go-cty's cty/msgpack writes it).

mod decode;
mod encode;
mod reader;
mod refinements;
mod writer;

pub use decode::decode_msgpack;
pub use encode::encode_msgpack;

#[cfg(test)]
mod tests;
