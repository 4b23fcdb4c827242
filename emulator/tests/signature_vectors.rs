//! The emulator's own signature checks against vectors produced by
//! Alibaba's official SDKs, kept as data in `tests/vectors/`.

use cams_emulator::rpc_signature::{expected_signature, signature_matches, string_to_sign};
use serde_json::Value;

fn vectors(name: &str) -> Vec<Value> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let doc: Value = serde_json::from_str(&text).expect("vector JSON");
    doc["vectors"].as_array().expect("vectors").clone()
}

fn text<'a>(vector: &'a Value, field: &str) -> &'a str {
    vector[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} in {vector}"))
}

#[test]
fn rpc_v1_vectors() {
    let vectors = vectors("rpc_v1.json");
    assert!(vectors.len() >= 6);
    for vector in &vectors {
        let name = text(vector, "name");
        let params: Vec<(&str, &str)> = vector["params"]
            .as_object()
            .expect("params")
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str().expect("string value")))
            .collect();
        let computed = string_to_sign(text(vector, "method"), params.iter().copied());
        if let Some(expected) = vector["string_to_sign"].as_str() {
            assert_eq!(computed, expected, "{name}");
        }
        let secret = text(vector, "secret");
        let signature = text(vector, "signature");
        assert_eq!(expected_signature(secret, &computed), signature, "{name}");
        assert!(signature_matches(secret, &computed, signature), "{name}");
        assert!(!signature_matches("other", &computed, signature), "{name}");
    }
}
