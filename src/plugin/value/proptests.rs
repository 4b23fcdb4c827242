//! Property tests: generated types and values of those types survive both
//! codecs, and no input, however broken, makes a decoder panic.

use proptest::prelude::*;
use proptest::strategy::Union;

use super::*;

/// What a generated value may contain.
#[derive(Clone, Copy)]
struct Flavor {
    /// Unknown values (msgpack only).
    unknowns: bool,
    /// ±infinity (msgpack only).
    infinities: bool,
    /// How many `Value::Dynamic` levels may still nest (each picks a fresh
    /// random type, so this keeps generated values finite).
    dynamic_levels: u32,
}

const MSGPACK: Flavor = Flavor {
    unknowns: true,
    infinities: true,
    dynamic_levels: 2,
};

const JSON: Flavor = Flavor {
    unknowns: false,
    infinities: false,
    dynamic_levels: 2,
};

fn attribute_name() -> impl Strategy<Value = String> {
    prop_oneof![4 => "[a-z_][a-z0-9_]{0,6}", 1 => "\\PC{0,4}"]
}

fn arb_type() -> impl Strategy<Value = Type> {
    let leaf = prop_oneof![
        Just(Type::String),
        Just(Type::Number),
        Just(Type::Bool),
        Just(Type::Dynamic),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::btree_map(attribute_name(), inner.clone(), 0..4)
                .prop_map(Type::Object),
            prop::collection::vec(inner, 0..4).prop_map(Type::Tuple),
        ]
    })
}

fn arb_number(flavor: Flavor) -> BoxedStrategy<Number> {
    let floats = any::<f64>().prop_filter_map("NaN or excluded infinity", move |f| {
        if f.is_infinite() && !flavor.infinities {
            None
        } else {
            Number::from_f64(f)
        }
    });
    let decimals = (any::<bool>(), "[0-9]{1,40}", -500i64..500).prop_filter_map(
        "not a number",
        |(negative, digits, exponent)| {
            let sign = if negative { "-" } else { "" };
            format!("{sign}{digits}e{exponent}").parse().ok()
        },
    );
    // Small and boundary values exercise every msgpack int width.
    let edges = prop::sample::select(vec![
        i128::from(i64::MIN),
        -(1 << 31) - 1,
        -(1 << 31),
        -32769,
        -32768,
        -129,
        -128,
        -33,
        255,
        256,
        65535,
        65536,
        1 << 32,
        i128::from(i64::MAX),
        i128::from(i64::MAX) + 1,
        i128::from(u64::MAX),
    ])
    .prop_map(|i| i.to_string().parse().unwrap_or(Number::ZERO));
    prop_oneof![
        (-40i64..140).prop_map(Number::from),
        edges,
        any::<i64>().prop_map(Number::from),
        any::<u64>().prop_map(Number::from),
        floats,
        (-1000i32..1000).prop_map(|i| Number::from_f64(f64::from(i) / 8.0).unwrap_or(Number::ZERO)),
        decimals,
    ]
    .boxed()
}

fn arb_refinements() -> impl Strategy<Value = Refinements> {
    let bound = || {
        proptest::option::of(
            (arb_number(MSGPACK), any::<bool>())
                .prop_map(|(value, inclusive)| NumberBound { value, inclusive }),
        )
    };
    (
        proptest::option::of(prop_oneof![
            Just(Nullness::DefinitelyNull),
            Just(Nullness::DefinitelyNotNull)
        ]),
        proptest::option::of("\\PC{0,8}"),
        bound(),
        bound(),
        proptest::option::of(any::<u64>()),
        proptest::option::of(any::<u64>()),
    )
        .prop_map(
            |(nullness, string_prefix, number_lower, number_upper, length_lower, length_upper)| {
                Refinements {
                    nullness,
                    string_prefix,
                    number_lower,
                    number_upper,
                    length_lower,
                    length_upper,
                }
            },
        )
}

/// Any value of type `ty` (null and, if the flavor allows, unknown included).
fn arb_value(ty: &Type, flavor: Flavor) -> BoxedStrategy<Value> {
    let known = arb_known_value(ty, flavor);
    let mut choices = vec![(1, Just(Value::Null).boxed()), (6, known)];
    if flavor.unknowns {
        choices.push((
            1,
            arb_refinements().prop_map(Value::refined_unknown).boxed(),
        ));
    }
    Union::new_weighted(choices).boxed()
}

fn arb_known_value(ty: &Type, flavor: Flavor) -> BoxedStrategy<Value> {
    let elements = |element: &Type| prop::collection::vec(arb_value(element, flavor), 0..4);
    match ty {
        Type::String => any::<String>().prop_map(Value::String).boxed(),
        Type::Number => arb_number(flavor).prop_map(Value::Number).boxed(),
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::List(element) => elements(element).prop_map(Value::List).boxed(),
        Type::Set(element) => elements(element).prop_map(Value::Set).boxed(),
        Type::Map(element) => {
            prop::collection::btree_map("\\PC{0,6}", arb_value(element, flavor), 0..4)
                .prop_map(Value::Map)
                .boxed()
        }
        Type::Object(attributes) => attributes
            .iter()
            .map(|(name, ty)| {
                let name = name.clone();
                arb_value(ty, flavor).prop_map(move |v| (name.clone(), v))
            })
            .collect::<Vec<_>>()
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect()))
            .boxed(),
        Type::Tuple(types) => types
            .iter()
            .map(|ty| arb_value(ty, flavor))
            .collect::<Vec<_>>()
            .prop_map(Value::Tuple)
            .boxed(),
        Type::Dynamic if flavor.dynamic_levels == 0 => Just(Value::Null).boxed(),
        Type::Dynamic => {
            let inner = Flavor {
                dynamic_levels: flavor.dynamic_levels - 1,
                ..flavor
            };
            arb_type()
                .prop_flat_map(move |ty| {
                    arb_value(&ty, inner).prop_map(move |v| Value::dynamic(ty.clone(), v))
                })
                .boxed()
        }
    }
}

fn typed_value(flavor: Flavor) -> impl Strategy<Value = (Type, Value)> {
    arb_type().prop_flat_map(move |ty| (Just(ty.clone()), arb_value(&ty, flavor)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn msgpack_round_trips((ty, value) in typed_value(MSGPACK)) {
        let bytes = encode_msgpack(&ty, &value);
        prop_assert!(bytes.is_ok(), "{:?}", bytes);
        let bytes = bytes.unwrap_or_default();
        prop_assert_eq!(decode_msgpack(&ty, &bytes), Ok(value));
    }

    #[test]
    fn json_round_trips((ty, value) in typed_value(JSON)) {
        let bytes = encode_json(&ty, &value);
        prop_assert!(bytes.is_ok(), "{:?}", bytes);
        let bytes = bytes.unwrap_or_default();
        prop_assert_eq!(decode_json(&ty, &bytes), Ok(value));
    }

    #[test]
    fn type_json_round_trips(ty in arb_type()) {
        prop_assert_eq!(Type::from_json(&ty.to_json()), Ok(ty));
    }

    #[test]
    fn number_text_round_trips(number in arb_number(MSGPACK)) {
        prop_assert_eq!(number.to_string().parse::<Number>(), Ok(number));
    }

    #[test]
    fn truncated_msgpack_is_an_error((ty, value) in typed_value(MSGPACK)) {
        let bytes = encode_msgpack(&ty, &value).unwrap_or_default();
        // msgpack is self-delimiting: no strict prefix is a whole value.
        for end in 0..bytes.len() {
            prop_assert!(decode_msgpack(&ty, &bytes[..end]).is_err(), "prefix of {} bytes decoded", end);
        }
    }

    #[test]
    fn truncated_json_never_panics((ty, value) in typed_value(JSON)) {
        let bytes = encode_json(&ty, &value).unwrap_or_default();
        for end in 0..bytes.len() {
            let _ = decode_json(&ty, &bytes[..end]);
        }
    }

    #[test]
    fn corrupted_msgpack_never_panics(
        (ty, value) in typed_value(MSGPACK),
        position in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let mut bytes = encode_msgpack(&ty, &value).unwrap_or_default();
        if !bytes.is_empty() {
            let at = position.index(bytes.len());
            bytes[at] = byte;
        }
        // Whatever still decodes must survive another round trip.
        if let Ok(decoded) = decode_msgpack(&ty, &bytes) {
            let again = encode_msgpack(&ty, &decoded).map(|b| decode_msgpack(&ty, &b));
            prop_assert_eq!(again, Ok(Ok(decoded)));
        }
    }

    #[test]
    fn random_bytes_never_panic(ty in arb_type(), bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(decoded) = decode_msgpack(&ty, &bytes) {
            let again = encode_msgpack(&ty, &decoded).map(|b| decode_msgpack(&ty, &b));
            prop_assert_eq!(again, Ok(Ok(decoded)));
        }
        let _ = decode_json(&ty, &bytes);
        let _ = Type::from_json(&bytes);
    }

    #[test]
    fn random_text_never_panics(ty in arb_type(), text in "[\\[\\]{}\",:0-9a-z.eE+\\- \\\\]{0,40}") {
        let _ = decode_json(&ty, text.as_bytes());
        let _ = Type::from_json(text.as_bytes());
        let _ = text.parse::<Number>();
    }
}
