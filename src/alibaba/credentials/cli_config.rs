//! Parser for the Alibaba Cloud CLI config file (`~/.aliyun/config.json`).
//!
//! [`parse_cli_config`] is a pure function over bytes so it can be fuzzed: it
//! never panics, whatever the input. Only the fields the credentials chain
//! uses are extracted; unknown fields (and fields of modes we do not
//! support, e.g. CloudSSO) are ignored so that a valid CLI file never fails
//! to parse just because it contains a profile this provider cannot use.

use serde_json::{Map, Value};

use super::Secret;

/// The parsed CLI config file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CliConfig {
    /// The `current` profile name, `None` if absent or empty.
    pub current: Option<String>,
    /// Profiles in file order.
    pub profiles: Vec<CliProfile>,
}

impl CliConfig {
    /// The first profile with this name (the CLI also takes the first).
    pub fn profile(&self, name: &str) -> Option<&CliProfile> {
        self.profiles.iter().find(|p| p.name == name)
    }

    /// Names of all profiles, in file order.
    pub(crate) fn profile_names(&self) -> Vec<String> {
        self.profiles.iter().map(|p| p.name.clone()).collect()
    }
}

/// One profile. Empty strings in the file are read as `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CliProfile {
    pub name: String,
    pub mode: ProfileMode,
    pub access_key_id: Option<String>,
    pub access_key_secret: Option<Secret>,
    pub sts_token: Option<Secret>,
    pub ram_role_arn: Option<String>,
    pub ram_session_name: Option<String>,
    pub expired_seconds: Option<u64>,
    pub external_id: Option<String>,
    pub policy: Option<String>,
    pub sts_region: Option<String>,
    pub region_id: Option<String>,
    pub ram_role_name: Option<String>,
}

/// The `mode` of a profile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ProfileMode {
    /// `AK`: a long-term AccessKey pair. Also what a missing or empty `mode`
    /// means, as in the CLI.
    #[default]
    Ak,
    /// `StsToken`: AccessKey pair plus `sts_token`.
    StsToken,
    /// `RamRoleArn`: AccessKey pair used to call STS AssumeRole.
    RamRoleArn,
    /// `EcsRamRole`: the RAM role of the ECS instance.
    EcsRamRole,
    /// Any other mode (ChainableRamRoleArn, OIDC, External, CloudSSO, ...),
    /// kept verbatim so the error can name it.
    Other(String),
}

impl ProfileMode {
    /// The modes this crate can turn into credentials, as spelled in the file.
    pub(crate) const SUPPORTED: [&'static str; 4] = ["AK", "StsToken", "RamRoleArn", "EcsRamRole"];

    /// Parses a mode name; case-insensitive because hand-written files vary.
    pub fn parse(mode: &str) -> Self {
        match mode.to_ascii_lowercase().as_str() {
            "" | "ak" => Self::Ak,
            "ststoken" => Self::StsToken,
            "ramrolearn" => Self::RamRoleArn,
            "ecsramrole" => Self::EcsRamRole,
            _ => Self::Other(mode.to_string()),
        }
    }

    /// The mode as spelled in the CLI file.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Ak => "AK",
            Self::StsToken => "StsToken",
            Self::RamRoleArn => "RamRoleArn",
            Self::EcsRamRole => "EcsRamRole",
            Self::Other(mode) => mode,
        }
    }
}

/// Why the file could not be parsed. Messages name fields, never values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CliConfigError {
    #[error("not valid JSON: {0}")]
    Json(String),
    #[error("the top level must be a JSON object")]
    NotAnObject,
    #[error("field {field:?} must be {expected}")]
    TopLevelField {
        field: &'static str,
        expected: &'static str,
    },
    #[error("profiles[{index}] must be a JSON object")]
    ProfileNotAnObject { index: usize },
    #[error("profiles[{index}] has no name")]
    ProfileWithoutName { index: usize },
    #[error("profiles[{index}] field {field:?} must be {expected}")]
    ProfileField {
        index: usize,
        field: &'static str,
        expected: &'static str,
    },
}

/// Parses the contents of a CLI config file. Never panics.
pub fn parse_cli_config(bytes: &[u8]) -> Result<CliConfig, CliConfigError> {
    // Editors on Windows like to prepend a UTF-8 byte order mark.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let root: Value = serde_json::from_slice(bytes)
        .map_err(|e| CliConfigError::Json(crate::json_position::describe(bytes, &e)))?;
    let root = root.as_object().ok_or(CliConfigError::NotAnObject)?;

    let current = match root.get("current") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => non_empty(s),
        Some(_) => {
            return Err(CliConfigError::TopLevelField {
                field: "current",
                expected: "a string",
            })
        }
    };
    let profiles = match root.get("profiles") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(index, item)| parse_profile(index, item))
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(CliConfigError::TopLevelField {
                field: "profiles",
                expected: "an array",
            })
        }
    };
    Ok(CliConfig { current, profiles })
}

fn parse_profile(index: usize, item: &Value) -> Result<CliProfile, CliConfigError> {
    let fields = item
        .as_object()
        .ok_or(CliConfigError::ProfileNotAnObject { index })?;
    let reader = ProfileReader { index, fields };
    let name = reader
        .string("name")?
        .ok_or(CliConfigError::ProfileWithoutName { index })?;
    Ok(CliProfile {
        name,
        mode: ProfileMode::parse(&reader.string("mode")?.unwrap_or_default()),
        access_key_id: reader.string("access_key_id")?,
        access_key_secret: reader.string("access_key_secret")?.map(Secret::new),
        sts_token: reader.string("sts_token")?.map(Secret::new),
        ram_role_arn: reader.string("ram_role_arn")?,
        ram_session_name: reader.string("ram_session_name")?,
        expired_seconds: reader.seconds("expired_seconds")?,
        external_id: reader.string("external_id")?,
        policy: reader.string("policy")?,
        sts_region: reader.string("sts_region")?,
        region_id: reader.string("region_id")?,
        ram_role_name: reader.string("ram_role_name")?,
    })
}

/// Typed access to one profile's fields, with errors that say where.
struct ProfileReader<'a> {
    index: usize,
    fields: &'a Map<String, Value>,
}

impl ProfileReader<'_> {
    fn type_error(&self, field: &'static str, expected: &'static str) -> CliConfigError {
        CliConfigError::ProfileField {
            index: self.index,
            field,
            expected,
        }
    }

    /// A string field; absent, `null` and `""` are all `None`.
    fn string(&self, field: &'static str) -> Result<Option<String>, CliConfigError> {
        match self.fields.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(non_empty(s)),
            Some(_) => Err(self.type_error(field, "a string")),
        }
    }

    /// A non-negative whole number of seconds. The CLI writes a number; a
    /// numeric string is accepted too since hand-edited files contain them.
    /// `0` and `""` mean "not set".
    fn seconds(&self, field: &'static str) -> Result<Option<u64>, CliConfigError> {
        const EXPECTED: &str = "a non-negative whole number";
        let value = match self.fields.get(field) {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Number(n)) => n.as_u64().ok_or(self.type_error(field, EXPECTED))?,
            Some(Value::String(s)) if s.is_empty() => return Ok(None),
            Some(Value::String(s)) => s
                .trim()
                .parse::<u64>()
                .map_err(|_| self.type_error(field, EXPECTED))?,
            Some(_) => return Err(self.type_error(field, EXPECTED)),
        };
        Ok((value != 0).then_some(value))
    }
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SAMPLE: &str = r#"{
      "current": "default",
      "profiles": [
        {"name": "default", "mode": "AK", "access_key_id": "LTAIdefault", "access_key_secret": "default-secret", "region_id": "ap-southeast-1"},
        {"name": "sts", "mode": "StsToken", "access_key_id": "STS.id", "access_key_secret": "sts-secret", "sts_token": "sts-token"},
        {"name": "role", "mode": "RamRoleArn", "access_key_id": "LTAIrole", "access_key_secret": "role-secret",
         "ram_role_arn": "acs:ram::123456789012:role/tf", "ram_session_name": "tf", "expired_seconds": 1800,
         "sts_region": "cn-hangzhou", "external_id": "", "policy": ""},
        {"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "my-ecs-role"},
        {"name": "chain", "mode": "ChainableRamRoleArn", "source_profile": "default", "ram_role_arn": "x"},
        {"name": "sso", "mode": "CloudSSO", "cloud_sso_access_token_expire": 1700000000, "access_token": {"nested": true}}
      ],
      "meta_path": ""
    }"#;

    #[test]
    fn parses_every_supported_mode_and_keeps_unknown_ones() {
        let config = parse_cli_config(SAMPLE.as_bytes()).unwrap();
        assert_eq!(config.current.as_deref(), Some("default"));
        assert_eq!(
            config.profile_names(),
            ["default", "sts", "role", "ecs", "chain", "sso"]
        );

        let default = config.profile("default").unwrap();
        assert_eq!(default.mode, ProfileMode::Ak);
        assert_eq!(default.access_key_id.as_deref(), Some("LTAIdefault"));
        assert_eq!(
            default.access_key_secret.as_ref().map(Secret::expose),
            Some("default-secret")
        );
        assert_eq!(default.region_id.as_deref(), Some("ap-southeast-1"));

        let sts = config.profile("sts").unwrap();
        assert_eq!(sts.mode, ProfileMode::StsToken);
        assert_eq!(
            sts.sts_token.as_ref().map(Secret::expose),
            Some("sts-token")
        );

        let role = config.profile("role").unwrap();
        assert_eq!(role.mode, ProfileMode::RamRoleArn);
        assert_eq!(
            role.ram_role_arn.as_deref(),
            Some("acs:ram::123456789012:role/tf")
        );
        assert_eq!(role.ram_session_name.as_deref(), Some("tf"));
        assert_eq!(role.expired_seconds, Some(1800));
        assert_eq!(role.sts_region.as_deref(), Some("cn-hangzhou"));
        assert_eq!(role.external_id, None, "empty string means unset");
        assert_eq!(role.policy, None);

        let ecs = config.profile("ecs").unwrap();
        assert_eq!(ecs.mode, ProfileMode::EcsRamRole);
        assert_eq!(ecs.ram_role_name.as_deref(), Some("my-ecs-role"));

        assert_eq!(
            config.profile("chain").unwrap().mode,
            ProfileMode::Other("ChainableRamRoleArn".into())
        );
        assert_eq!(config.profile("sso").unwrap().mode.as_str(), "CloudSSO");
    }

    #[test]
    fn debug_output_redacts_secrets() {
        let config = parse_cli_config(SAMPLE.as_bytes()).unwrap();
        let debug = format!("{config:?}");
        for secret in ["default-secret", "sts-secret", "sts-token", "role-secret"] {
            assert!(!debug.contains(secret), "{secret} leaked in {debug}");
        }
        assert!(
            debug.contains("LTAIdefault"),
            "ids stay visible for debugging"
        );
    }

    #[test]
    fn missing_mode_means_ak_and_mode_is_case_insensitive() {
        let config = parse_cli_config(
            br#"{"profiles":[{"name":"a","access_key_id":"i","access_key_secret":"s"},
                              {"name":"b","mode":"ststoken"},{"name":"c","mode":""}]}"#,
        )
        .unwrap();
        assert_eq!(config.profiles[0].mode, ProfileMode::Ak);
        assert_eq!(config.profiles[1].mode, ProfileMode::StsToken);
        assert_eq!(config.profiles[2].mode, ProfileMode::Ak);
        assert_eq!(config.current, None);
    }

    #[test]
    fn empty_object_and_bom_are_fine() {
        assert_eq!(parse_cli_config(b"{}").unwrap(), CliConfig::default());
        let with_bom = b"\xEF\xBB\xBF{\"current\":\"x\"}";
        assert_eq!(
            parse_cli_config(with_bom).unwrap().current.as_deref(),
            Some("x")
        );
    }

    #[test]
    fn expired_seconds_accepts_numeric_strings_and_rejects_garbage() {
        let ok = parse_cli_config(br#"{"profiles":[{"name":"a","expired_seconds":"900"}]}"#);
        assert_eq!(ok.unwrap().profiles[0].expired_seconds, Some(900));
        let zero = parse_cli_config(br#"{"profiles":[{"name":"a","expired_seconds":0}]}"#);
        assert_eq!(zero.unwrap().profiles[0].expired_seconds, None);
        for bad in [r#""soon""#, "-5", "1.5", "true", "[]"] {
            let text = format!(r#"{{"profiles":[{{"name":"a","expired_seconds":{bad}}}]}}"#);
            assert_eq!(
                parse_cli_config(text.as_bytes()),
                Err(CliConfigError::ProfileField {
                    index: 0,
                    field: "expired_seconds",
                    expected: "a non-negative whole number"
                }),
                "input {bad}"
            );
        }
    }

    #[test]
    fn structural_errors_say_where() {
        let cases: [(&[u8], CliConfigError); 6] = [
            (b"[]", CliConfigError::NotAnObject),
            (
                br#"{"current": 3}"#,
                CliConfigError::TopLevelField {
                    field: "current",
                    expected: "a string",
                },
            ),
            (
                br#"{"profiles": {}}"#,
                CliConfigError::TopLevelField {
                    field: "profiles",
                    expected: "an array",
                },
            ),
            (
                br#"{"profiles": [{"name":"a"}, 7]}"#,
                CliConfigError::ProfileNotAnObject { index: 1 },
            ),
            (
                br#"{"profiles": [{"mode":"AK"}]}"#,
                CliConfigError::ProfileWithoutName { index: 0 },
            ),
            (
                br#"{"profiles": [{"name":"a","access_key_secret":42}]}"#,
                CliConfigError::ProfileField {
                    index: 0,
                    field: "access_key_secret",
                    expected: "a string",
                },
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_cli_config(input), Err(expected));
        }
        assert!(matches!(
            parse_cli_config(b"{\"profiles\": ["),
            Err(CliConfigError::Json(_))
        ));
    }

    #[test]
    fn type_errors_never_echo_the_value() {
        let err = parse_cli_config(br#"{"profiles":[{"name":"a","sts_token":["leaky-token"]}]}"#)
            .unwrap_err();
        assert!(!err.to_string().contains("leaky-token"), "{err}");
    }

    #[test]
    fn deeply_nested_input_is_an_error_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(matches!(
            parse_cli_config(deep.as_bytes()),
            Err(CliConfigError::Json(_))
        ));
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_cli_config(&bytes);
        }

        #[test]
        fn never_panics_on_json_shaped_input(
            current in proptest::option::of(".{0,8}"),
            name in ".{0,8}",
            mode in prop_oneof![Just("AK".to_string()), Just("StsToken".to_string()), Just("RamRoleArn".to_string()), Just("EcsRamRole".to_string()), ".{0,8}"],
            seconds in prop_oneof![Just("1".to_string()), Just("-1".to_string()), Just("1e99".to_string()), Just("\"x\"".to_string()), "[0-9]{0,25}"],
        ) {
            let current = current.map(|c| serde_json::Value::String(c).to_string()).unwrap_or_else(|| "null".into());
            let seconds = if seconds.is_empty() { "0".to_string() } else { seconds };
            let text = format!(
                r#"{{"current":{current},"profiles":[{{"name":{},"mode":{},"expired_seconds":{seconds}}}]}}"#,
                serde_json::Value::String(name.clone()),
                serde_json::Value::String(mode),
            );
            if let Ok(config) = parse_cli_config(text.as_bytes()) {
                // A parsed profile keeps its name unless it was empty (which is an error).
                prop_assert_eq!(&config.profiles[0].name, &name);
            }
        }
    }
}
