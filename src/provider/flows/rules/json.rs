//! A borrowed, lazy view of a JSON document for the rules.
//!
//! Like [`super::super::summary`], the document is never built as a
//! `serde_json::Value` tree (a tree costs several times the text, and a Flow
//! JSON may be megabytes): the whole text is validated once, and each
//! container is split into its members only when a rule looks inside it.
//! Every [`Node`] is a slice of the original text, so its byte offset gives
//! the problems their document order, and it carries its RFC 6901 pointer.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::SyntaxError;

/// How deep below the document root the rules look. Real flows nest about
/// fifteen levels (screen, layout, Form, If, Switch, action, payload); the
/// cap keeps the walks' recursion and their re-reading of nested text
/// bounded on pathological documents, which the parser itself accepts at
/// any depth.
pub(super) const MAX_DEPTH: usize = 48;

/// The deepest nesting of arrays and objects a Flow JSON may have, the
/// document itself being level 1. CAMS documents no limit; this is the
/// figure the emulator enforces too (`cams-emulator`'s `MAX_JSON_NESTING`),
/// so a document accepted at plan is never refused as "not JSON" later,
/// and no real flow comes near it.
pub const MAX_NESTING: usize = 128;

/// One JSON value of the document and where it is.
#[derive(Clone)]
pub(super) struct Node<'a> {
    raw: &'a RawValue,
    pointer: String,
    depth: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Object,
    Array,
    String,
    Number,
    Bool,
    Null,
}

impl Kind {
    /// The kind as a user reads it in "must be an object, not a string".
    pub(super) fn article_name(self) -> &'static str {
        match self {
            Kind::Object => "an object",
            Kind::Array => "an array",
            Kind::String => "a string",
            Kind::Number => "a number",
            Kind::Bool => "a boolean",
            Kind::Null => "null",
        }
    }
}

/// An object's members in document order. As in `serde_json::Value`, the
/// last of duplicate keys wins; it keeps the place of the first.
pub(super) struct Object<'a> {
    node: Node<'a>,
    members: Vec<(String, &'a RawValue)>,
}

/// Parses the whole text; any JSON text nested at most [`MAX_NESTING`]
/// deep is accepted.
pub(super) fn parse(text: &str) -> Result<Node<'_>, SyntaxError> {
    let raw: &RawValue = serde_json::from_str(text).map_err(|e| SyntaxError::new(text, &e))?;
    if let Some((line, column)) = too_deep(text) {
        return Err(SyntaxError {
            line,
            column,
            message: format!(
                "arrays and objects nested more than {MAX_NESTING} levels deep, which CAMS is not known to accept"
            ),
        });
    }
    Ok(Node {
        raw,
        pointer: String::new(),
        depth: 0,
    })
}

/// Where valid JSON `text` first opens an array or object more than
/// [`MAX_NESTING`] levels deep: its 1-based line and character column.
fn too_deep(text: &str) -> Option<(usize, usize)> {
    let (mut depth, mut line, mut line_start) = (0usize, 1usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for (at, byte) in text.bytes().enumerate() {
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
                if depth > MAX_NESTING {
                    let before = &text.as_bytes()[line_start..at];
                    let column = 1 + before.iter().filter(|&&b| b & 0xC0 != 0x80).count();
                    return Some((line, column));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b'\n' => {
                line += 1;
                line_start = at + 1;
            }
            _ => {}
        }
    }
    None
}

impl<'a> Node<'a> {
    /// The RFC 6901 pointer of this value ("" is the whole document).
    pub(super) fn pointer(&self) -> &str {
        &self.pointer
    }

    /// The value's text, a slice of the document.
    pub(super) fn text(&self) -> &'a str {
        self.raw.get()
    }

    /// Levels below the document root.
    pub(super) fn depth(&self) -> usize {
        self.depth
    }

    pub(super) fn kind(&self) -> Kind {
        // The text is valid JSON, so its first byte says what it is.
        match self.text().trim_start().as_bytes().first() {
            Some(b'{') => Kind::Object,
            Some(b'[') => Kind::Array,
            Some(b'"') => Kind::String,
            Some(b't' | b'f') => Kind::Bool,
            Some(b'n') => Kind::Null,
            _ => Kind::Number,
        }
    }

    pub(super) fn as_object(&self) -> Option<Object<'a>> {
        if self.kind() != Kind::Object {
            return None;
        }
        let Members(members) = serde_json::from_str(self.text()).ok()?;
        Some(Object {
            node: self.clone(),
            members,
        })
    }

    pub(super) fn as_array(&self) -> Option<Vec<Node<'a>>> {
        if self.kind() != Kind::Array {
            return None;
        }
        let items: Vec<&'a RawValue> = serde_json::from_str(self.text()).ok()?;
        Some(
            items
                .into_iter()
                .enumerate()
                .map(|(i, raw)| self.child(&i.to_string(), raw))
                .collect(),
        )
    }

    /// The string's value. A string the parser accepts but Rust cannot hold
    /// (a lone surrogate escape such as `"\ud800"`) is given as its text
    /// between the quotes, escapes and all, so rules still see and name it.
    pub(super) fn as_str(&self) -> Option<Cow<'a, str>> {
        if self.kind() != Kind::String {
            return None;
        }
        let text = self.text().trim();
        let between_quotes = &text[1..text.len() - 1];
        if !between_quotes.contains('\\') {
            return Some(Cow::Borrowed(between_quotes));
        }
        match serde_json::from_str::<String>(text) {
            Ok(decoded) => Some(Cow::Owned(decoded)),
            Err(_) => Some(Cow::Borrowed(between_quotes)),
        }
    }

    pub(super) fn as_bool(&self) -> Option<bool> {
        match self.text().trim() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    fn child(&self, segment: &str, raw: &'a RawValue) -> Node<'a> {
        let mut pointer = String::with_capacity(self.pointer.len() + 1 + segment.len());
        pointer.push_str(&self.pointer);
        pointer.push('/');
        pointer.push_str(&escape(segment));
        Node {
            raw,
            pointer,
            depth: self.depth + 1,
        }
    }
}

impl<'a> Object<'a> {
    /// The object itself, as a node.
    pub(super) fn node(&self) -> &Node<'a> {
        &self.node
    }

    pub(super) fn get(&self, key: &str) -> Option<Node<'a>> {
        self.members
            .iter()
            .find(|(k, _)| k == key)
            .map(|(k, raw)| self.node.child(k, raw))
    }

    pub(super) fn contains(&self, key: &str) -> bool {
        self.members.iter().any(|(k, _)| k == key)
    }

    /// The members in document order.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&str, Node<'a>)> + '_ {
        self.members
            .iter()
            .map(|(k, raw)| (k.as_str(), self.node.child(k, raw)))
    }

    pub(super) fn keys(&self) -> impl Iterator<Item = &str> + '_ {
        self.members.iter().map(|(k, _)| k.as_str())
    }
}

/// RFC 6901: `~` is written `~0` and `/` is written `~1`.
pub(super) fn escape(segment: &str) -> Cow<'_, str> {
    if segment.contains(['~', '/']) {
        Cow::Owned(segment.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(segment)
    }
}

/// An object's members, unparsed, read by our own visitor because a map
/// type would lose their order.
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Members<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(MembersVisitor(std::marker::PhantomData))
    }
}

struct MembersVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> Visitor<'de> for MembersVisitor<'a> {
    type Value = Members<'a>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        // Most objects have a handful of members, found fastest by a scan;
        // an index of the keys keeps an object with thousands linear.
        const SCAN_UP_TO: usize = 16;
        let mut members: Vec<(String, &'a RawValue)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        while let Some((key, value)) = map.next_entry::<String, &'de RawValue>()? {
            let existing = if members.len() <= SCAN_UP_TO {
                members.iter().position(|(k, _)| *k == key)
            } else {
                if index.is_empty() {
                    index = members
                        .iter()
                        .enumerate()
                        .map(|(i, (k, _))| (k.clone(), i))
                        .collect();
                }
                index.get(&key).copied()
            };
            match existing {
                Some(i) => members[i].1 = value,
                None => {
                    if !index.is_empty() {
                        index.insert(key.clone(), members.len());
                    }
                    members.push((key, value));
                }
            }
        }
        Ok(Members(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_tilde_and_slash() {
        let root = parse(r#"{"a/b":{"m~n":[0,1]}}"#).unwrap();
        let inner = root.as_object().unwrap().get("a/b").unwrap();
        let list = inner.as_object().unwrap().get("m~n").unwrap();
        assert_eq!(list.pointer(), "/a~1b/m~0n");
        assert_eq!(list.as_array().unwrap()[1].pointer(), "/a~1b/m~0n/1");
    }

    #[test]
    fn members_keep_document_order_and_the_last_duplicate_wins() {
        let root = parse(r#"{"z":1,"a":2,"z":3}"#).unwrap();
        let object = root.as_object().unwrap();
        assert_eq!(object.keys().collect::<Vec<_>>(), vec!["z", "a"]);
        assert_eq!(object.get("z").unwrap().text(), "3");
    }

    #[test]
    fn duplicates_are_found_in_objects_of_any_size() {
        let mut text = String::from("{");
        for i in 0..100 {
            text.push_str(&format!("\"k{i}\":{i},"));
        }
        text.push_str("\"k3\":\"again\",\"k99\":\"last\",\"new\":0}");
        let root = parse(&text).unwrap();
        let object = root.as_object().unwrap();
        assert_eq!(object.keys().count(), 101);
        assert_eq!(object.get("k3").unwrap().text(), "\"again\"");
        assert_eq!(object.get("k99").unwrap().text(), "\"last\"");
        assert_eq!(object.keys().nth(3), Some("k3"));
        assert_eq!(object.keys().last(), Some("new"));
    }

    #[test]
    fn strings_are_decoded_and_undecodable_ones_kept_as_written() {
        let root = parse(r#"["plain","A\u00e9\n","\ud800x"]"#).unwrap();
        let items = root.as_array().unwrap();
        assert!(matches!(items[0].as_str(), Some(Cow::Borrowed("plain"))));
        assert_eq!(items[1].as_str().unwrap(), "A\u{e9}\n");
        assert_eq!(items[2].as_str().unwrap(), "\\ud800x");
    }

    #[test]
    fn kinds_come_from_the_first_character() {
        let root = parse(r#"[{}, [], "s", -1, true, false, null]"#).unwrap();
        let kinds: Vec<Kind> = root.as_array().unwrap().iter().map(Node::kind).collect();
        use Kind::*;
        assert_eq!(kinds, vec![Object, Array, String, Number, Bool, Bool, Null]);
    }

    /// Issue 16 item 15: one documented depth, the emulator's too.
    #[test]
    fn nesting_is_accepted_to_the_limit_and_refused_one_past_it() {
        let nested = |levels: usize| {
            format!(
                "{{\"a\":\n{}1{}}}",
                "[".repeat(levels - 1),
                "]".repeat(levels - 1)
            )
        };
        assert!(parse(&nested(MAX_NESTING)).is_ok());
        let err = parse(&nested(MAX_NESTING + 1)).err().expect("refused");
        // The 129th level opens on line 2, at column 128.
        assert_eq!((err.line, err.column), (2, MAX_NESTING), "{err}");
        assert!(err.message.contains("128 levels"), "{err}");
        // Brackets inside strings are text.
        let in_string = format!("[\"{}\\\"[\"]", "[".repeat(500));
        assert!(parse(&in_string).is_ok());
    }
}
