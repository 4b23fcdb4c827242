//! STS `AssumeRole` (version 2015-04-01): parameter checks and the
//! temporary credentials it hands out.

use axum::http::StatusCode;
use base64::Engine as _;
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::config::StsKey;
use super::params::RpcParams;
use super::pop::PopError;
use super::timestamp::format_iso8601 as format_timestamp;

pub const ACTION: &str = "AssumeRole";

const MIN_DURATION_SECS: i64 = 900;
const MAX_DURATION_SECS: i64 = 43_200;
const DEFAULT_DURATION_SECS: i64 = 3_600;

/// A validated AssumeRole request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeRole {
    pub role_arn: String,
    pub session_name: String,
    pub duration_secs: i64,
}

impl AssumeRole {
    /// Checks `RoleArn` (listed in `accepted_roles`, or any well-formed ARN
    /// when the list is empty), `RoleSessionName` and `DurationSeconds`.
    pub fn from_params(params: &RpcParams, accepted_roles: &[String]) -> Result<Self, PopError> {
        let role_arn = params
            .non_empty("RoleArn")
            .ok_or_else(|| PopError::missing_parameter("RoleArn"))?;
        if accepted_roles.is_empty() {
            if parse_role_arn(role_arn).is_none() {
                return Err(invalid(
                    "InvalidParameter.RoleArn",
                    "The parameter RoleArn is wrongly formed.",
                ));
            }
        } else if !accepted_roles.iter().any(|r| r == role_arn) {
            return Err(PopError::new(
                StatusCode::NOT_FOUND,
                "EntityNotExist.Role",
                format!("The role not exists: {role_arn}."),
            ));
        }
        let session_name = params
            .non_empty("RoleSessionName")
            .ok_or_else(|| PopError::missing_parameter("RoleSessionName"))?;
        let session_ok = (2..=64).contains(&session_name.len())
            && session_name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'@' | b'_' | b'-'));
        if !session_ok {
            return Err(invalid(
                "InvalidParameter.RoleSessionName",
                "The parameter RoleSessionName is wrongly formed.",
            ));
        }
        let duration_secs = match params.get("DurationSeconds") {
            None | Some("") => DEFAULT_DURATION_SECS,
            Some(text) => text
                .parse::<i64>()
                .ok()
                .filter(|d| (MIN_DURATION_SECS..=MAX_DURATION_SECS).contains(d))
                .ok_or_else(|| {
                    invalid(
                        "InvalidParameter.DurationSeconds",
                        "The Min/Max value of DurationSeconds is 15min/12hr.",
                    )
                })?,
        };
        Ok(AssumeRole {
            role_arn: role_arn.to_string(),
            session_name: session_name.to_string(),
            duration_secs,
        })
    }
}

/// Credentials issued for one AssumeRole call.
pub struct Issued {
    pub key: StsKey,
    pub expires: OffsetDateTime,
}

/// Makes fresh random STS credentials valid for the requested duration, or
/// for `ttl` when the emulator is told to issue shorter-lived ones.
pub fn issue(
    request: &AssumeRole,
    now: OffsetDateTime,
    ttl: Option<std::time::Duration>,
) -> Issued {
    let lifetime = ttl
        .and_then(|t| time::Duration::try_from(t).ok())
        .unwrap_or_else(|| time::Duration::seconds(request.duration_secs));
    let expires = now.replace_nanosecond(0).unwrap_or(now) + lifetime;
    Issued {
        key: fresh_key(),
        expires,
    }
}

/// A random STS-shaped key: `STS.` + 24 characters, a 40-character secret,
/// a long `CAIS...` token.
pub fn fresh_key() -> StsKey {
    let id = format!("STS.{}", random_alphanumeric(24));
    let secret = random_alphanumeric(40);
    let mut token_bytes = Vec::new();
    for _ in 0..6 {
        token_bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    }
    let token = format!(
        "CAIS{}",
        base64::engine::general_purpose::STANDARD.encode(token_bytes)
    );
    StsKey::new(id, secret, token)
}

/// The AssumeRole answer body.
pub fn response_body(request_id: &str, request: &AssumeRole, issued: &Issued) -> Value {
    let account = parse_role_arn(&request.role_arn)
        .map(|(account, _)| account.to_string())
        .unwrap_or_else(|| "1234567890123456".to_string());
    let role_name = parse_role_arn(&request.role_arn)
        .map(|(_, name)| name.to_string())
        .unwrap_or_else(|| {
            request
                .role_arn
                .rsplit('/')
                .next()
                .unwrap_or("role")
                .to_string()
        });
    let role_id: String = uuid::Uuid::new_v4()
        .as_u128()
        .to_string()
        .chars()
        .take(19)
        .collect();
    json!({
        "RequestId": request_id,
        "AssumedRoleUser": {
            "Arn": format!("acs:ram::{account}:role/{}/{}", role_name.to_ascii_lowercase(), request.session_name),
            "AssumedRoleId": format!("{role_id}:{}", request.session_name),
        },
        "Credentials": {
            "AccessKeyId": issued.key.id,
            "AccessKeySecret": issued.key.secret,
            "SecurityToken": issued.key.token,
            "Expiration": format_timestamp(issued.expires),
        }
    })
}

/// `acs:ram::<digits>:role/<name>` -> (account, name).
fn parse_role_arn(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.strip_prefix("acs:ram::")?;
    let (account, role) = rest.split_once(':')?;
    let name = role.strip_prefix("role/")?;
    let account_ok = !account.is_empty() && account.bytes().all(|b| b.is_ascii_digit());
    let name_ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    (account_ok && name_ok).then_some((account, name))
}

fn random_alphanumeric(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for byte in uuid::Uuid::new_v4().into_bytes() {
            // 248 = 4 * 62: rejecting the rest keeps the choice uniform.
            if byte < 248 && out.len() < len {
                out.push(char::from(ALPHABET[usize::from(byte) % ALPHABET.len()]));
            }
        }
    }
    out
}

fn invalid(code: &str, message: &str) -> PopError {
    PopError::new(StatusCode::BAD_REQUEST, code, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(query: &str) -> RpcParams {
        RpcParams::from_parts(Some(query), None, b"")
    }

    #[test]
    fn validates_role_session_and_duration() {
        let ok = AssumeRole::from_params(
            &params("RoleArn=acs:ram::123456789012:role/terraform-role&RoleSessionName=terraform"),
            &[],
        );
        assert_eq!(ok.map(|r| r.duration_secs), Ok(3600));
        let code = |q: &str, roles: &[String]| {
            AssumeRole::from_params(&params(q), roles)
                .err()
                .map(|e| e.code)
        };
        let arn = "RoleArn=acs:ram::1:role/r&RoleSessionName=tf";
        assert_eq!(
            code("RoleSessionName=tf", &[]).as_deref(),
            Some("MissingParameter")
        );
        assert_eq!(
            code("RoleArn=arn:aws:iam::1:role/x&RoleSessionName=tf", &[]).as_deref(),
            Some("InvalidParameter.RoleArn")
        );
        assert_eq!(
            code(arn, &["acs:ram::2:role/other".to_string()]).as_deref(),
            Some("EntityNotExist.Role")
        );
        assert_eq!(
            code("RoleArn=acs:ram::1:role/r&RoleSessionName=x", &[]).as_deref(),
            Some("InvalidParameter.RoleSessionName")
        );
        assert_eq!(
            code(&format!("{arn}&DurationSeconds=899"), &[]).as_deref(),
            Some("InvalidParameter.DurationSeconds")
        );
        assert_eq!(
            code(&format!("{arn}&DurationSeconds=43201"), &[]).as_deref(),
            Some("InvalidParameter.DurationSeconds")
        );
        assert_eq!(code(&format!("{arn}&DurationSeconds=43200"), &[]), None);
    }

    #[test]
    fn issued_credentials_are_fresh_and_expire_after_the_duration() {
        let request = AssumeRole {
            role_arn: "acs:ram::1:role/r".into(),
            session_name: "tf".into(),
            duration_secs: 900,
        };
        let now = OffsetDateTime::now_utc();
        let (a, b) = (issue(&request, now, None), issue(&request, now, None));
        let short = issue(&request, now, Some(std::time::Duration::from_secs(8)));
        assert!((short.expires - now).whole_seconds() <= 8);
        assert!(a.key.id.starts_with("STS.") && a.key.id.len() == 28);
        assert_ne!(a.key.secret, b.key.secret);
        assert_ne!(a.key.token, b.key.token);
        // Expiration is whole seconds, so up to one second is cut off.
        let lifetime = (a.expires - now).as_seconds_f64();
        assert!((899.0..=900.0).contains(&lifetime), "{lifetime}");
    }
}
