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

mod oss {
    use super::*;
    use cams_emulator::oss_auth::{authenticate, SignatureKind, UploadKey};
    use cams_emulator::oss_signature::SignedParts;
    use time::OffsetDateTime;

    struct Case {
        vector: Value,
        headers: Vec<(String, String)>,
        query: Vec<(String, String)>,
    }

    fn cases() -> (i64, Vec<Case>) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/oss.json");
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let frozen = doc["frozen_unix"].as_i64().expect("frozen_unix");
        let cases = doc["vectors"]
            .as_array()
            .expect("vectors")
            .iter()
            .map(|vector| Case {
                headers: vector["headers"]
                    .as_object()
                    .expect("headers")
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                    .collect(),
                query: vector["query"]
                    .as_array()
                    .expect("query")
                    .iter()
                    .map(|pair| {
                        (
                            pair[0].as_str().unwrap().to_string(),
                            pair[1].as_str().unwrap().to_string(),
                        )
                    })
                    .collect(),
                vector: vector.clone(),
            })
            .collect();
        (frozen, cases)
    }

    fn check(
        case: &Case,
        secret: &str,
        token: &str,
        expires: OffsetDateTime,
        now: OffsetDateTime,
        edit: impl Fn(&mut Vec<(String, String)>, &mut Vec<(String, String)>),
    ) -> Result<SignatureKind, &'static str> {
        let v = &case.vector;
        let (mut headers, mut query) = (case.headers.clone(), case.query.clone());
        edit(&mut headers, &mut query);
        let parts = SignedParts {
            method: text(v, "method"),
            bucket: text(v, "bucket"),
            key: text(v, "key"),
            headers,
            query,
        };
        let id = text(v, "access_key_id").to_string();
        let key = UploadKey {
            secret: secret.to_string(),
            token: token.to_string(),
            expires,
            dir: String::new(),
        };
        authenticate(
            &parts,
            |asked| (asked == id).then(|| key.clone()),
            now,
            text(v, "region"),
        )
        .map(|(_, _, kind)| kind)
        .map_err(|e| e.code)
    }

    #[test]
    fn oss2_signatures_are_accepted_and_every_change_refused() {
        let (frozen, cases) = cases();
        assert_eq!(cases.len(), 8);
        let now = OffsetDateTime::from_unix_timestamp(frozen).unwrap();
        let valid_until = now + time::Duration::hours(1);
        for case in &cases {
            let v = &case.vector;
            let name = text(v, "name");
            let (secret, token) = (text(v, "secret"), text(v, "security_token"));
            let kind = check(case, secret, token, valid_until, now, |_, _| {});
            let expected = match text(v, "kind") {
                "v1-header" => SignatureKind::V1Header,
                "v1-presign" => SignatureKind::V1Presigned,
                "v4-header" => SignatureKind::V4Header,
                "v4-presign" => SignatureKind::V4Presigned,
                other => panic!("kind {other}"),
            };
            assert_eq!(kind, Ok(expected), "{name}");
            // Wrong secret, wrong token, expired credentials, a changed key.
            assert_eq!(
                check(case, "wrong", token, valid_until, now, |_, _| {}),
                Err("SignatureDoesNotMatch"),
                "{name}"
            );
            assert_eq!(
                check(case, secret, "CAISother", valid_until, now, |_, _| {}),
                Err("InvalidSecurityToken"),
                "{name}"
            );
            assert_eq!(
                check(case, secret, token, now, now, |_, _| {}),
                Err("SecurityTokenExpired"),
                "{name}"
            );
            let tampered = check(case, secret, token, valid_until, now, |headers, query| {
                for (name, value) in headers.iter_mut().chain(query.iter_mut()) {
                    if name == "content-md5" || name == "Expires" || name == "x-oss-expires" {
                        value.push('1');
                    }
                }
            });
            if v["headers"].get("content-md5").is_some() || !case.query.is_empty() {
                assert_eq!(tampered, Err("SignatureDoesNotMatch"), "{name}");
            }
            // Requests signed long ago: headers are skewed, URLs expired.
            let later = now + time::Duration::days(8);
            let late = check(case, secret, token, later, later, |_, _| {});
            let late_code = if case.query.is_empty() {
                "RequestTimeTooSkewed"
            } else {
                "AccessDenied"
            };
            assert_eq!(late, Err(late_code), "{name}");
        }
    }

    #[test]
    fn unknown_keys_and_unsigned_requests_are_refused() {
        let (frozen, cases) = cases();
        let now = OffsetDateTime::from_unix_timestamp(frozen).unwrap();
        let case = &cases[0];
        let parts = SignedParts {
            method: "PUT",
            bucket: "b",
            key: "k",
            headers: case.headers.clone(),
            query: Vec::new(),
        };
        let refused = authenticate(&parts, |_| None, now, "ap-southeast-1");
        assert_eq!(refused.err().map(|e| e.code), Some("InvalidAccessKeyId"));
        let anonymous = SignedParts {
            headers: Vec::new(),
            ..parts
        };
        let refused = authenticate(&anonymous, |_| None, now, "ap-southeast-1");
        assert_eq!(refused.err().map(|e| e.code), Some("AccessDenied"));
    }
}

#[test]
fn acs3_vectors() {
    use cams_emulator::acs3_signature::{
        canonical_request, parse_authorization, sha256_hex, signature, string_to_sign,
    };
    let vectors = vectors("acs3.json");
    assert_eq!(vectors.len(), 5);
    for vector in &vectors {
        let name = text(vector, "name");
        let pairs = |field: &str| -> Vec<(String, String)> {
            vector[field]
                .as_array()
                .expect(field)
                .iter()
                .map(|p| (p[0].as_str().unwrap().into(), p[1].as_str().unwrap().into()))
                .collect()
        };
        let headers: Vec<(String, String)> = vector["headers"]
            .as_object()
            .expect("headers")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect();
        let authorization = parse_authorization(text(vector, "authorization")).expect(name);
        let body = text(vector, "body");
        let canonical = canonical_request(
            text(vector, "method"),
            text(vector, "path"),
            &pairs("query"),
            &headers,
            &authorization.signed_headers,
            &sha256_hex(body.as_bytes()),
        );
        assert_eq!(
            sha256_hex(canonical.as_bytes()),
            text(vector, "hashed_canonical_request"),
            "{name}:\n{canonical}"
        );
        let secret = text(vector, "secret");
        assert_eq!(
            signature(secret, &string_to_sign(&canonical)),
            authorization.signature,
            "{name}"
        );
        assert_ne!(
            signature("other", &string_to_sign(&canonical)),
            authorization.signature
        );
    }
}
