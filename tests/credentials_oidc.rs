//! The OIDC role and both signature versions against the emulator's STS and
//! CAMS: the provider's credentials chain exchanges a real RS256 token from
//! a test identity provider (tests/common/oidc.rs) with AssumeRoleWithOIDC,
//! refreshes it before it expires with the token file read again, and signs
//! CAMS calls with V3 and V1; expired and wrong-audience tokens become the
//! diagnostics their cause calls for, without the token in them.

mod common;

use std::sync::Arc;

use cams_provider::alibaba::credentials::{
    resolve, AssumeRoleConfig, AssumeRoleWithOidcConfig, CredentialsConfig, CredentialsError,
    CredentialsProvider, MapEnv,
};
use cams_provider::alibaba::rpc_query::SignatureVersion;
use cams_provider::alibaba::{CamsClient, ClientConfig};
use cams_provider::provider::block::credential_errors;
use common::local_emulator::{LocalEmulator, SIGNUP_FLOW};
use common::oidc::{TestIdp, AUDIENCE, PROVIDER_ARN, ROLE_ARN};
use tokio_util::sync::CancellationToken;

/// Lifetime of the emulator's STS credentials: the client refreshes them
/// after three quarters of it.
const STS_TTL_SECS: u64 = 4;

struct Setup {
    emulator: LocalEmulator,
    idp: TestIdp,
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let idp = TestIdp::new(dir.path());
        let ttl = STS_TTL_SECS.to_string();
        let emulator = LocalEmulator::start(&[
            "--oidc-provider",
            &idp.emulator_arg(),
            "--sts-ttl",
            &ttl,
            "--qps",
            "0",
        ]);
        Self { emulator, idp, dir }
    }

    fn token_file(&self) -> std::path::PathBuf {
        self.dir.path().join("token")
    }

    fn write_token(&self, token: &str) {
        // As runners do: a new file renamed over the old one.
        let tmp = self.dir.path().join("token.new");
        std::fs::write(&tmp, token).unwrap();
        std::fs::rename(&tmp, self.token_file()).unwrap();
    }

    /// The chain configured from the environment alone, as a CI job sets it.
    fn chain_from_env(&self, version: SignatureVersion) -> Arc<dyn CredentialsProvider> {
        let env = MapEnv::new()
            .with_var("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", PROVIDER_ARN)
            .with_var("ALIBABA_CLOUD_ROLE_ARN", ROLE_ARN)
            .with_var(
                "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
                self.token_file().display().to_string(),
            )
            .with_var("ALIBABA_CLOUD_ROLE_SESSION_NAME", "ci-run-42")
            .with_home(self.dir.path());
        let config = CredentialsConfig {
            sts_endpoint: Some(self.emulator.url.clone()),
            signature_version: version,
            ..Default::default()
        };
        resolve(&config, &env, reqwest::Client::new()).unwrap()
    }

    fn client(
        &self,
        credentials: Arc<dyn CredentialsProvider>,
        version: SignatureVersion,
    ) -> CamsClient {
        let config = ClientConfig {
            endpoint: Some(self.emulator.url.clone()),
            signature_version: version,
            ..ClientConfig::default()
        };
        CamsClient::new(config, credentials).unwrap()
    }

    fn issued(&self, action: &str) -> u64 {
        self.emulator.stats()["sts_credentials_issued"][action]
            .as_u64()
            .unwrap_or(0)
    }
}

#[tokio::test]
async fn a_rotated_token_file_is_read_again_when_the_credentials_are_refreshed() {
    let setup = Setup::new();
    // The first token expires before the credentials need a refresh: a
    // refresh that did not read the file again would be refused.
    setup.write_token(&setup.idp.token(AUDIENCE, 2, "first"));
    let credentials = setup.chain_from_env(SignatureVersion::V3);
    let cams = setup.client(credentials.clone(), SignatureVersion::V3);
    let cancel = CancellationToken::new();
    cams.get_flow(SIGNUP_FLOW, None, &cancel).await.unwrap();
    let first = credentials.credentials().await.unwrap();
    assert_eq!(setup.issued("AssumeRoleWithOIDC"), 1);

    setup.write_token(&setup.idp.token(AUDIENCE, 600, "second"));
    tokio::time::sleep(std::time::Duration::from_secs(STS_TTL_SECS)).await;
    cams.get_flow(SIGNUP_FLOW, None, &cancel).await.unwrap();
    let second = credentials.credentials().await.unwrap();
    assert_ne!(first.access_key_id, second.access_key_id);
    assert_eq!(setup.issued("AssumeRoleWithOIDC"), 2);
}

#[tokio::test]
async fn cams_calls_signed_with_v1_and_v3_pass_with_oidc_credentials() {
    let setup = Setup::new();
    setup.write_token(&setup.idp.token(AUDIENCE, 600, "t"));
    for version in [SignatureVersion::V3, SignatureVersion::V1] {
        let cams = setup.client(setup.chain_from_env(version), version);
        let flow = cams
            .get_flow(SIGNUP_FLOW, None, &CancellationToken::new())
            .await
            .unwrap_or_else(|e| panic!("{version:?}: {e}"));
        assert_eq!(flow.flow_id, SIGNUP_FLOW);
    }
    assert_eq!(setup.emulator.stat("signature_failures"), 0);
}

#[tokio::test]
async fn assume_role_chains_on_the_oidc_role_signed_with_either_version() {
    let setup = Setup::new();
    setup.write_token(&setup.idp.token(AUDIENCE, 600, "t"));
    for version in [SignatureVersion::V3, SignatureVersion::V1] {
        let config = CredentialsConfig {
            sts_endpoint: Some(setup.emulator.url.clone()),
            signature_version: version,
            assume_role_with_oidc: Some(AssumeRoleWithOidcConfig {
                oidc_provider_arn: Some(PROVIDER_ARN.into()),
                role_arn: Some(ROLE_ARN.into()),
                oidc_token_file: Some(setup.token_file()),
                ..Default::default()
            }),
            assume_role: Some(AssumeRoleConfig {
                role_arn: "acs:ram::1234567890123456:role/cams-reader".into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        let env = MapEnv::new().with_home(setup.dir.path());
        let provider = resolve(&config, &env, reqwest::Client::new()).unwrap();
        assert!(
            provider.source().contains("cams-reader"),
            "{}",
            provider.source()
        );
        provider
            .credentials()
            .await
            .unwrap_or_else(|e| panic!("{version:?}: {e}"));
    }
    assert_eq!(setup.issued("AssumeRoleWithOIDC"), 2);
    assert_eq!(setup.issued("AssumeRole"), 2);
}

/// The error of a first fetch with `token`, and its diagnostic's summary.
async fn failure(setup: &Setup, token: &str) -> (CredentialsError, String) {
    setup.write_token(token);
    let err = setup
        .chain_from_env(SignatureVersion::V3)
        .credentials()
        .await
        .unwrap_err();
    let diagnostic = credential_errors::diagnostic(&err, None);
    let shown = format!("{err} {err:?} {} {}", diagnostic.summary, diagnostic.detail);
    assert!(!shown.contains(token), "the token leaked: {shown}");
    let signature = token.rsplit('.').next().unwrap();
    assert!(!shown.contains(signature), "{shown}");
    (err, diagnostic.summary)
}

#[tokio::test]
async fn an_expired_token_a_wrong_audience_and_a_missing_file_are_told_apart() {
    let setup = Setup::new();
    let (err, summary) = failure(&setup, &setup.idp.token(AUDIENCE, -60, "old")).await;
    assert!(
        err.to_string()
            .contains("AuthenticationFail.OIDCToken.Expired"),
        "{err}"
    );
    assert_eq!(summary, "OIDC Token Expired");

    let (err, summary) = failure(&setup, &setup.idp.token("someone-else", 600, "aud")).await;
    assert!(err.to_string().contains("AudienceNotMatch"), "{err}");
    assert_eq!(summary, "OIDC Token Not Accepted for This Provider");

    std::fs::remove_file(setup.token_file()).unwrap();
    let err = setup
        .chain_from_env(SignatureVersion::V3)
        .credentials()
        .await
        .unwrap_err();
    assert!(
        matches!(err, CredentialsError::OidcTokenFile { .. }),
        "{err:?}"
    );
    assert_eq!(
        credential_errors::diagnostic(&err, None).summary,
        "Cannot Read the OIDC Token File"
    );
    assert_eq!(setup.issued("AssumeRoleWithOIDC"), 0);
}

#[tokio::test]
async fn a_role_that_does_not_trust_the_provider_is_named_as_such() {
    let setup = Setup::new();
    setup.write_token(&setup.idp.token(AUDIENCE, 600, "t"));
    let env = MapEnv::new()
        .with_var("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", PROVIDER_ARN)
        .with_var(
            "ALIBABA_CLOUD_ROLE_ARN",
            "acs:ram::1234567890123456:role/other",
        )
        .with_var(
            "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
            setup.token_file().display().to_string(),
        );
    let config = CredentialsConfig {
        sts_endpoint: Some(setup.emulator.url.clone()),
        ..Default::default()
    };
    let err = resolve(&config, &env, reqwest::Client::new())
        .unwrap()
        .credentials()
        .await
        .unwrap_err();
    assert_eq!(
        credential_errors::diagnostic(&err, None).summary,
        "Role Does Not Trust the OIDC Provider"
    );
}
