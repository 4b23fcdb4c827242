//! The one redaction step that every server-provided text (CAMS, STS, OSS,
//! the file host) passes before it reaches an error, a log line or a
//! diagnostic.
//!
//! Servers quote what they were sent: a `SignatureDoesNotMatch` message
//! holds the server's string to sign (with `SecurityToken=…`), an OSS error
//! document holds `<SignatureProvided>` and `<StringToSign>`. Two nets catch
//! that, so neither alone has to be perfect:
//!
//! 1. known secrets (the secret key, the security token, the signature we
//!    sent, a presigned URL's query values) are removed in every spelling a
//!    server uses: raw, percent-encoded once, and twice (a string to sign
//!    encodes the query again). A server that cuts its message short leaves
//!    only the start of a token, so a long enough *prefix* is removed too.
//! 2. the value after a sensitive name (`SecurityToken=`, `Signature%3D`,
//!    `<SignatureProvided>`, `"AccessKeySecret":"`) is removed whatever it
//!    is, which also covers values this process never knew.

use super::signature::percent_encode;

/// What replaces a removed value.
pub const REDACTED: &str = "<redacted>";

/// A known secret is recognised from this many leading characters on.
/// Shorter than any token or secret Alibaba issues (a secret is 30), long
/// enough not to match ordinary words.
const MIN_PREFIX_CHARS: usize = 12;

/// Query values shorter than this are not treated as secrets by
/// [`Redactor::url_query`]: no signature or token is that short.
const MIN_QUERY_SECRET_CHARS: usize = 16;

/// Names whose value is always removed, compared case-insensitively.
const SENSITIVE_NAMES: &[&str] = &[
    "SecurityToken",
    "security-token",
    "x-oss-security-token",
    "Signature",
    "x-oss-signature",
    "SignatureProvided",
    "StringToSign",
    "StringToSignBytes",
    "CanonicalRequest",
    "AccessKeySecret",
    "access_key_secret",
    "Authorization",
];

/// Separators between a sensitive name and its value, as servers quote them:
/// a query (`=`, encoded once or twice), JSON (`":"`), XML (`>`), a header
/// or prose (`: `).
const SEPARATORS: &[&str] = &[
    "%253D", "%3D", "=", "\":\"", "\": \"", "\":", ">", ": ", ":",
];

/// Removes secrets from server-provided text. Build one per request from
/// what that request carried; [`Redactor::default`] still applies the
/// name-based net.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Every spelling of every known secret, longest first.
    needles: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("secrets", &self.needles.len())
            .finish()
    }
}

impl Redactor {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a secret; empty strings are ignored.
    pub fn secret(mut self, secret: &str) -> Self {
        self.add(secret);
        self
    }

    /// Adds a secret in place; empty strings are ignored.
    pub fn add(&mut self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        let once = percent_encode(secret);
        let twice = percent_encode(&once);
        for spelling in [twice, once, secret.to_owned()] {
            if !self.needles.contains(&spelling) {
                self.needles.push(spelling);
            }
        }
        self.needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
    }

    /// Adds every query value of a URL that is long enough to be a
    /// credential (a presigned URL carries its signature and token there;
    /// `Expires=…` and other short values stay readable).
    pub fn url_query(mut self, url: &url::Url) -> Self {
        for (_, value) in url.query_pairs() {
            if value.chars().count() >= MIN_QUERY_SECRET_CHARS {
                self.add(&value);
            }
        }
        self
    }

    /// The text with every known secret and every sensitive value removed.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_owned();
        // Whole spellings first: a cut-short match of one spelling (the
        // twice-encoded token shares `TOKEN-%2` with the once-encoded one)
        // must not eat the start of another spelling and leave its tail.
        for needle in &self.needles {
            out = out.replace(needle.as_str(), REDACTED);
        }
        for needle in &self.needles {
            out = remove_known(&out, needle);
        }
        remove_named_values(&out)
    }

    /// [`Redactor::scrub`] for an optional field.
    pub fn scrub_opt(&self, text: Option<String>) -> Option<String> {
        text.map(|t| self.scrub(&t))
    }
}

/// Removes `needle` and any run of at least [`MIN_PREFIX_CHARS`] of its
/// leading characters (what is left of it in a message cut short).
fn remove_known(text: &str, needle: &str) -> String {
    let prefix_len = needle
        .char_indices()
        .nth(MIN_PREFIX_CHARS)
        .map_or(needle.len(), |(i, _)| i);
    let prefix = &needle[..prefix_len];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(prefix) {
        out.push_str(&rest[..at]);
        out.push_str(REDACTED);
        let tail = &rest[at..];
        let matched = common_prefix_len(tail, needle);
        rest = &tail[matched..];
    }
    out.push_str(rest);
    out
}

fn common_prefix_len(a: &str, b: &str) -> usize {
    a.char_indices()
        .zip(b.chars())
        .take_while(|((_, x), y)| x == y)
        .last()
        .map_or(0, |((i, c), _)| i + c.len_utf8())
}

/// Removes the value after each sensitive name, up to the next delimiter.
fn remove_named_values(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    // (start, end) byte ranges of values to remove.
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for name in SENSITIVE_NAMES {
        let name = name.to_ascii_lowercase();
        let mut from = 0;
        while let Some(found) = lower[from..].find(&name) {
            let after_name = from + found + name.len();
            from = after_name;
            // A longer name (`SignatureMethod`, `SignatureNonce`) is not this one.
            if lower[after_name..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                continue;
            }
            let Some(sep) = SEPARATORS
                .iter()
                .find(|s| lower[after_name..].starts_with(&s.to_ascii_lowercase()))
            else {
                continue;
            };
            let start = after_name + sep.len();
            let end = value_end(text, start);
            if end > start {
                ranges.push((start, end));
            }
        }
    }
    if ranges.is_empty() {
        return text.to_owned();
    }
    ranges.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (start, end) in ranges {
        if start < copied {
            continue;
        }
        out.push_str(&text[copied..start]);
        out.push_str(REDACTED);
        copied = end;
    }
    out.push_str(&text[copied..]);
    out
}

/// Where a value that starts at `start` ends: at whitespace, a quote, `<`,
/// `&` (also encoded once or twice), `,` or `;`. An `Authorization` header
/// value (`OSS id:sig`) is cut at the first space, which still removes the
/// signature part only when it follows; that is why the header's
/// signature is also a known secret where the client knows it.
fn value_end(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    let mut end = rest.len();
    for stop in [
        "%2526", "%26", "&", "\"", "<", ",", ";", "\\", " ", "\t", "\n", "\r",
    ] {
        if let Some(at) = rest.find(stop) {
            end = end.min(at);
        }
    }
    if let Some(at) = rest.find(|c: char| c.is_whitespace()) {
        end = end.min(at);
    }
    start + end
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "CAIS+VeryLongSecurityToken/with=chars0123456789abcdefghij";

    #[test]
    fn a_known_secret_is_removed_in_every_spelling() {
        let r = Redactor::new().secret(TOKEN);
        let once = percent_encode(TOKEN);
        let twice = percent_encode(&once);
        for text in [
            format!("raw {TOKEN} end"),
            format!("once {once} end"),
            format!("twice {twice} end"),
        ] {
            let out = r.scrub(&text);
            assert!(!out.contains("VeryLongSecurity"), "{out}");
            assert!(out.contains(REDACTED), "{out}");
            assert!(out.ends_with(" end"), "{out}");
        }
    }

    #[test]
    fn a_spelling_sharing_a_prefix_with_a_longer_one_is_removed_whole() {
        // Twice-encoded `%252B` and once-encoded `%2B` share `TOKEN-1-%2`.
        let token = "UPLOADTOKEN-1-+/=klmnopqrstuv";
        let r = Redactor::new().secret(token);
        let once = percent_encode(token);
        let out = r.scrub(&format!("fetch x?t={once} failed"));
        assert!(!out.contains("klmnop"), "{out}");
        assert_eq!(out, format!("fetch x?t={REDACTED} failed"));
    }

    #[test]
    fn the_start_of_a_token_cut_short_by_the_server_is_removed() {
        let r = Redactor::new().secret(TOKEN);
        let cut = &TOKEN[..20];
        let out = r.scrub(&format!("string to sign is: {cut}"));
        assert!(!out.contains(&TOKEN[..12]), "{out}");
    }

    #[test]
    fn values_after_sensitive_names_are_removed_even_when_unknown() {
        let r = Redactor::default();
        let cases = [
            "POST&%2F&AccessKeyId%3Did%26SecurityToken%3DUNKNOWNTOKEN%26Timestamp%3D1",
            "GET&%2F&SecurityToken%253DUNKNOWNTOKEN%2526x%253D1",
            "url?Signature=UNKNOWNTOKEN&Expires=1",
            "<SignatureProvided>UNKNOWNTOKEN</SignatureProvided>",
            r#"{"AccessKeySecret":"UNKNOWNTOKEN"}"#,
            "security-token: UNKNOWNTOKEN",
        ];
        for text in cases {
            let out = r.scrub(text);
            assert!(!out.contains("UNKNOWNTOKEN"), "{text} -> {out}");
            assert!(out.contains(REDACTED), "{out}");
        }
    }

    #[test]
    fn harmless_text_and_similar_names_are_kept() {
        let r = Redactor::new().secret(TOKEN);
        let text =
            "SignatureMethod=HMAC-SHA1&SignatureNonce=abc, Specified signature is not matched";
        assert_eq!(r.scrub(text), text);
        assert_eq!(r.scrub(""), "");
    }

    #[test]
    fn query_values_of_a_presigned_url_are_secrets() {
        let url = url::Url::parse(
            "https://b.example.com/f.json?OSSAccessKeyId=STS.x&Signature=abcDEF%2Bghi%3D12345&security-token=tok%2Ftok%2Ftok%2Ftok%2Ftok",
        )
        .unwrap();
        let r = Redactor::new().url_query(&url);
        let out = r.scrub("the signature was abcDEF+ghi=12345 and tok/tok/tok/tok/tok, expires 1");
        assert!(!out.contains("abcDEF"), "{out}");
        assert!(!out.contains("tok/tok/tok"), "{out}");
        assert!(out.ends_with("expires 1"), "short values stay: {out}");
    }

    #[test]
    fn never_panics_on_multibyte_text() {
        let r = Redactor::new().secret("ééééééééééééééé");
        let out = r.scrub("Signature=éé ééééééééééééé€ SecurityToken%3D");
        assert!(!out.contains("ééééééééééééé"), "{out}");
    }
}
