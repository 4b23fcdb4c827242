//! A test OIDC identity provider: an RSA key made for the test run, its
//! public key in a file for the emulator's `--oidc-provider`, and RS256
//! tokens signed with it (the JWT of RFC 7519, as CI runners issue them).

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
use base64::Engine as _;

pub const PROVIDER_ARN: &str = "acs:ram::1234567890123456:oidc-provider/github";
pub const ROLE_ARN: &str = "acs:ram::1234567890123456:role/ci-deploy";
pub const ISSUER: &str = "https://token.actions.githubusercontent.com";
pub const AUDIENCE: &str = "sts.aliyuncs.com";

pub struct TestIdp {
    key: KeyPair,
    pub key_file: PathBuf,
}

impl TestIdp {
    /// A fresh key; its public half (DER) written to `dir/idp.der`.
    pub fn new(dir: &Path) -> Self {
        let key = KeyPair::generate(KeySize::Rsa2048).expect("RSA key");
        let key_file = dir.join("idp.der");
        std::fs::write(&key_file, key.public_key().as_ref()).unwrap();
        Self { key, key_file }
    }

    /// The emulator's `--oidc-provider` value for this provider.
    pub fn emulator_arg(&self) -> String {
        format!(
            "{PROVIDER_ARN},issuer={ISSUER},audience={AUDIENCE},key={},role={ROLE_ARN}",
            self.key_file.display()
        )
    }

    /// A token for `audience` that expires `lifetime_secs` from now
    /// (negative: already expired); `id` goes into `jti` so tokens differ.
    pub fn token(&self, audience: &str, lifetime_secs: i64, id: &str) -> String {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let claims = serde_json::json!({
            "iss": ISSUER,
            "aud": audience,
            "sub": "repo:example/infra:ref:refs/heads/main",
            "iat": now,
            "exp": now + lifetime_secs,
            "jti": id,
        });
        let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
        let signed = format!(
            "{}.{}",
            b64(br#"{"alg":"RS256","typ":"JWT","kid":"test"}"#),
            b64(claims.to_string().as_bytes())
        );
        let mut signature = vec![0; self.key.public_modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                signed.as_bytes(),
                &mut signature,
            )
            .expect("sign");
        format!("{signed}.{}", b64(&signature))
    }
}
