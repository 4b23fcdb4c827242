//! A small JSON reader and string writer.
//!
//! serde_json (without its crate-wide `arbitrary_precision` feature) turns
//! every number into an `f64` and silently keeps the last of duplicate keys.
//! Terraform numbers must stay exact and duplicates must be reported, so
//! this reader builds a tree that keeps the raw text of numbers and every
//! key in order. It follows RFC 8259 strictly and limits nesting.

use crate::plugin::value::error::{DecodeError, DecodeErrorKind, MAX_DEPTH};

/// A parsed JSON document, losslessly.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    /// The number exactly as written, e.g. `-1.50e3`.
    Number(String),
    String(String),
    Array(Vec<Json>),
    /// Members in document order, duplicates included.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// A short name of the node's kind, for error messages.
    pub(crate) fn kind_name(&self) -> &'static str {
        match self {
            Json::Null => "JSON null",
            Json::Bool(_) => "JSON boolean",
            Json::Number(_) => "JSON number",
            Json::String(_) => "JSON string",
            Json::Array(_) => "JSON array",
            Json::Object(_) => "JSON object",
        }
    }
}

/// Parses one JSON document (surrounding whitespace allowed).
pub(crate) fn parse(bytes: &[u8]) -> Result<Json, DecodeError> {
    // Validating UTF-8 once up front means every slice cut at an ASCII
    // delimiter below is valid UTF-8 too.
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(syntax_error(e.valid_up_to(), "invalid UTF-8"));
    }
    let mut parser = Parser { bytes, pos: 0 };
    parser.skip_whitespace();
    let document = parser.value(0)?;
    parser.skip_whitespace();
    if parser.pos != bytes.len() {
        return Err(syntax_error(
            parser.pos,
            "unexpected data after the document",
        ));
    }
    Ok(document)
}

fn syntax_error(offset: usize, reason: &'static str) -> DecodeError {
    DecodeError::new(DecodeErrorKind::JsonSyntax { offset, reason })
}

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn error(&self, reason: &'static str) -> DecodeError {
        syntax_error(self.pos, reason)
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8, reason: &'static str) -> Result<(), DecodeError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(reason))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, DecodeError> {
        match self.peek() {
            None => Err(self.error("unexpected end of input")),
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(Json::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(_) => Err(self.error("expected a value")),
        }
    }

    fn literal(&mut self, word: &'static str, value: Json) -> Result<Json, DecodeError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn check_depth(&self, depth: usize) -> Result<(), DecodeError> {
        if depth > MAX_DEPTH {
            Err(DecodeError::new(DecodeErrorKind::TooDeep {
                limit: MAX_DEPTH,
            }))
        } else {
            Ok(())
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, DecodeError> {
        self.check_depth(depth)?;
        self.pos += 1; // '['
        let mut elements = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(elements));
        }
        loop {
            self.skip_whitespace();
            elements.push(self.value(depth)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(elements));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, DecodeError> {
        self.check_depth(depth)?;
        self.pos += 1; // '{'
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key"));
            }
            let key = self.string()?;
            self.skip_whitespace();
            self.expect(b':', "expected ':'")?;
            self.skip_whitespace();
            members.push((key, self.value(depth)?));
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Object(members));
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Json, DecodeError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("expected a digit")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("expected a digit after '.'"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("expected a digit in the exponent"));
            }
        }
        let text = String::from_utf8_lossy(&self.bytes[start..self.pos]).into_owned();
        Ok(Json::Number(text))
    }

    fn string(&mut self) -> Result<String, DecodeError> {
        self.pos += 1; // opening quote
        let mut out = Vec::new();
        loop {
            let Some(byte) = self.peek() else {
                return Err(self.error("unterminated string"));
            };
            match byte {
                b'"' => {
                    self.pos += 1;
                    // The input was valid UTF-8 and escapes add whole chars.
                    return String::from_utf8(out).map_err(|_| self.error("invalid UTF-8"));
                }
                b'\\' => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                0x00..=0x1f => return Err(self.error("control character in string")),
                _ => {
                    out.push(byte);
                    self.pos += 1;
                }
            }
        }
    }

    fn escape(&mut self, out: &mut Vec<u8>) -> Result<(), DecodeError> {
        let Some(byte) = self.peek() else {
            return Err(self.error("unterminated string"));
        };
        self.pos += 1;
        let simple = match byte {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let c = self.unicode_escape()?;
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                return Ok(());
            }
            _ => return Err(self.error("invalid escape")),
        };
        out.push(simple);
        Ok(())
    }

    /// After `\u`: four hex digits, or a surrogate pair `XXXX\uYYYY`.
    fn unicode_escape(&mut self) -> Result<char, DecodeError> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if !self.bytes[self.pos..].starts_with(b"\\u") {
                    return Err(self.error("lone surrogate in \\u escape"));
                }
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error("lone surrogate in \\u escape"));
                }
                0x10000 + ((u32::from(first) - 0xD800) << 10) + (u32::from(second) - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error("lone surrogate in \\u escape")),
            _ => u32::from(first),
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))
    }

    fn hex4(&mut self) -> Result<u16, DecodeError> {
        let mut value = 0u16;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|b| char::from(b).to_digit(16))
                .ok_or_else(|| self.error("expected four hex digits"))?;
            // to_digit(16) < 16, so this fits in u16.
            value = (value << 4) | digit as u16;
            self.pos += 1;
        }
        Ok(value)
    }
}

/// Appends `text` as a JSON string literal.
pub(crate) fn write_string(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    for c in text.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if u32::from(c) < 0x20 => {
                out.extend_from_slice(format!("\\u{:04x}", u32::from(c)).as_bytes());
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Json {
        match parse(text.as_bytes()) {
            Ok(json) => json,
            Err(e) => panic!("{text}: {e}"),
        }
    }

    #[test]
    fn keeps_number_text_and_duplicate_keys() {
        assert_eq!(
            parsed(r#" {"a": 123456789012345678901234567890.5, "a": [true, null, -0e-0]} "#),
            Json::Object(vec![
                (
                    "a".into(),
                    Json::Number("123456789012345678901234567890.5".into())
                ),
                (
                    "a".into(),
                    Json::Array(vec![
                        Json::Bool(true),
                        Json::Null,
                        Json::Number("-0e-0".into())
                    ])
                ),
            ])
        );
    }

    #[test]
    fn unescapes_strings() {
        assert_eq!(
            parsed(r#""a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00é""#),
            Json::String("a\"\\/\u{8}\u{c}\n\r\té😀é".into())
        );
    }

    #[test]
    fn rejects_malformed_documents() {
        for text in [
            "",
            "{",
            "[1,]",
            "[1 2]",
            "{\"a\" 1}",
            "{1:2}",
            "01",
            "1.",
            ".5",
            "-",
            "1e",
            "+1",
            "tru",
            "nul",
            "\"abc",
            "\"\\x\"",
            "\"\\ud800\"",
            "\"\\udc00x\"",
            "\"\u{1}\"",
            "1 2",
            "NaN",
            "[\"\\u12\"]",
        ] {
            assert!(parse(text.as_bytes()).is_err(), "{text:?} accepted");
        }
        assert!(parse(b"\"\xff\"").is_err());
    }

    #[test]
    fn limits_nesting() {
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(matches!(
            parse(deep.as_bytes()).map_err(|e| e.kind),
            Err(DecodeErrorKind::TooDeep { .. })
        ));
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(ok.as_bytes()).is_ok());
    }

    #[test]
    fn writes_strings_that_parse_back() {
        let text = "q\"b\\s\n\u{1}\u{1f}é😀\u{7f}";
        let mut out = Vec::new();
        write_string(&mut out, text);
        assert_eq!(parse(&out), Ok(Json::String(text.into())));
    }
}
