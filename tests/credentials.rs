//! Integration tests of the credentials chain: source order, the CLI config
//! file, STS AssumeRole against a fake STS that verifies signatures, ECS RAM
//! role against a fake instance metadata service, and redaction.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::{get, put};
use axum::Router;
use cams_provider::alibaba::credentials::{
    conflicting_env_families, resolve, AssumeRoleConfig, AssumeRoleWithOidcConfig, Credentials,
    CredentialsConfig, CredentialsError, MapEnv, Secret,
};
use cams_provider::alibaba::rpc_query::SignatureVersion;
use cams_provider::alibaba::signature;

// ---------------------------------------------------------------------------
// helpers

fn http() -> reqwest::Client {
    reqwest::Client::new()
}

/// An environment whose home directory is an empty temp dir, so the real
/// `~/.aliyun/config.json` of whoever runs the tests is never read.
struct Sandbox {
    home: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Self {
        Self {
            home: tempfile::tempdir().unwrap(),
        }
    }

    /// A sandbox whose `~/.aliyun/config.json` holds [`CLI_CONFIG`]'s
    /// profiles, the set-up most tests start from.
    fn with_profiles() -> Self {
        let sandbox = Self::new();
        sandbox.write_default_cli_config(CLI_CONFIG);
        sandbox
    }

    fn env(&self) -> MapEnv {
        MapEnv::new().with_home(self.home.path())
    }

    /// Writes `~/.aliyun/config.json`.
    fn write_default_cli_config(&self, json: &str) -> PathBuf {
        let dir = self.home.path().join(".aliyun");
        std::fs::create_dir_all(&dir).unwrap();
        write_file(&dir.join("config.json"), json)
    }

    /// Writes a CLI config file somewhere else under the sandbox.
    fn write_file(&self, name: &str, json: &str) -> PathBuf {
        write_file(&self.home.path().join(name), json)
    }
}

/// The environment's AccessKey pair, as `ALIBABA_CLOUD_ACCESS_KEY_ID` and
/// `ALIBABA_CLOUD_ACCESS_KEY_SECRET`.
trait WithAccessKey {
    fn with_access_key(self, id: &str, secret: &str) -> Self;
}

impl WithAccessKey for MapEnv {
    fn with_access_key(self, id: &str, secret: &str) -> Self {
        self.with_var("ALIBABA_CLOUD_ACCESS_KEY_ID", id)
            .with_var("ALIBABA_CLOUD_ACCESS_KEY_SECRET", secret)
    }
}

fn write_file(path: &Path, contents: &str) -> PathBuf {
    std::fs::write(path, contents).unwrap();
    path.to_path_buf()
}

fn explicit(id: &str, secret: &str) -> CredentialsConfig {
    CredentialsConfig {
        access_key: Some(id.into()),
        secret_key: Some(Secret::new(secret)),
        ..Default::default()
    }
}

async fn creds_of(config: &CredentialsConfig, env: &MapEnv) -> (Credentials, String) {
    let provider = resolve(config, env, http()).unwrap();
    (provider.credentials().await.unwrap(), provider.source())
}

fn resolve_err(config: &CredentialsConfig, env: &MapEnv) -> CredentialsError {
    match resolve(config, env, http()) {
        Ok(provider) => panic!("expected an error, got {provider:?}"),
        Err(e) => e,
    }
}

const CLI_CONFIG: &str = r#"{
  "current": "main",
  "profiles": [
    {"name": "main", "mode": "AK", "access_key_id": "PROFILE_MAIN_ID", "access_key_secret": "profile-main-secret", "region_id": "cn-hangzhou"},
    {"name": "other", "mode": "AK", "access_key_id": "PROFILE_OTHER_ID", "access_key_secret": "profile-other-secret"},
    {"name": "third", "mode": "AK", "access_key_id": "PROFILE_THIRD_ID", "access_key_secret": "profile-third-secret"},
    {"name": "sts", "mode": "StsToken", "access_key_id": "STS.PROFILE_ID", "access_key_secret": "profile-sts-secret", "sts_token": "profile-sts-token"},
    {"name": "sso", "mode": "CloudSSO", "cloud_sso_sign_in_url": "https://signin"},
    {"name": "broken-ak", "mode": "AK", "access_key_id": "ONLY_ID"}
  ]
}"#;

// ---------------------------------------------------------------------------
// chain order

#[tokio::test]
async fn explicit_values_beat_environment_and_profile() {
    let sandbox = Sandbox::with_profiles();
    let env = sandbox
        .env()
        .with_access_key("ENV_ID", "env-secret")
        .with_var("ALIBABA_CLOUD_PROFILE", "other");
    let mut config = explicit("EXPLICIT_ID", "explicit-secret");
    config.security_token = Some(Secret::new("explicit-token"));

    let (creds, source) = creds_of(&config, &env).await;
    assert_eq!(creds.access_key_id, "EXPLICIT_ID");
    assert_eq!(creds.access_key_secret.expose(), "explicit-secret");
    assert_eq!(
        creds.security_token.as_ref().map(Secret::expose),
        Some("explicit-token")
    );
    assert!(source.contains("provider configuration"), "{source}");
}

#[test]
fn explicit_keys_and_an_explicit_profile_or_file_are_a_conflict() {
    let sandbox = Sandbox::with_profiles();
    for (setting, config) in [
        (
            "profile",
            CredentialsConfig {
                profile: Some("other".into()),
                ..explicit("EXPLICIT_ID", "explicit-secret")
            },
        ),
        (
            "shared_credentials_file",
            CredentialsConfig {
                shared_credentials_file: Some(sandbox.home.path().join(".aliyun/config.json")),
                ..explicit("EXPLICIT_ID", "explicit-secret")
            },
        ),
    ] {
        let err = resolve_err(&config, &sandbox.env());
        assert!(
            matches!(&err, CredentialsError::Conflict { second, .. } if second == setting),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn an_explicit_profile_is_used_ahead_of_environment_keys() {
    let sandbox = Sandbox::with_profiles();
    let env = sandbox.env().with_access_key("ENV_ID", "env-secret");
    let config = CredentialsConfig {
        profile: Some("other".into()),
        ..Default::default()
    };
    let (creds, source) = creds_of(&config, &env).await;
    assert_ne!(creds.access_key_id, "ENV_ID", "{source}");
    assert!(source.contains("profile \"other\""), "{source}");
}

#[test]
fn an_explicit_missing_profile_or_file_fails_even_with_environment_keys() {
    // Both used to be skipped silently because the environment's keys won.
    let sandbox = Sandbox::with_profiles();
    let env = sandbox.env().with_access_key("ENV_ID", "env-secret");
    let missing_profile = CredentialsConfig {
        profile: Some("no-such-profile".into()),
        ..Default::default()
    };
    assert!(matches!(
        resolve_err(&missing_profile, &env),
        CredentialsError::ProfileNotFound { .. }
    ));
    let missing_file = CredentialsConfig {
        shared_credentials_file: Some(sandbox.home.path().join("absent.json")),
        ..Default::default()
    };
    assert!(matches!(
        resolve_err(&missing_file, &env),
        CredentialsError::ConfigFileUnreadable { .. }
    ));
}

#[test]
fn both_environment_families_with_different_ids_are_reported_by_name() {
    let sandbox = Sandbox::new();
    let env = sandbox
        .env()
        .with_access_key("NEW_ID", "new-secret")
        .with_var("ALICLOUD_ACCESS_KEY", "OLD_ID")
        .with_var("ALICLOUD_SECRET_KEY", "old-secret");
    let ignored = conflicting_env_families(&env).expect("a conflict");
    assert_eq!(ignored.used, "ALIBABA_CLOUD_ACCESS_KEY_ID");
    assert_eq!(ignored.ignored, "ALICLOUD_ACCESS_KEY");
    let same = sandbox
        .env()
        .with_access_key("SAME", "s")
        .with_var("ALICLOUD_ACCESS_KEY", "SAME");
    assert_eq!(conflicting_env_families(&same), None);
}

#[test]
fn a_policy_that_is_not_json_is_refused_before_sts_is_called() {
    let sandbox = Sandbox::new();
    let mut config = explicit("ID", "secret");
    config.assume_role = Some(AssumeRoleConfig {
        role_arn: "acs:ram::1:role/r".into(),
        policy: Some("{not json".into()),
        ..Default::default()
    });
    let err = resolve_err(&config, &sandbox.env());
    assert!(
        matches!(&err, CredentialsError::InvalidSetting { setting, .. } if setting == "assume_role.policy"),
        "{err:?}"
    );
}

#[tokio::test]
async fn environment_beats_profile() {
    let sandbox = Sandbox::with_profiles();
    let env = sandbox
        .env()
        .with_access_key("ENV_ID", "env-secret")
        .with_var("ALIBABA_CLOUD_PROFILE", "other");
    let (creds, source) = creds_of(&CredentialsConfig::default(), &env).await;
    assert_eq!(creds.access_key_id, "ENV_ID");
    assert_eq!(creds.security_token, None);
    assert_eq!(source, "environment (ALIBABA_CLOUD_ACCESS_KEY_ID)");
}

#[tokio::test]
async fn profile_is_used_when_nothing_else_is_set() {
    let sandbox = Sandbox::new();
    let path = sandbox.write_default_cli_config(CLI_CONFIG);
    let (creds, source) = creds_of(&CredentialsConfig::default(), &sandbox.env()).await;
    assert_eq!(creds.access_key_id, "PROFILE_MAIN_ID");
    assert_eq!(creds.access_key_secret.expose(), "profile-main-secret");
    assert!(source.contains("profile \"main\" (mode AK)"), "{source}");
    assert!(source.contains(&path.display().to_string()), "{source}");
}

#[tokio::test]
async fn alibaba_cloud_env_family_beats_deprecated_alicloud_family() {
    let sandbox = Sandbox::new();
    let env = sandbox
        .env()
        .with_var("ALICLOUD_ACCESS_KEY", "OLD_ID")
        .with_var("ALICLOUD_SECRET_KEY", "old-secret")
        .with_var("ALICLOUD_SECURITY_TOKEN", "old-token")
        .with_access_key("NEW_ID", "new-secret");
    let (creds, _) = creds_of(&CredentialsConfig::default(), &env).await;
    assert_eq!(creds.access_key_id, "NEW_ID");
    assert_eq!(creds.access_key_secret.expose(), "new-secret");
    assert_eq!(creds.security_token, None, "families are never mixed");
}

#[tokio::test]
async fn deprecated_alicloud_family_still_works_alone() {
    let sandbox = Sandbox::new();
    let env = sandbox
        .env()
        .with_var("ALICLOUD_ACCESS_KEY", "OLD_ID")
        .with_var("ALICLOUD_SECRET_KEY", "old-secret")
        .with_var("ALICLOUD_SECURITY_TOKEN", "old-token");
    let (creds, source) = creds_of(&CredentialsConfig::default(), &env).await;
    assert_eq!(creds.access_key_id, "OLD_ID");
    assert_eq!(
        creds.security_token.as_ref().map(Secret::expose),
        Some("old-token")
    );
    assert_eq!(source, "environment (ALICLOUD_ACCESS_KEY)");
}

#[test]
fn env_id_without_secret_names_the_missing_variable() {
    let sandbox = Sandbox::new();
    let cases = [
        (
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
        ),
        (
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
        ),
        ("ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY"),
        ("ALICLOUD_SECRET_KEY", "ALICLOUD_ACCESS_KEY"),
    ];
    for (present, missing) in cases {
        let env = sandbox.env().with_var(present, "value");
        let err = resolve_err(&CredentialsConfig::default(), &env);
        match &err {
            CredentialsError::IncompletePair {
                present: p,
                missing: m,
            } => {
                assert_eq!((p.as_str(), m.as_str()), (present, missing));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.to_string().contains(missing), "{err}");
    }
    let env = sandbox
        .env()
        .with_var("ALIBABA_CLOUD_SECURITY_TOKEN", "stray");
    let err = resolve_err(&CredentialsConfig::default(), &env);
    assert!(
        err.to_string().contains("ALIBABA_CLOUD_ACCESS_KEY_ID"),
        "{err}"
    );
}

#[test]
fn explicit_half_pairs_are_errors() {
    let sandbox = Sandbox::new();
    let env = sandbox.env().with_access_key("ENV_ID", "env-secret");
    let only_id = CredentialsConfig {
        access_key: Some("ID".into()),
        ..Default::default()
    };
    let err = resolve_err(&only_id, &env);
    assert!(
        err.to_string()
            .contains("access_key is set but secret_key is not"),
        "{err}"
    );
    let only_token = CredentialsConfig {
        security_token: Some(Secret::new("t")),
        ..Default::default()
    };
    assert!(matches!(
        resolve_err(&only_token, &env),
        CredentialsError::IncompletePair { .. }
    ));
}

#[tokio::test]
async fn empty_strings_count_as_unset() {
    let sandbox = Sandbox::new();
    let env = sandbox
        .env()
        .with_access_key("", "")
        .with_var("ALIBABA_CLOUD_PROFILE", "")
        .with_var("ALIBABA_CLOUD_ROLE_ARN", "")
        .with_var("ALIBABA_CLOUD_ECS_METADATA", "")
        .with_var("ALICLOUD_ACCESS_KEY", "OLD_ID")
        .with_var("ALICLOUD_SECRET_KEY", "old-secret");
    let config = CredentialsConfig {
        access_key: Some(String::new()),
        secret_key: Some(Secret::new("")),
        security_token: Some(Secret::new("")),
        profile: Some(String::new()),
        ecs_role_name: Some(String::new()),
        sts_endpoint: Some(String::new()),
        ..Default::default()
    };
    let (creds, source) = creds_of(&config, &env).await;
    assert_eq!(creds.access_key_id, "OLD_ID");
    assert_eq!(source, "environment (ALICLOUD_ACCESS_KEY)");
}

#[test]
fn missing_credentials_list_every_place_looked_at() {
    let sandbox = Sandbox::new();
    let err = resolve_err(&CredentialsConfig::default(), &sandbox.env());
    let CredentialsError::NotFound { looked_in } = &err else {
        panic!("unexpected {err:?}");
    };
    let text = err.to_string();
    let default_file = sandbox.home.path().join(".aliyun/config.json");
    for expected in [
        "provider configuration access_key/secret_key (not set)",
        "ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET (not set)",
        "ALICLOUD_ACCESS_KEY/ALICLOUD_SECRET_KEY (not set)",
        &format!(
            "CLI config file {} (not found; profile not set)",
            default_file.display()
        ),
        "ECS RAM role (not configured",
        "ALIBABA_CLOUD_ECS_METADATA",
        "ALICLOUD_ECS_ROLE_NAME",
        "ALIBABA_CLOUD_OIDC_PROVIDER_ARN/ALIBABA_CLOUD_OIDC_TOKEN_FILE/ALIBABA_CLOUD_ROLE_ARN (not set)",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
    assert_eq!(looked_in.len(), 6, "{looked_in:?}");
    assert!(text.starts_with("no Alibaba Cloud credentials found"));
}

#[test]
fn missing_credentials_with_a_role_says_the_role_needs_base_credentials() {
    let sandbox = Sandbox::new();
    let env = sandbox
        .env()
        .with_var("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/r");
    let err = resolve_err(&CredentialsConfig::default(), &env);
    assert!(
        err.to_string().contains("assume_role is configured"),
        "{err}"
    );
}

#[test]
fn default_file_without_current_or_default_profile_is_reported() {
    let sandbox = Sandbox::new();
    sandbox.write_default_cli_config(
        r#"{"profiles":[{"name":"x","access_key_id":"a","access_key_secret":"b"}]}"#,
    );
    let err = resolve_err(&CredentialsConfig::default(), &sandbox.env());
    assert!(
        err.to_string().contains("no profile named \"default\""),
        "{err}"
    );
}

// ---------------------------------------------------------------------------
// CLI config file: selection, paths and modes

#[tokio::test]
async fn profile_selection_explicit_then_env_then_current_then_default() {
    let sandbox = Sandbox::with_profiles();
    let env_both = sandbox
        .env()
        .with_var("ALIBABA_CLOUD_PROFILE", "other")
        .with_var("ALICLOUD_PROFILE", "third");
    let named = CredentialsConfig {
        profile: Some("sts".into()),
        ..Default::default()
    };

    let (creds, _) = creds_of(&named, &env_both).await;
    assert_eq!(creds.access_key_id, "STS.PROFILE_ID", "explicit name wins");

    let (creds, _) = creds_of(&CredentialsConfig::default(), &env_both).await;
    assert_eq!(
        creds.access_key_id, "PROFILE_OTHER_ID",
        "ALIBABA_CLOUD_PROFILE beats ALICLOUD_PROFILE"
    );

    let env_old = sandbox.env().with_var("ALICLOUD_PROFILE", "third");
    let (creds, _) = creds_of(&CredentialsConfig::default(), &env_old).await;
    assert_eq!(creds.access_key_id, "PROFILE_THIRD_ID");

    let (creds, _) = creds_of(&CredentialsConfig::default(), &sandbox.env()).await;
    assert_eq!(creds.access_key_id, "PROFILE_MAIN_ID", "the file's current");

    sandbox.write_default_cli_config(
        r#"{"profiles":[{"name":"x","access_key_id":"X","access_key_secret":"x"},
                        {"name":"default","access_key_id":"DEFAULT_ID","access_key_secret":"d"}]}"#,
    );
    let (creds, _) = creds_of(&CredentialsConfig::default(), &sandbox.env()).await;
    assert_eq!(
        creds.access_key_id, "DEFAULT_ID",
        "no current: the CLI's default name"
    );
}

#[tokio::test]
async fn sts_token_profile_carries_the_token() {
    let sandbox = Sandbox::with_profiles();
    let config = CredentialsConfig {
        profile: Some("sts".into()),
        ..Default::default()
    };
    let (creds, source) = creds_of(&config, &sandbox.env()).await;
    assert_eq!(creds.access_key_secret.expose(), "profile-sts-secret");
    assert_eq!(
        creds.security_token.as_ref().map(Secret::expose),
        Some("profile-sts-token")
    );
    assert!(source.contains("mode StsToken"), "{source}");
}

#[test]
fn unknown_profile_name_lists_the_available_ones() {
    let sandbox = Sandbox::new();
    let path = sandbox.write_default_cli_config(CLI_CONFIG);
    let config = CredentialsConfig {
        profile: Some("nope".into()),
        ..Default::default()
    };
    let err = resolve_err(&config, &sandbox.env());
    let CredentialsError::ProfileNotFound {
        name,
        path: p,
        available,
    } = &err
    else {
        panic!("unexpected {err:?}");
    };
    assert_eq!(name, "nope");
    assert_eq!(p, &path);
    assert_eq!(
        available,
        &["main", "other", "third", "sts", "sso", "broken-ak"]
    );
    assert!(err.to_string().contains("main, other"), "{err}");
}

#[test]
fn current_naming_a_missing_profile_is_an_error() {
    let sandbox = Sandbox::new();
    sandbox.write_default_cli_config(r#"{"current":"gone","profiles":[]}"#);
    let err = resolve_err(&CredentialsConfig::default(), &sandbox.env());
    assert!(
        matches!(&err, CredentialsError::ProfileNotFound { name, available, .. } if name == "gone" && available.is_empty()),
        "{err:?}"
    );
    assert!(err.to_string().contains("none"), "{err}");
}

#[test]
fn unsupported_mode_names_the_mode_and_the_supported_ones() {
    let sandbox = Sandbox::with_profiles();
    let config = CredentialsConfig {
        profile: Some("sso".into()),
        ..Default::default()
    };
    let err = resolve_err(&config, &sandbox.env());
    assert!(
        matches!(&err, CredentialsError::UnsupportedProfileMode { profile, mode } if profile == "sso" && mode == "CloudSSO"),
        "{err:?}"
    );
    let text = err.to_string();
    for word in ["CloudSSO", "AK", "StsToken", "RamRoleArn", "EcsRamRole"] {
        assert!(text.contains(word), "{word} missing in {text}");
    }
}

#[test]
fn profile_missing_a_required_field_says_which() {
    let sandbox = Sandbox::with_profiles();
    let config = CredentialsConfig {
        profile: Some("broken-ak".into()),
        ..Default::default()
    };
    let err = resolve_err(&config, &sandbox.env());
    assert!(
        err.to_string()
            .contains("mode AK requires access_key_secret"),
        "{err}"
    );
}

#[tokio::test]
async fn credentials_file_path_precedence() {
    let sandbox = Sandbox::with_profiles();
    let one = |id: &str| {
        format!(
            r#"{{"current":"p","profiles":[{{"name":"p","access_key_id":"{id}","access_key_secret":"s"}}]}}"#
        )
    };
    let explicit_file = sandbox.write_file("explicit.json", &one("FROM_EXPLICIT_FILE"));
    let new_env_file = sandbox.write_file("new.json", &one("FROM_NEW_ENV_FILE"));
    let old_env_file = sandbox.write_file("old.json", &one("FROM_OLD_ENV_FILE"));
    let env = sandbox
        .env()
        .with_var(
            "ALIBABA_CLOUD_CREDENTIALS_FILE",
            new_env_file.to_str().unwrap(),
        )
        .with_var(
            "ALICLOUD_SHARED_CREDENTIALS_FILE",
            old_env_file.to_str().unwrap(),
        );
    let config = CredentialsConfig {
        shared_credentials_file: Some(explicit_file),
        ..Default::default()
    };
    assert_eq!(
        creds_of(&config, &env).await.0.access_key_id,
        "FROM_EXPLICIT_FILE"
    );
    assert_eq!(
        creds_of(&CredentialsConfig::default(), &env)
            .await
            .0
            .access_key_id,
        "FROM_NEW_ENV_FILE"
    );
    let env_old = sandbox.env().with_var(
        "ALICLOUD_SHARED_CREDENTIALS_FILE",
        old_env_file.to_str().unwrap(),
    );
    assert_eq!(
        creds_of(&CredentialsConfig::default(), &env_old)
            .await
            .0
            .access_key_id,
        "FROM_OLD_ENV_FILE"
    );
    let tilde = CredentialsConfig {
        shared_credentials_file: Some(PathBuf::from("~/new.json")),
        ..Default::default()
    };
    assert_eq!(
        creds_of(&tilde, &sandbox.env()).await.0.access_key_id,
        "FROM_NEW_ENV_FILE",
        "~/ expands to the home directory"
    );
}

#[test]
fn explicit_file_that_is_missing_or_invalid_is_an_error() {
    let sandbox = Sandbox::new();
    let missing = CredentialsConfig {
        shared_credentials_file: Some(sandbox.home.path().join("absent.json")),
        ..Default::default()
    };
    let err = resolve_err(&missing, &sandbox.env());
    assert!(
        matches!(err, CredentialsError::ConfigFileUnreadable { .. }),
        "{err:?}"
    );

    let named_but_no_file = CredentialsConfig {
        profile: Some("x".into()),
        ..Default::default()
    };
    assert!(matches!(
        resolve_err(&named_but_no_file, &sandbox.env()),
        CredentialsError::ConfigFileUnreadable { .. }
    ));

    let bad = sandbox.write_file("bad.json", r#"{"profiles": "secret-looking"}"#);
    let invalid = CredentialsConfig {
        shared_credentials_file: Some(bad.clone()),
        ..Default::default()
    };
    let err = resolve_err(&invalid, &sandbox.env());
    assert!(
        matches!(&err, CredentialsError::ConfigFileInvalid { path, .. } if path == &bad),
        "{err:?}"
    );
    assert!(err.to_string().contains("\"profiles\""), "{err}");
    assert!(!err.to_string().contains("secret-looking"), "{err}");
}

#[test]
fn an_endless_or_huge_credentials_file_is_refused_after_the_cap() {
    let sandbox = Sandbox::new();
    let endless = CredentialsConfig {
        shared_credentials_file: Some(PathBuf::from("/dev/zero")),
        ..Default::default()
    };
    let err = resolve_err(&endless, &sandbox.env());
    assert!(
        matches!(err, CredentialsError::ConfigFileTooLarge { limit, .. } if limit == 1024 * 1024),
        "{err:?}"
    );
    assert!(err.to_string().contains("/dev/zero"), "{err}");

    let huge = sandbox.write_file("huge.json", &" ".repeat(1024 * 1024 + 1));
    let err = resolve_err(
        &CredentialsConfig {
            shared_credentials_file: Some(huge),
            ..Default::default()
        },
        &sandbox.env(),
    );
    assert!(
        matches!(err, CredentialsError::ConfigFileTooLarge { .. }),
        "{err:?}"
    );

    let directory = CredentialsConfig {
        shared_credentials_file: Some(sandbox.home.path().to_path_buf()),
        ..Default::default()
    };
    let err = resolve_err(&directory, &sandbox.env());
    assert!(err.to_string().contains("directory"), "{err}");
}

// ---------------------------------------------------------------------------
// fake STS

/// What the fake STS answers.
#[derive(Clone)]
enum StsBehaviour {
    /// Credentials valid for this long.
    Credentials { lifetime: Duration },
    /// An error document.
    Error {
        status: StatusCode,
        code: &'static str,
    },
}

struct StsState {
    /// AccessKeyId -> secret the fake knows, to verify signatures.
    secrets: Vec<(String, String)>,
    behaviour: Mutex<StsBehaviour>,
    delay: Duration,
    calls: AtomicUsize,
    nonces: Mutex<HashSet<String>>,
    last_params: Mutex<Vec<(String, String)>>,
}

struct FakeSts {
    addr: SocketAddr,
    state: Arc<StsState>,
}

impl FakeSts {
    async fn start(secrets: &[(&str, &str)], behaviour: StsBehaviour, delay: Duration) -> Self {
        let state = Arc::new(StsState {
            secrets: secrets
                .iter()
                .map(|(id, s)| (id.to_string(), s.to_string()))
                .collect(),
            behaviour: Mutex::new(behaviour),
            delay,
            calls: AtomicUsize::new(0),
            nonces: Mutex::new(HashSet::new()),
            last_params: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route("/", get(sts_handler).post(sts_handler))
            .with_state(state.clone());
        let addr = serve(app).await;
        Self { addr, state }
    }

    fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn calls(&self) -> usize {
        self.state.calls.load(Ordering::SeqCst)
    }

    fn param(&self, name: &str) -> Option<String> {
        self.state
            .last_params
            .lock()
            .unwrap()
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
}

async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    addr
}

fn sts_error(status: StatusCode, code: &str, message: &str) -> (StatusCode, String) {
    let body = serde_json::json!({
        "RequestId": format!("REQ-{code}"),
        "HostId": "sts.aliyuncs.com",
        "Code": code,
        "Message": message,
        "Recommend": "https://api.aliyun.com/troubleshoot",
    });
    (status, body.to_string())
}

/// Verifies the request like STS would, then answers per the behaviour.
async fn sts_handler(
    State(state): State<Arc<StsState>>,
    method: Method,
    RawQuery(query): RawQuery,
) -> (StatusCode, String) {
    state.calls.fetch_add(1, Ordering::SeqCst);
    tokio::time::sleep(state.delay).await;
    let params: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    *state.last_params.lock().unwrap() = params.clone();
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };

    for (name, expected) in [
        ("Action", "AssumeRole"),
        ("Version", "2015-04-01"),
        ("Format", "JSON"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureVersion", "1.0"),
    ] {
        if param(name) != Some(expected) {
            return sts_error(
                StatusCode::BAD_REQUEST,
                "InvalidParameter",
                &format!("bad {name}"),
            );
        }
    }
    if param("RoleArn").is_none() || param("RoleSessionName").is_none() {
        return sts_error(StatusCode::BAD_REQUEST, "MissingParameter", "role");
    }
    let timestamp = param("Timestamp").and_then(signature::parse_timestamp);
    let fresh = timestamp
        .is_some_and(|t| (time::OffsetDateTime::now_utc() - t).abs() < time::Duration::minutes(15));
    if !fresh {
        return sts_error(
            StatusCode::BAD_REQUEST,
            "InvalidTimeStamp.Expired",
            "timestamp",
        );
    }
    let nonce = param("SignatureNonce").unwrap_or_default().to_string();
    if nonce.is_empty() || !state.nonces.lock().unwrap().insert(nonce) {
        return sts_error(StatusCode::BAD_REQUEST, "SignatureNonceUsed", "nonce");
    }
    let Some(secret) = state
        .secrets
        .iter()
        .find(|(id, _)| Some(id.as_str()) == param("AccessKeyId"))
        .map(|(_, s)| s.clone())
    else {
        return sts_error(
            StatusCode::NOT_FOUND,
            "InvalidAccessKeyId.NotFound",
            "unknown key",
        );
    };
    let received = param("Signature").unwrap_or_default();
    let signed = params.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    if !signature::verify(method.as_str(), signed, &secret, received) {
        return sts_error(
            StatusCode::BAD_REQUEST,
            "SignatureDoesNotMatch",
            "signature",
        );
    }

    let behaviour = state.behaviour.lock().unwrap().clone();
    match behaviour {
        StsBehaviour::Error { status, code } => sts_error(status, code, "the fake says no"),
        StsBehaviour::Credentials { lifetime } => {
            let n = state.calls.load(Ordering::SeqCst);
            let expiration = time::OffsetDateTime::now_utc()
                + time::Duration::try_from(lifetime).unwrap_or(time::Duration::ZERO);
            let body = serde_json::json!({
                "RequestId": format!("REQ-OK-{n}"),
                "AssumedRoleUser": {"Arn": param("RoleArn"), "AssumedRoleId": "1:terraform"},
                "Credentials": {
                    "AccessKeyId": format!("STS.ASSUMED{n}"),
                    "AccessKeySecret": format!("assumed-secret-{n}"),
                    "SecurityToken": format!("assumed-token-{n}"),
                    "Expiration": signature::format_timestamp(expiration),
                }
            });
            (StatusCode::OK, body.to_string())
        }
    }
}

fn one_hour() -> StsBehaviour {
    StsBehaviour::Credentials {
        lifetime: Duration::from_secs(3600),
    }
}

fn with_role(
    mut config: CredentialsConfig,
    sts: &FakeSts,
    role: AssumeRoleConfig,
) -> CredentialsConfig {
    config.assume_role = Some(role);
    config.sts_endpoint = Some(sts.endpoint());
    // The fake STS verifies V1; V3 is proven against the emulator.
    config.signature_version = SignatureVersion::V1;
    config
}

fn role(arn: &str) -> AssumeRoleConfig {
    AssumeRoleConfig {
        role_arn: arn.into(),
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------
// STS AssumeRole

#[tokio::test]
async fn assume_role_signs_sends_params_and_caches() {
    let sts = FakeSts::start(&[("BASE_ID", "base-secret")], one_hour(), Duration::ZERO).await;
    let sandbox = Sandbox::new();
    let role_config = AssumeRoleConfig {
        role_arn: "acs:ram::123456789012:role/terraform".into(),
        session_name: Some("my-session".into()),
        session_expiration: Some(900),
        policy: Some(
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"cams:*","Resource":"*"}]}"#
                .into(),
        ),
        external_id: Some("ext 42".into()),
    };
    let config = with_role(
        explicit("BASE_ID", "base-secret"),
        &sts,
        role_config.clone(),
    );

    let provider = resolve(&config, &sandbox.env(), http()).unwrap();
    assert_eq!(sts.calls(), 0, "resolve does no network I/O");
    assert!(
        provider.source().starts_with(
            "STS AssumeRole acs:ram::123456789012:role/terraform (session my-session) using provider configuration"
        ),
        "{}",
        provider.source()
    );

    let creds = provider.credentials().await.unwrap();
    assert_eq!(creds.access_key_id, "STS.ASSUMED1");
    assert_eq!(creds.access_key_secret.expose(), "assumed-secret-1");
    assert_eq!(
        creds.security_token.as_ref().map(Secret::expose),
        Some("assumed-token-1")
    );
    assert_eq!(
        sts.param("RoleArn").as_deref(),
        Some(role_config.role_arn.as_str())
    );
    assert_eq!(sts.param("RoleSessionName").as_deref(), Some("my-session"));
    assert_eq!(sts.param("DurationSeconds").as_deref(), Some("900"));
    assert_eq!(sts.param("Policy"), role_config.policy);
    assert_eq!(sts.param("ExternalId").as_deref(), Some("ext 42"));
    assert_eq!(sts.param("SecurityToken"), None);

    for _ in 0..20 {
        assert_eq!(
            provider.credentials().await.unwrap().access_key_id,
            "STS.ASSUMED1"
        );
    }
    assert_eq!(
        sts.calls(),
        1,
        "cached: one STS call for many credentials()"
    );
}

#[tokio::test]
async fn assume_role_defaults_session_name_and_duration() {
    let sts = FakeSts::start(&[("BASE_ID", "base-secret")], one_hour(), Duration::ZERO).await;
    let sandbox = Sandbox::new();
    let config = with_role(
        explicit("BASE_ID", "base-secret"),
        &sts,
        role("acs:ram::1:role/r"),
    );
    let provider = resolve(&config, &sandbox.env(), http()).unwrap();
    provider.credentials().await.unwrap();
    assert_eq!(sts.param("RoleSessionName").as_deref(), Some("terraform"));
    assert_eq!(sts.param("DurationSeconds").as_deref(), Some("3600"));
    assert_eq!(sts.param("Policy"), None);
    assert_eq!(sts.param("ExternalId"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_share_one_sts_call() {
    let sts = FakeSts::start(
        &[("BASE_ID", "base-secret")],
        one_hour(),
        Duration::from_millis(200),
    )
    .await;
    let sandbox = Sandbox::new();
    let config = with_role(
        explicit("BASE_ID", "base-secret"),
        &sts,
        role("acs:ram::1:role/r"),
    );
    let provider = resolve(&config, &sandbox.env(), http()).unwrap();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let provider = provider.clone();
            tokio::spawn(async move { provider.credentials().await.map(|c| c.access_key_id) })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), "STS.ASSUMED1");
    }
    assert_eq!(sts.calls(), 1);
}

#[tokio::test]
async fn short_lived_credentials_are_refreshed() {
    let sts = FakeSts::start(
        &[("BASE_ID", "base-secret")],
        StsBehaviour::Credentials {
            lifetime: Duration::from_secs(3),
        },
        Duration::ZERO,
    )
    .await;
    let sandbox = Sandbox::new();
    let config = with_role(
        explicit("BASE_ID", "base-secret"),
        &sts,
        role("acs:ram::1:role/r"),
    );
    let provider = resolve(&config, &sandbox.env(), http()).unwrap();
    assert_eq!(
        provider.credentials().await.unwrap().access_key_id,
        "STS.ASSUMED1"
    );
    assert_eq!(
        provider.credentials().await.unwrap().access_key_id,
        "STS.ASSUMED1"
    );
    assert_eq!(sts.calls(), 1);
    tokio::time::sleep(Duration::from_millis(3100)).await;
    assert_eq!(
        provider.credentials().await.unwrap().access_key_id,
        "STS.ASSUMED2"
    );
    assert_eq!(sts.calls(), 2);
}

#[tokio::test]
async fn sts_error_is_surfaced_with_code_and_request_id() {
    let sts = FakeSts::start(
        &[("BASE_ID", "base-secret")],
        StsBehaviour::Error {
            status: StatusCode::FORBIDDEN,
            code: "NoPermission",
        },
        Duration::ZERO,
    )
    .await;
    let sandbox = Sandbox::new();
    let config = with_role(
        explicit("BASE_ID", "base-secret"),
        &sts,
        role("acs:ram::1:role/r"),
    );
    let provider = resolve(&config, &sandbox.env(), http()).unwrap();
    let err = provider.credentials().await.unwrap_err();
    match &err {
        CredentialsError::Sts {
            status,
            code,
            request_id,
            message,
            ..
        } => {
            assert_eq!(*status, 403);
            assert_eq!(code, "NoPermission");
            assert_eq!(request_id, "REQ-NoPermission");
            assert_eq!(message, "the fake says no");
        }
        other => panic!("unexpected {other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("NoPermission") && text.contains("REQ-NoPermission"),
        "{text}"
    );
}

#[tokio::test]
async fn wrong_base_secret_gives_signature_error_from_sts() {
    let sts = FakeSts::start(&[("BASE_ID", "base-secret")], one_hour(), Duration::ZERO).await;
    let sandbox = Sandbox::new();
    let config = with_role(
        explicit("BASE_ID", "wrong-secret"),
        &sts,
        role("acs:ram::1:role/r"),
    );
    let provider = resolve(&config, &sandbox.env(), http()).unwrap();
    let err = provider.credentials().await.unwrap_err();
    assert!(
        matches!(&err, CredentialsError::Sts { code, .. } if code == "SignatureDoesNotMatch"),
        "{err:?}"
    );
    assert!(!err.to_string().contains("wrong-secret"));
}

#[tokio::test]
async fn assume_role_on_top_of_sts_token_sends_the_signed_security_token() {
    let sts = FakeSts::start(&[("STS.BASE", "base-secret")], one_hour(), Duration::ZERO).await;
    let sandbox = Sandbox::new();
    let env = sandbox
        .env()
        .with_access_key("STS.BASE", "base-secret")
        .with_var("ALIBABA_CLOUD_SECURITY_TOKEN", "base token/+=");
    let config = with_role(
        CredentialsConfig::default(),
        &sts,
        role("acs:ram::1:role/r"),
    );
    let (creds, source) = creds_of(&config, &env).await;
    assert_eq!(creds.access_key_id, "STS.ASSUMED1");
    assert!(
        source.ends_with("using environment (ALIBABA_CLOUD_ACCESS_KEY_ID)"),
        "{source}"
    );
    assert_eq!(sts.param("SecurityToken").as_deref(), Some("base token/+="));
}

#[tokio::test]
async fn role_settings_from_environment() {
    let sts = FakeSts::start(&[("BASE_ID", "base-secret")], one_hour(), Duration::ZERO).await;
    let sandbox = Sandbox::new();
    let env = sandbox
        .env()
        .with_var("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/new")
        .with_var("ALICLOUD_ASSUME_ROLE_ARN", "acs:ram::1:role/old")
        .with_var("ALICLOUD_ASSUME_ROLE_SESSION_NAME", "old-session")
        .with_var("ALICLOUD_ASSUME_ROLE_SESSION_EXPIRATION", "1200");
    let mut config = explicit("BASE_ID", "base-secret");
    config.sts_endpoint = Some(sts.endpoint());
    // The fake STS verifies V1; V3 is proven against the emulator.
    config.signature_version = SignatureVersion::V1;
    creds_of(&config, &env).await;
    assert_eq!(sts.param("RoleArn").as_deref(), Some("acs:ram::1:role/new"));
    assert_eq!(sts.param("RoleSessionName").as_deref(), Some("old-session"));
    assert_eq!(sts.param("DurationSeconds").as_deref(), Some("1200"));

    let env = env.with_var("ALIBABA_CLOUD_ROLE_SESSION_NAME", "new-session");
    creds_of(&config, &env).await;
    assert_eq!(sts.param("RoleSessionName").as_deref(), Some("new-session"));

    // The explicit block beats the environment, field by field.
    let config = with_role(
        config,
        &sts,
        AssumeRoleConfig {
            session_name: Some("block-session".into()),
            ..Default::default()
        },
    );
    creds_of(&config, &env).await;
    assert_eq!(sts.param("RoleArn").as_deref(), Some("acs:ram::1:role/new"));
    assert_eq!(
        sts.param("RoleSessionName").as_deref(),
        Some("block-session")
    );
}

#[test]
fn invalid_role_settings_are_reported_at_resolve_time() {
    let sandbox = Sandbox::new();
    let base = explicit("BASE_ID", "base-secret");
    let cases = [
        (
            AssumeRoleConfig {
                session_expiration: Some(899),
                ..role("acs:ram::1:role/r")
            },
            "assume_role.session_expiration must be between 900 and 43200",
        ),
        (
            AssumeRoleConfig {
                session_expiration: Some(43201),
                ..role("acs:ram::1:role/r")
            },
            "got 43201",
        ),
        (
            AssumeRoleConfig {
                session_name: Some("bad name".into()),
                ..role("acs:ram::1:role/r")
            },
            "assume_role.session_name",
        ),
        (
            AssumeRoleConfig {
                session_name: Some("ok-name".into()),
                ..Default::default()
            },
            "has no role_arn",
        ),
    ];
    for (role_config, expected) in cases {
        let mut config = base.clone();
        config.assume_role = Some(role_config);
        let err = resolve_err(&config, &sandbox.env());
        assert!(
            err.to_string().contains(expected),
            "{expected:?} not in {err}"
        );
    }

    let env = sandbox
        .env()
        .with_var("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/r")
        .with_var("ALICLOUD_ASSUME_ROLE_SESSION_EXPIRATION", "an hour");
    let err = resolve_err(&base, &env);
    assert!(
        err.to_string()
            .contains("ALICLOUD_ASSUME_ROLE_SESSION_EXPIRATION"),
        "{err}"
    );

    let mut plain_http = base.clone();
    plain_http.assume_role = Some(role("acs:ram::1:role/r"));
    plain_http.sts_endpoint = Some("http://sts.example.com".into());
    assert!(resolve_err(&plain_http, &sandbox.env())
        .to_string()
        .contains("plain http"));
}

#[tokio::test]
async fn ram_role_arn_profile_assumes_its_role() {
    let sts = FakeSts::start(
        &[("PROFILE_ROLE_ID", "profile-role-secret")],
        one_hour(),
        Duration::ZERO,
    )
    .await;
    let sandbox = Sandbox::new();
    sandbox.write_default_cli_config(
        r#"{"current":"role","profiles":[{"name":"role","mode":"RamRoleArn",
            "access_key_id":"PROFILE_ROLE_ID","access_key_secret":"profile-role-secret",
            "ram_role_arn":"acs:ram::123456789012:role/from-profile","ram_session_name":"profile-session",
            "expired_seconds":1800,"external_id":"profile-ext","policy":"{\"Version\":\"1\"}",
            "sts_region":"cn-shanghai"}]}"#,
    );
    let config = CredentialsConfig {
        sts_endpoint: Some(sts.endpoint()),
        signature_version: SignatureVersion::V1,
        ..Default::default()
    };
    let provider = resolve(&config, &sandbox.env(), http()).unwrap();
    assert_eq!(sts.calls(), 0);
    let creds = provider.credentials().await.unwrap();
    assert_eq!(creds.access_key_id, "STS.ASSUMED1");
    assert_eq!(sts.param("AccessKeyId").as_deref(), Some("PROFILE_ROLE_ID"));
    assert_eq!(
        sts.param("RoleArn").as_deref(),
        Some("acs:ram::123456789012:role/from-profile")
    );
    assert_eq!(
        sts.param("RoleSessionName").as_deref(),
        Some("profile-session")
    );
    assert_eq!(sts.param("DurationSeconds").as_deref(), Some("1800"));
    assert_eq!(sts.param("ExternalId").as_deref(), Some("profile-ext"));
    assert_eq!(sts.param("Policy").as_deref(), Some(r#"{"Version":"1"}"#));
    assert!(
        provider.source().contains("mode RamRoleArn"),
        "{}",
        provider.source()
    );

    // An explicit assume_role replaces the profile's role.
    let config = with_role(config, &sts, role("acs:ram::1:role/explicit"));
    creds_of(&config, &sandbox.env()).await;
    assert_eq!(
        sts.param("RoleArn").as_deref(),
        Some("acs:ram::1:role/explicit")
    );
    assert_eq!(sts.param("RoleSessionName").as_deref(), Some("terraform"));
}

#[test]
fn ram_role_arn_profile_default_endpoint_uses_the_profile_sts_region() {
    let sandbox = Sandbox::new();
    sandbox.write_default_cli_config(
        r#"{"current":"role","profiles":[{"name":"role","mode":"RamRoleArn",
            "access_key_id":"I","access_key_secret":"S","ram_role_arn":"acs:ram::1:role/r",
            "sts_region":"cn-shanghai"}]}"#,
    );
    let provider = resolve(&CredentialsConfig::default(), &sandbox.env(), http()).unwrap();
    let debug = format!("{provider:?}");
    assert!(
        debug.contains("https://sts.cn-shanghai.aliyuncs.com/"),
        "{debug}"
    );

    let config = CredentialsConfig {
        region: Some("eu-central-1".into()),
        ..Default::default()
    };
    let debug = format!("{:?}", resolve(&config, &sandbox.env(), http()).unwrap());
    assert!(
        debug.contains("https://sts.eu-central-1.aliyuncs.com/"),
        "{debug}"
    );
}

#[test]
fn ram_role_arn_profile_with_bad_expired_seconds_is_an_error() {
    let sandbox = Sandbox::new();
    sandbox.write_default_cli_config(
        r#"{"current":"role","profiles":[{"name":"role","mode":"RamRoleArn",
            "access_key_id":"I","access_key_secret":"S","ram_role_arn":"acs:ram::1:role/r",
            "expired_seconds":60}]}"#,
    );
    let err = resolve_err(&CredentialsConfig::default(), &sandbox.env());
    assert!(
        err.to_string().contains("profile \"role\" expired_seconds"),
        "{err}"
    );
}

#[tokio::test]
async fn unreachable_sts_is_a_transport_error_without_the_signed_url() {
    // Bind then drop a listener: the port is (very likely) closed.
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let sandbox = Sandbox::new();
    let mut config = explicit("BASE_ID", "base-secret");
    config.security_token = Some(Secret::new("base-token-value"));
    config.assume_role = Some(role("acs:ram::1:role/r"));
    config.sts_endpoint = Some(format!("http://{addr}"));
    let provider = resolve(&config, &sandbox.env(), http()).unwrap();
    let err = provider.credentials().await.unwrap_err();
    assert!(matches!(err, CredentialsError::Transport { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        !text.contains("Signature") && !text.contains("base-token-value"),
        "{text}"
    );
}

// ---------------------------------------------------------------------------
// fake ECS instance metadata

const IMDS_TOKEN: &str = "imds-session-token";

struct EcsState {
    role: String,
    code: Mutex<String>,
    token_puts: AtomicUsize,
    credential_gets: AtomicUsize,
    rejected: AtomicUsize,
}

struct FakeEcs {
    addr: SocketAddr,
    state: Arc<EcsState>,
}

impl FakeEcs {
    async fn start(role: &str) -> Self {
        let state = Arc::new(EcsState {
            role: role.to_string(),
            code: Mutex::new("Success".into()),
            token_puts: AtomicUsize::new(0),
            credential_gets: AtomicUsize::new(0),
            rejected: AtomicUsize::new(0),
        });
        let app = Router::new()
            .route("/latest/api/token", put(ecs_token))
            .route(
                "/latest/meta-data/ram/security-credentials/",
                get(ecs_list_roles),
            )
            .route(
                "/latest/meta-data/ram/security-credentials/{role}",
                get(ecs_role_credentials),
            )
            .with_state(state.clone());
        let addr = serve(app).await;
        Self { addr, state }
    }

    fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn total_requests(&self) -> usize {
        self.state.token_puts.load(Ordering::SeqCst)
            + self.state.credential_gets.load(Ordering::SeqCst)
            + self.state.rejected.load(Ordering::SeqCst)
    }
}

async fn ecs_token(State(state): State<Arc<EcsState>>, headers: HeaderMap) -> (StatusCode, String) {
    let ttl = headers
        .get("X-aliyun-ecs-metadata-token-ttl-seconds")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u32>().ok());
    if ttl.is_none() {
        state.rejected.fetch_add(1, Ordering::SeqCst);
        return (StatusCode::BAD_REQUEST, "ttl header required".into());
    }
    state.token_puts.fetch_add(1, Ordering::SeqCst);
    (StatusCode::OK, IMDS_TOKEN.into())
}

fn has_token(state: &EcsState, headers: &HeaderMap) -> bool {
    let ok = headers
        .get("X-aliyun-ecs-metadata-token")
        .and_then(|v| v.to_str().ok())
        == Some(IMDS_TOKEN);
    if !ok {
        state.rejected.fetch_add(1, Ordering::SeqCst);
    }
    ok
}

async fn ecs_list_roles(
    State(state): State<Arc<EcsState>>,
    headers: HeaderMap,
) -> (StatusCode, String) {
    if !has_token(&state, &headers) {
        return (StatusCode::UNAUTHORIZED, "token required".into());
    }
    (StatusCode::OK, format!("{}\n", state.role))
}

async fn ecs_role_credentials(
    State(state): State<Arc<EcsState>>,
    axum::extract::Path(role): axum::extract::Path<String>,
    headers: HeaderMap,
) -> (StatusCode, String) {
    if !has_token(&state, &headers) {
        return (StatusCode::UNAUTHORIZED, "token required".into());
    }
    if role != state.role {
        return (StatusCode::NOT_FOUND, "no such role".into());
    }
    let n = state.credential_gets.fetch_add(1, Ordering::SeqCst) + 1;
    let code = state.code.lock().unwrap().clone();
    let now = time::OffsetDateTime::now_utc();
    let body = serde_json::json!({
        "Code": code,
        "AccessKeyId": format!("STS.ECS{n}"),
        "AccessKeySecret": format!("ecs-secret-{n}"),
        "SecurityToken": format!("ecs-token-{n}"),
        "Expiration": signature::format_timestamp(now + time::Duration::hours(6)),
        "LastUpdated": signature::format_timestamp(now),
    });
    (StatusCode::OK, body.to_string())
}

// ---------------------------------------------------------------------------
// ECS RAM role

#[tokio::test]
async fn ecs_role_from_explicit_setting_uses_the_token_and_caches() {
    let ecs = FakeEcs::start("tf-ecs-role").await;
    let sandbox = Sandbox::new();
    let config = CredentialsConfig {
        ecs_role_name: Some("tf-ecs-role".into()),
        ecs_metadata_endpoint: Some(ecs.endpoint()),
        ..Default::default()
    };
    let provider = resolve(&config, &sandbox.env(), http()).unwrap();
    assert_eq!(ecs.total_requests(), 0, "resolve does no network I/O");
    assert_eq!(
        provider.source(),
        format!(
            "ECS RAM role \"tf-ecs-role\" (instance metadata {}/)",
            ecs.endpoint()
        )
    );
    let creds = provider.credentials().await.unwrap();
    assert_eq!(creds.access_key_id, "STS.ECS1");
    assert_eq!(creds.access_key_secret.expose(), "ecs-secret-1");
    assert_eq!(
        creds.security_token.as_ref().map(Secret::expose),
        Some("ecs-token-1")
    );
    for _ in 0..10 {
        provider.credentials().await.unwrap();
    }
    assert_eq!(ecs.state.token_puts.load(Ordering::SeqCst), 1);
    assert_eq!(ecs.state.credential_gets.load(Ordering::SeqCst), 1);
    assert_eq!(
        ecs.state.rejected.load(Ordering::SeqCst),
        0,
        "every GET carried the token"
    );
}

#[tokio::test]
async fn explicit_ecs_role_beats_environment_keys() {
    let ecs = FakeEcs::start("tf-ecs-role").await;
    let sandbox = Sandbox::new();
    let env = sandbox.env().with_access_key("ENV_ID", "env-secret");
    let config = CredentialsConfig {
        ecs_role_name: Some("tf-ecs-role".into()),
        ecs_metadata_endpoint: Some(ecs.endpoint()),
        ..Default::default()
    };
    let (creds, _) = creds_of(&config, &env).await;
    assert_eq!(creds.access_key_id, "STS.ECS1");
}

#[tokio::test]
async fn ecs_role_from_environment_alibaba_cloud_name_first() {
    let ecs = FakeEcs::start("new-role").await;
    let sandbox = Sandbox::new();
    let config = CredentialsConfig {
        ecs_metadata_endpoint: Some(ecs.endpoint()),
        ..Default::default()
    };
    let env = sandbox
        .env()
        .with_var("ALIBABA_CLOUD_ECS_METADATA", "new-role")
        .with_var("ALICLOUD_ECS_ROLE_NAME", "old-role");
    let provider = resolve(&config, &env, http()).unwrap();
    assert!(
        provider.source().contains("\"new-role\""),
        "{}",
        provider.source()
    );
    assert_eq!(
        provider.credentials().await.unwrap().access_key_id,
        "STS.ECS1"
    );

    let env = sandbox.env().with_var("ALICLOUD_ECS_ROLE_NAME", "new-role");
    let provider = resolve(&config, &env, http()).unwrap();
    assert!(
        provider.source().contains("\"new-role\""),
        "{}",
        provider.source()
    );
}

#[tokio::test]
async fn ecs_ram_role_profile_without_name_discovers_the_role() {
    let ecs = FakeEcs::start("discovered-role").await;
    let sandbox = Sandbox::new();
    sandbox.write_default_cli_config(
        r#"{"current":"ecs","profiles":[{"name":"ecs","mode":"EcsRamRole"}]}"#,
    );
    let config = CredentialsConfig {
        ecs_metadata_endpoint: Some(ecs.endpoint()),
        ..Default::default()
    };
    let provider = resolve(&config, &sandbox.env(), http()).unwrap();
    assert!(
        provider.source().contains("discovered"),
        "{}",
        provider.source()
    );
    assert_eq!(
        provider.credentials().await.unwrap().access_key_id,
        "STS.ECS1"
    );
    assert_eq!(ecs.state.rejected.load(Ordering::SeqCst), 0);

    sandbox.write_default_cli_config(
        r#"{"current":"ecs","profiles":[{"name":"ecs","mode":"EcsRamRole","ram_role_name":"discovered-role"}]}"#,
    );
    let provider = resolve(&config, &sandbox.env(), http()).unwrap();
    assert!(
        provider.source().contains("\"discovered-role\""),
        "{}",
        provider.source()
    );
}

#[tokio::test]
async fn ecs_code_other_than_success_is_an_error() {
    let ecs = FakeEcs::start("tf-ecs-role").await;
    *ecs.state.code.lock().unwrap() = "Failed".into();
    let sandbox = Sandbox::new();
    let config = CredentialsConfig {
        ecs_role_name: Some("tf-ecs-role".into()),
        ecs_metadata_endpoint: Some(ecs.endpoint()),
        ..Default::default()
    };
    let provider = resolve(&config, &sandbox.env(), http()).unwrap();
    let err = provider.credentials().await.unwrap_err();
    assert!(
        matches!(&err, CredentialsError::EcsRole { role, code } if role == "tf-ecs-role" && code == "Failed"),
        "{err:?}"
    );
}

#[tokio::test]
async fn ecs_unknown_role_is_an_http_error() {
    let ecs = FakeEcs::start("real-role").await;
    let sandbox = Sandbox::new();
    let config = CredentialsConfig {
        ecs_role_name: Some("other-role".into()),
        ecs_metadata_endpoint: Some(ecs.endpoint()),
        ..Default::default()
    };
    let provider = resolve(&config, &sandbox.env(), http()).unwrap();
    let err = provider.credentials().await.unwrap_err();
    assert!(err.to_string().contains("404"), "{err}");
}

#[tokio::test]
async fn metadata_service_is_never_probed_without_a_role_setting() {
    let ecs = FakeEcs::start("tf-ecs-role").await;
    let sandbox = Sandbox::new();
    let config = CredentialsConfig {
        ecs_metadata_endpoint: Some(ecs.endpoint()),
        ..Default::default()
    };
    let err = resolve_err(&config, &sandbox.env());
    assert!(matches!(err, CredentialsError::NotFound { .. }), "{err:?}");
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(ecs.total_requests(), 0);
}

#[tokio::test]
async fn assume_role_on_top_of_ecs_role() {
    let ecs = FakeEcs::start("tf-ecs-role").await;
    let sts = FakeSts::start(&[("STS.ECS1", "ecs-secret-1")], one_hour(), Duration::ZERO).await;
    let sandbox = Sandbox::new();
    let config = CredentialsConfig {
        ecs_role_name: Some("tf-ecs-role".into()),
        ecs_metadata_endpoint: Some(ecs.endpoint()),
        ..with_role(
            CredentialsConfig::default(),
            &sts,
            role("acs:ram::1:role/r"),
        )
    };
    let (creds, source) = creds_of(&config, &sandbox.env()).await;
    assert_eq!(creds.access_key_id, "STS.ASSUMED1");
    assert!(source.contains("using ECS RAM role"), "{source}");
    assert_eq!(sts.param("SecurityToken").as_deref(), Some("ecs-token-1"));
}

// ---------------------------------------------------------------------------
// redaction

/// Every secret value used by the redaction test.
const SECRETS: [&str; 8] = [
    "explicit-secret-XYZ",
    "explicit-token-XYZ",
    "env-secret-XYZ",
    "assumed-secret-1",
    "assumed-token-1",
    "ecs-secret-1",
    "ecs-token-1",
    "profile-sts-token",
];

fn assert_no_secret(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} leaks {secret}: {text}");
    }
}

#[tokio::test]
async fn no_debug_or_display_output_contains_a_secret() {
    let sts = FakeSts::start(
        &[("EXPLICIT_ID", "explicit-secret-XYZ")],
        one_hour(),
        Duration::ZERO,
    )
    .await;
    let ecs = FakeEcs::start("tf-ecs-role").await;
    let sandbox = Sandbox::with_profiles();

    let mut config = with_role(
        explicit("EXPLICIT_ID", "explicit-secret-XYZ"),
        &sts,
        role("acs:ram::1:role/r"),
    );
    config.security_token = None;
    assert_no_secret("CredentialsConfig", &format!("{config:?}"));
    assert_no_secret("AssumeRoleConfig", &format!("{:?}", config.assume_role));

    let sts_provider = resolve(&config, &sandbox.env(), http()).unwrap();
    let creds = sts_provider.credentials().await.unwrap();
    assert_eq!(
        creds.access_key_secret.expose(),
        "assumed-secret-1",
        "sanity"
    );
    assert_no_secret("Credentials", &format!("{creds:?}"));
    assert_no_secret("AssumeRoleProvider", &format!("{sts_provider:?}"));
    assert_no_secret("AssumeRoleProvider source", &sts_provider.source());

    let with_token = CredentialsConfig {
        security_token: Some(Secret::new("explicit-token-XYZ")),
        ..explicit("EXPLICIT_ID", "explicit-secret-XYZ")
    };
    assert_no_secret("CredentialsConfig", &format!("{with_token:?}"));
    let static_provider = resolve(&with_token, &sandbox.env(), http()).unwrap();
    assert_no_secret("StaticCredentials", &format!("{static_provider:?}"));

    let env = sandbox.env().with_access_key("ENV_ID", "env-secret-XYZ");
    assert_no_secret("MapEnv", &format!("{env:?}"));
    let env_provider = resolve(&CredentialsConfig::default(), &env, http()).unwrap();
    assert_no_secret("env provider", &format!("{env_provider:?}"));

    let profile = CredentialsConfig {
        profile: Some("sts".into()),
        ..Default::default()
    };
    let profile_provider = resolve(&profile, &sandbox.env(), http()).unwrap();
    assert_no_secret("profile provider", &format!("{profile_provider:?}"));
    assert_no_secret("profile provider source", &profile_provider.source());

    let ecs_config = CredentialsConfig {
        ecs_role_name: Some("tf-ecs-role".into()),
        ecs_metadata_endpoint: Some(ecs.endpoint()),
        ..Default::default()
    };
    let ecs_provider = resolve(&ecs_config, &sandbox.env(), http()).unwrap();
    let ecs_creds = ecs_provider.credentials().await.unwrap();
    assert_eq!(
        ecs_creds.access_key_secret.expose(),
        "ecs-secret-1",
        "sanity"
    );
    assert_no_secret("EcsRoleProvider", &format!("{ecs_provider:?}"));
    assert_no_secret("ECS Credentials", &format!("{ecs_creds:?}"));

    let half = CredentialsConfig {
        secret_key: Some(Secret::new("explicit-secret-XYZ")),
        ..Default::default()
    };
    let err = resolve_err(&half, &sandbox.env());
    assert_no_secret("IncompletePair", &format!("{err} {err:?}"));
}

// ---------------------------------------------------------------------------
// STS endpoints and the OIDC role's place in the chain

#[test]
fn sts_region_and_vpc_variables_choose_the_sts_endpoint() {
    let sandbox = Sandbox::new();
    let mut config = explicit("BASE_ID", "base-secret");
    config.assume_role = Some(role("acs:ram::1:role/r"));
    config.region = Some("ap-southeast-1".into());
    // The provider's Debug names its endpoint (never a secret).
    let shown = |env: MapEnv| format!("{:?}", resolve(&config, &env, http()).unwrap());
    assert!(shown(sandbox.env()).contains("\"https://sts.ap-southeast-1.aliyuncs.com/\""));
    let regional = || {
        sandbox
            .env()
            .with_var("ALIBABA_CLOUD_STS_REGION", "cn-hangzhou")
    };
    assert!(shown(regional()).contains("\"https://sts.cn-hangzhou.aliyuncs.com/\""));
    assert!(
        shown(regional().with_var("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "true"))
            .contains("\"https://sts-vpc.cn-hangzhou.aliyuncs.com/\"")
    );
    let err = resolve_err(
        &config,
        &regional().with_var("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED", "yes"),
    );
    assert!(
        err.to_string()
            .contains("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED"),
        "{err}"
    );
}

fn oidc_env(sandbox: &Sandbox) -> MapEnv {
    sandbox
        .env()
        .with_var(
            "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
            "acs:ram::1:oidc-provider/gh",
        )
        .with_var("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/ci")
        .with_var("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/run/token")
}

#[test]
fn the_oidc_role_comes_after_environment_keys_and_is_not_assumed_twice() {
    let sandbox = Sandbox::new();
    let none = CredentialsConfig::default();
    let source = |env: &MapEnv| resolve(&none, env, http()).unwrap().source();
    let oidc = source(&oidc_env(&sandbox));
    assert!(
        oidc.starts_with("STS AssumeRoleWithOIDC acs:ram::1:role/ci"),
        "{oidc}"
    );
    assert!(!oidc.contains("STS AssumeRole acs"), "{oidc}");
    let keys = source(&oidc_env(&sandbox).with_access_key("ENV_ID", "env-secret"));
    assert!(keys.contains("ALIBABA_CLOUD_ACCESS_KEY_ID"), "{keys}");
    // An explicit assume_role block chains on the OIDC role.
    let chained = CredentialsConfig {
        assume_role: Some(role("acs:ram::1:role/second")),
        ..Default::default()
    };
    let both = resolve(&chained, &oidc_env(&sandbox), http())
        .unwrap()
        .source();
    assert!(
        both.starts_with("STS AssumeRole acs:ram::1:role/second")
            && both.contains("using STS AssumeRoleWithOIDC acs:ram::1:role/ci"),
        "{both}"
    );
}

#[test]
fn a_partial_oidc_setting_names_what_is_missing() {
    let sandbox = Sandbox::new();
    let env = sandbox
        .env()
        .with_var("ALIBABA_CLOUD_OIDC_TOKEN_FILE", "/run/token");
    let err = resolve_err(&CredentialsConfig::default(), &env);
    let text = err.to_string();
    assert!(
        text.contains("ALIBABA_CLOUD_OIDC_PROVIDER_ARN") && text.contains("ALIBABA_CLOUD_ROLE_ARN"),
        "{text}"
    );
    let block = CredentialsConfig {
        assume_role_with_oidc: Some(AssumeRoleWithOidcConfig {
            role_arn: Some("acs:ram::1:role/ci".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let text = resolve_err(&block, &sandbox.env()).to_string();
    assert!(
        text.contains("assume_role_with_oidc.oidc_provider_arn")
            && text.contains("assume_role_with_oidc.oidc_token_file"),
        "{text}"
    );
    let with_keys = CredentialsConfig {
        assume_role_with_oidc: block.assume_role_with_oidc.clone(),
        ..explicit("ID", "secret")
    };
    assert!(matches!(
        resolve_err(&with_keys, &sandbox.env()),
        CredentialsError::Conflict { .. }
    ));
}
