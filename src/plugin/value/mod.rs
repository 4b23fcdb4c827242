//! TEMP STUB (not committed)
use std::collections::BTreeMap;
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    String,
    Number,
    Bool,
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
}
impl Type {
    pub fn to_json(&self) -> Vec<u8> {
        b"\"string\"".to_vec()
    }
}
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Refinements;
#[derive(Clone, Debug, PartialEq)]
pub enum Number {
    Int(i64),
}
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Unknown(Refinements),
    String(String),
    Number(Number),
    Bool(bool),
    List(Vec<Value>),
    Object(BTreeMap<String, Value>),
}
#[derive(Debug, thiserror::Error)]
#[error("x")]
pub struct DecodeError;
pub fn decode_msgpack(_t: &Type, _b: &[u8]) -> Result<Value, DecodeError> {
    Err(DecodeError)
}
pub fn decode_json(_t: &Type, _b: &[u8]) -> Result<Value, DecodeError> {
    Err(DecodeError)
}
pub fn encode_msgpack(_t: &Type, _v: &Value) -> Result<Vec<u8>, DecodeError> {
    Err(DecodeError)
}
