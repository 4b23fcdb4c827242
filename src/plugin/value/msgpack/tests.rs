//! Byte vectors Terraform really sends (as go-cty's cty/msgpack encodes
//! them; Terraform 1.0.3 observed), both ways.

use super::*;
use crate::plugin::value::{
    DecodeErrorKind, EncodeErrorKind, Nullness, Number, NumberBound, Refinements, Type, Value,
};

fn decode(ty: &Type, bytes: &[u8]) -> Value {
    match decode_msgpack(ty, bytes) {
        Ok(value) => value,
        Err(e) => panic!("decoding {bytes:02x?} as {ty}: {e}"),
    }
}

fn encode(ty: &Type, value: &Value) -> Vec<u8> {
    match encode_msgpack(ty, value) {
        Ok(bytes) => bytes,
        Err(e) => panic!("encoding {value:?} as {ty}: {e}"),
    }
}

fn decode_err(ty: &Type, bytes: &[u8]) -> DecodeErrorKind {
    match decode_msgpack(ty, bytes) {
        Ok(value) => panic!("decoding {bytes:02x?} as {ty} gave {value:?}"),
        Err(e) => e.kind,
    }
}

/// Decodes to `value` and encodes back to exactly `bytes`.
fn both_ways(ty: &Type, bytes: &[u8], value: &Value) {
    assert_eq!(&decode(ty, bytes), value, "decoding {bytes:02x?}");
    assert_eq!(encode(ty, value), bytes, "encoding {value:?}");
}

fn number(text: &str) -> Number {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn str_bytes(text: &str) -> Vec<u8> {
    let mut out = if text.len() < 32 {
        vec![0xa0 | text.len() as u8]
    } else {
        vec![0xd9, text.len() as u8]
    };
    out.extend_from_slice(text.as_bytes());
    out
}

#[test]
fn numbers_as_terraform_writes_them() {
    both_ways(&Type::Number, &[0xcd, 0x03, 0xe8], &1000i64.into());
    both_ways(
        &Type::Number,
        &[0xcb, 0x40, 0x04, 0, 0, 0, 0, 0, 0],
        &Value::number(number("2.5")),
    );
    both_ways(&Type::Number, &[0x07], &7i64.into());
    both_ways(&Type::Number, &[0xff], &(-1i64).into());
    both_ways(&Type::Number, &[0xd0, 0x80], &(-128i64).into());
    both_ways(&Type::Number, &[0xd1, 0x80, 0x00], &(-32768i64).into());
    both_ways(
        &Type::Number,
        &[0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0],
        &i64::MIN.into(),
    );
    both_ways(
        &Type::Number,
        &[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
        &Value::number(u64::MAX),
    );
    let big = "123456789012345678901234567890.5";
    both_ways(&Type::Number, &str_bytes(big), &Value::number(number(big)));
    both_ways(
        &Type::Number,
        &str_bytes("0.1"),
        &Value::number(number("0.1")),
    );
}

#[test]
fn numbers_in_other_forms_are_read() {
    // int64 and uint32 holding small values, float32, an integral float64.
    assert_eq!(
        decode(&Type::Number, &[0xd3, 0, 0, 0, 0, 0, 0, 0x03, 0xe8]),
        1000i64.into()
    );
    assert_eq!(
        decode(&Type::Number, &[0xce, 0, 0, 0x03, 0xe8]),
        1000i64.into()
    );
    assert_eq!(
        decode(&Type::Number, &[0xca, 0x40, 0x20, 0, 0]),
        Value::number(number("2.5"))
    );
    assert_eq!(
        decode(&Type::Number, &[0xcb, 0x40, 0x08, 0, 0, 0, 0, 0, 0]),
        3i64.into()
    );
    assert_eq!(decode(&Type::Number, &str_bytes("1e3")), 1000i64.into());
    // Infinity exists in cty; NaN does not.
    let inf = [0xcb, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0];
    both_ways(
        &Type::Number,
        &inf,
        &Value::number(Number::from_f64(f64::INFINITY).unwrap_or(Number::ZERO)),
    );
    assert!(matches!(
        decode_err(&Type::Number, &[0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0]),
        DecodeErrorKind::Number(_)
    ));
    assert!(matches!(
        decode_err(&Type::Number, &str_bytes("ten")),
        DecodeErrorKind::Number(_)
    ));
    assert!(matches!(
        decode_err(&Type::Number, &[0xc3]),
        DecodeErrorKind::WrongKind { .. }
    ));
}

#[test]
fn strings_bools_and_nulls() {
    both_ways(&Type::String, &str_bytes("héllo"), &"héllo".into());
    // go-cty reads bin as a string too.
    assert_eq!(
        decode(&Type::String, &[0xc4, 0x02, b'h', b'i']),
        "hi".into()
    );
    assert_eq!(
        decode_err(&Type::String, &[0xa2, 0xff, 0xfe]),
        DecodeErrorKind::InvalidUtf8
    );
    both_ways(&Type::Bool, &[0xc3], &true.into());
    both_ways(&Type::Bool, &[0xc2], &false.into());
    for ty in [
        Type::String,
        Type::list(Type::Bool),
        Type::object([("a", Type::Number)]),
    ] {
        both_ways(&ty, &[0xc0], &Value::Null);
    }
}

#[test]
fn plain_unknowns() {
    for ty in [
        Type::String,
        Type::Number,
        Type::Dynamic,
        Type::list(Type::String),
        Type::object([("a", Type::Bool)]),
    ] {
        both_ways(&ty, &[0xd4, 0x00, 0x00], &Value::unknown());
        // tf-provider's zero-length ext8, and any other extension type.
        assert_eq!(decode(&ty, &[0xc7, 0x00, 0x00]), Value::unknown());
        assert_eq!(decode(&ty, &[0xd5, 0x05, 0x01, 0x02]), Value::unknown());
    }
    // Inside an object, as in a config with `count.index`.
    let ty = Type::object([("input", Type::String), ("n", Type::Number)]);
    let bytes = [
        0x82, 0xa5, b'i', b'n', b'p', b'u', b't', 0xd4, 0x00, 0x00, 0xa1, b'n', 0x01,
    ];
    let value = Value::object([("input", Value::unknown()), ("n", 1i64.into())]);
    both_ways(&ty, &bytes, &value);
    assert!(!value.is_wholly_known());
}

#[test]
fn refined_unknowns() {
    // ext8, type 12: {1: false} — "definitely not null", as Terraform ≥ 1.6 sends.
    let not_null = [0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2];
    let refined = Value::refined_unknown(Refinements {
        nullness: Some(Nullness::DefinitelyNotNull),
        ..Refinements::default()
    });
    both_ways(&Type::String, &not_null, &refined);
    assert!(matches!(&refined, Value::Unknown(r) if r.is_definitely_not_null()));

    // {1: false, 2: "ab"} for a string.
    let prefix = [0xc7, 0x07, 0x0c, 0x82, 0x01, 0xc2, 0x02, 0xa2, b'a', b'b'];
    both_ways(
        &Type::String,
        &prefix,
        &Value::refined_unknown(Refinements {
            nullness: Some(Nullness::DefinitelyNotNull),
            string_prefix: Some("ab".into()),
            ..Refinements::default()
        }),
    );

    // {3: [0, true], 4: [2.5, false]} for a number; {5: 1, 6: 300} for a list.
    let mut bounds = vec![
        0xc7, 0x11, 0x0c, 0x82, 0x03, 0x92, 0x00, 0xc3, 0x04, 0x92, 0xcb,
    ];
    bounds.extend_from_slice(&[0x40, 0x04, 0, 0, 0, 0, 0, 0, 0xc2]);
    both_ways(
        &Type::Number,
        &bounds,
        &Value::refined_unknown(Refinements {
            number_lower: Some(NumberBound {
                value: Number::ZERO,
                inclusive: true,
            }),
            number_upper: Some(NumberBound {
                value: number("2.5"),
                inclusive: false,
            }),
            ..Refinements::default()
        }),
    );
    let lengths = [0xc7, 0x07, 0x0c, 0x82, 0x05, 0x01, 0x06, 0xcd, 0x01, 0x2c];
    both_ways(
        &Type::list(Type::String),
        &lengths,
        &Value::refined_unknown(Refinements {
            length_lower: Some(1),
            length_upper: Some(300),
            ..Refinements::default()
        }),
    );
}

#[test]
fn refinement_payloads_are_read_best_effort() {
    // Unknown keys are skipped.
    let future = [0xc7, 0x06, 0x0c, 0x82, 0x63, 0x91, 0xc0, 0x01, 0xc2];
    assert!(
        matches!(decode(&Type::String, &future), Value::Unknown(r) if r.is_definitely_not_null())
    );
    // Garbage after a good entry keeps the good entry; garbage payloads
    // still mean unknown.
    let garbage = [0xc7, 0x05, 0x0c, 0x82, 0x01, 0xc2, 0xc1, 0xc1];
    assert!(
        matches!(decode(&Type::String, &garbage), Value::Unknown(r) if r.is_definitely_not_null())
    );
    for payload in [
        &[0xc1, 0xc1][..],
        &[0x81, 0x01, 0xc0],
        &[0xdf, 0xff, 0xff, 0xff, 0xff],
        &[0x81, 0x02, 0xa5],
    ] {
        let mut bytes = vec![0xc7, payload.len() as u8, 0x0c];
        bytes.extend_from_slice(payload);
        assert!(decode(&Type::String, &bytes).is_unknown(), "{payload:02x?}");
    }
}

#[test]
fn dynamic_values_carry_their_type_as_bin() {
    // Observed: HCL `{ a = 1, b = ["x"] }` in a dynamic attribute.
    let type_json = br#"["object",{"a":"number","b":["tuple",["string"]]}]"#;
    let mut bytes = vec![0x92, 0xc4, type_json.len() as u8];
    bytes.extend_from_slice(type_json);
    bytes.extend_from_slice(&[0x82, 0xa1, b'a', 0x01, 0xa1, b'b', 0x91, 0xa1, b'x']);
    let ty = Type::object([("a", Type::Number), ("b", Type::Tuple(vec![Type::String]))]);
    let value = Value::dynamic(
        ty,
        Value::object([("a", 1i64.into()), ("b", Value::Tuple(vec!["x".into()]))]),
    );
    both_ways(&Type::Dynamic, &bytes, &value);
    assert_eq!(
        value
            .get_attr("a")
            .and_then(Value::as_number)
            .and_then(Number::as_i64),
        Some(1)
    );

    // The type may also come as str; a typed null keeps its type.
    let mut typed_null = vec![0x92, 0xa8];
    typed_null.extend_from_slice(b"\"string\"");
    typed_null.push(0xc0);
    assert_eq!(
        decode(&Type::Dynamic, &typed_null),
        Value::dynamic(Type::String, Value::Null)
    );
    both_ways(&Type::Dynamic, &[0xc0], &Value::Null);

    for bad in [
        &[0x91, 0xc0][..],
        &[0x93, 0xc0, 0xc0, 0xc0],
        &[0xa1, b'x'],
        &[0x92, 0x01, 0xc0],
    ] {
        assert!(
            matches!(
                decode_err(&Type::Dynamic, bad),
                DecodeErrorKind::MalformedDynamic(_)
            ),
            "{bad:02x?}"
        );
    }
    let mut bad_type = vec![0x92, 0xa6];
    bad_type.extend_from_slice(b"\"strg\"");
    bad_type.push(0xc0);
    assert!(matches!(
        decode_err(&Type::Dynamic, &bad_type),
        DecodeErrorKind::DynamicType(_)
    ));
}

#[test]
fn objects_need_exactly_their_attributes() {
    let ty = Type::object([("a", Type::Number), ("b", Type::String)]);
    // Keys come out sorted bytewise whatever order they arrive in.
    let bytes = [0x82, 0xa1, b'a', 0x01, 0xa1, b'b', 0xc0];
    let value = Value::object([("b", Value::Null), ("a", 1i64.into())]);
    both_ways(&ty, &bytes, &value);
    assert_eq!(
        decode(&ty, &[0x82, 0xa1, b'b', 0xc0, 0xa1, b'a', 0x01]),
        value
    );

    assert_eq!(
        decode_err(&ty, &[0x81, 0xa1, b'a', 0x01]),
        DecodeErrorKind::MissingAttribute("b".into())
    );
    assert_eq!(
        decode_err(
            &ty,
            &[0x83, 0xa1, b'a', 0x01, 0xa1, b'b', 0xc0, 0xa1, b'c', 0xc0]
        ),
        DecodeErrorKind::UnsupportedAttribute("c".into())
    );
    assert_eq!(
        decode_err(&ty, &[0x82, 0xa1, b'a', 0x01, 0xa1, b'a', 0x01]),
        DecodeErrorKind::DuplicateKey("a".into())
    );
    assert!(matches!(
        decode_err(&ty, &[0x81, 0x01, 0x01]),
        DecodeErrorKind::WrongKind { .. }
    ));
    assert!(matches!(
        decode_err(&ty, &[0x90]),
        DecodeErrorKind::WrongKind { .. }
    ));

    let missing = Value::object([("a", Value::from(1i64))]);
    assert_eq!(
        encode_msgpack(&ty, &missing).map_err(|e| e.kind),
        Err(EncodeErrorKind::MissingAttribute("b".into()))
    );
    let extra = Value::object([("a", 1i64.into()), ("b", Value::Null), ("c", Value::Null)]);
    assert_eq!(
        encode_msgpack(&ty, &extra).map_err(|e| e.kind),
        Err(EncodeErrorKind::UnsupportedAttribute("c".into()))
    );
}

#[test]
fn collections() {
    let list = Type::list(Type::String);
    both_ways(
        &list,
        &[0x92, 0xa1, b'x', 0xc0],
        &Value::List(vec!["x".into(), Value::Null]),
    );
    both_ways(&list, &[0x90], &Value::List(vec![]));
    both_ways(
        &Type::set(Type::Number),
        &[0x92, 0x02, 0x01],
        &Value::Set(vec![2i64.into(), 1i64.into()]),
    );
    let map = Type::map(Type::Bool);
    let value = Value::Map(
        [("b", true), ("a", false), ("B", true)]
            .map(|(k, v)| (k.to_owned(), v.into()))
            .into(),
    );
    both_ways(
        &map,
        &[0x83, 0xa1, b'B', 0xc3, 0xa1, b'a', 0xc2, 0xa1, b'b', 0xc3],
        &value,
    );
    assert_eq!(
        decode_err(&map, &[0x82, 0xa1, b'a', 0xc3, 0xa1, b'a', 0xc3]),
        DecodeErrorKind::DuplicateKey("a".into())
    );

    let tuple = Type::Tuple(vec![Type::String, Type::Bool]);
    both_ways(
        &tuple,
        &[0x92, 0xa0, 0xc2],
        &Value::Tuple(vec!["".into(), false.into()]),
    );
    assert_eq!(
        decode_err(&tuple, &[0x91, 0xa0]),
        DecodeErrorKind::TupleLength {
            expected: 2,
            found: 1
        }
    );
    assert_eq!(
        encode_msgpack(&tuple, &Value::Tuple(vec![])).map_err(|e| e.kind),
        Err(EncodeErrorKind::TupleLength {
            expected: 2,
            found: 0
        })
    );
}

#[test]
fn malformed_input_is_an_error() {
    let ty = Type::list(Type::String);
    assert_eq!(decode_err(&ty, &[]), DecodeErrorKind::UnexpectedEnd);
    assert_eq!(
        decode_err(&ty, &[0x92, 0xa1]),
        DecodeErrorKind::UnexpectedEnd
    );
    assert_eq!(decode_err(&ty, &[0xc1]), DecodeErrorKind::ReservedByte);
    assert_eq!(
        decode_err(&ty, &[0x90, 0x00]),
        DecodeErrorKind::TrailingBytes { count: 1 }
    );
    assert_eq!(
        decode_err(&ty, &[0xdd, 0xff, 0xff, 0xff, 0xff]),
        DecodeErrorKind::UnexpectedEnd
    );
    assert_eq!(
        decode_err(&Type::Number, &[0xcd, 0x03]),
        DecodeErrorKind::UnexpectedEnd
    );
    assert_eq!(
        decode_err(&Type::String, &[0xd4, 0x00]),
        DecodeErrorKind::UnexpectedEnd
    );
}

#[test]
fn errors_say_where() {
    let ty = Type::object([("screens", Type::list(Type::object([("id", Type::String)])))]);
    // {"screens": [{"id": "a"}, {"id": "b"}, {"id": 5}]}
    let mut bytes = vec![0x81, 0xa7];
    bytes.extend_from_slice(b"screens");
    bytes.push(0x93);
    for id in [&[0xa1, b'a'][..], &[0xa1, b'b'], &[0x05]] {
        bytes.extend_from_slice(&[0x81, 0xa2, b'i', b'd']);
        bytes.extend_from_slice(id);
    }
    let error = decode_msgpack(&ty, &bytes).err();
    assert_eq!(
        error.as_ref().map(|e| e.path.to_string()).as_deref(),
        Some("screens[2].id")
    );
    assert_eq!(
        error.map(|e| e.to_string()).as_deref(),
        Some("screens[2].id: string required, found integer")
    );

    let screens =
        |id: Value| Value::object([("screens", Value::List(vec![Value::object([("id", id)])]))]);
    let error = encode_msgpack(&ty, &screens(true.into())).err();
    assert_eq!(
        error.map(|e| e.to_string()).as_deref(),
        Some("screens[0].id: string required, found bool")
    );
    let map = Type::map(Type::set(Type::Number));
    let value = Value::Map([("k".to_owned(), Value::Set(vec!["x".into()]))].into());
    assert_eq!(
        encode_msgpack(&map, &value).map_err(|e| e.path.to_string()),
        Err("[\"k\"][0]".to_owned())
    );
}

#[test]
fn dynamic_positions_need_the_value_type() {
    assert_eq!(
        encode_msgpack(&Type::Dynamic, &"x".into()).map_err(|e| e.kind),
        Err(EncodeErrorKind::DynamicWithoutType)
    );
    assert!(matches!(
        encode_msgpack(&Type::String, &Value::dynamic(Type::String, "x".into()))
            .map_err(|e| e.kind),
        Err(EncodeErrorKind::WrongKind { .. })
    ));
}
