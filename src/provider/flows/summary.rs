//! What the data sources and functions read out of a Flow JSON document
//! (`version`, `data_api_version`, the screen ids and which screens are
//! terminal), and the check that the document is JSON at all.
//!
//! A Flow JSON may be megabytes (up to `max_content_bytes`), and a
//! `serde_json::Value` tree costs several times the text, so the document is
//! never built in memory: it is validated while being skipped over, and only
//! the few fields we want are looked at, borrowed from the text.

use std::collections::HashMap;

use serde_json::value::RawValue;

#[derive(Debug, Default, PartialEq)]
pub struct FlowSummary {
    /// The top-level `version` when it is a string or a number.
    pub version: Option<String>,
    /// The top-level `data_api_version`, read as `version` is.
    pub data_api_version: Option<String>,
    /// `screens[*].id`, in order, for the screens whose id is a string.
    pub screen_ids: Vec<String>,
    /// The ids of the screens with `"terminal": true`, in order (a subset
    /// of `screen_ids`).
    pub terminal_screen_ids: Vec<String>,
}

/// A JSON object's members, each left as unparsed text. Like
/// `serde_json::Value`, the last of duplicate keys wins.
type Members<'a> = HashMap<String, &'a RawValue>;

/// Parses the document: it must be JSON; `version` and `screens[*].id` are
/// read when present and well-shaped, and ignored otherwise.
pub fn summarize(content: &str) -> Result<FlowSummary, serde_json::Error> {
    // A UTF-8 byte order mark is not JSON, but editors on Windows write
    // one; what the document declares is read past it (the offline rules
    // name it as a problem of its own).
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    if !starts_with(content, b'{') {
        // Valid JSON that is not an object has neither field.
        serde_json::from_str::<&RawValue>(content)?;
        return Ok(FlowSummary::default());
    }
    let document: Members = serde_json::from_str(content)?;
    let screens = document
        .get("screens")
        .map(|s| screens(s))
        .unwrap_or_default();
    Ok(FlowSummary {
        version: document.get("version").and_then(|v| version_text(v)),
        data_api_version: document
            .get("data_api_version")
            .and_then(|v| version_text(v)),
        terminal_screen_ids: screens
            .iter()
            .filter(|s| s.terminal)
            .map(|s| s.id.clone())
            .collect(),
        screen_ids: screens.into_iter().map(|s| s.id).collect(),
    })
}

/// A screen with a string `id`.
struct Screen {
    id: String,
    /// `"terminal": true` (any other value, or none, is false).
    terminal: bool,
}

/// The first non-blank character of a JSON text is `first`.
fn starts_with(json: &str, first: u8) -> bool {
    json.trim_start().as_bytes().first() == Some(&first)
}

fn version_text(raw: &RawValue) -> Option<String> {
    let text = raw.get();
    if starts_with(text, b'"') {
        return serde_json::from_str::<String>(text).ok();
    }
    // A number keeps its spelling ("7.0" stays "7.0"); anything else fails
    // at its first character, without being built.
    serde_json::from_str::<serde_json::Number>(text)
        .ok()
        .map(|n| n.to_string())
}

fn screens(raw: &RawValue) -> Vec<Screen> {
    // The parts were validated with the whole document: a part that does not
    // have the expected shape is skipped, never an error.
    let Ok(screens) = serde_json::from_str::<Vec<&RawValue>>(raw.get()) else {
        return Vec::new();
    };
    screens
        .into_iter()
        .filter(|screen| starts_with(screen.get(), b'{'))
        .filter_map(|screen| serde_json::from_str::<Members>(screen.get()).ok())
        .filter_map(|members| {
            let id = members.get("id")?;
            let id = serde_json::from_str::<String>(id.get()).ok()?;
            let terminal = members.get("terminal").is_some_and(|t| t.get() == "true");
            Some(Screen { id, terminal })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_and_screen_ids_in_order() {
        let s =
            summarize(r#"{"version":"7.0","screens":[{"id":"A"},{"id":"B"},{"title":"no id"}]}"#)
                .unwrap();
        assert_eq!(s.version.as_deref(), Some("7.0"));
        assert_eq!(s.screen_ids, vec!["A", "B"]);
    }

    #[test]
    fn a_document_without_version_or_screens() {
        let s = summarize(r#"{"data_api_version":"3.0"}"#).unwrap();
        assert_eq!(s.version, None);
        assert_eq!(s.data_api_version.as_deref(), Some("3.0"));
        assert!(s.screen_ids.is_empty());
    }

    #[test]
    fn data_api_version_is_read_like_version() {
        let s = summarize(r#"{"data_api_version":3.0}"#).unwrap();
        assert_eq!(s.data_api_version.as_deref(), Some("3.0"));
        let s = summarize(r#"{"data_api_version":["3.0"]}"#).unwrap();
        assert_eq!(s.data_api_version, None);
    }

    #[test]
    fn terminal_screens_are_those_with_terminal_true() {
        let s = summarize(
            r#"{"screens":[
                {"id":"A"},
                {"id":"B","terminal":true},
                {"id":"C","terminal":false},
                {"id":"D","terminal":"true"},
                {"id":7,"terminal":true},
                {"id":"E", "terminal" :  true }
            ]}"#,
        )
        .unwrap();
        assert_eq!(s.screen_ids, vec!["A", "B", "C", "D", "E"]);
        assert_eq!(s.terminal_screen_ids, vec!["B", "E"]);
    }

    #[test]
    fn numeric_versions_keep_their_spelling() {
        assert_eq!(
            summarize(r#"{"version":7.0}"#).unwrap().version.as_deref(),
            Some("7.0")
        );
        assert_eq!(
            summarize(r#"{"version":3}"#).unwrap().version.as_deref(),
            Some("3")
        );
    }

    #[test]
    fn ill_shaped_fields_are_ignored_not_errors() {
        let s = summarize(
            r#"{"version":{"major":7},"screens":[1,"x",null,{"id":5},{"id":"OK"},[{"id":"nested"}]]}"#,
        )
        .unwrap();
        assert_eq!(s.version, None);
        assert_eq!(s.screen_ids, vec!["OK"]);
        assert_eq!(
            summarize(r#"{"screens":{"id":"A"}}"#).unwrap().screen_ids,
            Vec::<String>::new()
        );
        assert_eq!(
            summarize(r#"{"version":null,"screens":null}"#).unwrap(),
            FlowSummary::default()
        );
    }

    #[test]
    fn escaped_keys_and_ids_are_decoded() {
        let s = summarize(r#"{"scr\u0065ens":[{"\u0069d":"A\u00e9\n"}]}"#).unwrap();
        assert_eq!(s.screen_ids, vec!["A\u{e9}\n"]);
    }

    #[test]
    fn the_last_duplicate_key_wins_as_in_serde_json_values() {
        let s = summarize(r#"{"version":"1","screens":[{"id":"A"}],"version":"2","screens":7}"#)
            .unwrap();
        assert_eq!(s.version.as_deref(), Some("2"));
        assert!(s.screen_ids.is_empty());
    }

    /// Found by the flow_summary fuzz target: numbers beyond f64 are valid
    /// JSON (Terraform's jsondecode reads them), so the document is
    /// accepted; such a version is not read.
    #[test]
    fn numbers_too_large_for_f64_are_valid_json() {
        let s = summarize("135152631807e999").unwrap();
        assert_eq!(s, FlowSummary::default());
        let s = summarize(r#"{"version":1e999,"screens":[{"id":"A","n":-2e400}]}"#).unwrap();
        assert_eq!(s.version, None);
        assert_eq!(s.screen_ids, vec!["A"]);
    }

    /// Found by the flow_summary fuzz target: a lone surrogate escape is
    /// valid JSON text (Terraform's jsondecode turns it into U+FFFD), so the
    /// document is accepted; an id spelled with one cannot be a Rust string
    /// and is skipped.
    #[test]
    fn lone_surrogate_escapes_are_valid_json() {
        let s = summarize(r#"{"note":"\udc0e","screens":[{"id":"\ud800"},{"id":"B"}]}"#).unwrap();
        assert_eq!(s.screen_ids, vec!["B"]);
        assert!(summarize(r#""screens\udAAAAA""#).is_ok(), "upper-case hex");
    }

    /// Found by the flow_summary fuzz target: serde_json's reserved raw
    /// value key is just a key to a Flow JSON document.
    #[test]
    fn serde_jsons_raw_value_key_is_an_ordinary_key() {
        let doc = r#"{"$serde_json::private::RawValue":":x","screens":[{"$serde_json::private::RawValue":1,"id":"A"}]}"#;
        assert_eq!(summarize(doc).unwrap().screen_ids, vec!["A"]);
    }

    /// Issue 16.14: a byte order mark gave "line 1, column 1: expected
    /// value".
    #[test]
    fn a_byte_order_mark_is_skipped() {
        let s = summarize("\u{feff}{\"version\":\"7.1\",\"screens\":[{\"id\":\"A\"}]}").unwrap();
        assert_eq!(s.version.as_deref(), Some("7.1"));
        assert_eq!(s.screen_ids, vec!["A"]);
        assert!(
            summarize("\u{feff}").is_err(),
            "a mark alone is still no JSON"
        );
    }

    #[test]
    fn json_that_is_not_an_object_has_no_summary() {
        for doc in ["[]", " \"text\"", "42", "null", "true", "[{\"id\":\"A\"}]"] {
            assert_eq!(summarize(doc).unwrap(), FlowSummary::default(), "{doc}");
        }
    }

    #[test]
    fn invalid_json_is_an_error_anywhere_in_the_document() {
        for doc in [
            "{\"version\": ",
            "",
            "   ",
            "{\"version\":\"7.0\"} trailing",
            "[1, 2,]",
            "{\"screens\":[{\"id\":\"A\"}], \"other\": [1, }",
            "{\"a\":1,}",
            "nul",
        ] {
            assert!(summarize(doc).is_err(), "{doc:?} accepted");
        }
    }
}
