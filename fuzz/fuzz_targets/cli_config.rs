//! Fuzzes the Alibaba Cloud CLI config parser (`~/.aliyun/config.json`).
//!
//! Besides never panicking:
//! * the `Debug` of a parsed config never depends on the secret values
//!   (`access_key_secret`, `sts_token`), so in particular it never shows a
//!   secret of 8 or more characters that appears nowhere else in it;
//! * parsed strings are never empty (empty means absent) and
//!   `expired_seconds` is never `Some(0)`;
//! * error messages name fields, never values: they stay short.

#![no_main]

use cams_provider::alibaba::credentials::{parse_cli_config, CliConfig, Secret};
use libfuzzer_sys::fuzz_target;

/// The longest error message: a field name, a profile index and the
/// expected type, or one of serde_json's syntax errors (which quote no
/// input).
const MAX_ERROR_CHARS: usize = 200;

/// Secrets shorter than this may show up in the Debug by coincidence
/// (`"AK"`, `"None"`), so only longer ones are searched for verbatim.
const MIN_SECRET_CHARS: usize = 8;

fuzz_target!(|data: &[u8]| {
    match parse_cli_config(data) {
        Ok(config) => {
            check_secrets_hidden(&config);
            check_absent_means_none(&config);
        }
        Err(err) => {
            let text = err.to_string();
            assert!(
                text.chars().count() <= MAX_ERROR_CHARS,
                "error message of {} characters: {text:?}",
                text.chars().count()
            );
        }
    }
});

fn check_secrets_hidden(config: &CliConfig) {
    let debug = format!("{config:?}");
    // The same config with every secret replaced.
    let mut replaced = config.clone();
    for profile in &mut replaced.profiles {
        for secret in [&mut profile.access_key_secret, &mut profile.sts_token]
            .into_iter()
            .flatten()
        {
            *secret = Secret::new("replaced secret value");
        }
    }
    let replaced_debug = format!("{replaced:?}");

    // A long secret never appears in the Debug, unless it is also the text
    // of some other field (then it shows there, not as the secret).
    for profile in &config.profiles {
        for secret in [&profile.access_key_secret, &profile.sts_token]
            .into_iter()
            .flatten()
        {
            let raw = secret.expose();
            if raw.chars().count() < MIN_SECRET_CHARS || replaced_debug.contains(raw) {
                continue;
            }
            assert!(
                !debug.contains(raw),
                "profile {:?}: Debug shows a secret",
                profile.name
            );
        }
    }
    // Stronger, for short secrets too: Debug does not depend on them.
    assert_eq!(debug, replaced_debug, "Debug depends on a secret value");
}

fn check_absent_means_none(config: &CliConfig) {
    assert_ne!(config.current.as_deref(), Some(""));
    for profile in &config.profiles {
        assert!(!profile.name.is_empty());
        assert_ne!(profile.expired_seconds, Some(0));
        for text in [
            &profile.access_key_id,
            &profile.ram_role_arn,
            &profile.ram_session_name,
            &profile.external_id,
            &profile.policy,
            &profile.sts_region,
            &profile.region_id,
            &profile.ram_role_name,
        ] {
            assert_ne!(text.as_deref(), Some(""), "profile {:?}", profile.name);
        }
        for secret in [&profile.access_key_secret, &profile.sts_token]
            .into_iter()
            .flatten()
        {
            assert!(!secret.is_empty(), "profile {:?}", profile.name);
        }
    }
}
