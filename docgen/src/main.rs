//! `cams-docs --write` regenerates docs/ from the provider's schema;
//! `cams-docs --check` exits 1 naming every stale file (scripts/test.sh
//! runs it, so stale docs fail `make test`).

use std::path::PathBuf;
use std::process::ExitCode;

use cams_docs::{generate, stale_files, write, Catalog, DocsError};
use cams_provider::provider::flow_rules::Rule;
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
    let mut out = String::from("| Rule | What it checks |\n| --- | --- |\n");
    for rule in Rule::ALL {
        out.push_str(&format!("| `{}` | {} |\n", rule.id(), rule.summary()));
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
        vec![("flow_json_rules", rules_table())],
    );
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
