//! Small markdown helpers shared by every page: front matter, fenced code,
//! and the plain-text form the registry wants in front matter.

/// The YAML front matter the Terraform Registry reads: title, subcategory
/// and a plain-text description as a literal block.
pub fn front_matter(page_title: &str, description: &str) -> String {
    let mut out = String::from("---\n");
    out.push_str(&format!(
        "page_title: \"{}\"\n",
        page_title.replace('"', "\\\"")
    ));
    out.push_str("subcategory: \"\"\n");
    out.push_str("description: |-\n");
    let plain = plain_text(description);
    for line in plain.trim().lines() {
        if line.trim().is_empty() {
            out.push('\n');
        } else {
            out.push_str("  ");
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out.push_str("---\n");
    out
}

/// Markdown reduced to its text: code spans, emphasis and links lose their
/// markup (the registry shows front matter descriptions as plain text).
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(c) = rest.chars().next() {
        if c == '[' {
            if let Some((text, after)) = split_link(rest) {
                out.push_str(&plain_text(text));
                rest = after;
                continue;
            }
        }
        if rest.starts_with("**") || rest.starts_with("__") {
            rest = &rest[2..];
            continue;
        }
        if c != '`' {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// `[text](url)rest` as `(text, rest)`.
fn split_link(s: &str) -> Option<(&str, &str)> {
    let close = s.find("](")?;
    let text = &s[1..close];
    if text.contains('[') || text.contains(']') {
        return None;
    }
    let after_paren = &s[close + 2..];
    let end = after_paren.find(')')?;
    Some((text, &after_paren[end + 1..]))
}

/// A fenced code block, its body without trailing blank lines.
pub fn fenced(language: &str, body: &str) -> String {
    format!("```{language}\n{}\n```", body.trim_end())
}

/// A multi-line description inside a list item: later lines indented so
/// they stay part of the item.
pub fn indent_continuation(text: &str, indent: &str) -> String {
    let mut lines = text.lines();
    let mut out = lines.next().unwrap_or_default().to_owned();
    for line in lines {
        out.push('\n');
        if !line.trim().is_empty() {
            out.push_str(indent);
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_drops_code_emphasis_and_link_markup() {
        assert_eq!(
            plain_text("Calls `GetFlow`; **see** [the guide](https://x.example/a_b) _now_."),
            "Calls GetFlow; see the guide _now_."
        );
        assert_eq!(plain_text("a [b] c"), "a [b] c");
    }

    #[test]
    fn front_matter_is_a_literal_block_of_plain_text() {
        let fm = front_matter("cams_x Resource - p", "Line `one`.\n\nLine two.");
        assert_eq!(
            fm,
            "---\npage_title: \"cams_x Resource - p\"\nsubcategory: \"\"\ndescription: |-\n  Line one.\n\n  Line two.\n---\n"
        );
    }

    #[test]
    fn continuation_lines_are_indented() {
        assert_eq!(indent_continuation("a\nb\n\nc", "  "), "a\n  b\n\n  c");
    }
}
