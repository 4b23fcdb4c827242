//! The README names no argument or attribute the provider lacks: the
//! generated docs (docs/) are the reference, and a README that repeats
//! them by hand goes stale. Checked without Terraform, against the schema
//! `CamsProvider` declares:
//!
//! Both look at the README up to its Development section (which names
//! code, not configuration):
//!
//! * every snake_case name in backticks outside code blocks (e.g.
//!   `` `max_retries` ``, `` `assume_role.role_arn` ``) is a name of the
//!   schema (an argument, attribute or nested block anywhere), a resource,
//!   data source or function name, or one of the few Terraform and CLI
//!   words listed in [`NOT_SCHEMA`];
//! * in every `hcl`/`terraform` code block, each argument and nested block
//!   written inside a `provider "cams"`, `resource "cams_…"` or
//!   `data "cams_…"` block exists at that place in its schema.

use std::collections::BTreeSet;

use cams_provider::plugin::{Block, Provider};
use cams_provider::provider::CamsProvider;

const README: &str = include_str!("../README.md");

/// snake_case words the README may use that are not the provider's:
/// Terraform's own settings and the CLI configuration.
const NOT_SCHEMA: &[&str] = &[
    "dev_overrides",
    "provider_installation",
    "network_mirror",
    "filesystem_mirror",
    "required_providers",
    "create_before_destroy",
    "prevent_destroy",
    "path.module",
    // Platforms of release archives.
    "linux_amd64",
    "linux_arm64",
    "darwin_amd64",
    "darwin_arm64",
];

/// Terraform's own arguments and blocks, valid in any resource, data
/// source or provider block.
const META_ARGUMENTS: &[&str] = &["count", "for_each", "depends_on", "provider", "alias"];
const META_BLOCKS: &[&str] = &["lifecycle", "dynamic", "provisioner", "connection"];

/// Every name a block declares, nested ones included.
fn names_of(block: &Block, out: &mut BTreeSet<String>) {
    for a in &block.attributes {
        out.insert(a.name.clone());
        if let Some(nested) = &a.nested {
            names_of(
                &Block {
                    attributes: nested.attributes.clone(),
                    ..Block::default()
                },
                out,
            );
        }
    }
    for b in &block.blocks {
        out.insert(b.type_name.clone());
        names_of(&b.block, out);
    }
}

/// The schema of `kind "type"` (`provider`, `resource` or `data`).
fn schema_of(provider: &CamsProvider, kind: &str, ty: &str) -> Option<Block> {
    match kind {
        "provider" if ty == provider.type_name() => Some(provider.schema().block),
        "resource" => provider
            .resources()
            .iter()
            .find(|r| r.type_name() == ty)
            .map(|r| r.schema().block),
        "data" => provider
            .data_sources()
            .iter()
            .find(|d| d.type_name() == ty)
            .map(|d| d.schema().block),
        _ => None,
    }
}

/// The README's prose (code blocks removed) and its hcl/terraform code
/// blocks, each with the line it starts on.
/// Text with the number of the line it starts on.
type Numbered = Vec<(usize, String)>;

fn split_readme(readme: &str) -> (Numbered, Numbered) {
    let mut prose = Vec::new();
    let mut code = Vec::new();
    let mut open: Option<(usize, bool, String)> = None;
    let user_part = readme.split("\n## Development").next().unwrap_or(readme);
    for (i, line) in user_part.lines().enumerate() {
        let number = i + 1;
        match &mut open {
            None => match line.trim_start().strip_prefix("```") {
                Some(lang) => {
                    let hcl = matches!(lang.trim(), "hcl" | "terraform");
                    open = Some((number + 1, hcl, String::new()));
                }
                None => prose.push((number, line.to_owned())),
            },
            Some((start, hcl, body)) => {
                if line.trim() == "```" {
                    if *hcl {
                        code.push((*start, std::mem::take(body)));
                    }
                    open = None;
                } else {
                    body.push_str(line);
                    body.push('\n');
                }
            }
        }
    }
    (prose, code)
}

/// The text between backticks on a line.
fn code_spans(line: &str) -> Vec<&str> {
    line.split('`').skip(1).step_by(2).collect()
}

fn is_snake_case(word: &str) -> bool {
    word.contains('_')
        && word.starts_with(|c: char| c.is_ascii_lowercase())
        && word
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[test]
fn the_readme_names_only_arguments_and_attributes_the_schema_has() {
    let unknown = unknown_names(README);
    assert!(
        unknown.is_empty(),
        "the README names what the provider's schema lacks (docs/ is the reference: link to it, or fix the name):\n  {}",
        unknown.join("\n  ")
    );
}

/// What `readme` names that the schema lacks, each as `README.md:LINE: ...`.
fn unknown_names(readme: &str) -> Vec<String> {
    let provider = CamsProvider::new();
    let mut known: BTreeSet<String> = BTreeSet::new();
    names_of(&provider.schema().block, &mut known);
    for r in provider.resources() {
        known.insert(r.type_name().to_owned());
        names_of(&r.schema().block, &mut known);
    }
    for d in provider.data_sources() {
        known.insert(d.type_name().to_owned());
        names_of(&d.schema().block, &mut known);
    }
    for f in provider.functions() {
        known.insert(f.name().to_owned());
    }
    let (prose, code) = split_readme(readme);
    let mut unknown = Vec::new();

    for (number, line) in &prose {
        for span in code_spans(line) {
            let span = span.trim();
            if NOT_SCHEMA.contains(&span) {
                continue;
            }
            // `assume_role.role_arn`, `cams_flow.signup`: each snake_case part.
            let parts: Vec<&str> = span.split('.').collect();
            if !parts.iter().all(|p| {
                p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            }) {
                continue;
            }
            for part in parts {
                if is_snake_case(part) && !known.contains(part) {
                    unknown.push(format!("README.md:{number}: `{span}`"));
                }
            }
        }
    }

    for (start, body) in &code {
        // The schema block each open brace is in (None: not one of ours,
        // or inside an object value).
        let mut stack: Vec<Option<Block>> = Vec::new();
        for (offset, raw) in body.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            let number = start + offset;
            if line.starts_with('}') {
                stack.pop();
                continue;
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            let current = stack.last().cloned().flatten();
            let opens = line.ends_with('{');
            if let Some(key) = line.split('=').next().filter(|_| line.contains('=')) {
                let key = key.trim();
                if let (Some(block), true) = (&current, is_identifier(key)) {
                    let meta = META_ARGUMENTS.contains(&key);
                    if !meta && !block.attributes.iter().any(|a| a.name == key) {
                        unknown.push(format!("README.md:{number}: argument `{key}` in {line:?}"));
                    }
                }
                if opens {
                    stack.push(None);
                }
                continue;
            }
            if !opens {
                continue;
            }
            let entered = match (stack.is_empty(), words.as_slice()) {
                (true, [kind, ty, ..]) => schema_of(&provider, kind, ty.trim_matches('"')),
                (false, [name, ..]) => current.as_ref().and_then(|block| {
                    let found = block.blocks.iter().find(|b| b.type_name == *name);
                    if found.is_none() && is_identifier(name) && !META_BLOCKS.contains(name) {
                        unknown.push(format!("README.md:{number}: block `{name}`"));
                    }
                    found.map(|b| b.block.clone())
                }),
                _ => None,
            };
            stack.push(entered);
        }
    }

    unknown
}

fn is_identifier(word: &str) -> bool {
    !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[test]
fn the_check_catches_stale_names() {
    let readme = "Set `max_retries` and `max_retry_count`, or `assume_role.role_name`.\n\n```hcl\nprovider \"cams\" {\n  rate_limit = 5\n  retries    = 3\n  assume_role {\n    role_arn = \"x\"\n    role     = \"y\"\n  }\n  lifecycle_hooks {\n  }\n}\nresource \"cams_flow\" \"x\" {\n  name  = \"a\"\n  count = 1\n  flow_name = \"b\"\n  lifecycle {\n    create_before_destroy = true\n  }\n}\n```\n\n## Development\n\n`modify_plan`\n";
    let unknown = unknown_names(readme);
    let names: Vec<&str> = unknown
        .iter()
        .map(|u| u.split_once(": ").unwrap().1)
        .collect();
    assert_eq!(
        names,
        vec![
            "`max_retry_count`",
            "`assume_role.role_name`",
            "argument `retries` in \"retries    = 3\"",
            "argument `role` in \"role     = \\\"y\\\"\"",
            "block `lifecycle_hooks`",
            "argument `flow_name` in \"flow_name = \\\"b\\\"\"",
        ],
        "{unknown:#?}"
    );
}
