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
//!    sent, a presigned URL's query values) are removed however deeply they
//!    are percent-encoded: each byte may appear as itself or as `%XX`,
//!    `%25XX`, `%2525XX`, ... (a string to sign encodes the query again, and
//!    a presigned URL sent as a parameter is one more level down, so a
//!    FilePath's `security-token` is encoded three times there). A server
//!    that cuts its message short leaves only the start of a token, so a
//!    long enough *prefix* is removed too.
//! 2. the value after a sensitive name (`SecurityToken=`, `Signature%3D`,
//!    `<SignatureProvided>`, `"AccessKeySecret":"`) is removed whatever it
//!    is, which also covers values this process never knew; `=` and `&`
//!    are recognised at any depth of encoding there too.

/// What replaces a removed value.
pub(crate) const REDACTED: &str = "<redacted>";

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

/// Separators between a sensitive name and its value, as servers quote them
/// (besides `=` encoded at any depth): a query (`=`), JSON (`":"`), XML
/// (`>`), a header or prose (`: `).
const SEPARATORS: &[&str] = &["=", "\":\"", "\": \"", "\":", ">", ": ", ":"];

/// Removes secrets from server-provided text. Build one per request from
/// what that request carried; [`Redactor::default`] still applies the
/// name-based net.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Every known secret, longest first.
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
        if secret.is_empty() || self.needles.iter().any(|n| n == secret) {
            return;
        }
        self.needles.push(secret.to_owned());
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
        for needle in &self.needles {
            out = remove_known(&out, needle.as_bytes());
        }
        remove_named_values(&out)
    }

    /// [`Redactor::scrub`] for an optional field.
    pub(crate) fn scrub_opt(&self, text: Option<String>) -> Option<String> {
        text.map(|t| self.scrub(&t))
    }
}

/// Removes every occurrence of `secret`, each of its bytes spelt as itself
/// or percent-encoded at any depth, and every run of at least
/// [`MIN_PREFIX_CHARS`] of its leading bytes so spelt (what is left of it in
/// a message cut short). A match always ends on a whole spelling of a byte,
/// so no encoded tail is left behind.
fn remove_known(text: &str, secret: &[u8]) -> String {
    let needed = secret.len().min(MIN_PREFIX_CHARS);
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut copied, mut at) = (0, 0);
    while at < bytes.len() {
        if !text.is_char_boundary(at) {
            at += 1;
            continue;
        }
        let (mut matched, mut end) = match_spelt(&bytes[at..], secret);
        // A raw multi-byte character may match only in part: end the match
        // before it.
        while !text.is_char_boundary(at + end) {
            end -= 1;
            matched = match_spelt(&bytes[at..at + end], secret).0;
        }
        if matched >= needed {
            out.push_str(&text[copied..at]);
            out.push_str(REDACTED);
            at += end;
            copied = at;
        } else {
            at += 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// How many leading bytes of `secret` the start of `text` spells, and how
/// many bytes of `text` that takes.
fn match_spelt(text: &[u8], secret: &[u8]) -> (usize, usize) {
    let mut used = 0;
    for (matched, &b) in secret.iter().enumerate() {
        match spelling_len(&text[used..], b) {
            Some(len) => used += len,
            None => return (matched, used),
        }
    }
    (secret.len(), used)
}

/// The length of the spelling of byte `b` at the start of `text`: `b`
/// itself, or `%` followed by any number of `25` and the hex of `b` (any
/// case).
fn spelling_len(text: &[u8], b: u8) -> Option<usize> {
    if text.first() == Some(&b) {
        return Some(1);
    }
    if text.first() != Some(&b'%') {
        return None;
    }
    let mut at = 1;
    loop {
        if hex_pair(&text[at..]) == Some(b) {
            return Some(at + 2);
        }
        if hex_pair(&text[at..]) == Some(b'%') {
            at += 2;
        } else {
            return None;
        }
    }
}

fn hex_pair(text: &[u8]) -> Option<u8> {
    let digit = |c: u8| (c as char).to_digit(16);
    match text {
        [hi, lo, ..] => Some((digit(*hi)? * 16 + digit(*lo)?) as u8),
        _ => None,
    }
}

/// The length of `b` percent-encoded at some depth (`%3D`, `%253D`, ...)
/// at the start of `text`.
fn encoded_len(text: &[u8], b: u8) -> Option<usize> {
    spelling_len(text, b).filter(|_| text.first() == Some(&b'%'))
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
            let sep_len = encoded_len(&lower.as_bytes()[after_name..], b'=').or_else(|| {
                SEPARATORS
                    .iter()
                    .find(|s| lower[after_name..].starts_with(&s.to_ascii_lowercase()))
                    .map(|s| s.len())
            });
            let Some(sep_len) = sep_len else {
                continue;
            };
            let start = after_name + sep_len;
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
/// `&` (also percent-encoded, at any depth), `,` or `;`. An `Authorization` header
/// value (`OSS id:sig`) is cut at the first space, which still removes the
/// signature part only when it follows; that is why the header's
/// signature is also a known secret where the client knows it.
fn value_end(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    let mut end = rest.len();
    for stop in ["&", "\"", "<", ",", ";", "\\", " ", "\t", "\n", "\r"] {
        if let Some(at) = rest.find(stop) {
            end = end.min(at);
        }
    }
    let encoded_amp = rest
        .match_indices('%')
        .map(|(at, _)| at)
        .find(|&at| encoded_len(&rest.as_bytes()[at..], b'&').is_some());
    if let Some(at) = encoded_amp {
        end = end.min(at);
    }
    if let Some(at) = rest.find(|c: char| c.is_whitespace()) {
        end = end.min(at);
    }
    start + end
}

#[cfg(test)]
mod tests {
    use super::super::signature::percent_encode;
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

    /// Issue 16 item 13: a presigned FilePath's `security-token` quoted in a
    /// string to sign is encoded three times; the match of a shallower
    /// spelling used to replace only the shared start and leave the rest.
    #[test]
    fn a_known_secret_is_removed_at_every_depth_whole_and_cut_short() {
        let r = Redactor::new().secret(TOKEN);
        let mut spelt = TOKEN.to_owned();
        for depth in 1..=4 {
            spelt = percent_encode(&spelt);
            for cut in [spelt.len(), spelt.len() * 2 / 3, spelt.len() / 2] {
                let shown = &spelt[..cut];
                let text = format!("\"GET&%2F&FilePath%3Dx%253Fsecurity-token{shown}\" end");
                let out = r.scrub(&text);
                assert!(!out.contains("VeryLong"), "depth {depth}, cut {cut}: {out}");
                assert!(!out.contains("Token"), "depth {depth}, cut {cut}: {out}");
                assert!(
                    !out.contains("chars0123"),
                    "depth {depth}, cut {cut}: {out}"
                );
                assert!(out.ends_with("\" end"), "depth {depth}, cut {cut}: {out}");
            }
        }
    }

    #[test]
    fn an_unknown_value_after_a_name_is_removed_at_every_depth() {
        let r = Redactor::default();
        let mut query = "security-token=UNKNOWN+TOKEN/x&Expires=1".to_owned();
        for depth in 1..=4 {
            query = percent_encode(&query);
            let out = r.scrub(&format!("StringToSign is {query} end"));
            assert!(!out.contains("UNKNOWN"), "depth {depth}: {out}");
            assert!(
                out.contains("Expires"),
                "depth {depth}: the value ends at &: {out}"
            );
        }
    }

    /// Issue 23: names are matched case-insensitively, as promised above.
    /// Servers and SDKs spell them as they please (`X-Acs-Security-Token`,
    /// `SECURITYTOKEN`, a lower-case `signature%3d`), at any depth of
    /// encoding; the value goes, what follows the value stays.
    #[test]
    fn names_in_any_case_are_matched_at_every_depth() {
        let r = Redactor::default();
        let names = [
            "Security-Token",
            "SECURITY-TOKEN",
            "SECURITYTOKEN",
            "securitytoken",
            "X-Acs-Security-Token",
            "X-OSS-Security-Token",
            "signature",
            "SIGNATURE",
            "X-Oss-Signature",
            "signatureprovided",
            "STRINGTOSIGN",
            "accessKeySecret",
            "ACCESS_KEY_SECRET",
            "canonicalrequest",
        ];
        for name in names {
            // The query as sent, then quoted once, twice, three times.
            let mut query = format!("{name}=UNKNOWN+TOKEN/x&Expires=1");
            for depth in 0..=3 {
                let out = r.scrub(&format!("string to sign: {query} end"));
                assert!(!out.contains("UNKNOWN"), "{name}, depth {depth}: {out}");
                assert!(out.contains(REDACTED), "{name}, depth {depth}: {out}");
                assert!(
                    out.contains("Expires") && out.ends_with(" end"),
                    "{name}, depth {depth}: only the value goes: {out}"
                );
                query = percent_encode(&query);
            }
        }
        // The lower-case hex of an encoded `=` and the other separators,
        // with the name in another case than the list's.
        for text in [
            "GET&%2F&signature%3dUNKNOWNTOKEN%26x%3d1",
            "GET&%2F&SECURITYTOKEN%253dUNKNOWNTOKEN%2526x%253d1",
            "SECURITYTOKEN=UNKNOWNTOKEN&x=1",
            "<signatureProvided>UNKNOWNTOKEN</signatureProvided>",
            "<STRINGTOSIGN>UNKNOWNTOKEN</STRINGTOSIGN>",
            r#"{"accesskeysecret":"UNKNOWNTOKEN"}"#,
            r#"{"ACCESSKEYSECRET": "UNKNOWNTOKEN"}"#,
            "X-Acs-Security-Token: UNKNOWNTOKEN",
            "AUTHORIZATION: UNKNOWNTOKEN",
        ] {
            let out = r.scrub(text);
            assert!(!out.contains("UNKNOWNTOKEN"), "{text} -> {out}");
            assert!(out.contains(REDACTED), "{text} -> {out}");
        }
        // Longer names stay, in any case too.
        let kept = "SIGNATUREMETHOD=HMAC-SHA1&signaturenonce=abc";
        assert_eq!(r.scrub(kept), kept);
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
