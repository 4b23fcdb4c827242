//! Offline validation of a WhatsApp Flow JSON document: the static rules
//! Meta applies when a flow is published ("WhatsApp Flows — Error Codes /
//! Static validation errors" and the Flows changelog, on
//! developers.facebook.com/docs/whatsapp/flows), checked before anything is
//! sent to CAMS.
//!
//! Pure: knows nothing of Terraform or Alibaba. [`check`] reports invalid
//! JSON text as a [`SyntaxError`], and otherwise every rule violation as a
//! [`Problem`] naming its JSON pointer and its [`Rule`]. How severe a problem
//! is (an error for a flow to be published, a warning for a draft) is the
//! caller's choice.
//!
//! One file per group of rules:
//! * `document`: size, top-level properties, versions.
//! * `screens`: the screen list, ids, `terminal` and `success`.
//! * `routing`: the `routing_model` graph.
//! * `components`: each screen's component tree (counts, names, Footer).
//! * `actions`: actions and `${form.…}` / `${data.…}` references.
//!
//! `json` is the borrowed view of the document they all read. Where Meta's
//! rules are not exact, the choice made is written where the rule is
//! checked, summed up in [`Rule::summary`], and tested.

mod actions;
pub mod catalogue;
mod components;
#[cfg(test)]
mod corpus;
mod data_model;
mod document;
#[cfg(test)]
mod fixtures;
mod json;
mod placement;
mod properties;
#[cfg(test)]
mod proptests;
mod routing;
mod rule;
mod screens;

use std::fmt;

pub use rule::{Rule, Severity};

/// The largest document the rules accept, in bytes: 10 MB as AWS End User
/// Messaging states for the same Meta feature. Read as 10 MiB: if Meta
/// means the smaller decimal figure, a flow between the two passes here and
/// fails at publishing, which is better than refusing one Meta accepts.
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// One rule violation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// RFC 6901 pointer to the offending value (`~` as `~0`, `/` as `~1`);
    /// "" is the whole document. A problem about something missing points
    /// at the value that should hold it.
    pub pointer: String,
    pub rule: Rule,
    /// Where the value starts in the text: 1-based line, and 1-based
    /// column counted in characters (a byte order mark is not counted).
    pub line: usize,
    pub column: usize,
    /// One sentence naming the offending value (shortened when long).
    pub message: String,
}

impl Problem {
    pub fn severity(&self) -> Severity {
        self.rule.severity()
    }
}

/// Shown as `POINTER (line L, column C): message`; the whole document's
/// empty pointer is shown as `(document)`, since a bare `: message` reads
/// as a mistake and `/` is the pointer of the key "".
impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "(document)"
        } else {
            &self.pointer
        };
        write!(
            f,
            "{pointer} (line {}, column {}): {}",
            self.line, self.column, self.message
        )
    }
}

/// The problems of a document, at most as many as asked for (the first in
/// document order), and how many more there are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Checked {
    pub problems: Vec<Problem>,
    /// Problems found beyond those kept.
    pub omitted: usize,
}

/// How many problems [`check`] keeps: enough for any real document, and a
/// bound on memory for a hostile one (a million bad references would
/// otherwise each hold a message and a pointer at once).
pub const DEFAULT_MAX_PROBLEMS: usize = 1000;

/// The text is not JSON. `line` and `column` are 1-based, as editors count
/// them (the column counts characters; see [`crate::json_position`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid JSON at line {line}, column {column}: {message}")]
pub struct SyntaxError {
    pub line: usize,
    pub column: usize,
    /// serde_json's message, without its position.
    pub message: String,
}

impl SyntaxError {
    /// serde_json's error `e` about `text`, placed in `text`.
    pub fn new(text: &str, e: &serde_json::Error) -> Self {
        let (line, column) = crate::json_position::position(text.as_bytes(), e);
        SyntaxError {
            line,
            column,
            message: crate::json_position::message(e),
        }
    }
}

/// Checks a Flow JSON document against every rule. The problems come in
/// document order (by where the value they point at starts), at most
/// [`DEFAULT_MAX_PROBLEMS`] of them.
pub fn check(text: &str) -> Result<Vec<Problem>, SyntaxError> {
    check_at_most(text, DEFAULT_MAX_PROBLEMS).map(|checked| checked.problems)
}

/// [`check`], keeping the first `max` problems in document order and
/// counting the rest. Memory stays bounded by `max` whatever the document.
pub fn check_at_most(text: &str, max: usize) -> Result<Checked, SyntaxError> {
    // A UTF-8 byte order mark is not JSON (RFC 8259 §8.1): serde_json
    // would report "expected value" at line 1, column 1. It is named as a
    // problem of its own, and the rest is checked as if it were not there.
    let (bom, body) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut report = Report::new(body, max);
    // Size first: an oversized document is not parsed at all.
    if document::check_size(text, &mut report) {
        return Ok(report.finish());
    }
    let root = json::parse(body)?;
    if bom {
        report.add(
            &root,
            Rule::ByteOrderMark,
            "The document starts with a UTF-8 byte order mark (U+FEFF), which is not JSON; save the file as UTF-8 without BOM.",
        );
    }
    let Some(top) = document::check(&root, &mut report) else {
        return Ok(report.finish());
    };
    let screens = screens::check(&top, &mut report);
    let routes = routing::check(&top, &screens, &mut report);
    let data_models = data_model::check(&screens, &mut report);
    let context = actions::Context {
        screen_ids: screens.iter().filter_map(|s| s.id.as_deref()).collect(),
        routes: routes.as_ref(),
        has_data_api_version: top.object.contains("data_api_version"),
        version: top.version,
        screens: &screens,
        data_models: &data_models,
    };
    let mut all_contents = Vec::with_capacity(screens.len());
    for screen in &screens {
        let contents = components::check(screen, top.version, &mut report);
        placement::check(screen, top.version, &mut report);
        all_contents.push(contents);
    }
    for index in 0..screens.len() {
        actions::check(index, &all_contents, &context, &mut report);
    }
    // With an endpoint the routes are the routing model's (whose absence
    // is a rule of its own), not the navigate actions'.
    if !top.object.contains("routing_model") && !top.object.contains("data_api_version") {
        routing::check_navigation(&top, &screens, &mut report);
    }
    Ok(report.finish())
}

/// The problems found so far, each with the byte offset that orders it,
/// and how many were dropped to stay within `max`.
struct Report<'a> {
    document: &'a str,
    found: Vec<(usize, usize, Problem)>,
    max: usize,
    seen: usize,
}

impl<'a> Report<'a> {
    fn new(document: &'a str, max: usize) -> Self {
        Report {
            document,
            found: Vec::new(),
            max,
            seen: 0,
        }
    }

    fn add(&mut self, at: &json::Node<'_>, rule: Rule, message: impl Into<String>) {
        // Every node is a slice of the document, so the distance between
        // the two starts is the node's offset.
        let offset = (at.text().as_ptr() as usize).saturating_sub(self.document.as_ptr() as usize);
        self.add_at(offset, at.pointer().to_string(), rule, message.into());
    }

    fn add_at(&mut self, offset: usize, pointer: String, rule: Rule, message: String) {
        self.seen += 1;
        self.found.push((
            offset,
            self.seen,
            Problem {
                pointer,
                rule,
                line: 0,
                column: 0,
                message,
            },
        ));
        // Keep the first `max` in document order; sorting at twice the
        // bound keeps the cost linear and the memory at most 2 × max.
        if self.found.len() >= self.max.saturating_mul(2).max(16) {
            self.keep_first();
        }
    }

    fn keep_first(&mut self) {
        // Stable by the order found for problems about the same value.
        self.found.sort_by_key(|(offset, seq, _)| (*offset, *seq));
        self.found.truncate(self.max);
    }

    fn finish(mut self) -> Checked {
        self.keep_first();
        let positions = positions(self.document, self.found.iter().map(|(o, _, _)| *o));
        let omitted = self.seen - self.found.len();
        let problems = self
            .found
            .into_iter()
            .zip(positions)
            .map(|((_, _, mut p), (line, column))| {
                p.line = line;
                p.column = column;
                p
            })
            .collect();
        Checked { problems, omitted }
    }
}

/// Line and column (1-based, columns in characters) of ascending byte
/// offsets, in one pass over the text.
fn positions(text: &str, offsets: impl Iterator<Item = usize>) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let (mut line, mut line_start, mut at) = (1, 0, 0);
    let mut out = Vec::new();
    for offset in offsets {
        let offset = offset.min(bytes.len());
        while at < offset {
            if bytes[at] == b'\n' {
                line += 1;
                line_start = at + 1;
            }
            at += 1;
        }
        let column = text
            .get(line_start..offset)
            .map_or(offset - line_start, |s| s.chars().count())
            + 1;
        out.push((line, column));
    }
    out
}

/// A user's value inside a message: quoted, escaped, and cut after 40
/// characters so a pasted paragraph does not flood the output.
fn quoted(value: &str) -> String {
    const MAX_CHARS: usize = 40;
    match value.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{:?}…", &value[..cut]),
        None => format!("{value:?}"),
    }
}

/// "must be an object, not a string" for a value of the wrong JSON type.
fn report_wrong_type(
    report: &mut Report<'_>,
    at: &json::Node<'_>,
    what: &str,
    expected: json::Kind,
) {
    report.add(
        at,
        Rule::WrongType,
        format!(
            "{what} must be {}, not {}.",
            expected.article_name(),
            at.kind().article_name()
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/flow_json");

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap()
    }

    fn lines(problems: &[Problem]) -> String {
        problems
            .iter()
            .map(|p| format!("{} [{}]\n", p, p.rule))
            .collect()
    }

    /// The examples the emulator serves and the quickstart publishes.
    #[test]
    fn the_example_flows_pass() {
        for name in ["9267533281264300.json", "1000000000000001.json"] {
            let text = std::fs::read_to_string(format!(
                "{}/examples/flows/{name}",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap();
            let problems = check(&text).unwrap();
            assert!(problems.is_empty(), "{name}:\n{}", lines(&problems));
        }
    }

    /// A flow with an endpoint using If, Switch, NavigationList, images,
    /// links and opt-ins up to their limits.
    #[test]
    fn a_rich_endpoint_flow_passes() {
        let problems = check(&fixture("endpoint_flow.json")).unwrap();
        assert!(problems.is_empty(), "{}", lines(&problems));
    }

    /// The emulator's "parses but does not validate" example.
    #[test]
    fn the_example_without_version_or_screens_fails_as_described() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/examples/flows/1000000000000002.json"
        ))
        .unwrap();
        let found: Vec<(String, Rule)> = check(&text)
            .unwrap()
            .into_iter()
            .map(|p| (p.pointer, p.rule))
            .collect();
        assert_eq!(
            found,
            vec![
                (String::new(), Rule::VersionMissing),
                ("/screens".to_string(), Rule::ScreenCount)
            ]
        );
    }

    #[test]
    fn problems_come_in_document_order_not_key_order() {
        let text = r#"{"zeta": 1, "screens": [], "alpha": 2, "version": "7.1"}"#;
        let pointers: Vec<String> = check(text)
            .unwrap()
            .into_iter()
            .map(|p| p.pointer)
            .collect();
        assert_eq!(pointers, vec!["/zeta", "/screens", "/alpha"]);
    }

    #[test]
    fn display_is_pointer_colon_message() {
        let problem = |pointer: &str| Problem {
            pointer: pointer.to_string(),
            rule: Rule::VersionMissing,
            line: 3,
            column: 7,
            message: "The document has no \"version\".".to_string(),
        };
        assert_eq!(
            problem("").to_string(),
            "(document) (line 3, column 7): The document has no \"version\"."
        );
        assert_eq!(
            problem("/screens/0/id").to_string(),
            "/screens/0/id (line 3, column 7): The document has no \"version\"."
        );
    }

    #[test]
    fn invalid_json_is_a_syntax_error_with_its_position() {
        let err = check("{\n  \"version\": }").unwrap_err();
        assert_eq!(
            err,
            SyntaxError {
                line: 2,
                column: 14,
                message: "expected value".to_string()
            }
        );
        assert_eq!(
            err.to_string(),
            "invalid JSON at line 2, column 14: expected value"
        );
        // serde_json says column 0 for both: a position at the start of a
        // line is column 1, as in an editor.
        let err = check("").unwrap_err();
        assert_eq!((err.line, err.column), (1, 1));
        assert_eq!(err.message, "EOF while parsing a value");
        let err = check("{\n  \"version\": \"7.1\",\n").unwrap_err();
        assert_eq!((err.line, err.column), (3, 1), "{err}");
        assert_eq!(
            err.to_string(),
            "invalid JSON at line 3, column 1: EOF while parsing an object"
        );
        // Columns count characters: the stray `x` is the 8th on its line
        // (the 10th byte).
        let err = check("{\"é€\": x}").unwrap_err();
        assert_eq!((err.line, err.column), (1, 8), "{err}");
        assert!(check(r#"{"version": "7.1"} trailing"#).is_err());
    }

    #[test]
    fn long_values_are_shortened_in_messages() {
        let long = "x".repeat(200);
        assert_eq!(quoted(&long), format!("\"{}\"…", "x".repeat(40)));
        assert_eq!(quoted("é\n"), "\"é\\n\"");
    }

    #[test]
    fn many_problems_in_document_order_with_their_messages() {
        for name in ["many_problems", "more_problems"] {
            let problems = check(&fixture(&format!("{name}.json"))).unwrap();
            // UPDATE_EXPECTED=1 rewrites the file, to review with git diff.
            if std::env::var_os("UPDATE_EXPECTED").is_some() {
                std::fs::write(format!("{FIXTURES}/{name}.expected"), lines(&problems)).unwrap();
            }
            assert_eq!(
                lines(&problems),
                fixture(&format!("{name}.expected")),
                "{name}"
            );
        }
    }
}
