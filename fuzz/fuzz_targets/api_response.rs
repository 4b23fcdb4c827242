//! Fuzzes the `GetFlowJSONAssest` answer parser.
//!
//! Input layout: the HTTP status as two big-endian bytes, then the body.
//! Besides never panicking, the parser must keep its promises:
//! * success only on a 2xx status, with a trimmed, non-empty `FilePath`;
//! * an asset's `Debug` never depends on the `FilePath` query, fragment or
//!   password (a presigned URL's query is a bearer credential);
//! * an error reports the status it was given, and its message is one
//!   line of bounded length (server-provided fields are cut, not quoted
//!   whole).

#![no_main]

use cams_provider::alibaba::{parse_get_flow_json_response, FlowJsonAsset};
use libfuzzer_sys::fuzz_target;

/// Every server-provided piece of an error message is cut to 300
/// characters (four such fields at most, plus a 200-byte body snippet or a
/// canned hint); 2000 leaves room for the fixed text and catches a field
/// quoted whole from a body of up to libFuzzer's default 4 KB.
const MAX_ERROR_CHARS: usize = 2000;

fuzz_target!(|data: &[u8]| {
    let Some((status, body)) = data.split_first_chunk::<2>() else {
        return;
    };
    let status = u16::from_be_bytes(*status);
    match parse_get_flow_json_response(status, body) {
        Ok(asset) => check_asset(status, &asset),
        Err(err) => {
            assert_eq!(err.http_status(), status, "{err:?}");
            let text = err.to_string();
            assert!(
                !text.chars().any(char::is_control),
                "error message is not one line: {text:?}"
            );
            assert!(
                text.chars().count() <= MAX_ERROR_CHARS,
                "error message of {} characters: {text:?}",
                text.chars().count()
            );
        }
    }
});

fn check_asset(status: u16, asset: &FlowJsonAsset) {
    assert!((200..300).contains(&status), "success on HTTP {status}");
    assert!(!asset.file_path.is_empty());
    assert_eq!(asset.file_path.trim(), asset.file_path);
    let Ok(mut url) = url::Url::parse(&asset.file_path) else {
        return;
    };
    // Swap every secret-bearing part of the URL for something else: the
    // Debug text must not change.
    url.set_query(Some("X-Replaced=1"));
    url.set_fragment(Some("replaced"));
    let _ = url.set_password(None);
    let swapped = FlowJsonAsset {
        file_path: url.to_string(),
        ..asset.clone()
    };
    assert_eq!(
        format!("{asset:?}"),
        format!("{swapped:?}"),
        "Debug of an asset shows part of its FilePath query, fragment or password"
    );
}
