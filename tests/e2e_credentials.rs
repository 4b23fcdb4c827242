//! End-to-end on every Terraform under test: credentials for CI pipelines
//! against the in-process emulator, which plays STS and checks real RS256
//! OIDC tokens (tests/common/oidc.rs). A pipeline-like apply whose token
//! file is rotated while it runs and whose short-lived STS credentials must
//! be refreshed; an expired token and a wrong audience, each named as such
//! without the token in the output; the environment form; V1 signing.

mod common;

use common::local_emulator::{LocalEmulator, DEMO_KEY_ID, DEMO_SECRET, SIGNUP_FLOW};
use common::oidc::{TestIdp, AUDIENCE, PROVIDER_ARN, ROLE_ARN};
use common::terraform::{assert_ok, terraforms, text, Workdir};

/// Lifetime of the STS credentials the emulator issues: far below a run.
const STS_TTL: &str = "4";
/// Lifetime of the first token of the pipeline, and how long the rotation
/// step waits after writing the second one: the first token has expired
/// by the second read, so only a token file read again can succeed.
const FIRST_TOKEN_SECS: i64 = 12;
const ROTATION_WAIT_SECS: u64 = 14;

const REQUIRED_PROVIDERS: &str = r#"
terraform {
  required_providers {
    cams = { source = "local/cams" }
  }
}
variable "endpoint" { type = string }
"#;

const WITH_NULL: &str = r#"
terraform {
  required_providers {
    cams = { source = "local/cams" }
    null = { source = "hashicorp/null" }
  }
}
variable "endpoint" { type = string }
"#;

fn start_emulator(idp: &TestIdp) -> LocalEmulator {
    LocalEmulator::start(&[
        "--oidc-provider",
        &idp.emulator_arg(),
        "--sts-ttl",
        STS_TTL,
        "--qps",
        "0",
    ])
}

fn issued(emu: &LocalEmulator) -> u64 {
    emu.stats()["sts_credentials_issued"]["AssumeRoleWithOIDC"]
        .as_u64()
        .unwrap_or(0)
}

/// Two reads in the apply phase with the rotation step between them; no
/// read at plan time, so every STS call is the apply's.
fn pipeline_config(token_file: &str, next_token_file: &str) -> String {
    format!(
        r#"{WITH_NULL}
provider "cams" {{
  endpoint     = var.endpoint
  sts_endpoint = var.endpoint
  assume_role_with_oidc {{
    oidc_provider_arn = "{PROVIDER_ARN}"
    role_arn          = "{ROLE_ARN}"
    oidc_token_file   = "{token_file}"
    role_session_name = "pipeline-run"
  }}
}}
resource "null_resource" "start" {{}}
data "cams_flow" "first" {{
  flow_id    = "{SIGNUP_FLOW}"
  depends_on = [null_resource.start]
}}
resource "null_resource" "rotate" {{
  triggers = {{ first = data.cams_flow.first.status }}
  provisioner "local-exec" {{
    command = "cp '{next_token_file}' '{token_file}.new' && mv '{token_file}.new' '{token_file}' && sleep {ROTATION_WAIT_SECS}"
  }}
}}
data "cams_flow" "second" {{
  flow_id    = "{SIGNUP_FLOW}"
  depends_on = [null_resource.rotate]
}}
output "statuses" {{ value = [data.cams_flow.first.status, data.cams_flow.second.status] }}
"#
    )
}

#[test]
fn a_pipeline_apply_refreshes_with_the_rotated_token_file() {
    assert!(
        std::env::var("CAMS_TEST_NULL_PROVIDER").is_ok(),
        "CAMS_TEST_NULL_PROVIDER must point at the null provider (make test sets it)"
    );
    for (tf, version) in terraforms() {
        let keys = tempfile::tempdir().unwrap();
        let idp = TestIdp::new(keys.path());
        let emu = start_emulator(&idp);
        let token_file = keys.path().join("token");
        let next_token_file = keys.path().join("next-token");
        let first = idp.token(AUDIENCE, FIRST_TOKEN_SECS, "first");
        let second = idp.token(AUDIENCE, 600, "second");
        std::fs::write(&token_file, &first).unwrap();
        std::fs::write(&next_token_file, &second).unwrap();
        let work = Workdir::new(
            &pipeline_config(
                &token_file.display().to_string(),
                &next_token_file.display().to_string(),
            ),
            None,
        );
        let before = issued(&emu);
        let out = work.apply(&tf, &[("endpoint", &emu.url)]);
        assert_ok(&out, &format!("{version}: pipeline apply"));
        let refreshes = issued(&emu) - before;
        eprintln!("{version}: AssumeRoleWithOIDC calls in the apply: {refreshes}");
        assert_eq!(refreshes, 2, "{version}: one exchange, one refresh");
        let outputs = work.outputs(&tf);
        assert_eq!(
            outputs["statuses"]["value"],
            serde_json::json!(["PUBLISHED", "PUBLISHED"]),
            "{version}"
        );
        let shown = text(&out);
        for token in [&first, &second] {
            assert!(
                !shown.contains(token.as_str()),
                "{version}: token in output"
            );
        }
    }
}

fn plan_config(provider_block: &str) -> String {
    format!(
        r#"{REQUIRED_PROVIDERS}
provider "cams" {{
{provider_block}
}}
data "cams_flow" "signup" {{ flow_id = "{SIGNUP_FLOW}" }}
"#
    )
}

#[test]
fn expired_tokens_and_wrong_audiences_are_named_and_the_environment_form_works() {
    for (tf, version) in terraforms() {
        let keys = tempfile::tempdir().unwrap();
        let idp = TestIdp::new(keys.path());
        let emu = start_emulator(&idp);
        let token_file = keys.path().join("token");
        let env_form = plan_config("  endpoint = var.endpoint\n  sts_endpoint = var.endpoint");
        let with_env = |work: Workdir| {
            work.env("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", PROVIDER_ARN)
                .env("ALIBABA_CLOUD_ROLE_ARN", ROLE_ARN)
                .env(
                    "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
                    &token_file.display().to_string(),
                )
        };
        let plan = |work: &Workdir| {
            work.run(
                &tf,
                &[
                    "plan",
                    "-input=false",
                    "-no-color",
                    "-var",
                    &format!("endpoint={}", emu.url),
                ],
            )
        };

        // The environment form, as a CI job sets it.
        std::fs::write(&token_file, idp.token(AUDIENCE, 600, "ok")).unwrap();
        let work = with_env(Workdir::new(&env_form, None));
        assert_ok(&plan(&work), &format!("{version}: environment form"));

        for (token, summary) in [
            (idp.token(AUDIENCE, -60, "expired"), "OIDC Token Expired"),
            (
                idp.token("another-audience", 600, "aud"),
                "OIDC Token Not Accepted for This Provider",
            ),
        ] {
            std::fs::write(&token_file, &token).unwrap();
            let work = with_env(Workdir::new(&env_form, None));
            let out = plan(&work);
            let shown = text(&out);
            assert!(!out.status.success(), "{version}: {summary}: {shown}");
            assert!(shown.contains(summary), "{version}: {summary}: {shown}");
            let signature = token.rsplit('.').next().unwrap();
            assert!(
                !shown.contains(signature),
                "{version}: the token leaked: {shown}"
            );
        }

        // V1 from the environment, with the demo keys.
        let work = Workdir::new(&plan_config("  endpoint = var.endpoint"), None)
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", DEMO_KEY_ID)
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", DEMO_SECRET)
            .env("ALIBABA_CLOUD_SIGNATURE_VERSION", "v1");
        assert_ok(&plan(&work), &format!("{version}: signature v1"));
        assert_eq!(emu.stat("signature_failures"), 0, "{version}");
    }
}
