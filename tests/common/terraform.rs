//! Running the real Terraform CLI against the provider binary.
//!
//! Every end-to-end test runs with exactly two Terraform versions, and
//! fails when either is missing: 1.0.3 (the oldest supported, from
//! `CAMS_TEST_TERRAFORM`, where `make test` puts the pip copy) and the
//! newest Terraform 1.8 or later found (`CAMS_TEST_TERRAFORM`, then the
//! first `terraform` on PATH), the first with provider functions. The
//! provider is found through `dev_overrides` in a CLI config file each test
//! writes for itself.

#![allow(dead_code)]

use std::collections::HashSet;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;

pub const PROVIDER_SOURCE: &str = "registry.terraform.io/local/cams";

/// The oldest Terraform the provider supports, always tested.
pub const OLDEST: &str = "Terraform v1.0.3";

/// The Terraform binaries found, each with its version string ("Terraform
/// v1.11.4"), each version once.
pub fn found_terraforms() -> Vec<(PathBuf, String)> {
    let mut candidates: Vec<PathBuf> = std::env::var("CAMS_TEST_TERRAFORM")
        .unwrap_or_default()
        .split(':')
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .collect();
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let tf = dir.join("terraform");
            if tf.is_file() {
                candidates.push(tf);
                break;
            }
        }
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for tf in candidates {
        let Ok(o) = Command::new(&tf)
            .arg("version")
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .output()
        else {
            continue;
        };
        let version = String::from_utf8_lossy(&o.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .to_owned();
        // The pip package's `terraform` on PATH is a Python wrapper around the
        // same binary: test each version once.
        if version.starts_with("Terraform v") && seen.insert(version.clone()) {
            out.push((tf, version));
        }
    }
    out
}

/// The two Terraform binaries every end-to-end test runs with, oldest
/// first: 1.0.3 and the newest 1.8 or later of `found`. `Err` says which
/// is missing and how to get it.
pub fn required_terraforms(found: &[(PathBuf, String)]) -> Result<[(PathBuf, String); 2], String> {
    let oldest = found.iter().find(|(_, v)| v == OLDEST);
    let newest = found
        .iter()
        .filter(|(_, v)| at_least(v, 1, 8))
        .max_by_key(|(_, v)| version_numbers(v));
    let listed: Vec<&str> = found.iter().map(|(_, v)| v.as_str()).collect();
    match (oldest, newest) {
        (Some(o), Some(n)) => Ok([o.clone(), n.clone()]),
        (o, n) => Err(format!(
            "the end-to-end tests need both {OLDEST} and a Terraform 1.8 or later; missing: {}. Found: {listed:?}. Run them with `make test` (it installs 1.0.3 into .venv) with a Terraform 1.8 or later on PATH, or list both binaries in CAMS_TEST_TERRAFORM (colon-separated).",
            [(o.is_none(), OLDEST), (n.is_none(), "Terraform >= 1.8")]
                .iter()
                .filter(|(missing, _)| *missing)
                .map(|(_, what)| *what)
                .collect::<Vec<_>>()
                .join(" and ")
        )),
    }
}

/// Every Terraform binary to test with, each with its version string:
/// 1.0.3, then the newest 1.8 or later. Panics, failing the test, when
/// either is missing.
pub fn terraforms() -> Vec<(PathBuf, String)> {
    static REQUIRED: OnceLock<Result<[(PathBuf, String); 2], String>> = OnceLock::new();
    match REQUIRED.get_or_init(|| required_terraforms(&found_terraforms())) {
        Ok(both) => both.to_vec(),
        Err(why) => panic!("{why}"),
    }
}

fn version_numbers(version: &str) -> Vec<u64> {
    version
        .trim_start_matches("Terraform v")
        .split(['.', '-'])
        .take(3)
        .map(|n| n.parse().unwrap_or(0))
        .collect()
}

/// A Terraform working directory with its own CLI config.
pub struct Workdir {
    pub dir: tempfile::TempDir,
    pub cli_config: PathBuf,
    env: Vec<(String, String)>,
}

impl Workdir {
    /// A workdir whose CLI config points `local/cams` at the built provider
    /// (or, with `protocol = Some(5)`, at a wrapper forcing protocol 5).
    pub fn new(main_tf: &str, protocol: Option<u8>) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let plugins = dir.path().join("plugins");
        std::fs::create_dir_all(&plugins).unwrap();
        let binary = env!("CARGO_BIN_EXE_terraform-provider-cams");
        let link = plugins.join("terraform-provider-cams");
        match protocol {
            Some(v) => {
                std::fs::write(
                    &link,
                    format!("#!/bin/sh\nPLUGIN_PROTOCOL_VERSIONS={v} exec '{binary}' \"$@\"\n"),
                )
                .unwrap();
                std::fs::set_permissions(&link, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
            None => std::os::unix::fs::symlink(binary, &link).unwrap(),
        }
        let mut overrides = format!("    \"{PROVIDER_SOURCE}\" = \"{}\"\n", plugins.display());
        if let Ok(null) = std::env::var("CAMS_TEST_NULL_PROVIDER") {
            let null_dir = dir.path().join("null-plugin");
            std::fs::create_dir_all(&null_dir).unwrap();
            if Path::new(&null).exists() {
                std::os::unix::fs::symlink(&null, null_dir.join("terraform-provider-null"))
                    .unwrap();
                overrides.push_str(&format!(
                    "    \"registry.terraform.io/hashicorp/null\" = \"{}\"\n",
                    null_dir.display()
                ));
            }
        }
        let cli_config = dir.path().join("terraformrc");
        std::fs::write(
            &cli_config,
            format!("provider_installation {{\n  dev_overrides {{\n{overrides}  }}\n  direct {{}}\n}}\n"),
        )
        .unwrap();
        std::fs::write(dir.path().join("main.tf"), main_tf).unwrap();
        Self {
            dir,
            cli_config,
            env: Vec::new(),
        }
    }

    /// A workdir with the given CLI config (e.g. a `provider_installation`
    /// block naming a mirror) instead of the `dev_overrides` of [`Self::new`].
    pub fn with_cli_config(main_tf: &str, cli_config: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let cli_config_path = dir.path().join("terraformrc");
        std::fs::write(&cli_config_path, cli_config).unwrap();
        std::fs::write(dir.path().join("main.tf"), main_tf).unwrap();
        Self {
            dir,
            cli_config: cli_config_path,
            env: Vec::new(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Adds an environment variable for every terraform run.
    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.env.push((k.to_owned(), v.to_owned()));
        self
    }

    pub fn command(&self, tf: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new(tf);
        cmd.args(args)
            .current_dir(self.path())
            .env("TF_CLI_CONFIG_FILE", &self.cli_config)
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0");
        for var in [
            "TF_LOG",
            "TF_LOG_PATH",
            "TF_LOG_PROVIDER",
            "TF_LOG_CORE",
            "TF_DATA_DIR",
            "TF_CLI_ARGS",
            "TF_PLUGIN_CACHE_DIR",
            "SSL_CERT_FILE",
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            "ALIBABA_CLOUD_SECURITY_TOKEN",
            "ALICLOUD_ACCESS_KEY",
            "ALICLOUD_SECRET_KEY",
            "ALICLOUD_SECURITY_TOKEN",
            "ALIBABA_CLOUD_PROFILE",
            "ALICLOUD_PROFILE",
            "ALIBABA_CLOUD_CREDENTIALS_FILE",
            "ALIBABA_CLOUD_CAMS_ENDPOINT",
            "ALIBABA_CLOUD_ROLE_ARN",
            "ALIBABA_CLOUD_ECS_METADATA",
            "ALIBABA_CLOUD_CAMS_SHARED_RATE_LIMIT",
            "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
            "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
            "ALIBABA_CLOUD_ROLE_SESSION_NAME",
            "ALIBABA_CLOUD_SIGNATURE_VERSION",
            "ALIBABA_CLOUD_STS_REGION",
            "ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED",
            "ALIBABA_CLOUD_REGION",
            "ALICLOUD_REGION",
        ] {
            cmd.env_remove(var);
        }
        // No real ~/.aliyun/config.json may leak into a test.
        cmd.env("HOME", self.path());
        // Each test has its own host-wide request budgets: concurrent tests
        // (and the user's own runs) with the same AccessKey ID against
        // different emulators must not slow each other down. A test of
        // several runs sharing one sets the variable to a common directory.
        let runtime = self.path().join("runtime");
        if std::fs::create_dir(&runtime).is_ok() {
            std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
        cmd.env("XDG_RUNTIME_DIR", runtime);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    pub fn run(&self, tf: &Path, args: &[&str]) -> Output {
        self.command(tf, args)
            .stdin(Stdio::null())
            .output()
            .expect("run terraform")
    }

    /// Starts terraform in its own process group, as a shell does for a
    /// foreground job, so a test can Ctrl-C the whole group like a terminal.
    ///
    /// A process inherits an ignored SIGINT (as background jobs of a
    /// non-interactive shell have it), and Terraform then never sees Ctrl-C;
    /// a terminal's foreground job has it at its default, so restore that
    /// through a tiny exec shim before starting Terraform.
    pub fn spawn(&self, tf: &Path, args: &[&str]) -> Child {
        use std::os::unix::process::CommandExt as _;
        let mut shim_args: Vec<&str> = vec![
            "-c",
            "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])",
        ];
        let tf_str = tf.to_str().expect("utf-8 path");
        shim_args.push(tf_str);
        shim_args.extend_from_slice(args);
        let mut cmd = self.command(Path::new("python3"), &shim_args);
        cmd.process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd.spawn().expect("spawn terraform")
    }

    /// `terraform apply -auto-approve` with the given variables.
    pub fn apply(&self, tf: &Path, vars: &[(&str, &str)]) -> Output {
        let mut args = vec![
            "apply".to_owned(),
            "-auto-approve".into(),
            "-input=false".into(),
            "-no-color".into(),
        ];
        for (k, v) in vars {
            args.push("-var".into());
            args.push(format!("{k}={v}"));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.run(tf, &args)
    }

    /// `terraform output -raw NAME`.
    pub fn output_raw(&self, tf: &Path, name: &str) -> Vec<u8> {
        let o = self.run(tf, &["output", "-raw", name]);
        assert!(
            o.status.success(),
            "terraform output {name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        o.stdout
    }
}

pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Fails the test with Terraform's whole output unless the run succeeded.
pub fn assert_ok(o: &Output, what: &str) {
    assert!(o.status.success(), "{what} failed:\n{}", text(o));
}

/// Whether a `terraforms()` version string ("Terraform v1.11.4") is at
/// least `major.minor`.
pub fn at_least(version: &str, major: u64, minor: u64) -> bool {
    let numbers: Vec<u64> = version_numbers(version).into_iter().take(2).collect();
    numbers >= vec![major, minor]
}

impl Workdir {
    /// `terraform output -json`, parsed (sensitive values included).
    pub fn outputs(&self, tf: &Path) -> serde_json::Value {
        let o = self.run(tf, &["output", "-json"]);
        assert_ok(&o, "terraform output -json");
        serde_json::from_slice(&o.stdout).expect("output JSON")
    }

    /// With the emulator's demo access key in the environment.
    pub fn with_demo_keys(self) -> Self {
        self.env(
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
            super::local_emulator::DEMO_KEY_ID,
        )
        .env(
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            super::local_emulator::DEMO_SECRET,
        )
    }
}
