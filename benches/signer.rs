//! Micro-benchmarks of the Alibaba RPC signers: V1 (`alibaba::signature`)
//! and V3 (`alibaba::acs3_signature`, through `rpc_query::sign_rpc` as the
//! client calls it).
//!
//! The request is a `GetFlowJSONAssest` call as the client sends it with STS
//! credentials: the eight common parameters, `SecurityToken`, and the two
//! business parameters, plus `RegionId` as many SDKs add it (12 in all),
//! listed unsorted as a caller would, so sorting is part of the cost. In V3
//! the same call carries the business parameters in the query and the rest
//! (the token among them) in ten signed headers; `signer/sign_rpc` compares
//! the two whole requests.
//!
//! Run: `cargo bench --bench signer`.

use std::hint::black_box;

use cams_provider::alibaba::credentials::{Credentials, Secret};
use cams_provider::alibaba::rpc_query::{sign_rpc, Freshness, RpcAction, Sender, SignatureVersion};
use cams_provider::alibaba::signature::{
    canonicalized_query, percent_encode, signature, string_to_sign, verify,
};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const SECRET: &str = "bench-access-key-secret-0123456789";

/// A deterministic stand-in for an STS `SecurityToken`: real ones are about
/// 1 KB of base64 (`+`, `/`, `=` included), which is what makes them the
/// most expensive parameter to encode.
fn security_token() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut state: u32 = 0x9e37_79b9;
    let body: String = (0..1020)
        .map(|_| {
            // xorshift: cheap, deterministic, spreads over the alphabet.
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            char::from(ALPHABET[(state % 64) as usize])
        })
        .collect();
    format!("CAIS{body}==")
}

/// The parameters of one signed `GetFlowJSONAssest` request, owned so the
/// benchmarks can borrow them as the signer's `(&str, &str)` pairs.
fn get_flow_json_params(token: &str) -> Vec<(&'static str, String)> {
    vec![
        ("Action", "GetFlowJSONAssest".into()),
        ("Version", "2020-06-06".into()),
        ("Format", "json".into()),
        ("Timestamp", "2024-05-01T08:00:00Z".into()),
        ("SignatureNonce", "0123456789abcdef0123456789abcdef".into()),
        ("SignatureMethod", "HMAC-SHA1".into()),
        ("SignatureVersion", "1.0".into()),
        ("AccessKeyId", "STS.NUgYrLnoC37mZZCNnAbez2CuJ".into()),
        ("SecurityToken", token.to_owned()),
        ("RegionId", "ap-southeast-1".into()),
        ("CustSpaceId", "cams-kei7x9q2pd".into()),
        ("FlowId", "17b6a3e2c8d94f01b5e7a2c3d4e5f607".into()),
    ]
}

fn borrowed<'a>(
    params: &'a [(&'static str, String)],
) -> impl Iterator<Item = (&'a str, &'a str)> + Clone {
    params.iter().map(|(k, v)| (*k, v.as_str()))
}

/// What the client does per request: sign, then build the query string
/// with the `Signature` appended.
fn signed_query(params: &[(&'static str, String)]) -> String {
    let sig = signature("POST", borrowed(params), SECRET);
    format!(
        "{}&Signature={}",
        canonicalized_query(borrowed(params)),
        percent_encode(&sig)
    )
}

fn bench_signing(c: &mut Criterion) {
    let token = security_token();
    let params = get_flow_json_params(&token);
    let mut group = c.benchmark_group("signer/get_flow_json");
    group.bench_function("canonicalized_query", |b| {
        b.iter(|| canonicalized_query(borrowed(black_box(&params))))
    });
    group.bench_function("string_to_sign", |b| {
        b.iter(|| string_to_sign("POST", borrowed(black_box(&params))))
    });
    group.bench_function("signature", |b| {
        b.iter(|| signature("POST", borrowed(black_box(&params)), black_box(SECRET)))
    });
    group.bench_function("signed_query", |b| {
        b.iter(|| signed_query(black_box(&params)))
    });
    // The emulator's side: recompute and compare in constant time.
    let received = signature("POST", borrowed(&params), SECRET);
    assert!(verify("POST", borrowed(&params), SECRET, &received));
    group.bench_function("verify", |b| {
        b.iter(|| {
            verify(
                "POST",
                borrowed(black_box(&params)),
                SECRET,
                black_box(&received),
            )
        })
    });
    group.finish();
}

fn bench_percent_encode(c: &mut Criterion) {
    let token = security_token();
    // A long value mixing every class the encoder treats differently:
    // unreserved ASCII, reserved ASCII, space, and multi-byte UTF-8.
    let mixed = "flow id/with spaces=and&reserved*chars~ok_ 空间 ü ".repeat(64);
    let mut group = c.benchmark_group("signer/percent_encode");
    for (name, value) in [("security_token_1kb", &token), ("mixed_3kb", &mixed)] {
        group.throughput(Throughput::Bytes(value.len() as u64));
        group.bench_function(name, |b| b.iter(|| percent_encode(black_box(value))));
    }
    group.finish();
}

/// One whole signed request per version, as the client builds it.
fn bench_versions(c: &mut Criterion) {
    let credentials = Credentials {
        access_key_id: "STS.NUgYrLnoC37mZZCNnAbez2CuJ".into(),
        access_key_secret: Secret::new(SECRET),
        security_token: Some(Secret::new(security_token())),
    };
    let business = [
        ("RegionId", "ap-southeast-1"),
        ("CustSpaceId", "cams-kei7x9q2pd"),
        ("FlowId", "17b6a3e2c8d94f01b5e7a2c3d4e5f607"),
    ];
    let mut group = c.benchmark_group("signer/sign_rpc");
    for version in [SignatureVersion::V1, SignatureVersion::V3] {
        group.bench_function(version.name(), |b| {
            b.iter(|| {
                sign_rpc(
                    black_box(version),
                    RpcAction {
                        method: "POST",
                        action: "GetFlowJSONAssest",
                        version: "2020-06-06",
                        format: "json",
                    },
                    Sender {
                        host: "cams.ap-southeast-1.aliyuncs.com",
                        user_agent: "terraform-provider-cams/0.1.0",
                    },
                    black_box(&business),
                    black_box(&credentials),
                    Freshness {
                        timestamp: "2024-05-01T08:00:00Z",
                        nonce: "0123456789abcdef0123456789abcdef",
                    },
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_signing, bench_versions, bench_percent_encode);
criterion_main!(benches);
