//! The protocol value vectors in `tests/vectors/protocol/` (one folder per
//! case, its source named in `SOURCE`): each decodes, encodes back to the
//! same bytes, and means the same in msgpack and JSON.

use std::path::{Path, PathBuf};

use cams_provider::plugin::value::{decode_json, decode_msgpack, encode_msgpack, Type};

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/protocol/msgpack");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

fn read(case: &Path, file: &str) -> Option<String> {
    std::fs::read_to_string(case.join(file)).ok()
}

fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).expect("ascii"), 16).expect("hex"))
        .collect()
}

#[test]
fn every_vector_round_trips_and_means_what_its_json_says() {
    let cases = cases();
    assert!(cases.len() >= 10, "vectors found: {}", cases.len());
    for case in cases {
        let name = case
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_owned();
        let source = read(&case, "SOURCE").unwrap_or_default();
        assert!(
            !source.trim().is_empty(),
            "{name}: SOURCE names where the facts come from"
        );
        let ty = Type::from_json(
            read(&case, "type.json")
                .expect("type.json")
                .trim()
                .as_bytes(),
        )
        .unwrap_or_else(|e| panic!("{name}: type: {e}"));
        let bytes = hex(&read(&case, "msgpack.hex").expect("msgpack.hex"));
        let value = decode_msgpack(&ty, &bytes).unwrap_or_else(|e| panic!("{name}: decode: {e}"));
        assert_eq!(
            encode_msgpack(&ty, &value).unwrap_or_else(|e| panic!("{name}: encode: {e}")),
            bytes,
            "{name}: encodes back to the same bytes"
        );
        match read(&case, "value.json") {
            Some(json) => {
                let from_json = decode_json(&ty, json.trim().as_bytes())
                    .unwrap_or_else(|e| panic!("{name}: JSON: {e}"));
                assert_eq!(from_json, value, "{name}: msgpack and JSON mean the same");
            }
            None => assert!(
                !value.is_wholly_known(),
                "{name}: only values with unknowns lack a JSON form"
            ),
        }
    }
}
