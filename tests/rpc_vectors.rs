//! The RPC V1 signer and the signed query builder against what the official
//! CAMS SDK sends for each Flow and message template operation
//! (tests/vectors/rpc/*.json, written by scripts/rpc_vectors.py): same
//! signature over the same parameters, and the same signature when this
//! client builds the query from the business parameters alone. The same for
//! signature V3 (tests/vectors/rpc/v3/*.json, written by
//! scripts/rpc_v3_vectors.py from the SDK's default signer): the same
//! `Authorization` over the same request, and the same headers and
//! `Authorization` when this client builds the request.

use std::path::PathBuf;

use cams_provider::alibaba::acs3_signature::{self, Acs3Request};
use cams_provider::alibaba::credentials::{Credentials, Secret};
use cams_provider::alibaba::rpc_query::{self, Freshness, RpcAction, Sender, SignatureVersion};
use cams_provider::alibaba::signature;
use serde_json::Value;

/// Parameters this client adds itself (the business ones are the rest).
const COMMON: &[&str] = &[
    "Action",
    "Version",
    "Format",
    "Timestamp",
    "SignatureNonce",
    "SignatureMethod",
    "SignatureVersion",
    "AccessKeyId",
    "SecurityToken",
    "Signature",
];

fn vectors() -> Vec<Value> {
    vectors_in("tests/vectors/rpc", 7)
}

fn v3_vectors() -> Vec<Value> {
    vectors_in("tests/vectors/rpc/v3", 6)
}

fn vectors_in(dir: &str, at_least: usize) -> Vec<Value> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= at_least, "{files:?}");
    files
        .iter()
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect()
}

fn params(case: &Value) -> Vec<(String, String)> {
    pairs(&case["params"])
}

fn pairs(list: &Value) -> Vec<(String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|pair| {
            (
                pair[0].as_str().unwrap().to_owned(),
                pair[1].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn the_signer_agrees_with_the_sdk_on_every_flow_operation() {
    for case in vectors() {
        let name = case["name"].as_str().unwrap();
        let params = params(&case);
        let signed = params
            .iter()
            .filter(|(k, _)| k != "Signature")
            .map(|(k, v)| (k.as_str(), v.as_str()));
        assert_eq!(
            signature::signature(
                case["method"].as_str().unwrap(),
                signed,
                case["secret"].as_str().unwrap()
            ),
            case["signature"].as_str().unwrap(),
            "{name}"
        );
    }
}

#[test]
fn the_query_builder_signs_like_the_sdk_from_the_business_parameters() {
    for case in vectors() {
        let name = case["name"].as_str().unwrap();
        let params = params(&case);
        let business: Vec<(&str, &str)> = params
            .iter()
            .filter(|(k, _)| !COMMON.contains(&k.as_str()))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let credentials = Credentials {
            access_key_id: param(&params, "AccessKeyId").unwrap().to_owned(),
            access_key_secret: Secret::new(case["secret"].as_str().unwrap()),
            security_token: param(&params, "SecurityToken").map(Secret::new),
        };
        let query = rpc_query::signed_query(
            RpcAction {
                method: case["method"].as_str().unwrap(),
                action: param(&params, "Action").unwrap(),
                version: param(&params, "Version").unwrap(),
                format: param(&params, "Format").unwrap(),
            },
            &business,
            &credentials,
            Freshness {
                timestamp: param(&params, "Timestamp").unwrap(),
                nonce: param(&params, "SignatureNonce").unwrap(),
            },
        );
        assert_eq!(
            rpc_query::signature_of(&query).as_deref(),
            case["signature"].as_str(),
            "{name}"
        );
    }
}

#[test]
fn list_parameters_are_json_text_as_the_sdk_sends_them() {
    let by_name = |name: &str| {
        vectors()
            .into_iter()
            .find(|c| c["name"] == name)
            .map(|c| params(&c))
            .unwrap()
    };
    assert_eq!(
        param(&by_name("create_flow"), "Categories"),
        Some(r#"["SIGN_UP","OTHER"]"#)
    );
    assert_eq!(
        param(&by_name("list_flow"), "Page"),
        Some(r#"{"Index":2,"Size":20}"#)
    );
}

fn borrowed(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

#[test]
fn the_v3_signer_agrees_with_the_sdk_on_every_flow_operation() {
    for case in v3_vectors() {
        let name = case["name"].as_str().unwrap();
        let query = pairs(&case["query"]);
        let headers = pairs(&case["headers"]);
        let authorization = case["authorization"].as_str().unwrap();
        let access_key_id = authorization
            .split("Credential=")
            .nth(1)
            .and_then(|rest| rest.split(',').next())
            .unwrap();
        let (signed, _) = acs3_signature::authorization(
            &Acs3Request {
                method: case["method"].as_str().unwrap(),
                path: case["path"].as_str().unwrap(),
                query: &borrowed(&query),
                headers: &borrowed(&headers),
                payload_hash: &acs3_signature::hashed_payload(
                    case["body"].as_str().unwrap().as_bytes(),
                ),
            },
            access_key_id,
            case["secret"].as_str().unwrap(),
        );
        assert_eq!(signed, authorization, "{name}");
    }
}

#[test]
fn the_v3_request_builder_sends_what_the_sdk_sends() {
    for case in v3_vectors() {
        let name = case["name"].as_str().unwrap();
        let query = pairs(&case["query"]);
        let sdk_headers = pairs(&case["headers"]);
        let header = |n: &str| param(&sdk_headers, n).unwrap();
        let token = param(&sdk_headers, "x-acs-security-token");
        let credentials = Credentials {
            access_key_id: param(&sdk_headers, "x-acs-accesskey-id")
                .unwrap_or("testid")
                .to_owned(),
            access_key_secret: Secret::new(case["secret"].as_str().unwrap()),
            security_token: token.map(Secret::new),
        };
        let signed = rpc_query::sign_rpc(
            SignatureVersion::V3,
            RpcAction {
                method: case["method"].as_str().unwrap(),
                action: header("x-acs-action"),
                version: header("x-acs-version"),
                format: "json",
            },
            Sender {
                host: header("host"),
                user_agent: header("user-agent"),
            },
            &borrowed(&query),
            &credentials,
            Freshness {
                timestamp: header("x-acs-date"),
                nonce: header("x-acs-signature-nonce"),
            },
        );
        let mut ours: Vec<(String, String)> = signed
            .headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.clone()))
            .collect();
        let mut theirs = sdk_headers.clone();
        theirs.push((
            "authorization".to_owned(),
            case["authorization"].as_str().unwrap().to_owned(),
        ));
        ours.sort();
        theirs.sort();
        assert_eq!(ours, theirs, "{name}");
        // The query sent decodes to the SDK's parameters.
        let mut sent: Vec<(String, String)> = url::form_urlencoded::parse(signed.query.as_bytes())
            .into_owned()
            .collect();
        let mut expected = query.clone();
        sent.sort();
        expected.sort();
        assert_eq!(sent, expected, "{name}");
    }
}
