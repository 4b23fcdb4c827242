//! Benchmarks of the offline Flow JSON rules (`provider::flow_rules`) on
//! the largest real documents of the corpus (Meta's use-case templates,
//! megabytes of inline images) and on a document of 10 MiB, the most
//! Flow JSON may be. A last case has 200 000 unresolved references, each
//! a problem: the rules keep the first 1000 and count the rest, so time
//! and memory stay bounded (issue 16.10).
//!
//! Run: `cargo bench --bench flow_rules`.

use std::hint::black_box;

use cams_provider::provider::flows::rules::{check, check_at_most, MAX_DOCUMENT_BYTES};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const REAL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/flow_json/real");

fn real(name: &str) -> String {
    std::fs::read_to_string(format!("{REAL}/{name}")).expect("corpus document")
}

/// The largest real document with its first image made longer, so the
/// whole is just under 10 MiB and still the same flow.
fn ten_mebibytes() -> String {
    let doc = real("meta_template_health_insurance.json");
    let room = MAX_DOCUMENT_BYTES - doc.len();
    let start = doc.find("\"iVBOR").expect("an inline PNG") + 1;
    let mut padded = String::with_capacity(MAX_DOCUMENT_BYTES);
    padded.push_str(&doc[..start]);
    padded.push_str(&"A".repeat(room));
    padded.push_str(&doc[start..]);
    padded
}

/// A small valid flow whose title holds `n` references to data it does
/// not declare.
fn bad_references(n: usize) -> String {
    let references = "${data.missing} ".repeat(n);
    format!(
        r#"{{"version":"7.1","screens":[{{"id":"ONLY","title":"{references}","terminal":true,"layout":{{"type":"SingleColumnLayout","children":[{{"type":"Footer","label":"Done","on-click-action":{{"name":"complete","payload":{{}}}}}}]}}}}]}}"#
    )
}

fn documents(c: &mut Criterion) {
    let mut group = c.benchmark_group("flow_rules");
    group.sample_size(10);
    let cases = [
        (
            "personalised_offer_184KB",
            real("meta_template_personalised_offer.json"),
        ),
        (
            "health_insurance_2.7MB",
            real("meta_template_health_insurance.json"),
        ),
        ("padded_10MiB", ten_mebibytes()),
    ];
    for (name, text) in &cases {
        assert_eq!(check(text).expect("JSON").len(), 0, "{name} passes");
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(*name, |b| b.iter(|| check(black_box(text))));
    }
    let hostile = bad_references(200_000);
    let checked = check_at_most(&hostile, 1000).expect("JSON");
    assert_eq!((checked.problems.len(), checked.omitted), (1000, 199_000));
    group.throughput(Throughput::Bytes(hostile.len() as u64));
    group.bench_function("200k_bad_references_3MB", |b| {
        b.iter(|| check_at_most(black_box(&hostile), 1000))
    });
    group.finish();
}

criterion_group!(benches, documents);
criterion_main!(benches);
