//! `terraform validate` warns about a `cams_flow` without a space when its
//! provider block sets none, with every Terraform under test: a block with
//! arguments is validated (ValidateProviderConfig) before the resources that
//! use it, in the same plugin process; one without any (empty, alias only,
//! absent) is not sent for validation at all (src/provider/block/space.rs).

mod common;

use common::terraform::{terraforms, text, Workdir};

const SUMMARY: &str = "Missing Cust Space ID";

fn config(providers: &str, resource_args: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    cams = {{ source = "local/cams" }}
  }}
}}
variable "space" {{ type = string }}
{providers}
resource "cams_flow" "signup" {{
  name       = "signup"
  categories = ["SIGN_UP"]
  content    = jsonencode({{ version = "7.0", screens = [] }})
  {resource_args}
}}
"#
    )
}

#[test]
fn validate_warns_about_a_flow_without_a_space_only_when_the_provider_block_has_none() {
    let cases: [(&str, String, bool); 7] = [
        (
            "an empty provider block",
            config(r#"provider "cams" {}"#, ""),
            true,
        ),
        (
            "a provider block with other arguments",
            config(r#"provider "cams" { region = "ap-southeast-1" }"#, ""),
            true,
        ),
        ("no provider block at all", config("", ""), true),
        (
            "a space in the provider block",
            config(r#"provider "cams" { cust_space_id = "cams-1" }"#, ""),
            false,
        ),
        (
            "a space on the resource",
            config(r#"provider "cams" {}"#, r#"cust_space_id = "cams-1""#),
            false,
        ),
        (
            // Unknown at validate: the plan checks it again.
            "the provider's space from a variable",
            config(r#"provider "cams" { cust_space_id = var.space }"#, ""),
            false,
        ),
        (
            "a space on the default provider block, none on the alias the flow uses",
            config(
                r#"provider "cams" { cust_space_id = "cams-1" }
provider "cams" { alias = "other" }"#,
                "provider = cams.other",
            ),
            true,
        ),
    ];
    for (tf, version) in terraforms() {
        for (case, main_tf, reported) in &cases {
            let w = Workdir::new(main_tf, None);
            let o = w.run(&tf, &["validate", "-no-color"]);
            // Terraform wraps its messages at 78 columns.
            let out = text(&o).split_whitespace().collect::<Vec<_>>().join(" ");
            // A warning: a flow already in the state may go without a space.
            assert!(
                o.status.success(),
                "{version}, {case}: validate failed:\n{out}"
            );
            if *reported {
                assert!(
                    out.contains(&format!("Warning: {SUMMARY}"))
                        && out.contains("cams_flow.signup")
                        && out.contains("set cust_space_id in the provider block"),
                    "{version}, {case}: no missing-space warning on the flow:\n{out}"
                );
            } else {
                assert!(!out.contains(SUMMARY), "{version}, {case}:\n{out}");
            }
        }
    }
}
