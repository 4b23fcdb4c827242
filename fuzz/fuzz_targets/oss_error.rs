//! Fuzzes the OSS XML error parser.
//!
//! Besides never panicking: whatever it extracts is non-empty, and writing
//! the extracted fields back as a minimal `<Error>` document (escaping what
//! needs escaping) and parsing that again gives the same fields.

#![no_main]

use cams_provider::alibaba::{parse_oss_error, OssError};
use libfuzzer_sys::fuzz_target;

/// Re-built documents longer than this are not re-parsed: the parser only
/// reads the first 64 KiB of a body, and this stays well under it.
const ROUND_TRIP_MAX_BYTES: usize = 16 * 1024;

fuzz_target!(|data: &[u8]| {
    let Some(error) = parse_oss_error(data) else {
        return;
    };
    assert!(!error.code.is_empty());
    assert_ne!(error.message.as_deref(), Some(""));
    assert_ne!(error.request_id.as_deref(), Some(""));

    let rebuilt = to_xml(&error);
    if rebuilt.len() <= ROUND_TRIP_MAX_BYTES {
        assert_eq!(
            parse_oss_error(rebuilt.as_bytes()).as_ref(),
            Some(&error),
            "re-parsing {rebuilt:?}"
        );
    }
});

/// A minimal OSS error document with these fields.
fn to_xml(error: &OssError) -> String {
    let mut xml = String::from("<Error>");
    element(&mut xml, "Code", &error.code);
    if let Some(message) = &error.message {
        element(&mut xml, "Message", message);
    }
    if let Some(request_id) = &error.request_id {
        element(&mut xml, "RequestId", request_id);
    }
    xml.push_str("</Error>");
    xml
}

/// Writes `<name>text</name>`, with markup characters and whitespace as
/// numeric references: the parser trims the raw text before unescaping, so
/// escaped whitespace at the ends survives.
fn element(xml: &mut String, name: &str, text: &str) {
    xml.push_str(&format!("<{name}>"));
    for c in text.chars() {
        if matches!(c, '&' | '<' | '>') || c.is_whitespace() {
            xml.push_str(&format!("&#x{:X};", u32::from(c)));
        } else {
            xml.push(c);
        }
    }
    xml.push_str(&format!("</{name}>"));
}
