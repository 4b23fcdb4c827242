//! Tests across both codecs: nesting limits and JSON vectors.

use super::*;

/// Runs `f` on a thread with the stack tokio gives its workers (2 MiB), so
/// the depth limit is proven to fit there even in unoptimised builds.
fn on_worker_sized_stack(f: impl FnOnce() + Send + 'static) {
    let worker = std::thread::Builder::new().stack_size(2 << 20).spawn(f);
    match worker.map(|handle| handle.join()) {
        Ok(Ok(())) => {}
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(e) => panic!("cannot spawn a thread: {e}"),
    }
}

/// `depth` nested lists around "x": type, msgpack and JSON.
fn nested_lists(depth: usize) -> (Type, Vec<u8>, Vec<u8>) {
    let mut ty = Type::String;
    for _ in 0..depth {
        ty = Type::list(ty);
    }
    let mut msgpack = vec![0x91; depth];
    msgpack.extend_from_slice(&[0xa1, b'x']);
    let json = format!("{}\"x\"{}", "[".repeat(depth), "]".repeat(depth)).into_bytes();
    (ty, msgpack, json)
}

#[test]
fn nesting_up_to_the_limit_works_on_a_worker_stack() {
    on_worker_sized_stack(|| {
        let (ty, msgpack, json) = nested_lists(MAX_DEPTH);
        let value = decode_msgpack(&ty, &msgpack);
        assert!(value.is_ok(), "{value:?}");
        let value = value.unwrap_or(Value::Null);
        assert_eq!(encode_msgpack(&ty, &value).as_deref(), Ok(&msgpack[..]));
        assert_eq!(decode_json(&ty, &json).as_ref(), Ok(&value));
        assert_eq!(encode_json(&ty, &value).as_deref(), Ok(&json[..]));
        assert_eq!(value.clone(), value);
        assert!(value.is_wholly_known());
    });
}

#[test]
fn nesting_beyond_the_limit_is_an_error_not_a_crash() {
    on_worker_sized_stack(|| {
        let too_deep = Err(DecodeErrorKind::TooDeep { limit: MAX_DEPTH });
        let (ty, msgpack, json) = nested_lists(MAX_DEPTH + 1);
        assert_eq!(decode_msgpack(&ty, &msgpack).map_err(|e| e.kind), too_deep);
        assert_eq!(decode_json(&ty, &json).map_err(|e| e.kind), too_deep);

        // A dynamic value can nest without end in its own bytes.
        let mut msgpack = Vec::new();
        let mut json = Vec::new();
        for _ in 0..100_000 {
            msgpack.extend_from_slice(&[0x92, 0xc4, 0x09]);
            msgpack.extend_from_slice(b"\"dynamic\"");
            json.extend_from_slice(br#"{"type":"dynamic","value":"#);
        }
        msgpack.push(0xc0);
        json.extend_from_slice(b"null");
        json.extend(std::iter::repeat_n(b'}', 100_000));
        assert_eq!(
            decode_msgpack(&Type::Dynamic, &msgpack).map_err(|e| e.kind),
            too_deep
        );
        assert_eq!(
            decode_json(&Type::Dynamic, &json).map_err(|e| e.kind),
            too_deep
        );

        // Values built in code are checked when encoded.
        let (ty, _, _) = nested_lists(MAX_DEPTH + 1);
        let mut value = Value::from("x");
        for _ in 0..=MAX_DEPTH {
            value = Value::List(vec![value]);
        }
        let too_deep = Err(EncodeErrorKind::TooDeep { limit: MAX_DEPTH });
        assert_eq!(encode_msgpack(&ty, &value).map_err(|e| e.kind), too_deep);
        assert_eq!(encode_json(&ty, &value).map_err(|e| e.kind), too_deep);
    });
}

fn config_type() -> Type {
    Type::object([
        ("name", Type::String),
        ("n", Type::Number),
        ("d", Type::Dynamic),
        ("tags", Type::map(Type::String)),
        ("l", Type::list(Type::Number)),
        ("on", Type::Bool),
    ])
}

fn decode_json_ok(ty: &Type, text: &str) -> Value {
    match decode_json(ty, text.as_bytes()) {
        Ok(value) => value,
        Err(e) => panic!("{text}: {e}"),
    }
}

fn number(text: &str) -> Number {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

#[test]
fn json_values_decode_exactly() {
    let text = r#"{"name":"x","n":123456789012345678901234567890.5,
        "d":{"type":["object",{"a":"number"}],"value":{"a":1}},
        "tags":{"k":"v"},"l":[1,2.5,0.1],"on":true}"#;
    let value = decode_json_ok(&config_type(), text);
    let expected = Value::object([
        ("name", Value::from("x")),
        (
            "n",
            Value::number(number("123456789012345678901234567890.5")),
        ),
        (
            "d",
            Value::dynamic(
                Type::object([("a", Type::Number)]),
                Value::object([("a", 1i64.into())]),
            ),
        ),
        ("tags", Value::Map([("k".to_owned(), "v".into())].into())),
        (
            "l",
            Value::List(vec![
                1i64.into(),
                Value::number(number("2.5")),
                Value::number(number("0.1")),
            ]),
        ),
        ("on", true.into()),
    ]);
    assert_eq!(value, expected);
    // And back: sorted keys, exact numbers, dynamic as {"type","value"}.
    let encoded = encode_json(&config_type(), &value).map(String::from_utf8);
    assert_eq!(
        encoded,
        Ok(Ok(concat!(
            r#"{"d":{"type":["object",{"a":"number"}],"value":{"a":1}},"l":[1,2.5,0.1],"#,
            r#""n":123456789012345678901234567890.5,"name":"x","on":true,"tags":{"k":"v"}}"#
        )
        .to_owned()))
    );
}

#[test]
fn json_objects_fill_absent_attributes_with_null() {
    let value = decode_json_ok(&config_type(), r#"{"name":"x"}"#);
    assert_eq!(value.get_attr("name").and_then(Value::as_str), Some("x"));
    for name in ["n", "d", "tags", "l", "on"] {
        assert!(value.get_attr(name).is_some_and(Value::is_null), "{name}");
    }
    assert_eq!(decode_json_ok(&config_type(), "null"), Value::Null);
}

#[test]
fn json_strings_numbers_and_bools_convert_like_cty() {
    assert_eq!(decode_json_ok(&Type::String, "12.50"), "12.50".into());
    assert_eq!(decode_json_ok(&Type::String, "false"), "false".into());
    assert_eq!(decode_json_ok(&Type::Number, r#""1e3""#), 1000i64.into());
    assert_eq!(decode_json_ok(&Type::Bool, r#""true""#), true.into());
    assert!(decode_json(&Type::Bool, br#""yes""#).is_err());
    assert!(decode_json(&Type::Number, br#""ten""#).is_err());
}

#[test]
fn json_errors_say_where() {
    let ty = config_type();
    let kind_at =
        |text: &str| decode_json(&ty, text.as_bytes()).map_err(|e| (e.path.to_string(), e.kind));
    assert!(matches!(
        kind_at(r#"{"l":[1,true]}"#),
        Err((path, DecodeErrorKind::WrongKind { .. })) if path == "l[1]"
    ));
    assert_eq!(
        kind_at(r#"{"extra":1}"#),
        Err((
            String::new(),
            DecodeErrorKind::UnsupportedAttribute("extra".into())
        ))
    );
    assert_eq!(
        kind_at(r#"{"name":"a","name":"b"}"#),
        Err((String::new(), DecodeErrorKind::DuplicateKey("name".into())))
    );
    assert_eq!(
        kind_at(r#"{"tags":{"k":"v","k":"w"}}"#),
        Err(("tags".to_owned(), DecodeErrorKind::DuplicateKey("k".into())))
    );
    assert!(matches!(
        kind_at(r#"{"d":{"value":1}}"#),
        Err((path, DecodeErrorKind::MalformedDynamic(_))) if path == "d"
    ));
    assert!(matches!(
        kind_at(r#"{"d":{"type":"strin","value":1}}"#),
        Err((path, DecodeErrorKind::DynamicType(_))) if path == "d"
    ));
    assert!(matches!(
        kind_at(r#"{"d":"bare"}"#),
        Err((path, DecodeErrorKind::MalformedDynamic(_))) if path == "d"
    ));
    let syntax = decode_json(&ty, b"{\"name\" \"x\"}").map_err(|e| e.to_string());
    assert_eq!(
        syntax,
        Err("invalid JSON at byte 8: expected ':'".to_owned())
    );
}

#[test]
fn json_cannot_hold_unknowns_or_infinities() {
    let ty = Type::list(Type::Number);
    let unknown = Value::List(vec![Value::unknown()]);
    assert_eq!(
        encode_json(&ty, &unknown).map_err(|e| (e.path.to_string(), e.kind)),
        Err(("[0]".to_owned(), EncodeErrorKind::UnknownInJson))
    );
    let infinite = Value::List(vec![Value::number(
        Number::from_f64(f64::INFINITY).unwrap_or(Number::ZERO),
    )]);
    assert_eq!(
        encode_json(&ty, &infinite).map_err(|e| e.kind),
        Err(EncodeErrorKind::InfinityInJson)
    );
    assert_eq!(
        encode_json(&Type::Dynamic, &"x".into()).map_err(|e| e.kind),
        Err(EncodeErrorKind::DynamicWithoutType)
    );
}

#[test]
fn json_floats_are_written_exactly() {
    let tenth = Value::number(Number::from_f64(0.1).unwrap_or(Number::ZERO));
    let json = encode_json(&Type::Number, &tenth);
    assert_eq!(
        json.as_deref(),
        Ok(&b"0.1000000000000000055511151231257827021181583404541015625"[..])
    );
    assert_eq!(json.map(|j| decode_json(&Type::Number, &j)), Ok(Ok(tenth)));
}
