//! The end-to-end tests refuse to run on whatever Terraform happens to be
//! found: both 1.0.3 and a Terraform 1.8 or later are required (issue 23).

mod common;

use std::path::PathBuf;

use common::terraform::{required_terraforms, OLDEST};

fn found(versions: &[&str]) -> Vec<(PathBuf, String)> {
    versions
        .iter()
        .map(|v| {
            (
                PathBuf::from(format!("/bin/{v}")),
                format!("Terraform v{v}"),
            )
        })
        .collect()
}

#[test]
fn both_versions_are_required() {
    let both = required_terraforms(&found(&["1.11.4", "1.0.3"])).unwrap();
    assert_eq!(both[0].1, OLDEST, "oldest first");
    assert_eq!(both[1].1, "Terraform v1.11.4");
    // The newest of several new ones; others are not run.
    let both = required_terraforms(&found(&["1.0.3", "1.9.0", "1.11.4", "1.5.7"])).unwrap();
    assert_eq!(
        [both[0].1.as_str(), both[1].1.as_str()],
        [OLDEST, "Terraform v1.11.4"]
    );

    for (versions, missing) in [
        (&["1.11.4"][..], "missing: Terraform v1.0.3."),
        (&["1.0.3"][..], "missing: Terraform >= 1.8."),
        (&["1.0.3", "1.7.5"][..], "missing: Terraform >= 1.8."),
        (&["1.0.4", "1.8.0"][..], "missing: Terraform v1.0.3."),
        (&[][..], "missing: Terraform v1.0.3 and Terraform >= 1.8."),
    ] {
        let why = required_terraforms(&found(versions)).unwrap_err();
        assert!(why.contains(missing), "{versions:?}: {why}");
    }
}

/// The environment this suite runs in has both (`make test` fails here
/// otherwise, before any end-to-end test).
#[test]
fn the_environment_has_both() {
    let both = common::terraform::terraforms();
    assert_eq!(both.len(), 2);
}
