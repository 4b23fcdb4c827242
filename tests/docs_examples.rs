//! Every example directory under examples/ and every HCL snippet of
//! README.md and docs/ is formatted as `terraform fmt` writes it, and
//! `terraform validate` accepts it against the provider as built (found
//! through `dev_overrides`, so no `terraform init` is needed and nothing
//! calls CAMS).
//!
//! Snippets come in three kinds:
//!
//! * configurations (a top-level `resource`, `data`, `provider`, `locals`,
//!   `output`, `variable`, `terraform`, `check`, `import` or `removed`
//!   block): fmt-checked and validated in a directory of their own, with a
//!   `required_providers` entry for `local/cams` added when they have none
//!   and the example Flow JSON documents at `flows/` beside them;
//! * CLI configuration (`provider_installation`): fmt-checked only, since
//!   it is not a Terraform configuration, and not at all with
//!   `dev_overrides` (its quoted keys are not configuration syntax);
//! * type expressions (a function page's return type): validated as the
//!   `type` of a variable.
//!
//! Runs with the Terraform 1.8 or later that `make test` requires
//! (provider functions, `import` blocks); fails when there is none.

mod common;

use std::path::{Path, PathBuf};

use common::terraform::{at_least, terraforms, text, Workdir};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Blocks that make a snippet a configuration of its own.
const TOP_LEVEL: [&str; 10] = [
    "resource",
    "data",
    "provider",
    "locals",
    "output",
    "variable",
    "terraform",
    "check",
    "import",
    "removed",
];

const CAMS_REQUIRED: &str =
    "terraform {\n  required_providers {\n    cams = {\n      source = \"local/cams\"\n    }\n  }\n}\n";

fn terraform_1_8() -> PathBuf {
    terraforms()
        .into_iter()
        .find(|(_, version)| at_least(version, 1, 8))
        .map(|(tf, _)| tf)
        .expect("terraforms() holds a Terraform 1.8 or later")
}

/// `(file:line, body)` of every fenced hcl or terraform block.
fn snippets(file: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(file).unwrap();
    let name = file
        .strip_prefix(ROOT)
        .unwrap_or(file)
        .display()
        .to_string();
    let mut out = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        match &mut open {
            None => {
                if let Some(lang) = line.strip_prefix("```") {
                    // Another language's block is skipped to its end (0).
                    let start = if matches!(lang.trim(), "hcl" | "terraform") {
                        i + 1
                    } else {
                        0
                    };
                    open = Some((start, String::new()));
                }
            }
            Some((start, body)) => {
                if line.trim_end() == "```" {
                    if *start > 0 {
                        out.push((format!("{name}:{start}"), std::mem::take(body)));
                    }
                    open = None;
                } else {
                    body.push_str(line);
                    body.push('\n');
                }
            }
        }
    }
    out
}

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            markdown_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

fn example_dirs(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    if entries
        .iter()
        .any(|p| p.extension().is_some_and(|e| e == "tf"))
    {
        out.push(dir.to_owned());
    }
    for path in entries {
        if path.is_dir() {
            example_dirs(&path, out);
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

fn is_configuration(body: &str) -> bool {
    body.lines().any(|line| {
        let word = line.split([' ', '{']).next().unwrap_or("");
        TOP_LEVEL.contains(&word)
    })
}

/// Runs terraform in `dir` with the workdir's CLI config; `Err` holds
/// its output when it fails.
fn run(work: &Workdir, tf: &Path, dir: &Path, args: &[&str]) -> Result<(), String> {
    let output = work
        .command(tf, args)
        .current_dir(dir)
        .output()
        .expect("terraform runs");
    if output.status.success() {
        Ok(())
    } else {
        // Without the warning every run under dev_overrides prints.
        let out = text(&output);
        let kept = match (
            out.find("Warning: Provider development overrides"),
            out.find("releases.\n"),
        ) {
            (Some(from), Some(to)) if to > from => format!("{}{}", &out[..from], &out[to + 10..]),
            _ => out,
        };
        Err(kept.trim().to_owned())
    }
}

#[test]
fn examples_and_snippets_are_formatted_and_validate() {
    let tf = terraform_1_8();
    let work = Workdir::new("", None);
    // main.tf of the workdir itself is not used.
    std::fs::remove_file(work.path().join("main.tf")).unwrap();
    let root = Path::new(ROOT);
    let mut failures = Vec::new();
    let mut checked = 0;

    // The examples, as one tree, so relative paths between them hold.
    let examples = work.path().join("examples");
    copy_dir(&root.join("examples"), &examples);
    if let Err(out) = run(
        &work,
        &tf,
        &examples,
        &["fmt", "-check", "-diff", "-no-color", "-recursive"],
    ) {
        failures.push(format!("examples/: terraform fmt -check:\n{out}"));
    }
    let mut dirs = Vec::new();
    example_dirs(&examples, &mut dirs);
    assert!(dirs.len() >= 10, "examples found: {dirs:?}");
    for dir in &dirs {
        let name = dir.strip_prefix(work.path()).unwrap().display().to_string();
        // The registry-layout examples are the body of a page's module:
        // they name the provider as `cams` without a required_providers.
        let declares = std::fs::read_dir(dir).unwrap().any(|e| {
            let path = e.unwrap().path();
            path.extension().is_some_and(|x| x == "tf")
                && std::fs::read_to_string(&path)
                    .unwrap()
                    .contains("required_providers")
        });
        if !declares {
            std::fs::write(dir.join("providers_for_test.tf"), CAMS_REQUIRED).unwrap();
        }
        if let Err(out) = run(&work, &tf, dir, &["validate", "-no-color"]) {
            failures.push(format!("{name}: terraform validate:\n{out}"));
        }
        checked += 1;
    }

    // Every snippet of README.md and docs/.
    let mut files = vec![root.join("README.md")];
    markdown_files(&root.join("docs"), &mut files);
    let flows = root.join("examples/resources/cams_flow/flows");
    for (n, (place, body)) in files.iter().flat_map(|f| snippets(f)).enumerate() {
        let dir = work.path().join(format!("snippet-{n}"));
        std::fs::create_dir_all(&dir).unwrap();
        if body.contains("provider_installation") {
            // A CLI configuration: formatting only, and not for
            // `dev_overrides`, whose quoted keys the formatter of
            // configurations refuses.
            if body.contains("dev_overrides") {
                continue;
            }
            std::fs::write(dir.join("cli.tf"), &body).unwrap();
            if let Err(out) = run(&work, &tf, &dir, &["fmt", "-check", "-diff", "-no-color"]) {
                failures.push(format!("{place}: terraform fmt -check:\n{out}"));
            }
            checked += 1;
            continue;
        }
        if is_configuration(&body) {
            std::fs::write(dir.join("main.tf"), &body).unwrap();
            if let Err(out) = run(&work, &tf, &dir, &["fmt", "-check", "-diff", "-no-color"]) {
                failures.push(format!("{place}: terraform fmt -check:\n{out}"));
            }
            if !body.contains("required_providers") {
                std::fs::write(dir.join("providers.tf"), CAMS_REQUIRED).unwrap();
            }
        } else {
            // A type expression.
            std::fs::write(
                dir.join("main.tf"),
                format!("variable \"snippet\" {{\n  type = {}}}\n", body),
            )
            .unwrap();
            std::fs::write(dir.join("providers.tf"), CAMS_REQUIRED).unwrap();
        }
        copy_dir(&flows, &dir.join("flows"));
        if let Err(out) = run(&work, &tf, &dir, &["validate", "-no-color"]) {
            failures.push(format!(
                "{place}: terraform validate:\n{out}\n--- snippet ---\n{body}"
            ));
        }
        checked += 1;
    }

    assert!(
        failures.is_empty(),
        "{} of {checked} examples and snippets fail:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
