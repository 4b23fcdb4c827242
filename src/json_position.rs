//! Where a JSON error is, counted as editors count: lines and columns both
//! from 1, the column in characters.
//!
//! serde_json counts lines from 1 but reports column 0 for an error at the
//! start of a line (an unexpected end of input after a newline, or a
//! character nothing on its line was read before), and its columns count
//! bytes. Every message that shows a position of a JSON text goes through
//! [`position`] so that "line 2, column 0" is never shown.

/// The 1-based line and character column of `e` in `text`, the text
/// serde_json parsed.
pub fn position(text: &[u8], e: &serde_json::Error) -> (usize, usize) {
    let line = e.line().max(1);
    // serde_json's column is the number of bytes of the line before the
    // error, i.e. the 1-based byte column of the last byte it read, or 0
    // when it read nothing of the line.
    let start = line_start(text, line);
    let end = start.saturating_add(e.column()).min(text.len());
    (line, characters(&text[start..end]).max(1))
}

/// serde_json's message without the " at line L column C" it appends.
pub fn message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    full.strip_suffix(&suffix).unwrap_or(&full).to_string()
}

/// `MESSAGE at line L, column C`, with [`position`]'s numbers.
pub fn describe(text: &[u8], e: &serde_json::Error) -> String {
    let (line, column) = position(text, e);
    format!("{} at line {line}, column {column}", message(e))
}

/// Byte offset where 1-based `line` starts (the end of the text when it
/// has fewer lines).
fn line_start(text: &[u8], line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .nth(line - 2)
        .map_or(text.len(), |(at, _)| at + 1)
}

/// Characters in a UTF-8 slice (bytes that do not continue a character;
/// a slice cut inside a character counts that character).
fn characters(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> (usize, usize) {
        let e = serde_json::from_str::<serde_json::Value>(text).unwrap_err();
        position(text.as_bytes(), &e)
    }

    #[test]
    fn an_error_at_the_first_character_of_a_line_is_column_1() {
        // serde_json says column 0 for each of these.
        assert_eq!(at(""), (1, 1));
        assert_eq!(at("{\n"), (2, 1));
        assert_eq!(at("[1,\n"), (2, 1));
        let e = serde_json::from_str::<serde_json::Value>("{\n").unwrap_err();
        assert_eq!(e.column(), 0, "serde_json changed how it counts");
        assert_eq!(
            describe(b"{\n", &e),
            "EOF while parsing an object at line 2, column 1"
        );
    }

    #[test]
    fn an_error_inside_a_line_names_the_character_it_is_at() {
        // The `}` is the 14th character of line 2.
        assert_eq!(at("{\n  \"version\": }"), (2, 14));
        assert_eq!(at("x"), (1, 1));
        assert_eq!(at("[1, x]"), (1, 5));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        // "é" and "€" are 2 and 3 bytes; the stray `x` is the 12th character.
        assert_eq!(at("[\"é\", \"€\", x]"), (1, 12));
    }

    #[test]
    fn the_message_loses_serde_json_s_position() {
        let e = serde_json::from_str::<serde_json::Value>("[1,]").unwrap_err();
        assert_eq!(message(&e), "trailing comma");
    }
}
