//! scripts/test_counts.sh, the last line of `make test`: the totals over
//! cargo's "test result:" lines of every test binary.

use std::io::Write as _;
use std::process::{Command, Stdio};

fn counts(cargo_output: &str) -> String {
    let mut child = Command::new("bash")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scripts/test_counts.sh"
        ))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run scripts/test_counts.sh");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(cargo_output.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn sums_every_test_binary_and_ignores_the_rest() {
    let cargo_output = "\
     Running unittests src/lib.rs (target/debug/deps/cams_provider-0)

running 3 tests
test a ... ok
test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 2 filtered out; finished in 0.01s

     Running tests/e2e.rs (target/debug/deps/e2e-0)
test passed_through ... ok
test result: FAILED. 10 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 3.20s
";
    assert_eq!(
        counts(cargo_output),
        "13 passed, 2 failed, 1 ignored, 2 filtered out, in 2 test binaries\n"
    );
}

#[test]
fn no_test_binary_ran() {
    assert_eq!(
        counts("error: could not compile `x`\n"),
        "0 passed, 0 failed, 0 ignored, 0 filtered out, in 0 test binaries\n"
    );
}
