//! STS `AssumeRoleWithOIDC`: the OIDC identity providers the emulator
//! trusts, and the check of a token as STS documents it: a JWT signed with
//! RS256 by the provider's key, from its issuer, for one of its audiences,
//! not expired. The call is anonymous (no AccessKey, no signature).
//!
//! Error codes are STS's documented ones
//! (<https://www.alibabacloud.com/help/en/ram/developer-reference/api-sts-2015-04-01-errorcodes>).

use std::fmt;
use std::str::FromStr;

use axum::http::StatusCode;
use base64::Engine as _;
use serde_json::Value;
use time::OffsetDateTime;

use super::params::RpcParams;
use super::pop::PopError;
use super::sts::AssumeRole;

pub const ACTION: &str = "AssumeRoleWithOIDC";

/// An OIDC identity provider registered "in RAM" (`--oidc-provider`).
#[derive(Clone, PartialEq, Eq)]
pub struct OidcProvider {
    /// `acs:ram::<account>:oidc-provider/<name>`.
    pub arn: String,
    /// The `iss` its tokens carry.
    pub issuer: String,
    /// The client IDs: a token's `aud` must name one.
    pub audiences: Vec<String>,
    /// Its RSA public key, DER (PKCS#1 `RSAPublicKey` or SubjectPublicKeyInfo).
    pub public_key_der: Vec<u8>,
    /// Roles whose trust policy allows this provider; empty = every role.
    pub trusted_roles: Vec<String>,
}

impl fmt::Debug for OidcProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcProvider")
            .field("arn", &self.arn)
            .field("issuer", &self.issuer)
            .field("audiences", &self.audiences)
            .field("trusted_roles", &self.trusted_roles)
            .finish()
    }
}

/// `ARN,issuer=URL,audience=AUD[,audience=AUD2],key=FILE[,role=ARN...]`;
/// `key` names a file holding the DER public key.
impl FromStr for OidcProvider {
    type Err = String;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let mut parts = spec.split(',');
        let arn = parts.next().unwrap_or_default().trim().to_owned();
        if !arn.starts_with("acs:ram::") || !arn.contains(":oidc-provider/") {
            return Err(format!(
                "{arn:?} is not an OIDC provider ARN (acs:ram::<account>:oidc-provider/<name>)"
            ));
        }
        let (mut issuer, mut audiences, mut key, mut roles) = (None, Vec::new(), None, Vec::new());
        for part in parts {
            match part.split_once('=') {
                Some(("issuer", v)) => issuer = Some(v.to_owned()),
                Some(("audience", v)) => audiences.push(v.to_owned()),
                Some(("key", v)) => {
                    key = Some(std::fs::read(v).map_err(|e| format!("key file {v}: {e}"))?)
                }
                Some(("role", v)) => roles.push(v.to_owned()),
                _ => {
                    return Err(format!(
                        "unknown part {part:?}; expected issuer=, audience=, key= or role="
                    ))
                }
            }
        }
        match (issuer, key) {
            (Some(issuer), Some(public_key_der)) if !audiences.is_empty() => Ok(OidcProvider {
                arn,
                issuer,
                audiences,
                public_key_der,
                trusted_roles: roles,
            }),
            _ => Err("issuer=, audience= and key= are required".to_owned()),
        }
    }
}

/// A validated AssumeRoleWithOIDC request: the role to issue credentials for.
pub fn check_request(
    params: &RpcParams,
    providers: &[OidcProvider],
    accepted_roles: &[String],
    now: OffsetDateTime,
) -> Result<AssumeRole, PopError> {
    let provider_arn = params
        .non_empty("OIDCProviderArn")
        .ok_or_else(|| PopError::missing_parameter("OIDCProviderArn"))?;
    let token = params.non_empty("OIDCToken").ok_or_else(|| {
        fail(
            "AuthenticationFail.OIDCToken.Invalid",
            "The OIDCToken can not empty.",
        )
    })?;
    // RoleArn, RoleSessionName and DurationSeconds follow AssumeRole's rules.
    let request = AssumeRole::from_params(params, accepted_roles)?;
    let Some(provider) = providers.iter().find(|p| p.arn == provider_arn) else {
        return Err(fail(
            "AuthenticationFail.NoPermission",
            "No such OIDC Provider registered.",
        ));
    };
    verify_token(token, provider, now)?;
    if !provider.trusted_roles.is_empty() && !provider.trusted_roles.contains(&request.role_arn) {
        return Err(fail(
            "AuthenticationFail.NoPermission",
            "There is no permission",
        ));
    }
    Ok(request)
}

/// Checks a JWT: three parts, `alg` RS256, signature by the provider's key,
/// `iss`, `aud`, `exp`.
pub fn verify_token(
    token: &str,
    provider: &OidcProvider,
    now: OffsetDateTime,
) -> Result<(), PopError> {
    let invalid = |m: &str| fail("AuthenticationFail.OIDCToken.Invalid", m);
    let parts: Vec<&str> = token.split('.').collect();
    let [header, payload, signature] = parts[..] else {
        return Err(invalid(
            "The number of Jwt field should be divided into 3 parts with '.' .",
        ));
    };
    let decode = |part: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| invalid("Cannot decode base64 encoded response(format invalided)."))
    };
    let json = |bytes: Vec<u8>| {
        serde_json::from_slice::<Value>(&bytes)
            .map_err(|_| invalid("The Jwt content is invalid that cannot be recognized."))
    };
    let header = json(decode(header)?)?;
    let alg = header["alg"].as_str().unwrap_or_default();
    if alg != "RS256" {
        return Err(invalid(&format!(
            "The algorithm {alg} that be specified in Jwt header is unknown."
        )));
    }
    let key = aws_lc_rs::signature::UnparsedPublicKey::new(
        &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
        &provider.public_key_der,
    );
    let signed = &token[..token.len() - signature.len() - 1];
    if key.verify(signed.as_bytes(), &decode(signature)?).is_err() {
        return Err(fail(
            "AuthenticationFail.OIDCToken.InvalidSignature",
            "OIDC token validate failed: invalid signature.",
        ));
    }
    let claims = json(decode(payload)?)?;
    if claims["iss"].as_str() != Some(provider.issuer.as_str()) {
        return Err(fail(
            "AuthenticationFail.OIDCToken.IssuerNotMatch",
            "Invalid issuer.",
        ));
    }
    let audiences: Vec<&str> = match &claims["aud"] {
        Value::String(aud) => vec![aud.as_str()],
        Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !audiences
        .iter()
        .any(|a| provider.audiences.iter().any(|p| p == a))
    {
        return Err(fail(
            "AuthenticationFail.OIDCToken.AudienceNotMatch",
            "Invalid audience.",
        ));
    }
    match claims["exp"].as_i64() {
        Some(exp) if exp > now.unix_timestamp() => Ok(()),
        _ => Err(fail(
            "AuthenticationFail.OIDCToken.Expired",
            "This JsonWebToken is expired.",
        )),
    }
}

fn fail(code: &str, message: &str) -> PopError {
    PopError::new(StatusCode::UNAUTHORIZED, code, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::rsa::{KeyPair, KeySize};
    use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    fn token(key: &KeyPair, claims: Value) -> String {
        let signed = format!(
            "{}.{}",
            b64(br#"{"alg":"RS256","typ":"JWT"}"#),
            b64(claims.to_string().as_bytes())
        );
        let mut sig = vec![0; key.public_modulus_len()];
        key.sign(
            &RSA_PKCS1_SHA256,
            &aws_lc_rs::rand::SystemRandom::new(),
            signed.as_bytes(),
            &mut sig,
        )
        .unwrap();
        format!("{signed}.{}", b64(&sig))
    }

    #[test]
    fn tokens_are_checked_for_signature_issuer_audience_and_expiry() {
        let key = KeyPair::generate(KeySize::Rsa2048).unwrap();
        let provider = OidcProvider {
            arn: "acs:ram::1:oidc-provider/gh".into(),
            issuer: "https://token.actions.githubusercontent.com".into(),
            audiences: vec!["sts.aliyuncs.com".into()],
            public_key_der: key.public_key().as_ref().to_vec(),
            trusted_roles: Vec::new(),
        };
        let now = OffsetDateTime::now_utc();
        let exp = now.unix_timestamp() + 60;
        let claims = |iss: &str, aud: Value, exp: i64| serde_json::json!({"iss": iss, "aud": aud, "exp": exp, "sub": "repo:x"});
        let code = |t: &str| verify_token(t, &provider, now).err().map(|e| e.code);
        let good = token(
            &key,
            claims(&provider.issuer, "sts.aliyuncs.com".into(), exp),
        );
        assert_eq!(code(&good), None);
        let listed = token(
            &key,
            claims(
                &provider.issuer,
                serde_json::json!(["x", "sts.aliyuncs.com"]),
                exp,
            ),
        );
        assert_eq!(code(&listed), None);
        assert_eq!(
            code(&token(
                &key,
                claims("https://evil", "sts.aliyuncs.com".into(), exp)
            ))
            .as_deref(),
            Some("AuthenticationFail.OIDCToken.IssuerNotMatch")
        );
        assert_eq!(
            code(&token(&key, claims(&provider.issuer, "other".into(), exp))).as_deref(),
            Some("AuthenticationFail.OIDCToken.AudienceNotMatch")
        );
        assert_eq!(
            code(&token(
                &key,
                claims(
                    &provider.issuer,
                    "sts.aliyuncs.com".into(),
                    now.unix_timestamp() - 1
                )
            ))
            .as_deref(),
            Some("AuthenticationFail.OIDCToken.Expired")
        );
        let other_key = KeyPair::generate(KeySize::Rsa2048).unwrap();
        assert_eq!(
            code(&token(
                &other_key,
                claims(&provider.issuer, "sts.aliyuncs.com".into(), exp)
            ))
            .as_deref(),
            Some("AuthenticationFail.OIDCToken.InvalidSignature")
        );
        assert_eq!(
            code("a.b").as_deref(),
            Some("AuthenticationFail.OIDCToken.Invalid")
        );
        let (head, rest) = good.split_once('.').unwrap();
        let _ = head;
        let hs256 = format!("{}.{rest}", b64(br#"{"alg":"HS256"}"#));
        assert_eq!(
            code(&hs256).as_deref(),
            Some("AuthenticationFail.OIDCToken.Invalid")
        );
    }
}
