//! Installing the provider as `make release` ships it (scripts/release.py),
//! with the real Terraform CLI: `terraform init` from the packed filesystem
//! mirror and from the network mirror served over HTTPS, the lock file
//! against what `terraform providers lock` records, and a changed binary
//! refused by the lock.
//!
//! The archives are packed from the debug binary the tests build (a release
//! build would add minutes); the packing is the same.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::https_static::HttpsStaticServer;
use common::terraform::{assert_ok, terraforms, text, Workdir, PROVIDER_SOURCE};
use sha2::{Digest as _, Sha256};

const VERSION: &str = env!("CARGO_PKG_VERSION");
const PLATFORM: &str = "linux_amd64";

fn zip_name() -> String {
    format!("terraform-provider-cams_{VERSION}_{PLATFORM}.zip")
}

/// Runs scripts/release.py on `binary`, writing `out`.
fn release(binary: &Path, out: &Path) {
    assert_ok(&release_with(binary, out, &[]), "scripts/release.py");
}

fn release_with(binary: &Path, out: &Path, more_args: &[&str]) -> std::process::Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/release.py");
    Command::new("python3")
        .arg(&script)
        .arg(binary)
        .arg("--out")
        .arg(out)
        .args(["--platform", PLATFORM])
        .args(more_args)
        .output()
        .expect("run python3 scripts/release.py")
}

/// dist/ for the provider the tests built, packed once per test process
/// into cargo's scratch directory for integration tests.
fn dist() -> &'static Path {
    static DIST: OnceLock<PathBuf> = OnceLock::new();
    DIST.get_or_init(|| {
        let dist = Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e_mirror_dist");
        release(
            Path::new(env!("CARGO_BIN_EXE_terraform-provider-cams")),
            &dist,
        );
        dist
    })
}

/// dist/ for a different binary of the same version: a wrapper around the
/// real one, as a rebuilt or tampered binary would be.
fn changed_dist(parent: &Path) -> PathBuf {
    let binary = parent.join("terraform-provider-cams");
    std::fs::write(
        &binary,
        format!(
            "#!/bin/sh\nexec '{}' \"$@\"\n",
            env!("CARGO_BIN_EXE_terraform-provider-cams")
        ),
    )
    .unwrap();
    let out = parent.join("changed-dist");
    release(&binary, &out);
    out
}

fn mirror_root(dist: &Path) -> PathBuf {
    dist.join("mirror")
}

fn sha256_hex(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).unwrap()))
}

const MAIN_TF: &str = r#"terraform {
  required_providers {
    cams = {
      source  = "local/cams"
      version = "~> 0.1"
    }
  }
}
"#;

fn filesystem_mirror_config(mirror: &Path) -> String {
    format!(
        "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"{PROVIDER_SOURCE}\"]\n  }}\n}}\n",
        mirror.display()
    )
}

fn network_mirror_config(url: &str) -> String {
    format!(
        "provider_installation {{\n  network_mirror {{\n    url     = \"{url}\"\n    include = [\"{PROVIDER_SOURCE}\"]\n  }}\n}}\n"
    )
}

/// The `hashes` of the provider's entry in a dependency lock file.
fn lock_hashes(workdir: &Path) -> BTreeSet<String> {
    let lock = std::fs::read_to_string(workdir.join(".terraform.lock.hcl"))
        .expect("terraform init writes .terraform.lock.hcl");
    let entry = lock
        .split(&format!("provider \"{PROVIDER_SOURCE}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no entry for {PROVIDER_SOURCE} in the lock file:\n{lock}"));
    let hashes = entry
        .split("hashes = [")
        .nth(1)
        .expect("hashes")
        .split(']')
        .next()
        .unwrap();
    hashes
        .split('"')
        .filter(|s| s.starts_with("h1:") || s.starts_with("zh:"))
        .map(str::to_owned)
        .collect()
}

/// `terraform init`, then a command that starts the installed provider.
fn init_and_run_provider(wd: &Workdir, tf: &Path, what: &str) {
    assert_ok(&wd.run(tf, &["init", "-input=false", "-no-color"]), what);
    let schema = wd.run(tf, &["providers", "schema", "-json"]);
    assert_ok(&schema, &format!("{what}: providers schema"));
    assert!(
        String::from_utf8_lossy(&schema.stdout).contains("\"cams_flow\""),
        "{what}: the installed provider's schema lacks cams_flow"
    );
}

/// `terraform providers lock` in `wd` (a fresh directory), with `mirror_flag`.
fn providers_lock(wd: &Workdir, tf: &Path, mirror_flag: &str) -> BTreeSet<String> {
    let platform = format!("-platform={PLATFORM}");
    let o = wd.run(
        tf,
        &["providers", "lock", mirror_flag, &platform, PROVIDER_SOURCE],
    );
    assert_ok(&o, "terraform providers lock");
    lock_hashes(wd.path())
}

/// Re-initialising against a mirror whose archive changed is refused by
/// the lock file, and nothing of the changed package is installed.
fn assert_refused_by_lock(wd: &Workdir, tf: &Path, version: &str) {
    std::fs::remove_dir_all(wd.path().join(".terraform")).unwrap();
    let o = wd.run(tf, &["init", "-input=false", "-no-color"]);
    let out = text(&o);
    assert!(
        !o.status.success(),
        "{version}: init accepted a changed binary:\n{out}"
    );
    // Terraform wraps its messages at 78 columns.
    let unwrapped = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        unwrapped.contains("checksums previously recorded in the dependency lock file"),
        "{version}: refused for another reason than the lock:\n{out}"
    );
    assert!(
        !wd.path()
            .join(".terraform/providers")
            .join(PROVIDER_SOURCE)
            .exists(),
        "{version}: the changed package was installed"
    );
}

#[test]
fn release_is_reproducible_and_in_the_registry_layout() {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("terraform-provider-cams");
    std::fs::write(&binary, b"#!/bin/sh\necho a provider\n").unwrap();
    let (first, second) = (dir.path().join("first"), dir.path().join("second"));
    release(&binary, &first);
    // A later mtime on the input must not change a byte of the output.
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&binary)
        .unwrap()
        .set_modified(later)
        .unwrap();
    release(&binary, &second);

    let prefix = format!("terraform-provider-cams_{VERSION}");
    let mirror = format!("mirror/{PROVIDER_SOURCE}");
    let expected = [
        zip_name(),
        format!("{prefix}_SHA256SUMS"),
        format!("{prefix}_manifest.json"),
        format!("{mirror}/index.json"),
        format!("{mirror}/{VERSION}.json"),
        format!("{mirror}/{}", zip_name()),
    ];
    for file in &expected {
        let (a, b) = (first.join(file), second.join(file));
        assert!(a.is_file(), "release wrote no {file}");
        assert_eq!(
            std::fs::read(&a).unwrap(),
            std::fs::read(&b).unwrap(),
            "{file} differs between two releases of the same binary"
        );
    }

    // The archive holds the binary alone, named as Terraform looks for it.
    let zip = std::fs::read(first.join(zip_name())).unwrap();
    let entry_name_len = u16::from_le_bytes([zip[26], zip[27]]) as usize;
    assert_eq!(&zip[..4], b"PK\x03\x04");
    assert_eq!(
        std::str::from_utf8(&zip[30..30 + entry_name_len]).unwrap(),
        format!("terraform-provider-cams_v{VERSION}")
    );

    let zip_sha = sha256_hex(&first.join(zip_name()));
    let manifest = format!("{prefix}_manifest.json");
    let sums = std::fs::read_to_string(first.join(format!("{prefix}_SHA256SUMS"))).unwrap();
    assert_eq!(
        sums,
        format!(
            "{zip_sha}  {}\n{}  {manifest}\n",
            zip_name(),
            sha256_hex(&first.join(&manifest))
        )
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(first.join(&manifest)).unwrap()).unwrap();
    assert_eq!(
        manifest,
        serde_json::json!({"version": 1, "metadata": {"protocol_versions": ["6.0", "5.0"]}})
    );
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(first.join(format!("{mirror}/index.json"))).unwrap())
            .unwrap();
    assert_eq!(index, serde_json::json!({"versions": {VERSION: {}}}));
    let version_json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(first.join(format!("{mirror}/{VERSION}.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(
        version_json,
        serde_json::json!({"archives": {PLATFORM: {
            "url": zip_name(),
            "hashes": [format!("zh:{zip_sha}")],
        }}})
    );
}

#[test]
fn a_release_adds_to_an_existing_mirror_and_never_replaces_a_published_archive() {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("terraform-provider-cams");
    let mirror = dir.path().join("bucket-copy");
    let mirror_arg = mirror.to_str().unwrap();
    let provider_dir = mirror.join(PROVIDER_SOURCE);
    let out = dir.path().join("dist");
    std::fs::write(&binary, b"version one").unwrap();
    assert_ok(
        &release_with(
            &binary,
            &out,
            &["--mirror", mirror_arg, "--version", "0.1.0"],
        ),
        "release 0.1.0",
    );
    std::fs::write(&binary, b"version two").unwrap();
    assert_ok(
        &release_with(
            &binary,
            &out,
            &["--mirror", mirror_arg, "--version", "0.2.0"],
        ),
        "release 0.2.0",
    );
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(provider_dir.join("index.json")).unwrap()).unwrap();
    assert_eq!(
        index,
        serde_json::json!({"versions": {"0.1.0": {}, "0.2.0": {}}}),
        "a release dropped an earlier version from the mirror"
    );
    assert!(provider_dir
        .join(format!("terraform-provider-cams_0.1.0_{PLATFORM}.zip"))
        .is_file());

    // Version two's binary under version one's number: every lock file
    // holding 0.1.0's hash would refuse it, so the mirror is left as it was.
    let before = std::fs::read(provider_dir.join("0.1.0.json")).unwrap();
    let published_zip = provider_dir.join(format!("terraform-provider-cams_0.1.0_{PLATFORM}.zip"));
    let published_bytes = std::fs::read(&published_zip).unwrap();
    let o = release_with(
        &binary,
        &out,
        &["--mirror", mirror_arg, "--version", "0.1.0"],
    );
    assert!(
        !o.status.success(),
        "a published archive was replaced:\n{}",
        text(&o)
    );
    assert!(
        text(&o).contains("already lists a different archive for 0.1.0")
            && text(&o).contains("new version"),
        "the refusal does not say why and what to do:\n{}",
        text(&o)
    );
    assert_eq!(
        std::fs::read(provider_dir.join("0.1.0.json")).unwrap(),
        before
    );
    assert_eq!(std::fs::read(&published_zip).unwrap(), published_bytes);
}

#[test]
fn init_from_the_packed_filesystem_mirror() {
    let mirror = mirror_root(dist());
    let cli_config = filesystem_mirror_config(&mirror);
    for (tf, version) in terraforms() {
        let wd = Workdir::with_cli_config(MAIN_TF, &cli_config);
        init_and_run_provider(
            &wd,
            &tf,
            &format!("{version}: init from the filesystem mirror"),
        );
        let locked = lock_hashes(wd.path());
        let fs_mirror_flag = format!("-fs-mirror={}", mirror.display());
        assert_eq!(
            locked,
            providers_lock(
                &Workdir::with_cli_config(MAIN_TF, &cli_config),
                &tf,
                &fs_mirror_flag
            ),
            "{version}: init and `providers lock` recorded different hashes"
        );

        let changed = tempfile::tempdir().unwrap();
        let changed_mirror = mirror_root(&changed_dist(changed.path()));
        std::fs::write(&wd.cli_config, filesystem_mirror_config(&changed_mirror)).unwrap();
        assert_refused_by_lock(&wd, &tf, &version);
    }
}

#[test]
fn init_from_the_network_mirror_over_https() {
    let server = HttpsStaticServer::start(&mirror_root(dist()));
    let cli_config = network_mirror_config(&server.url);
    let ca = server.ca_pem.to_str().unwrap();
    let zh = format!("zh:{}", sha256_hex(&dist().join(zip_name())));
    for (tf, version) in terraforms() {
        // Without the test CA the mirror is not trusted: TLS is checked.
        let untrusted = Workdir::with_cli_config(MAIN_TF, &cli_config);
        let o = untrusted.run(&tf, &["init", "-input=false", "-no-color"]);
        assert!(
            !o.status.success() && text(&o).contains("certificate"),
            "{version}: init trusted a mirror signed by an unknown CA:\n{}",
            text(&o)
        );

        let wd = Workdir::with_cli_config(MAIN_TF, &cli_config).env("SSL_CERT_FILE", ca);
        init_and_run_provider(
            &wd,
            &tf,
            &format!("{version}: init from the network mirror"),
        );
        let locked = lock_hashes(wd.path());
        // Terraform 1.0.3 records the h1: hash of the unpacked package
        // only; newer versions add the zh: hashes the mirror lists.
        assert!(
            locked.iter().all(|h| !h.starts_with("zh:") || *h == zh),
            "{version}: the lock file has a zh: hash other than the archive's {zh}: {locked:?}"
        );
        let lock_dir = Workdir::with_cli_config(MAIN_TF, &cli_config).env("SSL_CERT_FILE", ca);
        let net_mirror_flag = format!("-net-mirror={}", server.url);
        assert_eq!(
            locked,
            providers_lock(&lock_dir, &tf, &net_mirror_flag),
            "{version}: init and `providers lock` recorded different hashes"
        );

        let changed = tempfile::tempdir().unwrap();
        let changed_server = HttpsStaticServer::start(&mirror_root(&changed_dist(changed.path())));
        let wd = wd.env("SSL_CERT_FILE", changed_server.ca_pem.to_str().unwrap());
        std::fs::write(&wd.cli_config, network_mirror_config(&changed_server.url)).unwrap();
        assert_refused_by_lock(&wd, &tf, &version);
    }
}
