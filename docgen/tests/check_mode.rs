//! The cams-docs binary on a copy of this repository's examples/ and
//! templates/: `--write` then `--check` passes; a hand edit, a stray page or
//! a missing example makes `--check` fail and name the file.

use std::path::Path;
use std::process::{Command, Output};

fn cams_docs(root: &Path, mode: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cams-docs"))
        .arg(mode)
        .arg("--root")
        .arg(root)
        .output()
        .expect("cams-docs runs")
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn repository_copy() -> tempfile::TempDir {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let copy = tempfile::tempdir().unwrap();
    copy_tree(&repo.join("examples"), &copy.path().join("examples"));
    copy_tree(&repo.join("templates"), &copy.path().join("templates"));
    copy
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_passes_after_write_and_names_each_stale_file() {
    let repo = repository_copy();
    let root = repo.path();

    let missing = cams_docs(root, "--check");
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        text(&missing.stderr).contains("docs/index.md: missing"),
        "{}",
        text(&missing.stderr)
    );

    let written = cams_docs(root, "--write");
    assert!(written.status.success(), "{}", text(&written.stderr));
    assert!(text(&written.stdout).contains("updated docs/index.md"));
    let fresh = cams_docs(root, "--check");
    assert!(fresh.status.success(), "{}", text(&fresh.stderr));
    assert!(text(&fresh.stdout).contains("docs are up to date"));

    let index = root.join("docs/index.md");
    let edited = std::fs::read_to_string(&index)
        .unwrap()
        .replace("## Schema", "## Arguments");
    std::fs::write(&index, edited).unwrap();
    std::fs::create_dir_all(root.join("docs/resources")).unwrap();
    std::fs::write(root.join("docs/resources/stray.md"), "by hand\n").unwrap();
    let stale = cams_docs(root, "--check");
    assert_eq!(stale.status.code(), Some(1));
    let report = text(&stale.stderr);
    assert!(
        report.contains("docs/index.md: differs from line"),
        "{report}"
    );
    assert!(report.contains("committed: \"## Arguments\""), "{report}");
    assert!(
        report.contains("docs/resources/stray.md: not generated"),
        "{report}"
    );
    assert!(report.contains("Run `make docs`"), "{report}");
}

#[test]
fn a_missing_example_fails_with_the_path_to_create() {
    let repo = repository_copy();
    std::fs::remove_file(repo.path().join("examples/provider/provider.tf")).unwrap();
    let out = cams_docs(repo.path(), "--check");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("create examples/provider/provider.tf"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn no_mode_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_cams-docs"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("usage: cams-docs"));
}
