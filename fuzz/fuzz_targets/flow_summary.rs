//! Differential fuzzing of the Flow JSON summary (`version`, screen ids).
//!
//! The provider reads a downloaded Flow JSON without building it in memory.
//! That reader must agree with the obvious one, which builds a
//! `serde_json::Value` and looks the fields up: same verdict on whether the
//! text is JSON at all, same version, same screen ids in the same order.

#![no_main]

use cams_provider::provider::flows::summary::{summarize, FlowSummary};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let fast = summarize(text);
    let tree = serde_json::from_str::<Value>(text);
    match (fast, tree) {
        (Ok(summary), Ok(doc)) => assert_eq!(summary, from_tree(&doc), "{text:?}"),
        (Err(_), Err(_)) => {}
        // The intended differences: a number too large for f64 (1e999) and
        // a string with a lone UTF-16 surrogate escape ("\udc0e") are valid
        // JSON text, and Terraform's jsondecode reads both; only the tree,
        // which must turn them into f64 and Rust strings, refuses them.
        (Ok(_), Err(e))
            if e.to_string().starts_with("number out of range")
                || at_a_surrogate_escape(text, &e) => {}
        // A quirk of the oracle, not of the reader: with serde_json's
        // raw_value feature (which the reader uses), a `Value` treats an
        // object with this magic key as a raw value and refuses valid JSON
        // such as {"$serde_json::private::RawValue":"x"}.
        (Ok(_), Err(_)) if text.contains(RAW_VALUE_TOKEN) => {}
        (fast, tree) => panic!("disagree on {text:?}: summary {fast:?}, tree {tree:?}"),
    }
});

/// The key serde_json reserves for raw values (see the match above).
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// The tree's error points just past a `\uD800`–`\uDFFF` escape: a lone
/// or unpaired surrogate, which the tree cannot turn into a Rust string
/// (its messages vary: "lone leading surrogate", "unexpected end of hex
/// escape" when no second escape follows). A truncated escape such as
/// `\u12` has no surrogate before the error and is not excused.
fn at_a_surrogate_escape(text: &str, e: &serde_json::Error) -> bool {
    let Some(line) = text.lines().nth(e.line().saturating_sub(1)) else {
        return false;
    };
    // serde_json counts columns in bytes; look at the bytes just before.
    let end = e.column().min(line.len());
    let start = end.saturating_sub(24);
    let before = String::from_utf8_lossy(&line.as_bytes()[start..end]);
    let before = before.to_ascii_lowercase();
    before.match_indices("\\ud").any(|(i, _)| {
        matches!(
            before.as_bytes().get(i + 3),
            Some(b'8'..=b'9' | b'a'..=b'f')
        )
    })
}

/// The summary as read from a value tree.
fn from_tree(doc: &Value) -> FlowSummary {
    let version = match doc.get("version") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let screen_ids = doc
        .get("screens")
        .and_then(Value::as_array)
        .map(|screens| {
            screens
                .iter()
                .filter_map(|s| s.get("id").and_then(Value::as_str).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    FlowSummary {
        version,
        screen_ids,
    }
}
