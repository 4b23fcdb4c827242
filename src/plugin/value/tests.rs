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
