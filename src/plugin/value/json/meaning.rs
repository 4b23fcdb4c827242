//! Whether two JSON texts mean the same document, for semantic equality of
//! JSON-valued string attributes.
//!
//! Read with the lossless reader ([`super::syntax`]), not serde_json, whose
//! `f64` numbers make `100000000000000000000` and `100000000000000000001`
//! the same: numbers compare as exact decimals ([`Number`]), so `1e20` and
//! `100000000000000000000` are equal and the two above are not.

use super::syntax::{parse, Json};
use crate::plugin::value::Number;

/// Equal in meaning: the same values, with object members in any order and
/// any white space or string escapes. A text that is not JSON (or nests
/// deeper than the reader allows) is equal to nothing.
pub fn json_texts_equal(a: &str, b: &str) -> bool {
    match (parse(a.as_bytes()), parse(b.as_bytes())) {
        (Ok(a), Ok(b)) => same(&a, &b),
        _ => false,
    }
}

fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Null, Json::Null) => true,
        (Json::Bool(a), Json::Bool(b)) => a == b,
        (Json::String(a), Json::String(b)) => a == b,
        (Json::Number(a), Json::Number(b)) => same_number(a, b),
        (Json::Array(a), Json::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same(a, b))
        }
        (Json::Object(a), Json::Object(b)) => {
            a.len() == b.len() && {
                // Sorted by key, stably: duplicate keys (whose meaning readers
                // disagree on) must then come in the same order on both sides.
                sorted(a)
                    .into_iter()
                    .zip(sorted(b))
                    .all(|(x, y)| x.0 == y.0 && same(&x.1, &y.1))
            }
        }
        _ => false,
    }
}

fn sorted(members: &[(String, Json)]) -> Vec<&(String, Json)> {
    let mut refs: Vec<&(String, Json)> = members.iter().collect();
    refs.sort_by(|x, y| x.0.cmp(&y.0));
    refs
}

/// The same decimal value; texts the exact reader cannot hold (an exponent
/// out of its range) are equal only as identical text.
fn same_number(a: &str, b: &str) -> bool {
    match (a.parse::<Number>(), b.parse::<Number>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_compare_exactly() {
        assert!(!json_texts_equal(
            r#"{"n":100000000000000000000}"#,
            r#"{"n":100000000000000000001}"#
        ));
        assert!(json_texts_equal(
            r#"{"n":1e20}"#,
            r#"{"n":100000000000000000000}"#
        ));
        assert!(!json_texts_equal("0.1", "0.10000000000000001"));
        assert!(json_texts_equal("[2.50]", "[25e-1]"));
    }

    #[test]
    fn order_white_space_and_escapes_do_not_matter() {
        assert!(json_texts_equal(
            r#"{"a":1,"b":["x"]}"#,
            "{ \"b\" : [ \"\\u0078\" ],\n \"a\": 1 }"
        ));
        assert!(!json_texts_equal(r#"{"a":1}"#, r#"{"a":1,"b":2}"#));
        assert!(!json_texts_equal(r#"[1,2]"#, r#"[2,1]"#));
        assert!(!json_texts_equal(r#"{"a":1,"a":2}"#, r#"{"a":2,"a":1}"#));
        assert!(!json_texts_equal("{", "{"));
    }
}
