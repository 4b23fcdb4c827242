//! The README's transcript of `make demo` against what scripts/demo.sh
//! prints: the demo runs (with the binaries the tests built and the
//! Terraform under test), and every line of the transcript must appear in
//! its output, in order.
//!
//! Needs the emulator binary next to the provider's: `make test` (`cargo
//! test --workspace --all-targets`) builds it; alone, run `cargo build -p
//! cams-emulator` first.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::terraform::{assert_ok, terraforms, text};

/// The line of the README that introduces the transcript block.
const TRANSCRIPT_INTRO: &str = "`make demo` prints";
/// Where the README says the demo keeps its files.
const README_WORK_DIR: &str = ".tfwork/demo";

/// The fenced block after the README's TRANSCRIPT_INTRO line.
fn readme_transcript() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let after_intro = readme
        .split_once(TRANSCRIPT_INTRO)
        .unwrap_or_else(|| panic!("README.md has no line with {TRANSCRIPT_INTRO}"))
        .1;
    let block = after_intro
        .split_once("```text\n")
        .expect("a ```text block after the intro")
        .1
        .split_once("```")
        .expect("the end of the block")
        .0;
    block
        .lines()
        .filter(|l| l.trim() != "…")
        .map(str::to_owned)
        .collect()
}

/// Whether an output line is what a transcript line shows, reading its
/// placeholders PORT and FLOW_ID as digits and SHA256 as 64 hex digits.
fn shows(transcript_line: &str, output_line: &str) -> bool {
    /// A placeholder of the transcript: its name, the characters it stands
    /// for, and how many at least.
    struct Placeholder {
        name: &'static str,
        class: fn(char) -> bool,
        min_len: usize,
    }
    const PLACEHOLDERS: [Placeholder; 3] = [
        Placeholder {
            name: "PORT",
            class: |c| c.is_ascii_digit(),
            min_len: 1,
        },
        Placeholder {
            name: "FLOW_ID",
            class: |c| c.is_ascii_digit(),
            min_len: 1,
        },
        Placeholder {
            name: "SHA256",
            class: |c| c.is_ascii_hexdigit(),
            min_len: 64,
        },
    ];
    fn matches(pattern: &str, line: &str) -> bool {
        let next = PLACEHOLDERS
            .iter()
            .filter_map(|p| pattern.find(p.name).map(|at| (at, p)))
            .min_by_key(|(at, _)| *at);
        let Some((at, placeholder)) = next else {
            return pattern == line;
        };
        let literal = &pattern[..at];
        let rest_pattern = &pattern[at + placeholder.name.len()..];
        let Some(rest_line) = line.strip_prefix(literal) else {
            return false;
        };
        let run = rest_line
            .chars()
            .take_while(|&c| (placeholder.class)(c))
            .count();
        run >= placeholder.min_len && matches(rest_pattern, &rest_line[run..])
    }
    matches(transcript_line.trim_end(), output_line.trim_end())
}

fn emulator_binary() -> PathBuf {
    let provider = Path::new(env!("CARGO_BIN_EXE_terraform-provider-cams"));
    let emulator = provider.with_file_name("cams-emulator");
    assert!(
        emulator.is_file(),
        "{} is missing: run `cargo build -p cams-emulator` (make test builds it)",
        emulator.display()
    );
    emulator
}

#[test]
fn the_readme_shows_what_make_demo_prints() {
    let transcript = readme_transcript();
    assert!(
        transcript.len() >= 5,
        "the transcript is nearly empty: {transcript:?}"
    );
    let emulator = emulator_binary();
    let (tf, _) = terraforms().into_iter().next().expect("a terraform");
    let scratch = tempfile::tempdir().unwrap();
    let bin_dir = scratch.path().join("bin");
    std::fs::create_dir(&bin_dir).unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_terraform-provider-cams"),
        bin_dir.join("terraform-provider-cams"),
    )
    .unwrap();
    std::os::unix::fs::symlink(&emulator, bin_dir.join("cams-emulator")).unwrap();
    let work = scratch.path().join("demo");
    let runtime = scratch.path().join("runtime");
    std::fs::create_dir(&runtime).unwrap();
    let o = Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/demo.sh"))
        .env("CAMS_DEMO_BIN_DIR", &bin_dir)
        .env("CAMS_DEMO_TERRAFORM", &tf)
        .env("CAMS_DEMO_WORK", &work)
        // Its own host-wide request budget, as every end-to-end test has.
        .env("XDG_RUNTIME_DIR", &runtime)
        .env_remove("TF_LOG")
        .env_remove("TF_CLI_ARGS")
        .env_remove("TF_PLUGIN_CACHE_DIR")
        .output()
        .expect("run scripts/demo.sh");
    assert_ok(&o, "scripts/demo.sh");
    let printed = String::from_utf8_lossy(&o.stdout).replace(
        work.to_str().unwrap(),
        &format!("{}/{README_WORK_DIR}", env!("CARGO_MANIFEST_DIR")),
    );
    let printed = printed.replace(&format!("{}/", env!("CARGO_MANIFEST_DIR")), "");
    let mut lines = printed.lines();
    for wanted in &transcript {
        assert!(
            lines.any(|line| shows(wanted, line)),
            "the README says `make demo` prints {wanted:?}, but it does not (in this order):\n{}",
            text(&o)
        );
    }
}

#[test]
fn transcript_placeholders_match_only_what_they_stand_for() {
    assert!(shows(
        "    cams-emulator listening on http://127.0.0.1:PORT",
        "    cams-emulator listening on http://127.0.0.1:40123"
    ));
    assert!(!shows(
        "    cams-emulator listening on http://127.0.0.1:PORT",
        "    emulator at http://127.0.0.1:40123"
    ));
    assert!(!shows("    flow_id: FLOW_ID", "    flow_id: "));
    assert!(shows("sha SHA256", &format!("sha {}", "ab".repeat(32))));
    assert!(!shows("sha SHA256", "sha abc"));
    assert!(!shows("No changes.", "No changes. Extra"));
}
