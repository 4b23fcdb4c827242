//! `cams-docs --write` regenerates docs/ from the provider's schema;
//! `cams-docs --check` exits 1 naming every stale file (scripts/test.sh
//! runs it, so stale docs fail `make test`).

use std::path::PathBuf;
use std::process::ExitCode;

use cams_docs::{generate, stale_files, write, Catalog, DocsError};
use cams_provider::alibaba::Operation;
use cams_provider::provider::flows::rules::{catalogue, Rule};
use cams_provider::provider::CamsProvider;

const USAGE: &str = "usage: cams-docs (--write | --check) [--root REPOSITORY]";

enum Mode {
    Write,
    Check,
}

fn main() -> ExitCode {
    let mut mode = None;
    // The repository this crate lives in, unless told otherwise.
    let mut root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--write" => mode = Some(Mode::Write),
            "--check" => mode = Some(Mode::Check),
            "--root" => match args.next() {
                Some(dir) => root = PathBuf::from(dir),
                None => return usage(),
            },
            _ => return usage(),
        }
    }
    let Some(mode) = mode else {
        return usage();
    };
    match run(&mode, &root) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("cams-docs: {e}");
            ExitCode::from(2)
        }
    }
}

/// `{{flow_json_rules}}` of the cams_flow page: every offline Flow JSON
/// rule, by the id its diagnostics name, from the rules themselves.
fn rules_table() -> String {
    let mut out = String::from("| Rule | What it checks | Source |\n| --- | --- | --- |\n");
    for rule in Rule::ALL {
        out.push_str(&format!(
            "| `{}` | {} | [{}]({}) |\n",
            rule.id(),
            rule.summary(),
            source_name(rule.source()),
            rule.source()
        ));
    }
    out.trim_end().to_owned()
}

/// A source page's short name, for a table cell.
fn source_name(url: &str) -> &str {
    url.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(url)
        .split('#')
        .next()
        .unwrap_or(url)
}

/// `{{flow_json_catalogue}}`: every component and action of the
/// catalogue the rules read, with its properties.
fn catalogue_table() -> String {
    let property_list = |properties: &[catalogue::Property], since: catalogue::Version| {
        properties
            .iter()
            .map(|p| {
                let name = if p.required_since.is_some() {
                    format!("**`{}`**", p.name)
                } else {
                    format!("`{}`", p.name)
                };
                if p.since > since {
                    format!("{name} ({})", catalogue::version_text(p.since))
                } else {
                    name
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = String::from(
        "| Component or action | Since | Properties | Source |\n| --- | --- | --- | --- |\n",
    );
    for c in catalogue::COMPONENTS {
        out.push_str(&format!(
            "| `{}` | {} | {} | [{}]({}) |\n",
            c.name,
            catalogue::version_text(c.since),
            property_list(c.properties, c.since),
            source_name(c.source),
            c.source
        ));
    }
    for a in catalogue::ACTIONS {
        out.push_str(&format!(
            "| `{}` action | {} | {} | [{}]({}) |\n",
            a.name,
            catalogue::version_text(a.since),
            property_list(a.properties, a.since),
            source_name(a.source),
            a.source
        ));
    }
    out.trim_end().to_owned()
}

/// `{{ram_policy}}` of the guides: a RAM policy allowing every CAMS
/// operation the provider calls, from the client's table of operations.
fn ram_policy() -> String {
    let actions: Vec<String> = Operation::ALL
        .iter()
        .map(|o| format!("        \"cams:{}\"", o.action()))
        .collect();
    format!(
        "{{\n  \"Version\": \"1\",\n  \"Statement\": [\n    {{\n      \"Effect\": \"Allow\",\n      \"Action\": [\n{}\n      ],\n      \"Resource\": \"*\"\n    }}\n  ]\n}}",
        actions.join(",\n")
    )
}

/// `{{operations_table}}`: every CAMS operation the provider calls, with
/// its documented rate and whether a repeat is harmless.
fn operations_table() -> String {
    let mut out = String::from(
        "| Operation | Documented requests per second | Repeated when an answer is lost |\n| --- | --- | --- |\n",
    );
    for o in Operation::ALL {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            o.action(),
            o.documented_rate_per_second(),
            if o.is_idempotent() { "yes" } else { "no" }
        ));
    }
    out.trim_end().to_owned()
}

fn usage() -> ExitCode {
    eprintln!("{USAGE}");
    ExitCode::from(2)
}

fn run(mode: &Mode, root: &std::path::Path) -> Result<ExitCode, DocsError> {
    let mut catalog = Catalog::of(&CamsProvider::new());
    catalog.placeholders.insert(
        "cams_flow".to_owned(),
        vec![
            ("flow_json_rules", rules_table()),
            ("flow_json_catalogue", catalogue_table()),
        ],
    );
    catalog.guide_placeholders = vec![
        ("ram_policy", ram_policy()),
        ("operations_table", operations_table()),
        // A literal `{{`, e.g. for GitHub Actions' `${{ secrets.X }}`.
        ("open_braces", "{{".to_owned()),
    ];
    let pages = generate(&catalog, root)?;
    match mode {
        Mode::Check => {
            let stale = stale_files(root, &pages)?;
            if stale.is_empty() {
                println!("docs are up to date ({} pages)", pages.len());
                return Ok(ExitCode::SUCCESS);
            }
            eprintln!(
                "docs/ is stale: {} file(s) differ from what the provider schema, examples/ and templates/ generate:",
                stale.len()
            );
            for file in &stale {
                eprintln!("  {file}");
            }
            eprintln!("Run `make docs` and commit the result.");
            Ok(ExitCode::from(1))
        }
        Mode::Write => {
            let changed = write(root, &pages)?;
            for file in &changed {
                println!("updated {}", file.path.display());
            }
            println!("{} of {} pages updated", changed.len(), pages.len());
            Ok(ExitCode::SUCCESS)
        }
    }
}
