//! The JSON codec of `DynamicValue.json` (Terraform's object wire format, hashicorp/terraform
//! docs/plugin-protocol/object-wire-format.md; go-cty's cty/json), the
//! fallback when a `DynamicValue` carries no msgpack.

mod decode;
mod encode;
mod meaning;
pub(crate) mod syntax;
mod type_json;

pub use decode::decode_json;
pub use encode::encode_json;
pub use meaning::json_texts_equal;
