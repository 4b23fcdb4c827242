//! The "Schema" section of a provider, resource or data source page, in
//! the shape the Terraform Registry's readers know from tfplugindocs:
//! Required / Optional / Read-Only lists sorted by name, each entry with its
//! type and flags, and one anchored "Nested Schema" section per nested
//! block, nested attribute or object-typed attribute.

use std::collections::BTreeMap;

use cams_provider::plugin::value::Type;
use cams_provider::plugin::{
    Attribute, Block, NestedAttributes, NestedBlock, Nesting, ObjectNesting, Presence,
};

use crate::markdown::indent_continuation;

const WRITE_ONLY_LINK: &str =
    "[Write-only](https://developer.hashicorp.com/terraform/language/resources/ephemeral#write-only-arguments)";

/// Which list an entry belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Group {
    Required,
    Optional,
    ReadOnly,
}

impl Group {
    const ALL: [Group; 3] = [Group::Required, Group::Optional, Group::ReadOnly];

    fn title(self) -> &'static str {
        match self {
            Group::Required => "Required",
            Group::Optional => "Optional",
            Group::ReadOnly => "Read-Only",
        }
    }

    fn of_attribute(a: &Attribute) -> Group {
        match a.presence {
            Presence::Required => Group::Required,
            Presence::Optional | Presence::OptionalComputed => Group::Optional,
            Presence::Computed => Group::ReadOnly,
        }
    }

    /// A block is required when it must appear, read-only when nothing in
    /// it can be set, optional otherwise.
    fn of_block(b: &NestedBlock) -> Group {
        if b.min_items > 0 {
            Group::Required
        } else if block_is_read_only(&b.block) {
            Group::ReadOnly
        } else {
            Group::Optional
        }
    }
}

fn block_is_read_only(block: &Block) -> bool {
    (!block.attributes.is_empty() || !block.blocks.is_empty())
        && block
            .attributes
            .iter()
            .all(|a| a.presence == Presence::Computed)
        && block.blocks.iter().all(|b| block_is_read_only(&b.block))
}

/// What a "Nested Schema" section lists.
enum NestedBody<'a> {
    Block(&'a Block),
    Attributes(&'a [Attribute]),
    /// The fields of an object type, all in the group of the attribute
    /// holding them (a type has no presence of its own).
    Object(&'a BTreeMap<String, Type>, Group),
}

/// A nested section waiting to be written after the lists that link to it.
struct Nested<'a> {
    anchor: String,
    path: String,
    body: NestedBody<'a>,
}

/// One entry of a list, ready to write.
struct Entry<'a> {
    name: &'a str,
    group: Group,
    line: String,
    write_only: bool,
    nested: Option<Nested<'a>>,
}

/// Renders `## Schema` and everything under it for a top-level block.
pub fn render_schema(block: &Block) -> String {
    let mut out = String::from("## Schema\n");
    let entries = block_entries(block, &[]);
    let nested = write_groups(&mut out, entries, true);
    for n in nested {
        write_nested(&mut out, n);
    }
    out
}

fn write_nested(out: &mut String, n: Nested<'_>) {
    out.push_str(&format!(
        "\n<a id=\"{}\"></a>\n### Nested Schema for `{}`\n",
        n.anchor, n.path
    ));
    let trail: Vec<&str> = n.path.split('.').collect();
    let entries = match n.body {
        NestedBody::Block(block) => block_entries(block, &trail),
        NestedBody::Attributes(attributes) => attribute_entries(attributes, &trail),
        NestedBody::Object(fields, group) => object_entries(fields, group, &trail),
    };
    for child in write_groups(out, entries, false) {
        write_nested(out, child);
    }
}

/// Writes the non-empty groups in order; returns the nested sections they
/// link to, in the order they appear.
fn write_groups<'a>(out: &mut String, mut entries: Vec<Entry<'a>>, top: bool) -> Vec<Nested<'a>> {
    entries.sort_by(|a, b| a.name.cmp(b.name));
    let mut nested = Vec::new();
    for group in Group::ALL {
        let members: Vec<&Entry<'_>> = entries.iter().filter(|e| e.group == group).collect();
        if members.is_empty() {
            continue;
        }
        if top {
            out.push_str(&format!("\n### {}\n\n", group.title()));
        } else {
            out.push_str(&format!("\n{}:\n\n", group.title()));
        }
        if members.iter().any(|e| e.write_only) {
            out.push_str("> **NOTE**: Write-only arguments are never stored in the plan or the state, and need Terraform 1.11 or later.\n\n");
        }
        for e in members {
            out.push_str(&e.line);
            out.push('\n');
        }
    }
    for group in Group::ALL {
        for e in entries.iter_mut().filter(|e| e.group == group) {
            if let Some(n) = e.nested.take() {
                nested.push(n);
            }
        }
    }
    nested
}

fn block_entries<'a>(block: &'a Block, trail: &[&str]) -> Vec<Entry<'a>> {
    let mut entries = attribute_entries(&block.attributes, trail);
    entries.extend(block.blocks.iter().map(|b| block_entry(b, trail)));
    entries
}

fn attribute_entries<'a>(attributes: &'a [Attribute], trail: &[&str]) -> Vec<Entry<'a>> {
    attributes
        .iter()
        .map(|a| attribute_entry(a, trail))
        .collect()
}

fn object_entries<'a>(
    fields: &'a BTreeMap<String, Type>,
    group: Group,
    trail: &[&str],
) -> Vec<Entry<'a>> {
    fields
        .iter()
        .map(|(name, ty)| {
            let nested = object_nested(name, ty, group, trail);
            let line = entry_line(name, &type_label(ty), "", nested.as_ref());
            Entry {
                name,
                group,
                line,
                write_only: false,
                nested,
            }
        })
        .collect()
}

fn attribute_entry<'a>(a: &'a Attribute, trail: &[&str]) -> Entry<'a> {
    let group = Group::of_attribute(a);
    let (label, nested) = match &a.nested {
        Some(attrs) => (
            nested_attributes_label(attrs),
            Some(Nested {
                anchor: anchor("nestedatt", trail, &a.name),
                path: path(trail, &a.name),
                body: NestedBody::Attributes(&attrs.attributes),
            }),
        ),
        None => (
            type_label(&a.ty),
            object_nested(&a.name, &a.ty, group, trail),
        ),
    };
    let mut flags = vec![label];
    if a.sensitive {
        flags.push("Sensitive".to_owned());
    }
    if a.deprecation.is_some() {
        flags.push("Deprecated".to_owned());
    }
    if a.write_only {
        flags.push(WRITE_ONLY_LINK.to_owned());
    }
    let description = described(
        a.markdown_description.as_deref().unwrap_or(&a.description),
        a.deprecation.as_deref(),
    );
    Entry {
        name: &a.name,
        group,
        line: entry_line(&a.name, &flags.join(", "), &description, nested.as_ref()),
        write_only: a.write_only,
        nested,
    }
}

fn block_entry<'a>(b: &'a NestedBlock, trail: &[&str]) -> Entry<'a> {
    let mut flags = vec![block_label(b)];
    if b.block.deprecation.is_some() {
        flags.push("Deprecated".to_owned());
    }
    let nested = Nested {
        anchor: anchor("nestedblock", trail, &b.type_name),
        path: path(trail, &b.type_name),
        body: NestedBody::Block(&b.block),
    };
    let description = described(
        b.block
            .markdown_description
            .as_deref()
            .unwrap_or(&b.block.description),
        b.block.deprecation.as_deref(),
    );
    Entry {
        name: &b.type_name,
        group: Group::of_block(b),
        line: entry_line(&b.type_name, &flags.join(", "), &description, Some(&nested)),
        write_only: false,
        nested: Some(nested),
    }
}

/// The nested section for an attribute whose type holds an object
/// (`Object`, `List of Object`, ...), listing the object's fields.
fn object_nested<'a>(name: &str, ty: &'a Type, group: Group, trail: &[&str]) -> Option<Nested<'a>> {
    innermost_object(ty).map(|fields| Nested {
        anchor: anchor("nestedobjatt", trail, name),
        path: path(trail, name),
        body: NestedBody::Object(fields, group),
    })
}

fn innermost_object(ty: &Type) -> Option<&BTreeMap<String, Type>> {
    match ty {
        Type::Object(fields) => Some(fields),
        Type::List(e) | Type::Set(e) | Type::Map(e) => innermost_object(e),
        _ => None,
    }
}

fn described(description: &str, deprecation: Option<&str>) -> String {
    let mut text = description.trim().to_owned();
    if let Some(message) = deprecation {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str("**Deprecated:** ");
        text.push_str(message.trim());
    }
    text
}

fn entry_line(name: &str, flags: &str, description: &str, nested: Option<&Nested<'_>>) -> String {
    let mut line = format!("- `{name}` ({flags})");
    if !description.is_empty() {
        line.push(' ');
        line.push_str(&indent_continuation(description, "  "));
    }
    if let Some(n) = nested {
        line.push_str(&format!(" (see [below for nested schema](#{}))", n.anchor));
    }
    line
}

fn anchor(kind: &str, trail: &[&str], name: &str) -> String {
    let mut parts = vec![kind];
    parts.extend_from_slice(trail);
    parts.push(name);
    parts.join("--")
}

fn path(trail: &[&str], name: &str) -> String {
    let mut parts = trail.to_vec();
    parts.push(name);
    parts.join(".")
}

/// A type as the schema lists show it: `String`, `List of Number`, `Object`.
pub fn type_label(ty: &Type) -> String {
    match ty {
        Type::String => "String".to_owned(),
        Type::Number => "Number".to_owned(),
        Type::Bool => "Boolean".to_owned(),
        Type::Dynamic => "Dynamic".to_owned(),
        Type::List(e) => format!("List of {}", type_label(e)),
        Type::Set(e) => format!("Set of {}", type_label(e)),
        Type::Map(e) => format!("Map of {}", type_label(e)),
        Type::Object(_) => "Object".to_owned(),
        Type::Tuple(_) => "Tuple".to_owned(),
    }
}

fn nested_attributes_label(n: &NestedAttributes) -> String {
    match n.nesting {
        ObjectNesting::Single => "Attributes",
        ObjectNesting::List => "Attributes List",
        ObjectNesting::Set => "Attributes Set",
        ObjectNesting::Map => "Attributes Map",
    }
    .to_owned()
}

fn block_label(b: &NestedBlock) -> String {
    let mut label = match b.nesting {
        Nesting::Single | Nesting::Group => "Block",
        Nesting::List => "Block List",
        Nesting::Set => "Block Set",
        Nesting::Map => "Block Map",
    }
    .to_owned();
    if matches!(b.nesting, Nesting::List | Nesting::Set) {
        if b.min_items > 0 {
            label.push_str(&format!(", Min: {}", b.min_items));
        }
        if b.max_items > 0 {
            label.push_str(&format!(", Max: {}", b.max_items));
        }
    }
    label
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small_schema() -> Block {
        Block::new("A thing.")
            .attribute(Attribute::required("name", Type::String, "The name."))
            .attribute(
                Attribute::optional("size", Type::Number, "The size.").deprecated("Use `name`."),
            )
            .attribute(Attribute::optional_computed(
                "tags",
                Type::map(Type::String),
                "Tags.",
            ))
            .attribute(
                Attribute::optional("token", Type::String, "A token.")
                    .sensitive()
                    .write_only(),
            )
            .attribute(Attribute::computed("id", Type::String, "The ID."))
            .attribute(Attribute::computed(
                "items",
                Type::list(Type::object([("key", Type::String), ("on", Type::Bool)])),
                "Items.",
            ))
            .attribute(Attribute::nested(
                "rules",
                Presence::Optional,
                NestedAttributes::new(
                    ObjectNesting::Set,
                    vec![
                        Attribute::required("port", Type::Number, "Port."),
                        Attribute::computed("hits", Type::Number, "Hits."),
                    ],
                ),
                "Rules.",
            ))
            .block(NestedBlock::list(
                "auth",
                Block::new("Auth settings.")
                    .attribute(Attribute::required("user", Type::String, "User."))
                    .block(NestedBlock::set(
                        "scope",
                        Block::new("").attribute(Attribute::optional(
                            "path",
                            Type::String,
                            "Path.",
                        )),
                        0,
                        0,
                    )),
                1,
                1,
            ))
            .block(NestedBlock::single(
                "status",
                Block::new("Status.").attribute(Attribute::computed(
                    "state",
                    Type::String,
                    "State.",
                )),
            ))
    }

    #[test]
    fn a_small_schema_renders_as_registry_readers_expect() {
        let want = r#"## Schema

### Required

- `auth` (Block List, Min: 1, Max: 1) Auth settings. (see [below for nested schema](#nestedblock--auth))
- `name` (String) The name.

### Optional

> **NOTE**: Write-only arguments are never stored in the plan or the state, and need Terraform 1.11 or later.

- `rules` (Attributes Set) Rules. (see [below for nested schema](#nestedatt--rules))
- `size` (Number, Deprecated) The size. **Deprecated:** Use `name`.
- `tags` (Map of String) Tags.
- `token` (String, Sensitive, [Write-only](https://developer.hashicorp.com/terraform/language/resources/ephemeral#write-only-arguments)) A token.

### Read-Only

- `id` (String) The ID.
- `items` (List of Object) Items. (see [below for nested schema](#nestedobjatt--items))
- `status` (Block) Status. (see [below for nested schema](#nestedblock--status))

<a id="nestedblock--auth"></a>
### Nested Schema for `auth`

Required:

- `user` (String) User.

Optional:

- `scope` (Block Set) (see [below for nested schema](#nestedblock--auth--scope))

<a id="nestedblock--auth--scope"></a>
### Nested Schema for `auth.scope`

Optional:

- `path` (String) Path.

<a id="nestedatt--rules"></a>
### Nested Schema for `rules`

Required:

- `port` (Number) Port.

Read-Only:

- `hits` (Number) Hits.

<a id="nestedobjatt--items"></a>
### Nested Schema for `items`

Read-Only:

- `key` (String)
- `on` (Boolean)

<a id="nestedblock--status"></a>
### Nested Schema for `status`

Read-Only:

- `state` (String) State.
"#;
        let got = render_schema(&small_schema());
        assert_eq!(got, want, "\n--- got ---\n{got}");
    }

    #[test]
    fn markdown_descriptions_win_and_multi_line_ones_stay_in_their_item() {
        let block = Block::new("x").attribute(
            Attribute::required("body", Type::String, "plain")
                .markdown("First line with `code`.\nSecond line."),
        );
        let got = render_schema(&block);
        assert!(
            got.contains("- `body` (String) First line with `code`.\n  Second line.\n"),
            "{got}"
        );
    }

    #[test]
    fn type_labels_spell_collections_out() {
        assert_eq!(
            type_label(&Type::set(Type::map(Type::Bool))),
            "Set of Map of Boolean"
        );
        assert_eq!(type_label(&Type::Dynamic), "Dynamic");
        assert_eq!(type_label(&Type::Tuple(vec![Type::String])), "Tuple");
    }

    #[test]
    fn an_empty_block_has_a_bare_schema_heading() {
        assert_eq!(render_schema(&Block::new("nothing")), "## Schema\n");
    }
}
