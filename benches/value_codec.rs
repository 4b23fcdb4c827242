//! Micro-benchmarks of the Terraform value codecs (`plugin::value`).
//!
//! Payloads are what the provider really handles: the `cams_flow_json`
//! data source's config as Terraform sends it while planning (unknown and
//! null members), its state with a Flow JSON `content` of ~2 KB and ~1 MB,
//! and a nested object/list/map/set/dynamic value for the general paths.
//!
//! Run: `cargo bench --bench value_codec`.

use std::hint::black_box;

use cams_provider::plugin::value::{
    decode_json, decode_msgpack, encode_json, encode_msgpack, Nullness, Refinements, Type, Value,
};
use cams_provider::provider::flows::json_data_source::flow_json_schema;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// A Flow JSON document of at least `min_bytes`: screens appended until it
/// is big enough, so the string has the escapes (`\"`) and the shape of
/// real content.
fn flow_json_content(min_bytes: usize) -> String {
    let mut screens = Vec::new();
    let mut length = 0;
    while length < min_bytes {
        let n = screens.len();
        let screen = format!(
            r#"{{"id":"SCREEN_{n}","title":"Step {n}","terminal":false,"data":{{"name":{{"type":"string","__example__":"Ana"}}}},"layout":{{"type":"SingleColumnLayout","children":[{{"type":"TextHeading","text":"Tell us about you"}},{{"type":"TextInput","name":"name_{n}","label":"Your name","required":true}},{{"type":"Footer","label":"Continue","on-click-action":{{"name":"navigate","next":{{"type":"screen","name":"SCREEN_{next}"}}}}}}]}}}}"#,
            next = n + 1
        );
        length += screen.len() + 1;
        screens.push(screen);
    }
    format!(
        r#"{{"version":"7.0","data_api_version":"3.0","routing_model":{{}},"screens":[{}]}}"#,
        screens.join(",")
    )
}

/// The data source's object type, straight from its schema.
fn flow_json_type() -> Type {
    flow_json_schema().block.implied_type()
}

/// The config during `terraform plan`: the arguments set (or null), every
/// computed attribute unknown; `id` refined as "not null", as Terraform
/// ≥ 1.6 does.
fn planned_config() -> Value {
    let unknown = Value::unknown;
    Value::object([
        ("flow_id", Value::string("17b6a3e2c8d94f01b5e7a2c3d4e5f607")),
        ("cust_space_id", Value::Null),
        (
            "id",
            Value::refined_unknown(Refinements {
                nullness: Some(Nullness::DefinitelyNotNull),
                ..Refinements::default()
            }),
        ),
        ("file_path", unknown()),
        ("content", unknown()),
        ("content_sha256", unknown()),
        ("request_id", unknown()),
        ("flow_json_version", unknown()),
        ("screen_ids", unknown()),
    ])
}

/// The state after a read, with `content` as given; `cust_space_id` left
/// null (taken from the provider block).
fn read_state(content: &str) -> Value {
    Value::object([
        ("flow_id", Value::string("17b6a3e2c8d94f01b5e7a2c3d4e5f607")),
        ("cust_space_id", Value::Null),
        ("id", Value::string("17b6a3e2c8d94f01b5e7a2c3d4e5f607")),
        (
            "file_path",
            Value::string("https://example-bucket.oss-ap-southeast-1.aliyuncs.com/flows/9658820125168.json?OSSAccessKeyId=testid&Expires=1714551000&Signature=L%2FVE%2BMgGDx6oX7%2BPKNA%2FRv2RVXw%3D"),
        ),
        ("content", Value::string(content)),
        (
            "content_sha256",
            Value::string("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
        ),
        (
            "request_id",
            Value::string("C826B7B0-2E6C-5C1D-9B4A-7E1F0A3D2B11"),
        ),
        ("flow_json_version", Value::string("7.0")),
        (
            "screen_ids",
            Value::List(
                ["WELCOME", "DETAILS", "ADDRESS", "CONFIRM", "SUCCESS"]
                    .into_iter()
                    .map(Value::string)
                    .collect(),
            ),
        ),
    ])
}

/// An object using every collection kind, nested, with numbers, bools,
/// nulls, unknowns and a dynamic member.
fn nested() -> (Type, Value) {
    let screen_type = Type::object([
        ("id", Type::String),
        ("terminal", Type::Bool),
        ("weights", Type::map(Type::Number)),
        ("tags", Type::set(Type::String)),
    ]);
    let ty = Type::object([
        ("name", Type::String),
        ("labels", Type::map(Type::String)),
        ("screens", Type::list(screen_type)),
        ("extra", Type::Dynamic),
    ]);
    let screens = (0..20)
        .map(|i: i64| {
            Value::object([
                ("id", Value::string(format!("SCREEN_{i}"))),
                ("terminal", Value::Bool(i == 19)),
                (
                    "weights",
                    Value::Map(
                        [("a", i), ("b", i * 1000), ("c", -i * 70_000)]
                            .into_iter()
                            .map(|(k, n)| (k.to_owned(), Value::number(n)))
                            .collect(),
                    ),
                ),
                (
                    "tags",
                    if i % 5 == 4 {
                        Value::unknown()
                    } else {
                        Value::Set(vec![
                            Value::string("form"),
                            Value::string(format!("step-{i}")),
                        ])
                    },
                ),
            ])
        })
        .collect();
    let value = Value::object([
        ("name", Value::string("onboarding")),
        (
            "labels",
            Value::Map(
                (0..10)
                    .map(|i| (format!("label-{i}"), Value::string(format!("value {i}"))))
                    .collect(),
            ),
        ),
        ("screens", Value::List(screens)),
        (
            "extra",
            Value::dynamic(
                Type::list(Type::Number),
                Value::List((0..8).map(|i: i64| Value::number(i * 3)).collect()),
            ),
        ),
    ]);
    (ty, value)
}

/// Encode and decode benchmarks of one value, with byte throughput.
fn bench_msgpack_pair(c: &mut Criterion, group_name: &str, ty: &Type, value: &Value) {
    let bytes = match encode_msgpack(ty, value) {
        Ok(bytes) => bytes,
        Err(e) => panic!("{group_name}: the benchmark value does not encode: {e}"),
    };
    // Measure the success path only: the bytes must decode to the value.
    match decode_msgpack(ty, &bytes) {
        Ok(decoded) => assert_eq!(&decoded, value, "{group_name}: round trip"),
        Err(e) => panic!("{group_name}: the encoded value does not decode: {e}"),
    }
    let mut group = c.benchmark_group(group_name);
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("decode_msgpack", |b| {
        b.iter(|| decode_msgpack(black_box(ty), black_box(&bytes)))
    });
    group.bench_function("encode_msgpack", |b| {
        b.iter(|| encode_msgpack(black_box(ty), black_box(value)))
    });
    group.finish();
}

fn bench_flow_json_object(c: &mut Criterion) {
    let ty = flow_json_type();
    bench_msgpack_pair(c, "value/flow_json_planned_config", &ty, &planned_config());
    for (name, size) in [("2kb", 2 * 1024), ("1mb", 1024 * 1024)] {
        let state = read_state(&flow_json_content(size));
        bench_msgpack_pair(c, &format!("value/flow_json_state_{name}"), &ty, &state);
        // JSON is the fallback encoding (older state, `terraform show`).
        let json = match encode_json(&ty, &state) {
            Ok(json) => json,
            Err(e) => panic!("the state does not encode as JSON: {e}"),
        };
        match decode_json(&ty, &json) {
            Ok(decoded) => assert_eq!(decoded, state, "JSON round trip"),
            Err(e) => panic!("the state's JSON does not decode: {e}"),
        }
        let mut group = c.benchmark_group(format!("value/flow_json_state_{name}"));
        group.throughput(Throughput::Bytes(json.len() as u64));
        group.bench_function("decode_json", |b| {
            b.iter(|| decode_json(black_box(&ty), black_box(&json)))
        });
        group.bench_function("encode_json", |b| {
            b.iter(|| encode_json(black_box(&ty), black_box(&state)))
        });
        group.finish();
    }
}

fn bench_nested(c: &mut Criterion) {
    let (ty, value) = nested();
    bench_msgpack_pair(c, "value/nested", &ty, &value);
}

/// The type JSON a schema and every dynamic value carry.
fn bench_type_json(c: &mut Criterion) {
    let mut group = c.benchmark_group("value/type_json");
    for (name, ty) in [("flow_json", flow_json_type()), ("nested", nested().0)] {
        let json = ty.to_json();
        assert_eq!(Type::from_json(&json).ok(), Some(ty.clone()), "{name}");
        group.bench_function(format!("{name}/to_json"), |b| {
            b.iter(|| black_box(&ty).to_json())
        });
        group.bench_function(format!("{name}/from_json"), |b| {
            b.iter(|| Type::from_json(black_box(&json)))
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    bench_flow_json_object,
    bench_nested,
    bench_type_json
);
criterion_main!(benches);
