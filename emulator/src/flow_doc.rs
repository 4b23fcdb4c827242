//! Flow files: which ids may name a file, and the made-up documents the
//! faults serve (a large valid Flow JSON, truncated JSON, an HTML page).

/// Whether a flow id can name a file in the flows directory: 1..=128 of
/// `A-Z a-z 0-9 _ - .`, not starting with a dot (no path traversal, no
/// hidden files). Other ids simply do not exist.
pub fn is_file_safe_flow_id(flow_id: &str) -> bool {
    (1..=128).contains(&flow_id.len())
        && !flow_id.starts_with('.')
        && flow_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// The deepest nesting of arrays and objects a stored Flow JSON may have,
/// the document itself being level 1. CAMS documents no limit; the
/// provider checks the same figure at plan (its `flow_rules::json`
/// `MAX_NESTING`), so a document it accepts is never refused here.
pub const MAX_JSON_NESTING: usize = 128;

/// Why a fetched Flow JSON is refused, or `None` for JSON text nested at
/// most [`MAX_JSON_NESTING`] deep. Checked without building a tree, so
/// serde_json's own recursion limit (127 levels for a `Value`) plays no part.
pub fn json_problem(text: &str) -> Option<String> {
    if serde_json::from_str::<serde::de::IgnoredAny>(text).is_err() {
        return Some("it is not valid JSON".to_string());
    }
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for byte in text.bytes() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_JSON_NESTING {
                    return Some(format!(
                        "it nests arrays and objects more than {MAX_JSON_NESTING} levels deep"
                    ));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// A valid Flow JSON (v7.0, static, no endpoint) of at least `min_bytes`
/// bytes: a chain of information screens ending in a terminal screen.
pub fn large_flow(min_bytes: u64) -> Vec<u8> {
    const PARAGRAPHS_PER_SCREEN: usize = 20;
    let paragraph =
        "This paragraph pads a generated flow so that clients can be tested with large documents. \
It is repeated many times; the content has no meaning beyond its size.";
    let target = usize::try_from(min_bytes).unwrap_or(usize::MAX);
    let mut screens: Vec<String> = Vec::new();
    let mut size = 0usize;
    let mut index = 1usize;
    // Leave room for the terminal screen and the document wrapper.
    while size < target.saturating_sub(600) || screens.is_empty() {
        let mut children: Vec<String> = Vec::with_capacity(PARAGRAPHS_PER_SCREEN + 2);
        children.push(format!(r#"{{"type":"TextHeading","text":"Part {index}"}}"#));
        for n in 1..=PARAGRAPHS_PER_SCREEN {
            children.push(format!(
                r#"{{"type":"TextBody","text":"{n}. {paragraph}"}}"#
            ));
        }
        children.push(format!(
            r#"{{"type":"Footer","label":"Next","on-click-action":{{"name":"navigate","next":{{"type":"screen","name":"{}"}},"payload":{{}}}}}}"#,
            screen_id(index + 1)
        ));
        let screen = format!(
            r#"{{"id":"{}","title":"Part {index}","layout":{{"type":"SingleColumnLayout","children":[{}]}}}}"#,
            screen_id(index),
            children.join(",")
        );
        size += screen.len() + 1;
        screens.push(screen);
        index += 1;
    }
    screens.push(format!(
        r#"{{"id":"{}","title":"Done","terminal":true,"success":true,"layout":{{"type":"SingleColumnLayout","children":[{{"type":"TextBody","text":"You reached the end."}},{{"type":"Footer","label":"Finish","on-click-action":{{"name":"complete","payload":{{}}}}}}]}}}}"#,
        screen_id(index)
    ));
    let mut document = String::with_capacity(size + 1024);
    document.push_str(r#"{"version":"7.0","screens":["#);
    document.push_str(&screens.join(","));
    document.push_str("]}\n");
    // Pad with trailing whitespace (still valid JSON) if the estimate fell short.
    while document.len() < target {
        document.push(' ');
    }
    document.into_bytes()
}

fn screen_id(index: usize) -> String {
    format!("PART_{index:06}")
}

/// A truncated version of `original` (or of a small flow when there is no
/// file) that no JSON parser accepts.
pub fn truncated_json(original: Option<&[u8]>) -> Vec<u8> {
    let source: &[u8] = original.unwrap_or(
        br#"{"version":"7.0","screens":[{"id":"WELCOME","title":"Welcome","layout":{"type":"SingleColumnLayout","children":[{"type":"TextBody","text":"Hello"}]}}]}"#,
    );
    let mut cut = source[..source.len() / 2].to_vec();
    if cut.is_empty() || serde_json::from_slice::<serde_json::Value>(&cut).is_ok() {
        // A half that still parses (e.g. a number) gets an unclosed object appended.
        cut.extend_from_slice(b"{\"");
    }
    cut
}

/// What a misconfigured proxy in front of an API answers with status 200.
pub const GARBAGE_HTML: &str = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\
<body><h1>502 Bad Gateway</h1><p>The proxy server received an invalid response from an upstream server.</p>\
<hr><center>emulated-gateway</center></body></html>\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_ids_that_could_escape_the_directory_are_rejected() {
        assert!(is_file_safe_flow_id("9267533281264300"));
        assert!(is_file_safe_flow_id("flow_1.v2-x"));
        for bad in ["", ".hidden", "../etc", "a/b", "a b", "ü", &"x".repeat(129)] {
            assert!(!is_file_safe_flow_id(bad), "{bad}");
        }
    }

    #[test]
    fn large_flow_is_valid_json_of_at_least_the_size() {
        for size in [0u64, 10, 5_000, 300_000] {
            let doc = large_flow(size);
            assert!(doc.len() as u64 >= size);
            let value: serde_json::Value = serde_json::from_slice(&doc).unwrap();
            assert_eq!(value["version"], "7.0");
            let screens = value["screens"].as_array().unwrap();
            assert_eq!(screens.last().unwrap()["terminal"], true);
        }
        // Not wildly larger than asked for.
        assert!(large_flow(300_000).len() < 320_000);
    }

    #[test]
    fn truncated_json_never_parses() {
        for original in [
            None,
            Some(&b"12"[..]),
            Some(&b"{}"[..]),
            Some(&b"[1,2,3,4]"[..]),
            Some(&b"1"[..]),
        ] {
            let cut = truncated_json(original);
            assert!(
                serde_json::from_slice::<serde_json::Value>(&cut).is_err(),
                "{:?}",
                String::from_utf8_lossy(&cut)
            );
        }
    }

    #[test]
    fn nesting_is_accepted_to_the_limit_and_refused_one_past_it() {
        let nested = |levels: usize| format!("{}{}", "[".repeat(levels), "]".repeat(levels));
        assert_eq!(json_problem(&nested(MAX_JSON_NESTING)), None);
        let refused = json_problem(&nested(MAX_JSON_NESTING + 1)).expect("refused");
        assert!(refused.contains("128 levels"), "{refused}");
        assert_eq!(
            json_problem("{\"a\":").as_deref(),
            Some("it is not valid JSON")
        );
        let in_string = format!("[\"{}\"]", "{".repeat(500));
        assert_eq!(json_problem(&in_string), None);
    }
}
